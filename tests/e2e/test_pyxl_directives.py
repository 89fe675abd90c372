"""The module-level directives of `.pyxl` files that pyxle-framework 0.5 to 0.9.4 honoured, on a
real `pyxle serve`: `CACHE = {"revalidate": N}` stores a page in the page cache, `STANDALONE = True`
in a layout or template leaves out the layouts above its folder (their markup, head and loaders),
in HTML, in navigation JSON and in the browser's router. Both were silently ignored before."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_SECRET, PageWatch, Server, server_env, serving, write_project
from tests.docs._blocks import cites, doc_block
from tests.e2e.test_cache import COUNTER, COUNTS_API

PAGES = "docs/pages.md"
MIGRATING = "docs/migrating.md"
ROOT_LAYOUT = '''
import counter

HEAD = '<meta name="from-root-layout" content="yes">'

@server
async def load(request):
    return {"console": "Admin console", "rootRuns": counter.bump("root-layout")}

import { Head, Link } from 'pyxle/client'

export default function Console({ data, children }) {
  return (
    <div id="root-layout">
      <Head><meta name="root-head" content="yes" /></Head>
      <nav>{data.console} <Link id="to-status" href="/status">status</Link></nav>
      {children}
    </div>
  )
}
'''
INDEX = '''
export default function Home() { return <h1>Dashboard</h1> }
'''
STATUS_LAYOUT = '''
import counter

''' + doc_block("docs/pages.md", "standalone-layout") + '''
HEAD = '<meta name="from-status-layout" content="yes">'

@server
async def load(request):
    return {"service": "Public status", "statusRuns": counter.bump("status-layout")}

import { Link } from 'pyxle/client'

export default function Status({ data, children }) {
  return (
    <main id="status-layout">
      <header>{data.service} <Link id="to-home" href="/">console</Link></header>
      {children}
    </main>
  )
}
'''
STATUS_TEMPLATE = '''
export default function StatusFrame({ children }) { return <section id="status-template">{children}</section> }
'''
STATUS_PAGE = '''
@server
async def load(request):
    return {"state": "all systems operational"}

export default function StatusPage({ data, layoutData }) {
  return <p id="state">{data.state}; layouts: {Object.keys(layoutData).sort().join(",")}</p>
}
'''
PRINT_LAYOUT = '''
export default function PrintLayout({ children }) { return <div id="print-layout">{children}</div> }
'''
PRINT_TEMPLATE = '''
STANDALONE = True

export default function PrintFrame({ children }) { return <div id="print-template">{children}</div> }
'''
PRINT_PAGE = '''
export default function Invoice() { return <p id="invoice">invoice 7</p> }
'''
PLAIN_LAYOUT = '''
STANDALONE = False

export default function Plain({ children }) { return <div id="plain-layout">{children}</div> }
'''
PLAIN_PAGE = '''
export default function Plain() { return <p>plain</p> }
'''
CACHED = '''
import counter

''' + doc_block("docs/pages.md", "cache-directive") + '''

@server
async def load(request):
    return {"n": counter.bump("cached")}

export default function Cached({ data }) { return <p id="n">cached {data.n}</p> }
'''
CACHED_NO_LOADER = '''
CACHE = {"revalidate": 60}

export default function Pricing() { return <p>pricing</p> }
'''
CACHED_ENVELOPE = '''
CACHE = {"revalidate": 60}

@server
async def load(request):
    return {"data": {"kind": "envelope"}, "revalidate": 5}

export default function Envelope({ data }) { return <p>{data.kind}</p> }
'''
CACHED_CONFIGURED = '''
CACHE = {"revalidate": 60}

export default function Configured() { return <p>configured</p> }
'''
CACHED_WHO = '''
import counter

CACHE = {"revalidate": 60}

@server
async def load(request):
    who = request.cookies.get("session") or request.headers.get("authorization") or "anonymous"
    return {"who": who, "n": counter.bump("who")}

export default function Who({ data }) { return <p>hello {data.who}</p> }
'''
CACHED_THEMED = '''
import counter

CACHE = {"revalidate": 60}

@server
async def load(request):
    return {"theme": request.cookies.get("theme", "light"), "n": counter.bump("themed")}

export default function Themed({ data }) { return <p>theme {data.theme}</p> }
'''
FILES = {
    "counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
    "pages/layout.pyxl": ROOT_LAYOUT, "pages/index.pyxl": INDEX,
    "pages/status/layout.pyxl": STATUS_LAYOUT, "pages/status/template.pyxl": STATUS_TEMPLATE,
    "pages/status/index.pyxl": STATUS_PAGE, "pages/status/history/index.pyxl": STATUS_PAGE,
    "pages/print/layout.pyxl": PRINT_LAYOUT, "pages/print/template.pyxl": PRINT_TEMPLATE,
    "pages/print/invoice.pyxl": PRINT_PAGE,
    "pages/plain/layout.pyxl": PLAIN_LAYOUT, "pages/plain/index.pyxl": PLAIN_PAGE,
    "pages/cached.pyxl": CACHED, "pages/pricing.pyxl": CACHED_NO_LOADER, "pages/envelope.pyxl": CACHED_ENVELOPE,
    "pages/configured.pyxl": CACHED_CONFIGURED, "pages/who.pyxl": CACHED_WHO, "pages/themed.pyxl": CACHED_THEMED,
    "pyxle.config.json": json.dumps({"cache": {"/configured": 30}}),
}
NAV = {"x-pyxle-navigation": "1"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("directives") / "app", FILES)
    (root / "counts").mkdir()
    with serving(root, "--no-access-log", env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


def count(server: Server, name: str) -> int:
    return httpx.get(server.url + "/api/counts", params={"name": name}).json()["count"]


def shown(html: str) -> str:
    """The page's text, without React's comment markers between text parts."""
    return re.sub(r"<!-- -->", "", html)


# CACHE = {"revalidate": N}


@cites(PAGES, 'A page can also say how long it may be stored with the `CACHE` directive of pyxle-framework 0.5 to 0.9')
@cites(MIGRATING, "the page is stored in the page cache for N seconds, as if its loader returned the envelope")
def test_a_page_with_the_cache_directive_is_stored_for_its_seconds(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        first = client.get("/cached")
        second = client.get("/cached")
    assert first.status_code == 200 and first.headers["x-pyxle-cache"] == "MISS"
    assert first.headers["cache-control"] == "public, s-maxage=60, stale-while-revalidate=300"
    assert second.headers["x-pyxle-cache"] == "HIT" and shown(second.text) == shown(first.text)
    assert "cached 1" in shown(second.text) and count(app, "cached") == 1  # the loader ran once


@cites(PAGES, "a page without a loader is stored too")
def test_a_page_without_a_loader_is_stored_by_its_cache_directive(app: Server) -> None:
    first, second = httpx.get(app.url + "/pricing"), httpx.get(app.url + "/pricing")
    assert first.headers["x-pyxle-cache"] == "MISS" and second.headers["x-pyxle-cache"] == "HIT"
    assert second.headers["cache-control"] == "public, s-maxage=60, stale-while-revalidate=300"


@cites(PAGES, "a loader's envelope wins over it (it is the answer's own, per request)")
def test_a_loaders_envelope_wins_over_the_cache_directive(app: Server) -> None:
    response = httpx.get(app.url + "/envelope")
    assert response.headers["cache-control"] == "public, s-maxage=5, stale-while-revalidate=25"


@cites(PAGES, "and so does a `cache` route of the configuration that covers the URL")
def test_a_configured_route_wins_over_the_cache_directive(app: Server) -> None:
    response = httpx.get(app.url + "/configured")
    assert response.headers["x-pyxle-cache"] == "MISS"
    assert response.headers["cache-control"].startswith("public, s-maxage=30,")


@cites(PAGES, "it is kept from visitors as a stored page always is")
def test_a_signed_in_visitor_is_never_served_the_copy_the_cache_directive_stored(app: Server) -> None:
    with httpx.Client(base_url=app.url) as anonymous:
        assert "hello anonymous" in shown(anonymous.get("/who").text)
        assert anonymous.get("/who").headers["x-pyxle-cache"] == "HIT"
    with httpx.Client(base_url=app.url, cookies={"session": "ada-session"}) as ada:
        mine = ada.get("/who")
        assert "hello ada-session" in shown(mine.text) and "x-pyxle-cache" not in mine.headers
        assert mine.headers["cache-control"] == "private, no-cache"
    bearer = httpx.get(app.url + "/who", headers={"Authorization": "Bearer bob-token"})
    assert "hello Bearer bob-token" in shown(bearer.text) and "x-pyxle-cache" not in bearer.headers
    assert "bob-token" not in httpx.get(app.url + "/who").text


def test_a_cache_directive_page_made_from_a_cookie_is_not_stored(app: Server) -> None:
    dark = httpx.get(app.url + "/themed", cookies={"theme": "dark"})
    assert "theme dark" in shown(dark.text) and dark.headers["cache-control"] == "private, no-cache"
    light = httpx.get(app.url + "/themed")
    assert "theme light" in shown(light.text)  # not the dark visitor's copy
    assert count(app, "themed") == 2


# STANDALONE = True


@cites(PAGES, "the layouts and templates of the folders above it do not wrap those pages")
@cites(MIGRATING, "the pages under its folder are wrapped from there down, without the layouts above, their loaders or their head")
def test_a_standalone_layouts_pages_lack_the_outer_layouts_markup_head_and_loader(app: Server) -> None:
    before = count(app, "root-layout")
    response = httpx.get(app.url + "/status")
    page = shown(response.text)
    assert response.status_code == 200
    assert 'id="status-layout"' in page and "Public status" in page
    assert 'id="status-template"' in page  # the folder's template still applies
    assert "all systems operational; layouts: service,statusRuns" in page  # no key of the root layout's
    assert 'id="root-layout"' not in page and "Admin console" not in page
    assert "from-root-layout" not in page and "root-head" not in page  # its HEAD and <Head>
    assert '<meta name="from-status-layout" content="yes">' in page
    nested = shown(httpx.get(app.url + "/status/history").text)  # every page below the folder
    assert 'id="status-layout"' in nested and 'id="root-layout"' not in nested
    assert count(app, "root-layout") == before  # its loader did not run
    home = shown(httpx.get(app.url + "/").text)
    assert 'id="root-layout"' in home and "from-root-layout" in home and count(app, "root-layout") == before + 1


@cites(PAGES, "nor does their data reach the navigation JSON")
def test_a_standalone_pages_navigation_json_carries_no_outer_layout_data_or_head(app: Server) -> None:
    before = count(app, "root-layout")
    body = httpx.get(app.url + "/status", headers=NAV).json()
    assert list(body["props"]["layoutData"]) == ["status/layout.pyxl"]
    assert "from-root-layout" not in body["headMarkup"] and "from-status-layout" in body["headMarkup"]
    assert count(app, "root-layout") == before


@cites(PAGES, "a `STANDALONE` on either of the two clears what came from above, and both apply")
def test_a_standalone_template_keeps_its_folders_layout_and_drops_the_ones_above(app: Server) -> None:
    page = shown(httpx.get(app.url + "/print/invoice").text)
    assert 'id="print-layout"' in page and 'id="print-template"' in page and "invoice 7" in page
    assert 'id="root-layout"' not in page
    assert page.index('id="print-layout"') < page.index('id="print-template"')


@cites(PAGES, "`STANDALONE = False` is the same as leaving it out")
def test_standalone_false_keeps_the_outer_layouts(app: Server) -> None:
    page = shown(httpx.get(app.url + "/plain").text)
    assert 'id="root-layout"' in page and 'id="plain-layout"' in page


@cites(PAGES, "client-side navigation between it and the rest of the app swaps the whole chain")
def test_links_between_a_standalone_section_and_the_app_swap_the_whole_layout_chain(app: Server,
                                                                                     page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.evaluate("window.__stayed = true")  # gone if a link loads a new document
    assert page.page.locator("#root-layout").count() == 1
    page.page.click("#to-status")
    page.page.locator("#state").wait_for()
    assert page.page.locator("#root-layout").count() == 0 and page.page.locator("#status-layout").count() == 1
    assert page.page.locator("#status-template").count() == 1
    assert page.page.locator('meta[name="root-head"]').count() == 0
    assert page.page.locator('meta[name="from-root-layout"]').count() == 0
    assert page.page.inner_text("#state").endswith("layouts: service,statusRuns")
    page.page.click("#to-home")
    page.page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.page.locator("#root-layout").count() == 1 and page.page.locator("#status-layout").count() == 0
    assert page.page.locator('meta[name="root-head"]').count() == 1
    assert "Admin console" in page.page.inner_text("#root-layout")
    assert page.page.evaluate("window.__stayed") is True
    assert page.problems() == []


# STANDALONE: the error and not-found pages of the pages beneath it


ERR_ROOT_LAYOUT = """
@server
async def load(request):
    return {"console": "Admin console"}

export default function Console({ data, children }) {
  return <div id="root-layout"><nav>{data.console}</nav>{children}</div>
}
"""
SECTION_LAYOUT = """
STANDALONE = True

@server
async def load(request):
    return {"section": "%(name)s section"}

export default function Section({ data, children }) {
  return <main id="%(name)s-layout"><header>{data.section}</header>{children}</main>
}
"""
SPECIAL_PAGE = """
export default function Special({ data, layoutData }) {
  return <p id="%(id)s">%(id)s {data.statusCode}: {data.message}; layouts: {Object.keys(layoutData).sort().join(",")}</p>
}
"""
LOADER_BOOM = """
@server
async def load(request):
    raise RuntimeError("loader boom")

export default function Boom() { return <p>never</p> }
"""
LOADER_REFUSES = """
@server
async def load(request):
    raise LoaderError("refused here", status_code=%(status)d)

export default function Refused() { return <p>never</p> }
"""
CLIENT_BOOM = """
@action
async def save(request):
    return {"saved": True}

import { useState } from 'react'
function Fragile() { throw new Error('client boom') }
export default function ClientBoom() {
  const [broken, setBroken] = useState(false)
  return <section><button id="break" onClick={() => setBroken(true)}>break</button>{broken && <Fragile />}</section>
}
"""


def _section(folder: str, name: str) -> dict[str, str]:
    return {f"pages/{folder}/layout.pyxl": SECTION_LAYOUT % {"name": name},
            f"pages/{folder}/boom.pyxl": LOADER_BOOM, f"pages/{folder}/clientboom.pyxl": CLIENT_BOOM,
            f"pages/{folder}/missing.pyxl": LOADER_REFUSES % {"status": 404},
            f"pages/{folder}/forbidden.pyxl": LOADER_REFUSES % {"status": 403}}


# admin/status: STANDALONE without error pages of its own; admin/ops: STANDALONE with them.
ERROR_FILES = {
    "pages/layout.pyxl": ERR_ROOT_LAYOUT, "pages/index.pyxl": INDEX,
    "pages/error.pyxl": SPECIAL_PAGE % {"id": "root-error"},
    "pages/not-found.pyxl": SPECIAL_PAGE % {"id": "root-not-found"},
    "pages/boom.pyxl": LOADER_BOOM, "pages/clientboom.pyxl": CLIENT_BOOM,
    **_section("admin/status", "status"), **_section("admin/ops", "ops"),
    "pages/admin/ops/error.pyxl": SPECIAL_PAGE % {"id": "ops-error"},
    "pages/admin/ops/not-found.pyxl": SPECIAL_PAGE % {"id": "ops-not-found"},
}


@pytest.fixture(scope="module")
def errors_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("standalone-errors") / "app", ERROR_FILES)
    with serving(root, "--no-access-log") as server:
        yield server


def _builtin(response: httpx.Response, status: int) -> str:
    page = shown(response.text)
    assert response.status_code == status, page
    assert f"<h1>{status}</h1>" in page, page  # the built-in page
    assert 'id="root-layout"' not in page and "Admin console" not in page
    assert 'id="root-error"' not in page and 'id="root-not-found"' not in page
    return page


@cites(PAGES, "their errors are shown by an `error.pyxl` or `not-found.pyxl` of that folder or below")
@cites(PAGES, "without one there, the built-in error page, as in an app without those files")
@cites(PAGES, "The app's `pages/error.pyxl` is never used for them.")
def test_a_standalone_pages_loader_error_never_gets_the_root_error_page(errors_app: Server) -> None:
    _builtin(httpx.get(errors_app.url + "/admin/status/boom"), 500)
    _builtin(httpx.get(errors_app.url + "/admin/status/missing"), 404)
    page = _builtin(httpx.get(errors_app.url + "/admin/status/forbidden"), 403)
    assert "refused here" in page


@cites(PAGES, "inside that folder's own layouts, on the server and in the browser alike")
def test_a_standalone_folders_error_page_is_rendered_inside_its_own_layouts(errors_app: Server) -> None:
    # (a LoaderError's page is the error.pyxl, its 404 too, as everywhere; an unknown URL's the not-found.pyxl)
    for path, status, special in (("/admin/ops/boom", 500, "ops-error"), ("/admin/ops/forbidden", 403, "ops-error"),
                                  ("/admin/ops/missing", 404, "ops-error"), ("/admin/ops/nope", 404, "ops-not-found")):
        response = httpx.get(errors_app.url + path)
        page = shown(response.text)
        assert response.status_code == status, (path, page)
        assert f'id="{special}"' in page and 'id="ops-layout"' in page and "ops section" in page, (path, page)
        assert page.index('id="ops-layout"') < page.index(f'id="{special}"')
        assert "layouts: section</p>" in page, (path, page)  # its layout's loader ran
        assert 'id="root-layout"' not in page and 'id="root-error"' not in page, (path, page)


@cites(PAGES, "for an unknown URL under its folder too")
def test_an_unknown_url_under_a_standalone_folder_gets_that_folders_not_found_page(errors_app: Server) -> None:
    ops = httpx.get(errors_app.url + "/admin/ops/nope")
    page = shown(ops.text)
    assert ops.status_code == 404 and 'id="ops-not-found"' in page and 'id="ops-layout"' in page, page
    assert 'id="root-layout"' not in page and 'id="root-not-found"' not in page
    nav = httpx.get(errors_app.url + "/admin/ops/nope/deeper", headers=NAV).json()
    assert nav["ok"] is False and list(nav["layoutData"]) == ["admin/ops/layout.pyxl"]
    _builtin(httpx.get(errors_app.url + "/admin/status/nope"), 404)
    assert httpx.get(errors_app.url + "/admin/status/nope", headers=NAV).json()["layoutData"] == {}


def test_a_refused_no_js_post_on_a_standalone_page_gets_no_error_page_from_above_it(errors_app: Server) -> None:
    form = {"headers": {"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"}, "content": "x=1"}
    _builtin(httpx.post(errors_app.url + "/api/__actions/admin/status/clientboom/save", **form), 403)  # no CSRF token
    ops = httpx.post(errors_app.url + "/api/__actions/admin/ops/clientboom/save", **form)
    page = shown(ops.text)
    assert ops.status_code == 403 and 'id="ops-layout"' in page and 'id="ops-error"' in page, page
    assert 'id="root-layout"' not in page and 'id="root-error"' not in page


def test_pages_outside_a_standalone_folder_keep_the_root_error_pages(errors_app: Server) -> None:
    for path, status, special in (("/boom", 500, "root-error"), ("/admin/nope", 404, "root-not-found")):
        response = httpx.get(errors_app.url + path)
        page = shown(response.text)
        assert response.status_code == status and f'id="{special}"' in page and 'id="root-layout"' in page, page
        assert "Admin console" in page and 'id="ops-layout"' not in page


def _throw(page: PageWatch, url: str) -> None:
    page.page.goto(url)
    page.hydrated()
    page.page.click("#break")


def test_a_client_throw_on_a_standalone_page_shows_what_the_server_would(errors_app: Server, page: PageWatch) -> None:
    _throw(page, errors_app.url + "/admin/ops/clientboom")
    page.page.locator("#ops-error").wait_for()
    # under pyxle serve the browser's error tells nothing of the exception, as the server's would not
    assert "500: Internal Server Error" in page.page.inner_text("#ops-error")
    assert "client boom" not in page.page.inner_text("#ops-error")
    assert page.page.locator("#ops-layout #ops-error").count() == 1
    assert page.page.locator("#root-layout").count() == 0 and page.page.locator("#root-error").count() == 0
    _throw(page, errors_app.url + "/admin/status/clientboom")
    page.page.get_by_role("alert").wait_for()  # the built-in message, inside the section's own layout
    assert page.page.locator("#status-layout [role=alert]").count() == 1
    assert page.page.locator("#root-layout").count() == 0 and page.page.locator("#root-error").count() == 0
    _throw(page, errors_app.url + "/clientboom")  # outside: the root error page, in the root layout
    page.page.locator("#root-layout #root-error").wait_for()


# Start-up refuses a directive written in another form


BAD = [
    ("pages/index.pyxl", 'CACHE = {"revalidate": "60"}\n', 9,
     "CACHE 'revalidate' must be a non-negative number of seconds"),
    ("pages/index.pyxl", "CACHE = 60\n", 9, 'CACHE must be a dict literal, e.g. CACHE = {"revalidate": 60}'),
    ("pages/index.pyxl", 'CACHE = {"seconds": 60}\n', 9, 'CACHE must contain a "revalidate" key'),
    ("pages/admin/layout.pyxl", 'STANDALONE = "yes"\n', 14, "STANDALONE must be True or False, e.g. STANDALONE = True"),
]


@cites(PAGES, "any other form stops `pyxle build`, `pyxle check` and `pyxle serve` naming the file and line")
@cites(MIGRATING, "stops start-up naming the file and line, with 0.9.4's message and a hint")
@pytest.mark.parametrize(("file", "line", "column", "message"), BAD)
def test_a_directive_of_another_form_stops_start_up_naming_the_file_and_line(tmp_path: Path, start_server,  # type: ignore[no-untyped-def]
                                                                             file: str, line: str, column: int,
                                                                             message: str) -> None:
    files = {"pages/index.pyxl": INDEX, "pages/admin/layout.pyxl": PLAIN_LAYOUT, "pages/admin/index.pyxl": PLAIN_PAGE}
    files[file] = line + (INDEX if file.endswith("index.pyxl") else PLAIN_LAYOUT.replace("STANDALONE = False\n", ""))
    project = write_project(tmp_path / "bad", files)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(120) != 0
    output = server.output()
    assert f"{file}:1:{column}: {message}" in output, output
    assert line.strip() in output and "hint: write " in output
    for command in ("check", "build"):
        ran = subprocess.run([sys.executable, "-m", "pyxle", command, str(project)], capture_output=True, text=True,
                             env=server_env(), check=False, timeout=120)
        assert ran.returncode != 0 and f"{file}:1:{column}: {message}" in ran.stdout + ran.stderr, (command, ran)


# pyxle dev


def test_an_edit_that_makes_a_layout_standalone_shows_in_pyxle_dev(tmp_path: Path, start_server) -> None:  # type: ignore[no-untyped-def]
    files = {"counter.py": COUNTER, "pages/layout.pyxl": ROOT_LAYOUT, "pages/index.pyxl": INDEX,
             "pages/status/layout.pyxl": STATUS_LAYOUT.replace("STANDALONE = True\n", ""),
             "pages/status/index.pyxl": STATUS_PAGE}
    project = write_project(tmp_path / "dev", files)
    (project / "counts").mkdir()
    server = start_server(project, "dev", env={"COUNTS": str(project / "counts")})
    assert 'id="root-layout"' in httpx.get(server.url + "/status").text
    layout = project / "pages" / "status" / "layout.pyxl"
    layout.write_text(layout.read_text().replace("import counter\n", "import counter\n\nSTANDALONE = True\n"))
    deadline = time.monotonic() + 60
    while 'id="root-layout"' in (text := httpx.get(server.url + "/status").text):
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.3)
    assert 'id="status-layout"' in text
    assert list(httpx.get(server.url + "/status", headers=NAV).json()["props"]["layoutData"]) == ["status/layout.pyxl"]


def test_a_standalone_pages_error_pages_are_its_folders_in_pyxle_dev_too(tmp_path: Path, start_server) -> None:  # type: ignore[no-untyped-def]
    files = {file: text for file, text in ERROR_FILES.items() if not file.startswith("pages/admin/ops/")}
    server = start_server(write_project(tmp_path / "dev-errors", files), "dev")
    _builtin(httpx.get(server.url + "/admin/status/boom"), 500)
    _builtin(httpx.get(server.url + "/admin/status/nope"), 404)
    assert 'id="root-error"' in httpx.get(server.url + "/boom").text
