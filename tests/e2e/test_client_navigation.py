"""pyxle/client navigation in a real headless Chromium: overtaken navigations, history entries, scroll
restoration, x-pyxle-invalidate for the page shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

TALL = "<div style={{ height: '4000px' }}>tall</div>"

PAGES = {
    "pages/layout.pyxl": """
        import { Link } from 'pyxle/client'

        export default function Layout({ children }) {
          return (
            <div>
              <nav>
                <Link id="to-home" href="/">Home</Link> <Link id="to-fast" href="/fast">Fast</Link>{' '}
                <Link id="to-slow" href="/slow">Slow</Link> <Link id="to-q1" href="/query?q=1">Q1</Link>{' '}
                <Link id="to-q2" href="/query?q=2">Q2</Link> <Link id="to-old" href="/old">Old</Link>
              </nav>
              {children}
            </div>
          )
        }
        """,
    "pages/index.pyxl": f"""
        @server
        async def load(request):
            return {{}}

        export default function Home() {{ return <main><h1>Home</h1>{TALL}</main> }}
        """,
    "pages/fast.pyxl": f"""
        @server
        async def load(request):
            return {{}}

        export default function Fast() {{ return <main><h1>Fast</h1>{TALL}</main> }}
        """,
    "pages/slow.pyxl": """
        import asyncio

        @server
        async def load(request):
            await asyncio.sleep(2)
            return {}

        export default function Slow() { return <main><h1>Slow</h1></main> }
        """,
    "pages/query.pyxl": """
        @server
        async def load(request):
            return {"q": request.query_params.get("q", "")}

        export default function Query({ data }) { return <main><h1>Query {data.q}</h1></main> }
        """,
    # Its loader takes 1.5 s; its action invalidates the page itself.
    "pages/edit.pyxl": """
        import asyncio

        COUNT = [0]

        @server
        async def load(request):
            await asyncio.sleep(1.5)
            return {"n": COUNT[0]}

        @action
        async def bump(request):
            COUNT[0] += 1
            return invalidate_routes({}, "/edit")

        import { Form } from 'pyxle/client'

        export default function Edit({ data }) {
          return <main><h1>Edit {data.n}</h1><Form action="bump"><button type="submit">bump</button></Form></main>
        }
        """,
    # Its action names the page percent-encoded, as the server sends a path beyond ASCII.
    "pages/tag/[name].pyxl": """
        from urllib.parse import quote
        from starlette.responses import JSONResponse

        COUNT = [0]

        @server
        async def load(request):
            return {"name": request.path_params["name"], "n": COUNT[0]}

        @action
        async def bump(request):
            COUNT[0] += 1
            path = "/tag/" + quote(request.path_params["name"])
            return JSONResponse({"ok": True}, headers={"x-pyxle-invalidate": path})

        import { useAction } from 'pyxle/client'

        export default function Tag({ data }) {
          const bump = useAction('bump')
          return <main><h1>Tag {data.name} {data.n}</h1><button onClick={() => bump({})}>bump</button></main>
        }
        """,
    # The app's own middleware moves a page: a 301 the browser's fetch follows for the router.
    "moved.py": """
        from starlette.responses import RedirectResponse

        def signed_out(scope):
            return any(name == b"cookie" and b"signed_out=1" in value for name, value in scope["headers"])

        class Moved:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                if scope["type"] == "http" and scope["path"] == "/old":
                    await RedirectResponse("/query?q=moved", 301)(scope, receive, send)
                    return
                if scope["type"] == "http" and scope["path"] == "/query" and signed_out(scope):  # a guard
                    await RedirectResponse("/fast", 307)(scope, receive, send)
                    return
                await self.app(scope, receive, send)
        """,
    "pyxle.config.json": '{"middleware": ["moved:Moved"]}',
    "pages/api/elsewhere.py": """
        from starlette.responses import HTMLResponse

        async def get(request):
            return HTMLResponse("<h1>Another document</h1>")
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("navigation") / "app", PAGES), "--ssr-workers", "1") as server:
        yield server


def open_page(site: Server, page: PageWatch, path: str) -> None:
    page.page.goto(site.url + path)
    page.hydrated()


def navigation_answer(site: Server, path: str):  # type: ignore[no-untyped-def]
    """A predicate for the navigation JSON of ``path`` with its data (not a prefetch of its code)."""
    return lambda r: r.url == site.url + path and r.request.headers.get("x-pyxle-navigation") == "1"


def aborted(site: Server, path: str):  # type: ignore[no-untyped-def]
    """A predicate for the navigation request of ``path`` failing: aborted, as a later navigation overtook it."""
    return lambda r: r.url == site.url + path and r.headers.get("x-pyxle-navigation") == "1"


def heading(page: PageWatch) -> str:
    return page.page.locator("h1").inner_text()


def history_length(page: PageWatch) -> int:
    return page.page.evaluate("history.length")


def click(page: PageWatch, selector: str) -> None:
    """A click on a link without scrolling it into view first (as Playwright's click would)."""
    page.page.evaluate("(s) => document.querySelector(s).click()", selector)


def test_a_later_click_wins_over_a_slower_navigation_still_loading(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/")
    with page.page.expect_event("requestfailed", aborted(site, "/slow"), timeout=10000):
        page.page.click("#to-slow")  # its loader takes 2 s
        page.page.wait_for_timeout(200)
        page.page.click("#to-fast")
        page.page.wait_for_url(site.url + "/fast")
    assert heading(page) == "Fast" and page.page.url == site.url + "/fast"


def test_back_cancels_a_navigation_still_loading(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/")
    page.page.click("#to-fast")
    page.page.wait_for_url(site.url + "/fast")
    length = history_length(page)
    with page.page.expect_event("requestfailed", aborted(site, "/slow"), timeout=10000):
        page.page.click("#to-slow")
        page.page.wait_for_timeout(200)
        page.page.go_back()
        page.page.get_by_role("heading", name="Home").wait_for()
    assert heading(page) == "Home" and page.page.url == site.url + "/"
    assert history_length(page) == length  # no entry pushed for the abandoned page


def test_a_refresh_from_an_action_does_not_replace_the_page_the_user_moved_to(site: Server,
                                                                              page: PageWatch) -> None:
    open_page(site, page, "/edit")
    with page.page.expect_event("requestfailed", aborted(site, "/edit"), timeout=10000):  # the refresh
        with page.page.expect_response("**/api/__actions/**"):
            page.page.get_by_role("button", name="bump").click()  # x-pyxle-invalidate: /edit
        page.page.wait_for_timeout(300)
        page.page.click("#to-fast")  # while the refresh waits for the 1.5 s loader
        page.page.get_by_role("heading", name="Fast").wait_for()
    assert heading(page) == "Fast" and page.page.url == site.url + "/fast"


def test_a_refresh_asked_for_while_a_navigation_loads_leaves_the_navigation_to_finish(site: Server,
                                                                                    page: PageWatch) -> None:
    open_page(site, page, "/")
    page.page.click("#to-slow")
    page.page.wait_for_timeout(200)
    assert page.page.evaluate("window.__PYXLE_ROUTER__.refresh()") is False  # the page shown is being left
    page.page.get_by_role("heading", name="Slow").wait_for(timeout=10000)
    assert page.page.url == site.url + "/slow"


def test_a_link_to_the_current_url_replaces_the_history_entry(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/")
    page.page.click("#to-fast")
    page.page.wait_for_url(site.url + "/fast")
    length = history_length(page)
    with page.page.expect_response(navigation_answer(site, "/fast")):
        page.page.click("#to-fast")
    page.page.wait_for_timeout(500)
    assert history_length(page) == length
    page.page.go_back()
    page.page.get_by_role("heading", name="Home").wait_for()


def test_a_double_click_on_a_link_adds_one_history_entry(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/query?q=1")
    length = history_length(page)
    page.page.dblclick("#to-q2")
    page.page.get_by_role("heading", name="Query 2").wait_for()
    page.page.wait_for_timeout(800)
    assert history_length(page) == length + 1
    page.page.go_back()
    page.page.get_by_role("heading", name="Query 1").wait_for()
    assert page.page.url == site.url + "/query?q=1"


def test_forward_restores_the_scroll_position(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/")
    click(page, "#to-fast")
    page.page.get_by_role("heading", name="Fast").wait_for()
    page.page.evaluate("window.scrollTo(0, 800)")
    page.page.wait_for_function("window.scrollY === 800")
    page.page.go_back()
    page.page.get_by_role("heading", name="Home").wait_for()
    page.page.go_forward()
    page.page.get_by_role("heading", name="Fast").wait_for()
    page.page.wait_for_function("window.scrollY === 800", timeout=5000)


def test_reload_keeps_the_scroll_position(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/")
    click(page, "#to-fast")  # a page reached client-side, whose history entry the router pushed
    page.page.get_by_role("heading", name="Fast").wait_for()
    page.page.evaluate("window.scrollTo(0, 900)")
    page.page.wait_for_function("window.scrollY === 900")
    page.page.reload()
    page.hydrated()
    page.page.wait_for_function("window.scrollY === 900", timeout=5000)


def test_returning_from_another_document_restores_the_scroll_position(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/")
    click(page, "#to-fast")
    page.page.get_by_role("heading", name="Fast").wait_for()
    page.page.evaluate("window.scrollTo(0, 1500)")
    page.page.wait_for_function("window.scrollY === 1500")
    page.page.goto(site.url + "/api/elsewhere")
    page.page.get_by_role("heading", name="Another document").wait_for()
    page.page.go_back()
    page.page.get_by_role("heading", name="Fast").wait_for()
    page.page.wait_for_function("window.scrollY === 1500", timeout=5000)


def test_an_action_invalidating_the_percent_encoded_path_refreshes_the_page_shown(site: Server,
                                                                                  page: PageWatch) -> None:
    open_page(site, page, "/tag/%E6%97%A5%E6%9C%AC")  # /tag/日本
    before = heading(page)
    assert before.startswith("Tag 日本 ")
    with page.page.expect_response("**/api/__actions/**") as answer:
        page.page.get_by_role("button", name="bump").click()
    assert answer.value.headers["x-pyxle-invalidate"] == "/tag/%E6%97%A5%E6%9C%AC"
    page.page.get_by_role("heading", name=f"Tag 日本 {int(before.split()[-1]) + 1}").wait_for(timeout=5000)


@cites("docs/client.md", "so does a redirect of the app's\nmiddleware")
def test_a_link_redirected_by_the_apps_middleware_shows_the_target_url(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/fast")
    before = history_length(page)
    page.page.evaluate("window.__marker = 'still here'")
    with page.page.expect_response(lambda r: r.url == site.url + "/query?q=moved"):
        click(page, "#to-old")
    page.page.get_by_role("heading", name="Query moved").wait_for()
    assert page.page.evaluate("location.pathname + location.search") == "/query?q=moved"  # not /old
    assert page.page.evaluate("window.__marker") == "still here"  # shown client-side
    assert history_length(page) == before + 1  # the target only
    page.page.go_back()
    page.page.get_by_role("heading", name="Fast").wait_for()
    page.page.go_forward()
    page.page.get_by_role("heading", name="Query moved").wait_for()
    assert page.page.evaluate("location.pathname + location.search") == "/query?q=moved"


def test_a_refresh_that_the_apps_middleware_redirects_shows_the_target_url(site: Server, page: PageWatch) -> None:
    open_page(site, page, "/query?q=1")
    page.page.evaluate("document.cookie = 'signed_out=1; path=/'")  # the guard now sends /query to /fast
    assert page.page.evaluate("window.__PYXLE_ROUTER__.refresh()") is True
    assert heading(page) == "Fast"
    assert page.page.evaluate("location.pathname + location.search") == "/fast"
