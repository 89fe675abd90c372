"""A client-side navigation to a page whose loader fails (a `LoaderError`, an `HTTPException`, an
unexpected exception) shows the error page a full load of the URL renders (the nearest
`error.pyxl`, `not-found.pyxl` for a 404) in place, inside the layouts: the loaders run once, the
layouts keep their state, the URL and the head are the full load's. The router used to throw away
the error answer it fetched and load the URL in full: every loader ran twice, the exception was
logged twice, and the layouts' state was lost. Real `pyxle serve` and `pyxle dev`, Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

DOC = "docs/pages.md"
CLIENT = "docs/client.md"

# Each run of a loader adds a line `<file> <path>` to runs.txt, beside pages/.
COUNT = """
from pathlib import Path

def counted(request, name):
    with (Path(__file__).resolve().parents[{up}] / "runs.txt").open("a") as out:
        out.write(f"{{name}} {{request.url.path}}\\n")
"""
LAYOUT = COUNT.format(up=1) + """
HEAD = ["<title>Site</title>", '<meta name="description" content="the site">']

@server
async def load(request):
    counted(request, "layout")
    return {"site": "Demo"}

import { useState } from 'react'
import { Link } from 'pyxle/client'

export default function Layout({ children, data }) {
  const [clicks, setClicks] = useState(0)
  return (
    <div>
      <header>
        <span data-testid="site">{data.site}</span>
        <button onClick={() => setClicks(clicks + 1)}>clicks {clicks}</button>
        <Link href="/">Home</Link> <Link href="/loader/crash">Crash</Link> <Link href="/loader/lerr">Teapot</Link>
        {' '}<Link href="/loader/h403">Forbidden</Link> <Link href="/loader/h404">Missing</Link>
        {' '}<Link href="/shop/crash">Shop crash</Link> <Link href="/alone/crash">Alone crash</Link>
      </header>
      <main>{children}</main>
    </div>
  )
}
"""
INDEX = 'HEAD = ["<title>Home</title>"]\n\nexport default function Home() { return <h1>Home</h1> }\n'
ERROR_PAGE = """
def HEAD(data):
    return [f"<title>Error {data['statusCode']}</title>", '<meta name="robots" content="noindex">']

export default function ErrorPage({ data, error, layoutData }) {
  return (
    <section>
      <h1>Something broke</h1>
      <p data-testid="message">{data.message}</p>
      <p data-testid="detail">{data.statusCode} {error.type} {JSON.stringify(data.data)} {layoutData.site}</p>
    </section>
  )
}
"""
NOT_FOUND = """
HEAD = ["<title>Not here</title>"]

export default function NotFound({ data }) {
  return <section><h1>Nothing here</h1><p data-testid="message">{data.message}</p></section>
}
"""


def failing(raise_line: str, up: int = 2) -> str:
    """A page whose loader counts its run, then raises."""
    return COUNT.format(up=up) + f"""
from starlette.exceptions import HTTPException

@server
async def load(request):
    counted(request, "page")
    {raise_line}

export default function Never() {{ return <h1>never shown</h1> }}
"""


SHOP_LAYOUT = COUNT.format(up=2) + """
@server
async def load(request):
    counted(request, "shop")
    return {"shop": "Shop"}

import { useState } from 'react'
import { Link } from 'pyxle/client'

export default function Shop({ children }) {
  const [picks, setPicks] = useState(0)
  return (
    <section>
      <button onClick={() => setPicks(picks + 1)}>picks {picks}</button> <Link href="/shop/item">Item</Link>
      {children}
    </section>
  )
}
"""
SHOP_ERROR = "export default function ShopError({ data }) { return <h2>Shop trouble: {data.message}</h2> }\n"
ALONE_LAYOUT = """
STANDALONE = True

export default function Alone({ children }) { return <div id="alone">{children}</div> }
"""
SECRET = "CRASH-SECRET-42"
PAGES = {
    "pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/error.pyxl": ERROR_PAGE,
    "pages/not-found.pyxl": NOT_FOUND,
    "pages/loader/crash.pyxl": failing(f'raise ValueError("{SECRET}")'),
    "pages/loader/lerr.pyxl": failing('raise LoaderError("No coffee here", status_code=418, data={"pot": "tea"})'),
    "pages/loader/h403.pyxl": failing('raise HTTPException(403, "Members only", headers={"x-why": "members"})'),
    "pages/loader/h404.pyxl": failing('raise HTTPException(404, "No such thing")'),
    "pages/shop/layout.pyxl": SHOP_LAYOUT, "pages/shop/error.pyxl": SHOP_ERROR,
    "pages/shop/item.pyxl": "export default function Item() { return <h3>An item</h3> }\n",
    "pages/shop/crash.pyxl": failing('raise ValueError("shop down")'),
    "pages/alone/layout.pyxl": ALONE_LAYOUT,
    "pages/alone/crash.pyxl": failing('raise ValueError("alone down")'),
}
# Where each link leads: its title and what error.pyxl / not-found.pyxl shows, under pyxle serve.
SHOWN = {
    "Crash": ("/loader/crash", 500, "Error 500", "Internal Server Error", "500 ServerError {} Demo"),
    "Teapot": ("/loader/lerr", 418, "Error 418", "No coffee here", '418 LoaderError {"pot":"tea"} Demo'),
    "Forbidden": ("/loader/h403", 403, "Error 403", "Members only", "403 HTTPException {} Demo"),
    "Missing": ("/loader/h404", 404, "Not here", "No such thing", None),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("loader-errors") / "app", PAGES)


@pytest.fixture(scope="module")
def app(project: Path) -> Iterator[Server]:
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def runs(project: Path, path: str) -> list[str]:
    """The loaders run so far for ``path``, in order (``layout``, ``page``, ...)."""
    log = project / "runs.txt"
    lines = log.read_text().splitlines() if log.exists() else []
    return [name for name, _, at in (line.partition(" ") for line in lines) if at == path]


def asked(response) -> str | None:  # type: ignore[no-untyped-def]
    """What the router asked of a page URL: "1" (its data), "prefetch", or None (a document)."""
    return response.request.headers.get("x-pyxle-navigation")


def documents(page: PageWatch) -> list[str]:
    """The URLs of the documents the tab loads from now on."""
    seen: list[str] = []
    page.page.on("request", lambda r: r.resource_type == "document" and seen.append(r.url))
    return seen


def open_home(server: Server, page: PageWatch) -> list[str]:
    """Home, hydrated, with the layout's counter at 1 and a marker a full load would lose."""
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("button", name="clicks 0").click()
    page.page.get_by_role("button", name="clicks 1").wait_for()
    return documents(page)


def in_place(page: PageWatch, loaded: list[str]) -> None:
    """No document was loaded, and the layout kept its state."""
    assert page.page.evaluate("window.__marker") == "still here" and loaded == []
    assert page.page.get_by_role("button", name="clicks 1").is_visible()


HEAD_SNAPSHOT = """() => Array.from(document.head.querySelectorAll('title, meta[name="description"], meta[name="robots"]'))
  .map(e => e.outerHTML).sort()"""


@cites(DOC, "A client-side navigation to a page whose loader fails (a `LoaderError`, an `HTTPException`, an "
       "unexpected exception) shows the error page a full load of that URL renders in place")
@cites(DOC, "the layouts around it keep their state, the loaders\n  have run once")
@cites(CLIENT, "A page whose loader fails (a `LoaderError`, an `HTTPException`, an exception) shows its error page in place")
@pytest.mark.parametrize("link", list(SHOWN))
def test_a_link_to_a_page_whose_loader_fails_shows_its_error_page_in_place(app: Server, project: Path,
                                                                          page: PageWatch, link: str) -> None:
    path, status, title, message, detail = SHOWN[link]
    before = runs(project, path)
    loaded = open_home(app, page)
    with page.page.expect_response(lambda r: r.url == app.url + path and asked(r) == "1") as answer:
        page.page.get_by_role("link", name=link, exact=True).click()
    assert answer.value.status == status
    heading = "Nothing here" if status == 404 else "Something broke"
    page.page.get_by_role("heading", name=heading).wait_for(timeout=15000)
    page.page.wait_for_url(app.url + path)
    in_place(page, loaded)
    assert runs(project, path) == [*before, "layout", "page"]  # each loader once: no second run for a full load
    assert page.page.get_by_test_id("message").text_content() == message
    if detail is not None:
        assert page.page.get_by_test_id("detail").text_content() == detail  # layoutData reaches it too
    assert page.page.get_by_test_id("site").text_content() == "Demo"
    page.page.wait_for_function(f"document.title === {title!r}")
    shown_head = page.page.evaluate(HEAD_SNAPSHOT)
    assert SECRET not in page.page.content()

    page.page.go_back()  # Back returns to the page left, client-side
    page.page.get_by_role("heading", name="Home").wait_for(timeout=15000)
    assert page.page.url == app.url + "/"
    page.page.wait_for_function("document.title === 'Home'")
    in_place(page, loaded)
    page.page.go_forward()  # Forward shows the error page again, in place, its loaders run again
    page.page.get_by_role("heading", name=heading).wait_for(timeout=15000)
    assert page.page.url == app.url + path
    page.page.wait_for_function(f"document.title === {title!r}")
    in_place(page, loaded)
    assert runs(project, path) == [*before, "layout", "page", "layout", "page"]

    page.page.goto(app.url + path)  # a full load of the URL: the same head
    page.page.get_by_role("heading", name=heading).wait_for()
    assert page.page.evaluate(HEAD_SNAPSHOT) == shown_head


@cites(DOC, "Its navigation JSON carries what the router shows it with")
@cites(DOC, '`{"ok": false, "routePath", "error", "layoutData", "page", "headLevels", "headMarkup"}`, `page`\n'
       "  being the error page's code")
@cites(DOC, "Beside it\n  are the layouts' `layoutData` and, when the error page was built, its `page`, `headLevels` and\n"
       "  `headMarkup`")
def test_the_navigation_json_of_a_loader_error_names_its_error_page_and_never_the_exception(app: Server) -> None:
    answer = httpx.get(app.url + "/loader/crash", headers={"x-pyxle-navigation": "1"}, timeout=30)
    body = answer.json()
    assert answer.status_code == 500 and SECRET not in answer.text
    assert body["ok"] is False and body["routePath"] == "/loader/crash"
    assert body["error"] == {"message": "Internal Server Error", "statusCode": 500, "data": {}, "type": "ServerError"}
    assert body["layoutData"] == {"layout.pyxl": {"site": "Demo"}}
    assert body["page"]["id"] == "error" and body["page"]["js"].startswith("/_pyxle/")
    assert body["headLevels"][-1].startswith("<title>Error 500</title>") and "<title>Error 500</title>" in body["headMarkup"]
    refused = httpx.get(app.url + "/loader/h403", headers={"x-pyxle-navigation": "1"}, timeout=30)
    assert refused.status_code == 403 and refused.headers["x-why"] == "members"  # the exception's headers stay
    missing = httpx.get(app.url + "/loader/h404", headers={"x-pyxle-navigation": "1"}, timeout=30).json()
    assert missing["page"]["id"] == "not-found" and missing["error"]["type"] == "HTTPException"


def test_a_nested_error_page_shows_inside_both_layouts_with_their_state(app: Server, project: Path,
                                                                        page: PageWatch) -> None:
    """From a page of the shop to a shop page whose loader fails: shop/error.pyxl, inside the root
    layout and the shop's, each keeping its state."""
    before = runs(project, "/shop/crash")
    page.page.goto(app.url + "/shop/item")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("button", name="clicks 0").click()
    page.page.get_by_role("button", name="picks 0").click()
    page.page.get_by_role("button", name="picks 1").wait_for()
    loaded = documents(page)
    page.page.get_by_role("link", name="Shop crash").click()
    page.page.get_by_role("heading", name="Shop trouble: Internal Server Error").wait_for(timeout=15000)
    page.page.wait_for_url(app.url + "/shop/crash")
    in_place(page, loaded)
    assert page.page.get_by_role("button", name="picks 1").is_visible()
    assert runs(project, "/shop/crash") == [*before, "layout", "shop", "page"]
    page.page.get_by_role("link", name="Item").click()  # and on from there, client-side
    page.page.get_by_role("heading", name="An item").wait_for(timeout=15000)
    in_place(page, loaded)


@cites(CLIENT, "a folder without an error page of its own under a `STANDALONE` layout")
def test_a_page_with_no_error_page_to_show_is_loaded_in_full(app: Server, page: PageWatch) -> None:
    open_home(app, page)

    def document(response) -> bool:  # type: ignore[no-untyped-def]
        return response.url == app.url + "/alone/crash" and response.request.resource_type == "document"

    with page.page.expect_response(document, timeout=15000) as response:
        page.page.get_by_role("link", name="Alone crash").click()
    assert response.value.status == 500  # the built-in error page, in full
    page.page.wait_for_function("window.__marker === undefined", timeout=15000)
    assert page.page.url == app.url + "/alone/crash"


@cites(CLIENT, "Hovering a link to such a page runs no loader")
def test_the_prefetch_of_a_page_whose_loader_fails_runs_no_loader_and_the_click_runs_them_once(
        app: Server, project: Path, page: PageWatch) -> None:
    """The link is prefetched as it comes into view (and hovered, which asks nothing more)."""
    before = runs(project, "/loader/lerr")
    with page.page.expect_response(lambda r: r.url == app.url + "/loader/lerr" and asked(r) == "prefetch") as prefetched:
        loaded = open_home(app, page)
    assert prefetched.value.status == 200  # the page's code only
    page.page.get_by_role("link", name="Teapot").hover()
    page.page.wait_for_timeout(300)
    assert runs(project, "/loader/lerr") == before
    page.page.get_by_role("link", name="Teapot").click()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    in_place(page, loaded)
    assert runs(project, "/loader/lerr") == [*before, "layout", "page"]


@cites(DOC, "An error answer is never reused: a click after such a prefetch asks again")
def test_a_prefetch_that_carries_data_and_fails_is_not_reused(project: Path, tmp_path: Path, start_server,
                                                              page: PageWatch) -> None:
    """With ``navigation.defaultPrefetchTtl`` a prefetch runs the loaders: its error answer is not
    shown by a later click, which asks again (the failure may have passed)."""
    copy = write_project(tmp_path / "ttl", {**PAGES, "pyxle.config.json": '{"navigation": {"defaultPrefetchTtl": 30}}'})
    server = start_server(copy, "serve", "--ssr-workers", "1")
    with page.page.expect_response(lambda r: r.url == server.url + "/loader/lerr" and asked(r) == "prefetch") as prefetched:
        loaded = open_home(server, page)
    assert prefetched.value.status == 418
    page.page.wait_for_timeout(300)
    assert runs(copy, "/loader/lerr") == ["layout", "page"]
    page.page.get_by_role("link", name="Teapot").click()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    in_place(page, loaded)
    assert runs(copy, "/loader/lerr") == ["layout", "page", "layout", "page"]


@cites(DOC, "under `pyxle dev` the data a full load gets, the exception's text and\n  `\"LoaderCrashError\"`")
def test_under_pyxle_dev_the_error_page_in_place_tells_the_exception(project: Path, tmp_path: Path, start_server,
                                                                     page: PageWatch) -> None:
    copy = write_project(tmp_path / "dev", PAGES)
    server = start_server(copy, "dev", "--ssr-workers", "1")
    loaded = open_home(server, page)
    page.page.get_by_role("link", name="Crash", exact=True).click()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    in_place(page, loaded)
    assert page.page.get_by_test_id("message").text_content() == f"ValueError: {SECRET}"
    assert page.page.get_by_test_id("detail").text_content() == "500 LoaderCrashError {} Demo"
    assert runs(copy, "/loader/crash") == ["layout", "page"]
    assert server.output().count(f"ValueError: {SECRET}") == 1  # logged once
