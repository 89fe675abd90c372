"""pyxle/client navigation racing an action or itself, in a real headless Chromium: a later click wins
over an action's redirect, a cookie change refetches the navigation under way, a second click on the
same link joins the first, and a navigation overtaken aborts its request. Loaders and actions wait on
gates the test opens (files), so nothing is timed by sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

PAGES = {
    # A loader or an action waits here until the test creates the file `name` in $GATES.
    "gate.py": """
        import asyncio
        import os
        from pathlib import Path

        async def wait(name):
            path = Path(os.environ["GATES"]) / name
            while not path.exists():
                await asyncio.sleep(0.02)
        """,
    "pages/layout.pyxl": """
        import { Link } from 'pyxle/client'

        export default function Layout({ children }) {
          return (
            <div>
              <nav>
                <Link id="to-q" href="/q?x=1">Q</Link> <Link id="to-who" href="/who">Who</Link>{' '}
                <Link id="to-held" href="/held">Held</Link> <Link id="to-fast" href="/fast">Fast</Link>
              </nav>
              {children}
            </div>
          )
        }
        """,
    "pages/index.pyxl": """
        from starlette.responses import JSONResponse, RedirectResponse
        from gate import wait

        @server
        async def load(request):
            return {}

        @action
        async def slow_go(request):
            await wait("go-form")
            return RedirectResponse("/b", status_code=303)

        @action
        async def slow_go_code(request):
            await wait("go-code")
            return RedirectResponse("/b", status_code=303)

        @action
        async def sign(request):
            await wait("sign")
            answer = JSONResponse({"ok": True})
            answer.set_cookie("flavour", "late")
            return answer

        import { Form, useAction } from 'pyxle/client'

        export default function Home() {
          const go = useAction('slow_go_code')
          return (
            <main>
              <h1>Home</h1>
              <Form action="slow_go"><button id="go-form" type="submit">go</button></Form>
              <button id="go-code" onClick={async () => { window.outcome = await go({}) }}>go by code</button>
              <Form action="sign"><button id="sign" type="submit">sign</button></Form>
            </main>
          )
        }
        """,
    "pages/q.pyxl": """
        @server
        async def load(request):
            return {"x": request.query_params.get("x", "")}

        export default function Q({ data }) { return <main><h1>Q {data.x}</h1></main> }
        """,
    "pages/b.pyxl": """
        @server
        async def load(request):
            return {}

        export default function B() { return <main><h1>B</h1></main> }
        """,
    "pages/fast.pyxl": """
        @server
        async def load(request):
            return {}

        export default function Fast() { return <main><h1>Fast</h1></main> }
        """,
    "pages/who.pyxl": """
        from gate import wait

        @server
        async def load(request):
            await wait("who")
            return {"flavour": request.cookies.get("flavour", "none")}

        export default function Who({ data }) { return <main><h1>Who {data.flavour}</h1></main> }
        """,
    "pages/held.pyxl": """
        from gate import wait

        @server
        async def load(request):
            await wait("held")
            return {}

        export default function Held() { return <main><h1>Held</h1></main> }
        """,
}


@pytest.fixture(scope="module")
def gates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gates")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, gates: Path) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp("races") / "app", PAGES)
    try:
        with serving(project, "--ssr-workers", "1", env={"GATES": str(gates)}) as server:
            yield server
    finally:
        for name in ("go-form", "go-code", "sign", "who", "held"):
            (gates / name).touch()  # no loader left waiting


def open_home(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/")
    page.hydrated()


def asked(site: Server, path: str):  # type: ignore[no-untyped-def]
    """A predicate for a request of the data of ``path`` (a navigation's, not a prefetch of its code)."""
    return lambda r: r.url == site.url + path and r.headers.get("x-pyxle-navigation") == "1"


def navigations(page: PageWatch, site: Server, path: str) -> list:  # type: ignore[type-arg]
    """The requests for the data of ``path`` the page sends from now on."""
    sent: list = []  # type: ignore[type-arg]
    page.page.on("request", lambda r: asked(site, path)(r) and sent.append(r))
    return sent


def heading(page: PageWatch) -> str:
    return page.page.locator("h1").inner_text()


@cites("docs/client.md", "a later navigation by the user (a click, `navigate()`, Back or Forward) supersedes it")
@pytest.mark.parametrize("button", ["go-form", "go-code"], ids=["Form", "useAction"])
def test_a_click_after_an_action_was_sent_wins_over_its_redirect(site: Server, page: PageWatch, gates: Path,
                                                                 button: str) -> None:
    open_home(site, page)
    to_b = navigations(page, site, "/b")
    with page.page.expect_request("**/api/__actions/**"):
        page.page.click(f"#{button}")
    page.page.click("#to-q")
    page.page.get_by_role("heading", name="Q 1").wait_for()
    length = page.page.evaluate("history.length")
    with page.page.expect_response("**/api/__actions/**"):
        (gates / button).touch()  # the action answers its redirect to /b now
    if button == "go-code":  # the result still reaches its caller
        page.page.wait_for_function("window.outcome && window.outcome.ok && window.outcome.redirect === '/b'")
    page.page.wait_for_timeout(300)  # the router would have asked for /b at once
    assert to_b == []
    assert heading(page) == "Q 1" and page.page.url == site.url + "/q?x=1"
    assert page.page.evaluate("history.length") == length


@cites("docs/client.md", "a navigation whose request was sent before that answer arrived asks again")
def test_a_cookie_change_refetches_a_navigation_under_way(site: Server, page: PageWatch, gates: Path) -> None:
    open_home(site, page)
    to_who = navigations(page, site, "/who")
    with page.page.expect_request("**/api/__actions/**"):
        page.page.click("#sign")
    with page.page.expect_request(asked(site, "/who")):
        page.page.click("#to-who")  # asked before the cookie changed
    with page.page.expect_response("**/api/__actions/**") as answer:
        (gates / "sign").touch()
    assert answer.value.headers["x-pyxle-cookies"] == "changed"
    (gates / "who").touch()
    page.page.get_by_role("heading", name="Who late").wait_for(timeout=5000)
    assert len(to_who) == 2
    assert page.problems() == []


@cites("docs/client.md", "A click on a link whose page is still loading joins that navigation")
def test_a_second_click_on_a_link_still_loading_joins_its_navigation(site: Server, page: PageWatch,
                                                                     gates: Path) -> None:
    (gates / "held").unlink(missing_ok=True)
    open_home(site, page)
    to_held = navigations(page, site, "/held")
    with page.page.expect_request(asked(site, "/held")):
        page.page.click("#to-held")
    page.page.click("#to-held")
    (gates / "held").touch()
    page.page.get_by_role("heading", name="Held").wait_for(timeout=5000)
    assert len(to_held) == 1
    (gates / "held").unlink()


@cites("docs/client.md", "its request is aborted")
def test_a_navigation_overtaken_aborts_its_request(site: Server, page: PageWatch, gates: Path) -> None:
    (gates / "held").unlink(missing_ok=True)
    open_home(site, page)
    to_held = navigations(page, site, "/held")
    with page.page.expect_event("requestfailed", lambda r: r.url == site.url + "/held", timeout=5000):
        with page.page.expect_request(asked(site, "/held")):
            page.page.click("#to-held")
        page.page.click("#to-fast")
    page.page.get_by_role("heading", name="Fast").wait_for()
    assert len(to_held) == 1 and heading(page) == "Fast"
    assert page.problems() == []  # an aborted request is no error


@cites("docs/client.md", "A click on it after its request has waited 3 seconds asks again\ninstead, abandoning that request")
def test_a_click_on_a_link_whose_request_has_waited_3_seconds_asks_again(site: Server, page: PageWatch,
                                                                         gates: Path) -> None:
    """A request that is never answered (a flaky network) held every later click on its link: each
    joined it, and only another link or a reload got the user out."""
    (gates / "held").unlink(missing_ok=True)
    open_home(site, page)
    length = page.page.evaluate("history.length")
    to_held = navigations(page, site, "/held")
    with page.page.expect_request(asked(site, "/held")):
        page.page.click("#to-held")
    page.page.wait_for_timeout(3500)
    with (page.page.expect_event("requestfailed", lambda r: r.url == site.url + "/held", timeout=5000),
          page.page.expect_request(asked(site, "/held"))):
        page.page.click("#to-held")
    (gates / "held").touch()
    page.page.get_by_role("heading", name="Held").wait_for(timeout=5000)
    assert len(to_held) == 2 and page.page.url == site.url + "/held"
    assert page.page.evaluate("history.length") == length + 1  # the page once, as after one click
    assert page.problems() == []
    (gates / "held").unlink()


BAR = "#__pyxle_nav_progress__"


@cites("docs/client.md", "While a navigation waits, a thin bar runs along the top of the window, as in Pyxle 0.9")
@cites("docs/client.md", "It is the element\n`#__pyxle_nav_progress__` (`role=\"progressbar\"`)")
@cites("docs/client.md", "coloured by the CSS variables\n`--pyxle-nav-progress-color`, `--pyxle-nav-progress-height` and "
                         "`--pyxle-nav-progress-shadow`")
def test_a_navigation_that_waits_shows_the_progress_bar_until_its_page_is_shown(site: Server, page: PageWatch,
                                                                                gates: Path) -> None:
    """0.9.4 showed this bar; without it a click on a link to a slow page changed nothing on screen."""
    (gates / "held").unlink(missing_ok=True)
    open_home(site, page)
    page.page.evaluate("""() => {
      const root = document.documentElement.style
      root.setProperty('--pyxle-nav-progress-color', 'rgb(255, 0, 0)')
      root.setProperty('--pyxle-nav-progress-height', '7px')
      root.setProperty('--pyxle-nav-progress-shadow', 'none')
    }""")
    page.page.click("#to-held")
    bar = page.page.locator(BAR)
    bar.wait_for(state="visible", timeout=5000)
    assert bar.get_attribute("role") == "progressbar" and int(bar.get_attribute("aria-valuenow")) > 0
    shown = page.page.evaluate(f"""() => {{
      const style = getComputedStyle(document.querySelector('{BAR}'))
      return [style.position, style.height, style.backgroundColor, style.boxShadow]
    }}""")
    assert shown == ["fixed", "7px", "rgb(255, 0, 0)", "none"], shown
    (gates / "held").touch()
    page.page.get_by_role("heading", name="Held").wait_for(timeout=5000)
    bar.wait_for(state="detached", timeout=5000)
    assert page.problems() == []
    (gates / "held").unlink()


@cites("docs/client.md", "`configure({ progress: false })`, `window.__pyxle_disable_progress__ = true`\n"
                         "or `<html data-pyxle-progress=\"off\">` turns it off")
@pytest.mark.parametrize("off", ["window.__PYXLE_ROUTER__.configure({ progress: false })",
                                 "window.__pyxle_disable_progress__ = true",
                                 "document.documentElement.setAttribute('data-pyxle-progress', 'off')"],
                         ids=["configure", "window", "html"])
def test_the_progress_bar_is_turned_off_as_in_pyxle_09(site: Server, page: PageWatch, gates: Path, off: str) -> None:
    (gates / "held").unlink(missing_ok=True)
    open_home(site, page)
    page.page.evaluate(off)
    page.page.evaluate("""() => {
      window.barSeen = false
      new MutationObserver(() => { window.barSeen ||= !!document.getElementById('__pyxle_nav_progress__') })
        .observe(document.body, { childList: true, subtree: true })
    }""")
    page.page.click("#to-held")
    page.page.wait_for_timeout(1000)  # the bar shows after 150 ms when it is on
    (gates / "held").touch()
    page.page.get_by_role("heading", name="Held").wait_for(timeout=5000)
    assert page.page.evaluate("window.barSeen") is False
    (gates / "held").unlink()
