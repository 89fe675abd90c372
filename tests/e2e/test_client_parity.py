"""`pyxle/client` as Pyxle 0.9 apps use it, in Chromium: usePathname while server rendering,
layoutData, navigate() -> true/false with scroll/replace/shallow, data as of the click (the
prefetch cache and navigation.defaultPrefetchTtl), getRouter and the default export.

The project runs on React 19 and, where server rendering and hydration differ, on React 18."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, server_env, serving, write_project
from tests.docs._blocks import cites
from tests.e2e._parity import react_app

ROOT_LAYOUT = """
import { Link, usePathname } from 'pyxle/client'

export default function Root({ children, data, layoutData }) {
  const path = usePathname()
  return (
    <div>
      <nav style={{ position: 'fixed', bottom: 0, left: 0, background: 'white' }}>
        <Link href="/" className={path === '/' ? 'active' : ''}>Home</Link>
        <Link href="/section/deep/inner" className={path.startsWith('/section') ? 'active' : ''}>Inner</Link>
        <Link href="/counter">Counter</Link> <Link href="/counter?shallow=1" shallow>Counter, shallow</Link>
        <Link href="/plain">Plain</Link> <Link href="/plain" scroll="preserve">Plain, preserve</Link>
        <Link href="/tag/na%C3%AFve?from=nav">Tag</Link>
      </nav>
      <pre data-testid="root-layout">{JSON.stringify({ path, data, layoutData })}</pre>
      {children}
    </div>
  )
}
"""

SECTION_LAYOUT = """
@server
async def load(request):
    return {"section": "Section", "shared": "section", "who": "section"}

export default function Section({ children, data, layoutData }) {
  return <section><pre data-testid="section-layout">{JSON.stringify({ data, layoutData })}</pre>{children}</section>
}
"""

DEEP_LAYOUT = """
@server
async def load(request):
    return {"deep": True, "shared": "deep"}

export default function Deep({ children, data }) {
  return <div><pre data-testid="deep-layout">{JSON.stringify(data)}</pre>{children}</div>
}
"""

INNER = """
@server
async def load(request):
    return {"page": "inner"}

import { usePathname } from 'pyxle/client'

export default function Inner(props) {
  return <main><h1>Inner</h1><pre data-testid="inner">{JSON.stringify({ ...props, path: usePathname() })}</pre></main>
}
"""

COUNTER = """
import itertools

VISITS = itertools.count(1)

@server
async def load(request):
    return {"visit": next(VISITS)}

export default function Counter({ data }) {
  return <main><h1>Counter</h1><p data-testid="visit">{data.visit}</p><div style={{ height: '4000px' }} /></main>
}
"""

PLAIN = """
export default function Plain() {
  return <main><h1>Plain</h1><div style={{ height: '4000px' }} /></main>
}
"""

HOME = """
import { useEffect, useState } from 'react'
import Link, { getRouter } from 'pyxle/client'

export default function Home() {
  const [router, setRouter] = useState('none')
  useEffect(() => setRouter(Object.keys(getRouter()).sort().join(',')), [])
  return (
    <main>
      <h1>Home</h1>
      <p data-testid="router">{router}</p>
      <Link href="/plain">Plain, by the default export</Link>
      <Link href="/plain?manual=1" prefetch={false}>Plain, not prefetched</Link>
      <div style={{ height: '4000px' }} />
      <Link href="/counter" prefetchTtl={60000}>Counter, reused</Link>
      <div style={{ height: '400px' }} />
    </main>
  )
}
"""

TAG = """
import { usePathname } from 'pyxle/client'

export default function Tag() {
  return <main><h1>Tag</h1><p data-testid="tag-path">{usePathname()}</p></main>
}
"""

FILES = {
    "pages/layout.pyxl": ROOT_LAYOUT,
    "pages/index.pyxl": HOME,
    "pages/section/layout.pyxl": SECTION_LAYOUT,
    "pages/section/deep/layout.pyxl": DEEP_LAYOUT,
    "pages/section/deep/inner.pyxl": INNER,
    "pages/counter.pyxl": COUNTER,
    "pages/plain.pyxl": PLAIN,
    "pages/tag/[name].pyxl": TAG,
}


app = react_app(FILES, "parity")


@pytest.fixture(scope="module")
def app19(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = write_project(tmp_path_factory.mktemp("parity") / "app", FILES)
    with serving(root, "--ssr-workers", "1") as server:
        yield server


def shown(page: PageWatch, test_id: str) -> dict:
    return json.loads(page.page.get_by_test_id(test_id).text_content())


def nav_requests(page: PageWatch) -> list[tuple[str, str]]:
    """(x-pyxle-navigation value, URL) of every request the router makes from now on."""
    seen: list[tuple[str, str]] = []
    page.page.on("request", lambda r: r.headers.get("x-pyxle-navigation") and seen.append(
        (r.headers["x-pyxle-navigation"], r.url)))
    return seen


def open_page(server: Server, page: PageWatch, path: str = "/") -> None:
    page.page.goto(server.url + path)
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")


def test_use_pathname_is_the_request_path_during_server_rendering(app: Server, page: PageWatch) -> None:
    html = httpx.get(app.url + "/section/deep/inner").text
    assert html.count('class="active"') == 1 and 'class="active" href="/section/deep/inner"' in html
    assert '&quot;path&quot;:&quot;/section/deep/inner&quot;' in html  # the page's usePathname() too
    open_page(app, page, "/section/deep/inner")
    assert shown(page, "inner")["path"] == "/section/deep/inner"
    page.page.get_by_role("link", name="Home").click()
    page.page.get_by_role("heading", name="Home").wait_for()
    assert shown(page, "root-layout")["path"] == "/"  # and it follows client-side navigation
    assert page.page.evaluate("window.__marker") == "still here"
    assert page.problems() == []  # hydrated without a mismatch


def test_use_pathname_of_a_path_with_escapes_is_the_same_on_server_and_browser(app: Server, page: PageWatch) -> None:
    assert "/tag/café" in httpx.get(app.url + "/tag/caf%C3%A9").text
    open_page(app, page, "/tag/caf%C3%A9")
    assert page.page.get_by_test_id("tag-path").text_content() == "/tag/café"
    page.page.get_by_role("link", name="Tag").click()
    page.page.get_by_test_id("tag-path").filter(has_text="/tag/naïve").wait_for()  # no query, decoded
    assert page.page.get_by_test_id("tag-path").text_content() == "/tag/naïve"
    assert page.problems() == []  # decoded alike, so hydration found what the server rendered


def test_layouts_and_pages_receive_the_layout_data_merged(app: Server, page: PageWatch) -> None:
    merged = {"section": "Section", "who": "section", "deep": True, "shared": "section"}  # the outer layout wins
    for how in ("server", "navigation"):
        if how == "server":
            open_page(app, page, "/section/deep/inner")
        else:
            open_page(app, page, "/")
            page.page.get_by_role("link", name="Inner").click()
            page.page.get_by_role("heading", name="Inner").wait_for()
        inner = shown(page, "inner")
        assert inner["data"] == {"page": "inner"} and inner["layoutData"] == merged, how
        assert shown(page, "root-layout") == {"path": "/section/deep/inner", "data": merged, "layoutData": merged}
        assert shown(page, "section-layout") == {"data": merged, "layoutData": merged}
        assert shown(page, "deep-layout") == {**merged, "shared": "deep"}  # its own loader's keys come first
    assert page.problems() == []


def test_navigate_resolves_to_true_when_shown_and_false_when_the_page_loads_in_full(app19: Server,
                                                                                     page: PageWatch) -> None:
    open_page(app19, page)
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/plain')") is True
    assert page.page.get_by_role("heading", name="Plain").is_visible()
    assert page.page.evaluate("window.__marker") == "still here"
    for target in ("/no-such-page", "https://elsewhere.example/"):
        page.page.context.route("https://elsewhere.example/**", lambda route: route.fulfill(body="elsewhere"))
        # `void`: the evaluation must not wait on the promise, whose page is being replaced by a full load
        page.page.evaluate(f"""void window.__PYXLE_ROUTER__.navigate('{target}').then(
            (shown) => localStorage.setItem('shown', String(shown)))""")  # kept for the next document
        page.page.wait_for_url(app19.url + target if target.startswith("/") else target)
        page.page.goto(app19.url + "/plain")
        assert page.page.evaluate("localStorage.getItem('shown')") == "false", target
        page.page.evaluate("localStorage.clear()")


def test_scroll_preserve_keeps_the_position_and_the_default_goes_to_the_top(app19: Server, page: PageWatch) -> None:
    open_page(app19, page, "/counter")
    page.page.evaluate("window.scrollTo(0, 1500)")
    page.page.get_by_role("link", name="Plain, preserve").click()
    page.page.get_by_role("heading", name="Plain").wait_for()
    assert page.page.evaluate("window.scrollY") == 1500
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/counter', { scroll: 'preserve' })") is True
    assert page.page.evaluate("window.scrollY") == 1500
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/plain', { scroll: false })") is True
    assert page.page.evaluate("window.scrollY") == 1500
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/plain')") is True
    assert page.page.evaluate("window.scrollY") == 0


@cites("docs/client.md", "`false`: replace the current history entry, as `replace` does")
def test_replace_and_update_history_false_keep_the_history_length(app19: Server, page: PageWatch) -> None:
    open_page(app19, page)
    length = page.page.evaluate("history.length")
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/plain', { replace: true })") is True
    assert page.page.evaluate("history.length") == length and page.page.url == app19.url + "/plain"
    # as in Pyxle 0.9.4: the address bar shows the page, in place of the current entry
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/counter', { updateHistory: false })") is True
    page.page.get_by_role("heading", name="Counter").wait_for()
    assert page.page.evaluate("history.length") == length and page.page.url == app19.url + "/counter"
    page.page.reload()  # the entry is the page's: a reload shows it
    page.page.get_by_role("heading", name="Counter").wait_for()


def test_shallow_is_accepted_and_the_loaders_still_run(app19: Server, page: PageWatch) -> None:
    open_page(app19, page, "/counter")
    shallow = page.page.get_by_role("link", name="Counter, shallow")
    assert shallow.get_attribute("shallow") is None  # not passed on to the <a>
    before = int(page.page.get_by_test_id("visit").text_content())
    shallow.click()
    page.page.wait_for_url(app19.url + "/counter?shallow=1")
    page.page.get_by_test_id("visit").filter(has_text=str(before + 1)).wait_for()  # fresh data, as in 0.9
    assert page.page.evaluate("window.__marker") == "still here"
    assert page.problems() == []


def test_a_link_click_shows_the_data_as_of_the_click(app19: Server, page: PageWatch) -> None:
    seen = nav_requests(page)
    open_page(app19, page)
    link = page.page.get_by_role("link", name="Counter", exact=True)
    link.hover()
    page.page.wait_for_timeout(300)
    assert ("prefetch", app19.url + "/counter") in seen  # its code, fetched ahead
    visit = httpx.get(app19.url + "/counter", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]["visit"]
    link.click()  # the prefetch ran no loader: the page shows the next visit, counted at the click
    page.page.get_by_test_id("visit").filter(has_text=str(visit + 1)).wait_for()
    page.page.get_by_role("link", name="Home").click()
    page.page.get_by_role("heading", name="Home").wait_for()
    link.hover()
    link.click()
    page.page.get_by_test_id("visit").filter(has_text=str(visit + 2)).wait_for()
    assert [kind for kind, url in seen if url == app19.url + "/counter" and kind == "1"] == ["1", "1"]


def test_a_prefetch_of_a_page_with_loaders_answers_its_code_only(app19: Server) -> None:
    def visit() -> int:
        return httpx.get(app19.url + "/counter", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]["visit"]

    before = visit()
    body = httpx.get(app19.url + "/counter", headers={"x-pyxle-navigation": "prefetch"}).json()
    assert body["ok"] is True and body["prefetchTtl"] == 0 and "props" not in body
    assert body["page"]["js"].startswith("/_pyxle/")
    assert visit() == before + 1  # the prefetch ran no loader
    plain = httpx.get(app19.url + "/plain", headers={"x-pyxle-navigation": "prefetch"}).json()
    assert plain["props"] == {"data": {}, "layoutData": {}} and "prefetchTtl" not in plain  # reusable: data too


def test_pages_without_loaders_open_from_the_prefetch_cache(app19: Server, page: PageWatch) -> None:
    seen = nav_requests(page)
    open_page(app19, page, "/counter")
    page.page.get_by_role("link", name="Plain", exact=True).hover()
    page.page.wait_for_timeout(300)
    page.page.get_by_role("link", name="Plain", exact=True).click()
    page.page.get_by_role("heading", name="Plain").wait_for()
    assert [url for _, url in seen if url == app19.url + "/plain"] == [app19.url + "/plain"]  # fetched once


def test_a_link_with_prefetch_ttl_shows_its_prefetched_data(app19: Server, page: PageWatch) -> None:
    seen = nav_requests(page)
    open_page(app19, page)
    reused = page.page.get_by_role("link", name="Counter, reused")
    # the payload prefetch of this link (x-pyxle-navigation: 1), not a code-only prefetch of another
    with page.page.expect_response(lambda r: r.url == app19.url + "/counter"
                                   and r.request.headers.get("x-pyxle-navigation") == "1") as prefetched:
        reused.scroll_into_view_if_needed()  # below the fold: prefetched once in view
    visit = prefetched.value.json()["props"]["data"]["visit"]  # that prefetch carried the data
    httpx.get(app19.url + "/counter", headers={"x-pyxle-navigation": "1"})  # a later visit elsewhere
    before = list(seen)
    reused.click()
    page.page.get_by_test_id("visit").filter(has_text=str(visit)).wait_for()  # the prefetched data, as asked
    assert ("1", app19.url + "/counter") in before and seen == before  # nothing fetched at the click


def test_a_link_with_prefetch_ttl_fetches_its_data_while_a_code_only_prefetch_of_the_page_is_under_way(
        app19: Server, page: PageWatch) -> None:
    held = []  # the code-only prefetch of /counter by the nav's Counter link, answered late as by a busy server
    page.page.route(app19.url + "/counter", lambda route: held.append(route)
                    if route.request.headers.get("x-pyxle-navigation") == "prefetch" else route.continue_())
    seen = nav_requests(page)
    with page.page.expect_request(lambda r: r.url == app19.url + "/counter"
                                  and r.headers.get("x-pyxle-navigation") == "prefetch"):
        open_page(app19, page)
    reused = page.page.get_by_role("link", name="Counter, reused")
    with page.page.expect_response(lambda r: r.url == app19.url + "/counter"
                                   and r.request.headers.get("x-pyxle-navigation") == "1") as prefetched:
        reused.scroll_into_view_if_needed()  # its own prefetch asks for the data, not for the code again
    visit = prefetched.value.json()["props"]["data"]["visit"]
    with page.page.expect_response(lambda r: r.url == app19.url + "/counter"
                                   and r.request.headers.get("x-pyxle-navigation") == "prefetch"):
        assert len(held) == 1
        held[0].continue_()  # the code-only answer lands after the data
    before = list(seen)
    reused.click()
    page.page.get_by_test_id("visit").filter(has_text=str(visit)).wait_for()  # the prefetched data, as asked
    assert seen == before  # nothing fetched at the click


@cites("docs/client.md", "how long prefetched data of pages without loaders stays fresh (ms, default 30000)")
def test_by_default_a_prefetched_page_without_loaders_is_reused_for_30_seconds(app19: Server, page: PageWatch) -> None:
    page.page.clock.install()  # Date.now() follows the clock the test moves
    open_page(app19, page)
    router = "window.__PYXLE_ROUTER__"
    assert page.page.evaluate(f"Promise.all([{router}.prefetch('/plain?copy=a'), {router}.prefetch('/plain?copy=b')])") == [
        True, True]
    seen = nav_requests(page)
    # Requests for /plain only: the prefetch of another link in view, queued behind these two, may
    # go out as they end (the fresh-clone run at cb2bcc9 saw /section/deep/inner's).
    plain = lambda: [url for _, url in seen if url.startswith(app19.url + "/plain")]
    page.page.clock.fast_forward(29_000)
    assert page.page.evaluate(f"{router}.navigate('/plain?copy=a')") is True
    assert plain() == []  # shown from the prefetch, 29 s on
    page.page.clock.fast_forward(2_000)
    assert page.page.evaluate(f"{router}.navigate('/plain?copy=b')") is True
    assert plain() == [app19.url + "/plain?copy=b"]  # 31 s on: fetched again


@cites("docs/client.md", "`Link` prefetches when hovered and when scrolled into view (`prefetch={false}` turns that off)")
def test_a_link_with_prefetch_false_is_fetched_only_when_clicked(app19: Server, page: PageWatch) -> None:
    seen = nav_requests(page)
    open_page(app19, page)
    manual = page.page.get_by_role("link", name="Plain, not prefetched")
    manual.hover()  # in view from the start, and hovered
    page.page.get_by_role("link", name="Plain, by the default export").hover()  # a link that does prefetch
    page.page.wait_for_timeout(500)
    assert ("prefetch", app19.url + "/plain") in seen  # the other link's, so there was time for one
    assert [url for _, url in seen if url.endswith("?manual=1")] == []
    manual.click()
    page.page.wait_for_url(app19.url + "/plain?manual=1")
    page.page.get_by_role("heading", name="Plain").wait_for()
    assert [url for _, url in seen if url.endswith("?manual=1")] == [app19.url + "/plain?manual=1"]
    assert page.page.evaluate("window.__marker") == "still here"


@cites("docs/client.md", "a\npath without a query names the page under every query string")
def test_invalidating_a_path_drops_its_prefetched_data_under_every_query_string(app19: Server,
                                                                                 page: PageWatch) -> None:
    """``invalidate('/counter')`` (and an action's ``x-pyxle-invalidate: /counter``) drops the data
    prefetched for ``/counter?sort=a`` too, as ``cache.invalidate`` drops every query's copy on the
    server; a path with a query drops that query's alone."""
    open_page(app19, page)
    router = "window.__PYXLE_ROUTER__"
    page.page.evaluate(f"{router}.prefetch('/counter?sort=a', {{ prefetchTtl: 60000 }})")
    assert page.page.evaluate(f"{router}.invalidate('/counter?sort=b')") is False  # another query's: kept
    assert page.page.evaluate(f"{router}.invalidate('/counter')") is True
    assert page.page.evaluate(f"{router}.invalidate('/counter?sort=a')") is False  # gone already
    seen = nav_requests(page)
    page.page.evaluate(f"() => {{ {router}.navigate('/counter?sort=a', {{ prefetchTtl: 60000 }}) }}")
    page.page.get_by_role("heading", name="Counter").wait_for()
    assert ("1", app19.url + "/counter?sort=a") in seen  # fetched again, not shown from the prefetch


@cites("docs/client.md", "A route\npattern names every page it matches, as on the server: `/tag/[name]` drops each `/tag/...` "
       "page,\n`/docs/*` drops `/docs` and everything below it.")
def test_invalidating_a_route_pattern_drops_the_prefetched_data_of_every_page_it_matches(app19: Server,
                                                                                        page: PageWatch) -> None:
    """An action's ``x-pyxle-invalidate: /tag/[name]`` drops every ``/tag/...`` page on the server;
    the browser kept their prefetched data, and showed it after the action."""
    open_page(app19, page)
    router = "window.__PYXLE_ROUTER__"
    for url in ("/tag/a", "/tag/b?x=1", "/counter", "/section/deep/inner"):
        page.page.evaluate(f"{router}.prefetch('{url}', {{ prefetchTtl: 60000 }})")
    assert page.page.evaluate(f"{router}.invalidate('/tag/[name]')") is True
    assert page.page.evaluate(f"{router}.invalidate('/tag/a')") is False  # gone already
    assert page.page.evaluate(f"{router}.invalidate('/tag/b')") is False
    assert page.page.evaluate(f"{router}.invalidate('/section/*')") is True
    assert page.page.evaluate(f"{router}.invalidate('/section/deep/inner')") is False
    assert page.page.evaluate(f"{router}.invalidate('/counter/[id]')") is False  # one segment more than /counter
    assert page.page.evaluate(f"{router}.invalidate('/counter')") is True  # kept by the patterns
    assert page.problems() == []


@cites("docs/client.md", "| `Link` (also the default export) | client-side navigation, with prefetch |")
def test_get_router_and_the_default_export(app: Server, page: PageWatch) -> None:
    html = httpx.get(app.url + "/").text
    assert 'data-testid="router">none<' in html  # no router while rendering on the server
    open_page(app, page)
    page.page.get_by_test_id("router").filter(has_text="invalidate,navigate,prefetch,refresh").wait_for()
    page.page.get_by_role("link", name="Plain, by the default export").click()  # `import Link from 'pyxle/client'`
    page.page.get_by_role("heading", name="Plain").wait_for()
    assert page.page.evaluate("window.__marker") == "still here"
    assert page.problems() == []


def test_navigation_default_prefetch_ttl_lets_the_app_reuse_data_of_pages_with_loaders(tmp_path: Path,
                                                                                      page: PageWatch) -> None:
    root = write_project(tmp_path / "app", {**FILES, "pyxle.config.json": '{"navigation": {"defaultPrefetchTtl": 60}}'})
    with serving(root, "--ssr-workers", "1") as server:
        body = httpx.get(server.url + "/counter", headers={"x-pyxle-navigation": "prefetch"}).json()
        assert body["prefetchTtl"] == 60000 and body["props"]["data"]["visit"] == 1  # seconds, in ms for the client
        seen = nav_requests(page)
        with page.page.expect_response(lambda r: r.url == server.url + "/counter") as prefetched:
            open_page(server, page)  # the Counter link is in view: prefetched, with its data
        visit = prefetched.value.json()["props"]["data"]["visit"]
        httpx.get(server.url + "/counter", headers={"x-pyxle-navigation": "1"})  # a later visit elsewhere
        page.page.get_by_role("link", name="Counter", exact=True).click()
        page.page.get_by_test_id("visit").filter(has_text=str(visit)).wait_for()  # the prefetched data
        assert [entry for entry in seen if entry[1] == server.url + "/counter"] == [("prefetch", server.url + "/counter")]


def test_a_bad_default_prefetch_ttl_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {**FILES, "pyxle.config.json": '{"navigation": {"defaultPrefetchTtl": 1.5}}'},
                         modules=None)
    server = Server(["serve", str(root), "--port", "0"], root, server_env())
    assert server.wait_exit(60) != 0
    assert "navigation.defaultPrefetchTtl must be a whole number of seconds >= 0" in server.output()


def test_a_page_served_without_node_has_one_title(tmp_path: Path) -> None:
    """Issue 17: the layout's and the page's titles were both in the document."""
    root = write_project(tmp_path / "app", {
        "pages/layout.pyxl": 'HEAD = "<title>Layout</title>"\nexport default function L({ children }) { return children }\n',
        "pages/index.pyxl": 'HEAD = ["<title>Page</title>", \'<meta name="description" content="d">\']\n'
                            "export default function P() { return null }\n",
    }, modules=None)
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root,
                    server_env(PATH=str(Path(sys.executable).parent)))  # no node on the way
    try:
        server.wait_ready(60)
        html = httpx.get(server.url + "/").text
        assert re.findall(r"<title>[^<]*</title>", html) == ["<title>Page</title>"]
        assert '<meta name="description" content="d">' in html
    finally:
        server.stop()
