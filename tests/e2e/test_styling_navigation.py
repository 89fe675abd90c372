"""The stylesheets after client-side navigation (docs/styling.md): the document has those a direct
load of the new URL has, in its order, whatever pages came before; the new page's are loaded before
it is shown; stylesheets put in the head by other code stay. Real `pyxle serve` and `pyxle dev`,
Chromium reading the computed styles and the head's links."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { Head, Link } from 'pyxle/client'
import './global.css'

export default function Layout({ children }) {
  return (
    <div>
      <Head><link rel="stylesheet" href="/user.css" /></Head>
      <nav><Link id="to-x" href="/x">X</Link> <Link id="to-y" href="/y">Y</Link> <Link id="to-plain" href="/plain">P</Link> <Link id="to-slow" href="/slow">S</Link> <a id="to-hash" href="#box">#</a></nav>
      {children}
    </div>
  )
}
"""


def page_source(name: str, imports: str = "") -> str:
    """A page showing the elements every stylesheet here styles; Y notes how its first frame is painted
    (an animation frame runs after the navigation's work, before the browser paints)."""
    noted = ("useLayoutEffect(() => { requestAnimationFrame(() => (window.__yFirst ||= []).push([getComputedStyle(document.body)"
             ".backgroundColor, getComputedStyle(document.getElementById('only-y')).color])) }, [])") if name == "y" else ""
    return f"""
import {{ useLayoutEffect }} from 'react'
{imports}

export default function Page() {{
  {noted}
  return (
    <main data-page="{name}">
      <p id="shared" className="shared">shared</p>
      <p id="only-y">only y</p>
      <p id="box" className={{{'styles.box' if 'styles' in imports else '"box"'}}}>box</p>
    </main>
  )
}}
"""


FILES = {
    "pages/layout.pyxl": LAYOUT,
    "pages/global.css": ".shared, #only-y { color: rgb(0, 0, 255); }\n",
    "pages/x.pyxl": page_source("x", "import './x.css'"),
    "pages/x.css": "body { background-color: rgb(255, 0, 0); }\n.shared { color: rgb(255, 0, 0); }\n",
    "pages/y.pyxl": page_source("y", "import './y.css'\nimport styles from './y.module.css'"),
    "pages/y.css": "#only-y { color: rgb(0, 7, 0); }\n#shared { background-color: rgb(0, 0, 7); }\n",
    "pages/y.module.css": ".box { color: rgb(0, 0, 9); }\n",
    "pages/plain.pyxl": page_source("plain"),
    "pages/slow/index.pyxl": """
@server
async def load(request):
    import asyncio
    await asyncio.sleep(1.5)
    return {}

import './slow.css'

export default function Slow() { return <main data-page="slow">slow</main> }
""",
    "pages/slow/slow.css": "body { background-color: rgb(0, 0, 5); }\n",
    "pages/slow/loading.pyxl": "export default function Loading() { return <main data-page=\"loading\">loading</main> }\n",
    "public/user.css": "body { background-color: rgb(0, 255, 0); }\n",
}

# What decides how the page looks: computed colours, and every stylesheet link in the head, in order.
LOOK = """() => {
  const colour = (id) => document.getElementById(id) && getComputedStyle(document.getElementById(id)).color
  return {
    body: getComputedStyle(document.body).backgroundColor, shared: colour('shared'), onlyY: colour('only-y'),
    box: colour('box'), sharedBack: document.getElementById('shared')
      && getComputedStyle(document.getElementById('shared')).backgroundColor, sheets: [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => l.getAttribute('href')),
  }
}"""


@pytest.fixture(scope="module", params=["serve", "dev"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp("navcss") / "app", FILES)
    with serving(project, "--ssr-workers", "1", command=request.param) as server:
        yield server


def look(page: PageWatch, shown: str) -> dict:
    page.page.wait_for_selector(f'main[data-page="{shown}"]')
    return page.page.evaluate(LOOK)


def direct(site: Server, page: PageWatch, path: str) -> dict:
    page.page.goto(site.url + path)
    page.hydrated()
    return look(page, path[1:])


def test_direct_loads_differ_as_the_pages_css_says(site: Server, page: PageWatch) -> None:
    """The premise of the tests below: each page looks its own way when loaded in full."""
    x, y, plain = (direct(site, page, path) for path in ("/x", "/y", "/plain"))
    assert (x["body"], x["shared"]) == ("rgb(255, 0, 0)", "rgb(255, 0, 0)")
    assert (y["body"], y["shared"], y["onlyY"], y["box"], y["sharedBack"]) == (
        "rgb(0, 255, 0)", "rgb(0, 0, 255)", "rgb(0, 7, 0)", "rgb(0, 0, 9)", "rgb(0, 0, 7)")
    assert x["sharedBack"] == "rgba(0, 0, 0, 0)"
    assert (plain["body"], plain["onlyY"]) == ("rgb(0, 255, 0)", "rgb(0, 0, 255)")
    for shown in (x, y, plain):
        assert shown["sheets"][0] == "/user.css" and len(shown["sheets"]) == 2, shown["sheets"]
    assert page.problems() == []


@cites("docs/styling.md", "A client-side navigation leaves the document with the stylesheets a full load of the "
       "new URL has, in the same order")
@cites("docs/styling.md", "those of the page left are removed as it is shown")
@cites("docs/styling.md", "Stylesheets your own code or another library put in the head are left as they are.")
def test_navigation_leaves_the_stylesheets_of_a_direct_load(site: Server, page: PageWatch) -> None:
    expected = {path: direct(site, page, path) for path in ("/x", "/y", "/plain")}
    page.page.goto(site.url + "/x")
    page.hydrated()
    # Another library's styles, put at the end of the head after the page loaded: they stay there.
    page.page.evaluate("document.head.append(Object.assign(document.createElement('style'), "
                       "{ id: 'lib', textContent: '#box { outline-color: rgb(4, 4, 4) }' }))")

    page.page.click("#to-y")
    assert look(page, "y") == expected["/y"], "x -> y"
    page.page.click("#to-x")
    assert look(page, "x") == expected["/x"], "x -> y -> x"
    page.page.click("#to-y")
    assert look(page, "y") == expected["/y"], "x -> y -> x -> y"
    page.page.go_back()
    assert look(page, "x") == expected["/x"], "Back to x"
    page.page.go_back()
    assert look(page, "y") == expected["/y"], "Back to y"
    page.page.go_forward()
    assert look(page, "x") == expected["/x"], "Forward to x"
    page.page.click("#to-plain")
    assert look(page, "plain") == expected["/plain"], "x -> plain"

    assert page.page.evaluate("document.head.lastElementChild.id") == "lib"
    assert page.page.evaluate("getComputedStyle(document.getElementById('box')).outlineColor") == "rgb(4, 4, 4)"
    assert page.problems() == []


def held_stylesheet(page: PageWatch, name: str) -> Callable[[], None]:
    """Holds the browser's request for the page's stylesheet (the link's: a prefetch's fetch of it
    goes through); answers what lets it through."""
    held: list = []
    page.page.route(f"**/_pyxle/page_{name}-*.css", lambda route: held.append(route)
                    if route.request.resource_type == "stylesheet" else route.continue_())
    page.page.click(f"#to-{name}")
    for _ in range(100):
        if held:
            break
        page.page.wait_for_timeout(50)
    assert held, "the stylesheet was never asked for"
    return lambda: held[0].continue_()


@cites("docs/styling.md", "the new page's are loaded before it is shown")
def test_a_page_waits_for_its_stylesheet(site: Server, page: PageWatch) -> None:
    expected = {path: direct(site, page, path) for path in ("/x", "/y")}
    page.page.goto(site.url + "/x")
    page.hydrated()
    release = held_stylesheet(page, "y")
    page.page.wait_for_timeout(500)
    assert look(page, "x") | {"sheets": None} == expected["/x"] | {"sheets": None}, "y shown before its stylesheet"
    release()
    assert look(page, "y") == expected["/y"]
    assert page.problems() == []


def test_a_navigation_given_up_while_its_stylesheet_loads_leaves_none(site: Server, page: PageWatch) -> None:
    """A #hash link of the page shown, followed while y's stylesheet loads, ends the navigation to y:
    y's stylesheet, arriving after, styles nothing."""
    expected = direct(site, page, "/x")
    page.page.goto(site.url + "/x")
    page.hydrated()
    release = held_stylesheet(page, "y")
    page.page.click("#to-hash")
    release()
    page.page.wait_for_timeout(500)
    shown = look(page, "x")
    assert shown | {"sheets": None} == expected | {"sheets": None}
    assert page.page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].filter((l) => "
                              "matchMedia(l.media || 'all').matches).map((l) => l.getAttribute('href'))") == expected["sheets"]
    assert page.problems() == []


@cites("docs/styling.md", "the new page's are loaded before it is shown")
def test_a_page_is_shown_with_its_stylesheets_already_loaded(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/x")
    page.hydrated()
    page.page.click("#to-y")
    look(page, "y")
    page.page.click("#to-x")
    look(page, "x")
    page.page.click("#to-y")
    look(page, "y")
    # Y's first frame each time: its own stylesheet loaded, X's gone.
    assert page.page.evaluate("window.__yFirst") == [["rgb(0, 255, 0)", "rgb(0, 7, 0)"]] * 2
    assert page.problems() == []


@cites("docs/styling.md", "A client-side navigation leaves the document with the stylesheets a full load of the "
       "new URL has")
def test_a_loading_state_has_the_stylesheets_of_its_page(site: Server, page: PageWatch) -> None:
    """The loading.pyxl shown while a page's data comes is styled as the page is: the page before's go."""
    expected = direct(site, page, "/slow")
    assert expected["body"] == "rgb(0, 0, 5)"
    page.page.goto(site.url + "/x")
    page.hydrated()
    page.page.click("#to-slow")
    assert look(page, "loading") == expected
    assert look(page, "slow") == expected
    assert page.problems() == []


def test_stylesheet_edits_in_dev_after_navigation_swap_the_shown_pages(make_project, start_server,
                                                                       page: PageWatch) -> None:
    """pyxle dev: an edit after x -> y swaps y's new stylesheet in, and x's does not come back."""
    project = make_project(FILES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/x")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")
    page.page.click("#to-y")
    before = look(page, "y")["sheets"]
    (project / "pages" / "y.css").write_text("#only-y { color: rgb(0, 8, 0); }\n")
    page.page.wait_for_function("getComputedStyle(document.getElementById('only-y')).color === 'rgb(0, 8, 0)'",
                                timeout=15000)
    after = look(page, "y")
    assert after["body"] == "rgb(0, 255, 0)"
    assert after["sheets"][0] == "/user.css" and len(after["sheets"]) == 2 and after["sheets"] != before
    page.page.click("#to-x")
    assert look(page, "x")["body"] == "rgb(255, 0, 0)"
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []


# Records, in the document a test starts in, whether y is ever rendered there (with the colour its
# shared paragraph had), and how the page looked as the document was left.
WATCH_Y = """() => {
  window.__marker = 'kept'
  const colour = () => getComputedStyle(document.getElementById('shared')).color
  new MutationObserver(() => {
    if (document.querySelector('main[data-page="y"]')) sessionStorage.setItem('yHere', colour())
  }).observe(document.body, { childList: true, subtree: true })
  addEventListener('pagehide', () => sessionStorage.setItem('leftWith', getComputedStyle(document.body).backgroundColor))
}"""


@cites("docs/styling.md", "so no page is shown unstyled")
@cites("docs/styling.md", "A stylesheet that fails to load fails the navigation")
@cites("docs/client.md", "a page whose stylesheet fails to load")
def test_a_page_whose_stylesheet_fails_is_loaded_in_full(site: Server, page: PageWatch) -> None:
    """The request for y's stylesheet fails once: y is not shown without it (nor x without the
    layout's styles); the browser loads /y in full, which has its stylesheets."""
    expected = direct(site, page, "/y")
    page.page.goto(site.url + "/x")
    page.hydrated()
    page.page.evaluate(WATCH_Y)
    failed: list[str] = []

    def fail_once(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.resource_type == "stylesheet" and not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.page.route("**/_pyxle/page_y-*.css", fail_once)
    with page.page.expect_navigation(timeout=15000):
        page.page.click("#to-y")
    assert failed, "the stylesheet was never asked for"
    assert look(page, "y") == expected
    assert page.page.evaluate("window.__marker") is None, "no full load"
    assert page.page.evaluate("sessionStorage.getItem('yHere')") is None, "y was shown without its stylesheet"
    assert page.page.evaluate("sessionStorage.getItem('leftWith')") == "rgb(255, 0, 0)", "x lost its stylesheets"
    # The browser's failed load, and under pyxle dev Pyxle's note of why the navigation loaded in full.
    assert all("ERR_FAILED" in text or text.startswith("[pyxle] navigation to /y failed, loading it in full: "
                                                       "Error: the stylesheet") for _, text in page.problems()), \
        page.problems()
