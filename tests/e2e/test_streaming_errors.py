"""Streaming SSR when a page fails or suspends where no boundary of its own waits for it, on a real
`pyxle serve` with React 19 and React 18: what nothing was sent of yet is answered as a render
error is (loading.pyxl's boundary holds the whole page); a page that suspends outside every
boundary is waited for; a boundary of the page's own that failed is rendered by the browser,
which says so in its console (React 18 gives the digest apart from the error)."""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import (
    NODE_MODULES,
    NODE_MODULES_REACT18,
    PageWatch,
    pyxle_command,
    server_env,
    serving,
    write_project,
)
from tests.docs._blocks import cites

DOC = "docs/pages.md"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

# React 18 has no use(): there a thrown promise suspends, as use() does on 19.
USE_19 = "import React, { Suspense, use } from 'react'\n"
USE_18 = """import React, { Suspense } from 'react'
function use(promise) {
  if (promise.status === 'fulfilled') return promise.value
  if (!promise.watched) {
    promise.watched = true
    promise.then((value) => { promise.status = 'fulfilled'; promise.value = value })
  }
  throw promise
}
"""
THROWS = '''
@server
async def load(request):
    return {"items": None}

export default function P({ data }) { return <ul>{data.items.map((i) => <li key={i}>{i}</li>)}</ul> }
'''
LATE_THROW = '''
@server
async def load(request):
    return {"items": None}

{USE}
const waits = new WeakMap()  // one wait per render: the shell (loading.pyxl) goes out first
export default function P({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, 500)))
  use(promise)
  return <ul>{data.items.map((i) => <li key={i}>{i}</li>)}</ul>
}
'''
OWN_BOUNDARY = '''
{USE}
function ServerFails() {
  if (typeof window === 'undefined') throw new Error('secret own boundary detail')
  return <p id="own-late">rendered in the browser</p>
}
export default function P() {
  return <main><h1 id="own-shell">Own</h1><Suspense fallback={<p id="own-fallback">loading</p>}><ServerFails /></Suspense></main>
}
'''
RESOLVED = '''
{USE}
const ready = Promise.resolve('resolved before the render')
export default function P() { return <p id="resolved">{use(ready)}</p> }
'''
SLOW_SHELL = '''
@server
async def load(request):
    return {"n": 1}

{USE}
const waits = new WeakMap()
export default function P({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('ready after 700 ms'), 700)))
  return <p id="slow">{use(promise)}</p>
}
'''
NEVER_SHELL = '''
{USE}
const never = new Promise(() => {})
export default function P() { return <p>{use(never)}</p> }
'''
# The page logs once per render, with the request's own token (?t=), so the log shows how many
# times one request rendered it.
LOGS_OWN = '''
@server
async def load(request):
    return {"token": request.query_params.get("t", ""), "items": None}

{USE}
function ServerFails() {
  if (typeof window === 'undefined') throw new Error('secret own boundary detail')
  return <p id="own-late">rendered in the browser</p>
}
export default function P({ data }) {
  console.log(`rendering the page for ${data.token}`)
  return (
    <main>
      <h1 id="own-shell">Own</h1>
      <Suspense fallback={<p id="own-fallback">loading</p>}><ServerFails /></Suspense>
      {THEN}
    </main>
  )
}
'''
# Waits outside its boundaries (loading.pyxl shows), and a boundary of its own waits, then throws.
LATE_OWN = '''
{USE}
const waits = new WeakMap()
function wait(props, ms) {
  let promise = waits.get(props)
  if (!promise) waits.set(props, promise = new Promise((resolve) => setTimeout(resolve, ms)))
  use(promise)
}
function LateFails(props) {
  wait(props, 600)
  throw new Error('secret late own boundary detail')
}
export default function P(props) {
  wait(props, 300)
  return <main><h1 id="own-shell">Own</h1><Suspense fallback={<p id="own-fallback">loading</p>}><LateFails /></Suspense></main>
}
'''
# Throws on the first render of each request only (its props object is the request's).
FIRST_RENDER_THROWS = '''
@server
async def load(request):
    return {"n": 1}

const renders = new WeakMap()
export default function P({ data }) {
  const n = (renders.get(data) || 0) + 1
  renders.set(data, n)
  if (n === 1) throw new Error('fails on the first render of a request')
  return <p id="passed">rendered on render {n}</p>
}
'''
# A layout with a boundary of its own that fails on the server, above a folder's loading.pyxl,
# and a page there still loading at the render timeout (2 s).
TEAM_LAYOUT = '''
import { Suspense } from 'react'
function ServerFails() {
  if (typeof window === 'undefined') throw new Error('secret layout boundary detail')
  return <p id="layout-late">rendered in the browser</p>
}
export default function Layout({ children }) {
  return <div><nav id="team-nav">Team</nav><Suspense fallback={<p id="layout-fallback">nav loading</p>}><ServerFails /></Suspense>{children}</div>
}
'''
STALLS = '''
{USE}
const never = new Promise(() => {})
export default function P() { return <p id="stalled">{use(never)}</p> }
'''
FAST = "export default function P() { return <p id=\"fast\">fast</p> }\n"
BILLING_ERROR = '''
export default function E({ data }) { return <h1 id="billing-error">{data.statusCode} {data.message}</h1> }
'''


@pytest.fixture(scope="module", params=["19", "18"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    version = request.param
    use = USE_19 if version == "19" else USE_18
    files = {
        "pages/reports/loading.pyxl": 'export default function Loading() { return <p id="loading">reports loading</p> }\n',
        "pages/reports/throws.pyxl": THROWS,
        "pages/reports/stored-throws.pyxl": THROWS.replace('return {"items": None}',
                                                          'return {"data": {"items": None}, "revalidate": 60}'),
        "pages/reports/late-throw.pyxl": LATE_THROW.replace("{USE}", use),
        "pages/reports/own.pyxl": OWN_BOUNDARY.replace("{USE}", use),
        "pages/reports/own-logs.pyxl": LOGS_OWN.replace("{USE}", use).replace("{THEN}", ""),
        "pages/reports/own-then-throws.pyxl": LOGS_OWN.replace("{USE}", use).replace(
            "{THEN}", "<ul>{data.items.map((i) => <li key={i}>{i}</li>)}</ul>"),
        "pages/reports/late-own.pyxl": LATE_OWN.replace("{USE}", use),
        "pages/reports/first-render-throws.pyxl": FIRST_RENDER_THROWS,
        "pages/billing/loading.pyxl": 'export default function Loading() { return <p id="loading">billing loading</p> }\n',
        "pages/billing/error.pyxl": BILLING_ERROR,
        "pages/billing/throws.pyxl": THROWS,
        "pages/own.pyxl": OWN_BOUNDARY.replace("{USE}", use),
        "pages/resolved.pyxl": RESOLVED.replace("{USE}", use),
        "pages/slow-shell.pyxl": SLOW_SHELL.replace("{USE}", use),
        "pages/never-shell.pyxl": NEVER_SHELL.replace("{USE}", use),
        "pages/fast.pyxl": FAST,
        "pages/team/layout.pyxl": TEAM_LAYOUT,
        "pages/team/loading.pyxl": 'export default function Loading() { return <p id="loading">team loading</p> }\n',
        "pages/team/stalls.pyxl": STALLS.replace("{USE}", use),
    }
    root = tmp_path_factory.mktemp(f"streaming-errors-{version}") / "app"
    modules = NODE_MODULES if version == "19" else NODE_MODULES_REACT18
    project = write_project(root, files, modules)
    installed = json.loads((project / "node_modules" / "react-dom" / "package.json").read_text())["version"]
    assert installed.startswith(version + "."), installed
    with serving(project, "--ssr-workers", "2", "--ssr-timeout", "2") as server:
        server.react = version  # type: ignore[attr-defined]
        yield server


@cites(DOC, "A page that throws while rendering before anything of it was sent is the error page with 500")
@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_a_page_that_throws_under_a_loading_pyxl_is_the_500_error_page(app, agent: str) -> None:
    for _ in range(3):  # the first render of a page on each SSR worker, and the later ones
        answer = httpx.get(app.url + "/reports/throws", headers={"User-Agent": agent}, timeout=30)
        assert answer.status_code == 500, answer.text
        assert "Internal Server Error" in answer.text
        assert "reports loading" not in answer.text and "data-dgst" not in answer.text
        assert "transfer-encoding" not in answer.headers


def test_a_page_being_stored_that_throws_under_a_loading_pyxl_is_the_500_error_page_and_not_stored(app) -> None:
    for _ in range(3):
        answer = httpx.get(app.url + "/reports/stored-throws", timeout=30)
        assert answer.status_code == 500 and "reports loading" not in answer.text
        assert "x-pyxle-cache" not in answer.headers or answer.headers["x-pyxle-cache"] != "HIT"


@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_the_folders_error_pyxl_answers_for_a_page_that_throws_under_its_loading_pyxl(app, agent: str) -> None:
    for _ in range(3):
        answer = httpx.get(app.url + "/billing/throws", headers={"User-Agent": agent}, timeout=30)
        assert answer.status_code == 500
        assert re.search(r'<h1 id="billing-error">500(<!-- -->)? (<!-- -->)?Internal Server Error</h1>', answer.text)
        assert "billing loading" not in answer.text


def test_a_page_that_throws_after_its_loading_shell_went_out_is_left_to_the_browser(app) -> None:
    """The shell (loading.pyxl) went out: the status is sent; only a crawler, answered whole, gets the 500."""
    with httpx.stream("GET", app.url + "/reports/late-throw", headers={"User-Agent": BROWSER}, timeout=30) as answer:
        body = answer.read().decode()
        assert answer.status_code == 200 and answer.headers["transfer-encoding"] == "chunked"
        assert "reports loading" in body and re.search(r'"pyxle-[0-9a-f]{8}"', body)
    bot = httpx.get(app.url + "/reports/late-throw", headers={"User-Agent": BOT}, timeout=30)
    assert bot.status_code == 500 and "reports loading" not in bot.text


@cites(DOC, "the\n  page is then rendered by the browser, which shows the same error page in its place")
def test_the_browser_shows_the_error_page_of_a_page_that_threw_after_its_loading_shell(app, page: PageWatch) -> None:
    page.page.goto(app.url + "/reports/late-throw")
    page.page.get_by_role("alert").filter(has_text="Something went wrong rendering this page.").wait_for(timeout=15000)
    assert page.page.locator("#loading").count() == 0


@cites(DOC, "A `<Suspense>` boundary of the page's own that fails before anything was sent is still left to the\n"
            "  browser (a `200` with that boundary's fallback and a digest, `private, no-cache`")
@cites(DOC, "for crawlers too, as React and Next.js do")
@pytest.mark.parametrize("path", ["/own", "/reports/own"])
@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_a_boundary_of_the_pages_own_that_fails_is_left_to_the_browser(app, path: str, agent: str) -> None:
    for _ in range(3):
        answer = httpx.get(app.url + path, headers={"User-Agent": agent}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "private, no-cache"
        assert 'id="own-shell"' in answer.text and 'id="own-fallback"' in answer.text
        assert "secret own boundary detail" not in answer.text
        digest = re.search(r'data-dgst="(pyxle-[0-9a-f]{8})"', answer.text)
        assert digest and "secret own boundary detail" in app.wait_for_output(f"(digest {digest[1]})")


def _renders_of_one_request(app, path: str, agent: str) -> tuple[httpx.Response, int]:
    """One request's answer, and how many times the server rendered the page for it (its log lines)."""
    token = uuid.uuid4().hex
    answer = httpx.get(app.url + path, params={"t": token}, headers={"User-Agent": agent}, timeout=30)
    app.wait_for_output(f"rendering the page for {token}")
    time.sleep(1)  # a second render's line would be on its way
    return answer, app.output().count(f"rendering the page for {token}")


def _warm(app, path: str) -> None:
    """Each SSR worker's first render of a page that suspends runs twice (renderToString learns
    that it does): two at once, so that both workers are past it."""
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: httpx.get(app.url + path, timeout=30), range(2)))


@cites(DOC, "the page is not rendered again to find out,\n  so its console output and side effects happen once per request")
@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_a_page_whose_own_boundary_fails_under_a_loading_pyxl_is_rendered_once(app, agent: str) -> None:
    _warm(app, "/reports/own-logs")
    for _ in range(2):
        answer, renders = _renders_of_one_request(app, "/reports/own-logs", agent)
        assert answer.status_code == 200, answer.text
        assert 'id="own-fallback"' in answer.text and re.search(r'data-dgst="pyxle-[0-9a-f]{8}"', answer.text)
        assert "reports loading" not in answer.text and "secret own boundary detail" not in answer.text
        assert "data-pyxle-" not in answer.text  # the server's own markers (client/_reached.js)
        assert renders == 1


@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_a_page_that_throws_outside_its_own_failed_boundary_under_a_loading_pyxl_is_the_500_error_page(
        app, agent: str) -> None:
    """Its own boundary failed first: what decides is that loading.pyxl's boundary failed too."""
    _warm(app, "/reports/own-then-throws")
    for _ in range(2):
        answer, renders = _renders_of_one_request(app, "/reports/own-then-throws", agent)
        assert answer.status_code == 500, answer.text
        assert "Internal Server Error" in answer.text
        assert "reports loading" not in answer.text and "data-dgst" not in answer.text
        assert renders == 1


@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_a_page_that_throws_in_its_one_render_under_a_loading_pyxl_is_the_500_error_page(app, agent: str) -> None:
    """A render of its own, not a second one that may pass, decides."""
    _warm(app, "/reports/first-render-throws")
    for _ in range(3):
        answer = httpx.get(app.url + "/reports/first-render-throws", headers={"User-Agent": agent}, timeout=30)
        assert answer.status_code == 500, answer.text
        assert "reports loading" not in answer.text and "rendered on render" not in answer.text


def test_a_boundary_of_the_pages_own_that_fails_late_under_a_waiting_loading_pyxl_is_left_to_the_browser(app) -> None:
    """The page waited outside its boundaries (loading.pyxl's held it), then its own boundary threw."""
    for _ in range(3):
        answer = httpx.get(app.url + "/reports/late-own", headers={"User-Agent": BOT}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert 'id="own-shell"' in answer.text and 'id="own-fallback"' in answer.text
        assert "reports loading" not in answer.text and "secret late own boundary detail" not in answer.text
        digest = re.search(r'data-dgst="(pyxle-[0-9a-f]{8})"', answer.text)
        assert digest and "secret late own boundary detail" in app.wait_for_output(f"(digest {digest[1]})")


@pytest.mark.parametrize("agent", [BROWSER, BOT])
def test_a_page_still_loading_at_the_timeout_under_a_layout_whose_boundary_failed_is_left_to_the_browser(
        app, agent: str) -> None:
    """loading.pyxl's content was cut by the timeout, not by the layout's failed boundary: that one
    is the layout's own, left to the browser, and the page's part is loading.pyxl's fallback."""
    answer = httpx.get(app.url + "/team/stalls", headers={"User-Agent": agent}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert 'id="team-nav"' in answer.text and 'id="layout-fallback"' in answer.text
    assert "team loading" in answer.text and 'id="stalled"' not in answer.text
    assert "secret layout boundary detail" not in answer.text
    assert "data-pyxle-" not in answer.text  # the server's own markers (client/_reached.js)
    assert answer.headers["cache-control"] == "private, no-cache"
    digest = re.search(r'data-dgst="(pyxle-[0-9a-f]{8})"', answer.text)
    assert digest and "secret layout boundary detail" in app.wait_for_output(f"(digest {digest[1]})")


@cites(DOC, "A page that suspends outside every `<Suspense>` boundary (a `use(promise)` in the page itself)\n"
            "  is waited for")
@pytest.mark.parametrize("path, text", [("/resolved", "resolved before the render"), ("/slow-shell", "ready after 700 ms")])
def test_a_page_that_suspends_outside_every_boundary_is_waited_for(app, path: str, text: str) -> None:
    for _ in range(4):  # each SSR worker's first render of it, and the later ones
        answer = httpx.get(app.url + path, timeout=30)
        assert answer.status_code == 200, answer.text
        assert f">{text}</p>" in answer.text
    assert "suspended while responding to synchronous input" not in app.output()


@cites(DOC, "one still waiting at the render timeout is the error page with 500")
def test_a_page_whose_shell_waits_past_the_render_timeout_is_the_500_error_page(app) -> None:
    answer = httpx.get(app.url + "/never-shell", timeout=30)
    assert answer.status_code == 500 and "Internal Server Error" in answer.text
    assert answer.elapsed.total_seconds() < 8, answer.elapsed


def test_a_page_that_does_not_suspend_keeps_its_content_length(app) -> None:
    answer = httpx.get(app.url + "/fast")
    assert answer.status_code == 200 and "transfer-encoding" not in answer.headers and "etag" in answer.headers


@cites(DOC, "the browser's console says `a part of this page was rendered\n  in the browser (digest ...)`, not a hydration error")
@pytest.mark.parametrize("path", ["/own", "/reports/own"])
def test_the_browser_renders_a_failed_boundary_and_says_so(app, page: PageWatch, path: str) -> None:
    page.page.goto(app.url + path)
    page.hydrated()
    page.page.wait_for_selector("#own-late", timeout=15000)
    assert page.page.inner_text("#own-late") == "rendered in the browser"
    assert page.problems() == []
    notes = [text for kind, text, _ in page.messages if kind == "info" and "rendered in the browser" in text]
    assert notes and re.search(r"\(digest pyxle-[0-9a-f]{8}\)", notes[0]), page.messages


LOADING_WITH_SERVER_CODE = """
HEAD = "<title>loading</title>"

@server
async def load(request):
    return {"n": 1}

@action
async def save(request):
    return {}

export default function Loading() { return <p>loading</p> }
"""


@cites(DOC, "`loading.pyxl` has no loader and no actions")
def test_a_loading_pyxl_with_a_loader_or_an_action_stops_the_build_and_the_server(make_project, start_server) -> None:
    """Both built without a word, and the loader never ran."""
    project = make_project({"pages/reports/loading.pyxl": LOADING_WITH_SERVER_CODE, "pages/reports/index.pyxl": FAST},
                           node=True)
    loader = ("pages/reports/loading.pyxl:3:1: loading.pyxl is rendered with no props: its @server loader load() "
              "would never run")
    action = "pages/reports/loading.pyxl:7:1: loading.pyxl serves no actions: its @action save() would never be called"
    build = subprocess.run([*pyxle_command(), "build", str(project)], cwd=project, capture_output=True, text=True,
                           timeout=120, env=server_env(), check=False)
    said = build.stdout + build.stderr
    assert build.returncode == 1 and loader in said and action in said and "hint:" in said, said
    assert "Traceback" not in said
    check = subprocess.run([*pyxle_command(), "check", str(project)], cwd=project, capture_output=True, text=True,
                           timeout=120, env=server_env(), check=False)
    assert check.returncode == 1 and loader in check.stdout and action in check.stdout, check.stdout + check.stderr
    server = start_server(project, ready=False)
    assert server.wait_exit() == 1
    assert loader in server.output() and action in server.output()
