"""A client-side navigation whose new page throws while it is first rendered shows the nearest
error.pyxl in place, with the URL of the new page, as Next.js' error.js and Remix's ErrorBoundary
do: no full page load, so the page's loader runs once and the layouts keep their state. An error
no boundary catches (a layout's above it, the error page's own) still loads the page in full.
Real `pyxle serve` and `pyxle dev`, Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import NODE_MODULES, NODE_MODULES_REACT18, PageWatch, Server, write_project
from tests.docs._blocks import cites
from tests.e2e.test_client_error_boundary import ERROR_PAGE

DOC = "docs/pages.md"

# The layout throws for /crash only: above the error boundary of pages/error.pyxl, so no
# boundary catches it. Its counter shows whether its state survives the navigation.
LAYOUT = """
import { useState } from 'react'
import { Link } from 'pyxle/client'
export default function Layout({ children, routePath }) {
  if (routePath === '/crash') throw new Error('the layout gave up')
  const [clicks, setClicks] = useState(0)
  return (
    <div>
      <header>
        <button onClick={() => setClicks(clicks + 1)}>clicks {clicks}</button>
        <Link href="/boom">Boom</Link> <Link href="/crash">Crash</Link> <Link href="/fragile/boom">Fragile</Link>
      </header>
      {children}
    </div>
  )
}
"""
INDEX = """
HEAD = ["<title>Home</title>"]

export default function Home() { return <h1>Home</h1> }
"""
# Each run of the loader adds a line to loads.txt, beside the project's pages/.
BOOM = """
import json
from pathlib import Path

HEAD = ["<title>Boom</title>"]

@server
async def load(request):
    with (Path(__file__).resolve().parents[1] / "loads.txt").open("a") as out:
        out.write("boom\\n")
    return {"secret": "s3cret-value"}

export default function Boom({ data }) { throw new Error(`boom while rendering ${data.secret}`) }
"""
CRASH = "export default function Crash() { return <h1>Crash</h1> }\n"
# An error page that itself throws: what the page threw is caught by no boundary then.
FRAGILE_ERROR = "export default function FragileError() { throw new Error('the error page gave up') }\n"
FRAGILE = "export default function Fragile() { throw new Error('fragile page') }\n"
PAGES = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/boom.pyxl": BOOM, "pages/crash.pyxl": CRASH,
         "pages/error.pyxl": ERROR_PAGE, "pages/fragile/error.pyxl": FRAGILE_ERROR,
         "pages/fragile/boom.pyxl": FRAGILE}


@pytest.fixture(params=["19", "18"])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The app, on React 19 and on React 18 (which throws an uncaught render error out of flushSync)."""
    modules = NODE_MODULES if request.param == "19" else NODE_MODULES_REACT18
    return write_project(tmp_path / f"app{request.param}", PAGES, modules)


def loads(project: Path) -> int:
    path = project / "loads.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def documents(page: PageWatch) -> list[str]:
    """The URLs of the documents the tab loads from now on."""
    seen: list[str] = []
    page.page.on("request", lambda r: r.resource_type == "document" and seen.append(r.url))
    return seen


def open_home(server: Server, page: PageWatch) -> None:
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("button", name="clicks 0").click()
    page.page.get_by_role("button", name="clicks 1").wait_for()


def navigate_to_boom(project: Path, server: Server, page: PageWatch) -> list[str]:
    open_home(server, page)
    loaded = documents(page)
    page.page.get_by_role("link", name="Boom").click()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    page.page.wait_for_url(server.url + "/boom")
    assert page.page.evaluate("window.__marker") == "still here"  # in place: no document was loaded
    assert loaded == []
    assert loads(project) == 1  # the navigation's JSON only: no second run for a full load
    assert page.page.get_by_role("button", name="clicks 1").is_visible()  # the layout kept its state
    assert "Home" not in page.page.locator("main, h1").all_inner_texts()
    page.page.wait_for_function("document.title === 'Boom'")  # the new page's head, as its URL
    return loaded


@cites(DOC, "A client-side navigation whose new page throws while it is first rendered shows that error page in place")
@cites(DOC, 'under `pyxle serve` its `data` is the server\'s: `{ message: "Internal Server Error", statusCode: 500, data: {}, type: "ServerError" }`')
def test_a_navigation_to_a_page_that_throws_shows_error_pyxl_in_place(project: Path, start_server,
                                                                       page: PageWatch) -> None:
    server = start_server(project, "serve", "--ssr-workers", "1")
    loaded = navigate_to_boom(project, server, page)
    # What the server's own error page says in production: nothing of the exception.
    assert page.page.get_by_test_id("message").text_content() == "Internal Server Error"
    assert page.page.get_by_test_id("detail").text_content() == "500 ServerError"
    assert "boom while rendering" not in page.page.content()
    page.page.get_by_role("button", name="clicks 1").click()  # the layout renders again: the same text
    page.page.get_by_role("button", name="clicks 2").wait_for()
    assert page.page.get_by_test_id("message").text_content() == "Internal Server Error"
    assert any("boom while rendering" in text for kind, text in page.problems() if kind == "error")  # logged

    page.page.go_back()  # Back returns to the page left, client-side
    page.page.get_by_role("heading", name="Home").wait_for()
    assert page.page.url == server.url + "/"
    page.page.wait_for_function("document.title === 'Home'")
    assert page.page.evaluate("window.__marker") == "still here" and loaded == []
    page.page.go_forward()  # and Forward to the error page again, with the loader run once more
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    assert page.page.evaluate("window.__marker") == "still here" and loaded == []
    assert loads(project) == 2


@cites("docs/client.md", "`navigate` resolves to `true` once the page is shown (or\nits error page, in place of a page that throws as it is first rendered")
def test_navigate_to_a_page_that_throws_resolves_to_true(make_project, start_server, page: PageWatch) -> None:
    project = make_project(PAGES, node=True)
    server = start_server(project, "serve", "--ssr-workers", "1")
    open_home(server, page)
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/boom')") is True
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    assert page.page.evaluate("window.__marker") == "still here"
    assert loads(project) == 1


@cites(DOC, "under `pyxle dev` the error's own message and `type`")
def test_under_pyxle_dev_the_error_page_shows_the_error_s_message(make_project, start_server,
                                                                 page: PageWatch) -> None:
    project = make_project(PAGES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    navigate_to_boom(project, server, page)
    assert page.page.get_by_test_id("message").text_content() == "boom while rendering s3cret-value"
    assert page.page.get_by_test_id("detail").text_content() == "500 Error"


@cites(DOC, "So too under `pyxle serve` with [`debug`](configuration.md#reference), whose error pages show the "
       "exception: its documents carry `<meta name=\"pyxle-errors\" content=\"exposed\">`, which tells the router "
       "so (a document of a server that hides errors has no such tag)")
@cites("docs/client.md", "telling the exception's message only where the server's own error pages would (`pyxle dev`, "
       "`debug`)")
@cites("docs/configuration.md", "and its message in the error page a client-side navigation shows in place")
@pytest.mark.parametrize("debug", [True, False])
def test_with_debug_pyxle_serve_shows_the_error_s_message_in_place_too(make_project, start_server, page: PageWatch,
                                                                      debug: bool) -> None:
    """``debug`` gives ``pyxle serve``'s own error pages the exception: the page shown in place says
    no less. Without it the document carries no sign of it, and the page stays generic."""
    project = make_project({**PAGES, "pyxle.config.json": json.dumps({"debug": debug})}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "1")
    navigate_to_boom(project, server, page)
    told = ("boom while rendering s3cret-value", "500 Error") if debug else ("Internal Server Error", "500 ServerError")
    assert (page.page.get_by_test_id("message").text_content(), page.page.get_by_test_id("detail").text_content()) == told
    assert page.page.locator('meta[name="pyxle-errors"][content="exposed"]').count() == (1 if debug else 0)


@cites(DOC, "An error no boundary catches (one a layout above the `error.pyxl` throws, or the error page's own) still makes the navigation a full page load")
@pytest.mark.parametrize("link", ["Crash", "Fragile"])
def test_an_error_no_boundary_catches_still_loads_the_page_in_full(project: Path, start_server, page: PageWatch,
                                                                   link: str) -> None:
    server = start_server(project, "serve", "--ssr-workers", "1")
    open_home(server, page)
    path = "/crash" if link == "Crash" else "/fragile/boom"

    def document(response) -> bool:  # type: ignore[no-untyped-def]
        return response.url == server.url + path and response.request.resource_type == "document"

    with page.page.expect_response(document, timeout=15000) as response:
        page.page.get_by_role("link", name=link).click()
    assert response.value.status == 500  # the server answers with its error page
    page.page.wait_for_function("window.__marker === undefined", timeout=15000)
    assert page.page.url == server.url + path
