"""Client-side navigation for screen readers and keyboards, in a real headless Chromium: each
navigation (a Link, navigate(), Back) says the new page's title in a live region the runtime owns,
and moves focus to the top of the new page (or to its data-pyxle-focus element, or its #hash target); the first load
and a same-page #hash link say nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

TALL = "<div style={{ height: '3000px' }}>tall</div>"

PAGES = {
    "pages/layout.pyxl": """
        import { Link } from 'pyxle/client'

        export default function Layout({ children }) {
          return (
            <div>
              <nav>
                <Link href="/">Home</Link> <Link href="/about">About</Link>{' '}
                <Link href="/untitled">Untitled</Link> <Link href="/bare">Bare</Link>{' '}
                <Link href="/search">Search</Link> <Link href="/long#part">Part</Link>
              </nav>
              {children}
            </div>
          )
        }
        """,
    "pages/index.pyxl": """
        import { Head } from 'pyxle/client'

        export default function Home() {
          return <main><Head><title>Home page</title></Head><h1>Home</h1></main>
        }
        """,
    "pages/about.pyxl": """
        import { Head } from 'pyxle/client'

        export default function About() {
          return <main><Head><title>About us</title></Head><h1>About</h1></main>
        }
        """,
    "pages/untitled.pyxl": """
        export default function Untitled() { return <main><p>intro</p><h1>Plain <em>heading</em></h1></main> }
        """,
    "pages/bare.pyxl": """
        export default function Bare() { return <main><p>nothing to name it</p></main> }
        """,
    "pages/search.pyxl": """
        import { Head } from 'pyxle/client'

        export default function Search() {
          return (
            <main>
              <Head><title>Search</title></Head>
              <h1>Search</h1>
              <input id="query" data-pyxle-focus aria-label="Query" />
            </main>
          )
        }
        """,
    "pages/long.pyxl": f"""
        import {{ Head }} from 'pyxle/client'

        export default function Long() {{
          return (
            <main>
              <Head><title>Long page</title></Head>
              <h1>Long</h1><a id="to-end" href="#end">to the end</a>{TALL}
              <h2 id="part">Part</h2><p>text</p><a id="after-part" href="#end">on from the part</a>{TALL}
              <p id="end">end</p>
            </main>
          )
        }}
        """,
}

# Each text the live region takes, as a screen reader would hear it.
LISTEN = """() => {
  window.__said = []
  const region = document.getElementById('pyxle-announcer')
  new MutationObserver(() => window.__said.push(region.textContent))
    .observe(region, { childList: true, characterData: true, subtree: true })
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("navigation-a11y") / "app", PAGES)
    with serving(root, "--ssr-workers", "1") as server:
        yield server


def _open(page: PageWatch, url: str) -> None:
    page.page.goto(url)
    page.hydrated()
    page.page.evaluate(LISTEN)


def _said(page: PageWatch) -> str:
    """The live region's text once the announcement is made."""
    page.page.wait_for_function("window.__said.length > 0", timeout=5000)
    return page.page.evaluate("document.getElementById('pyxle-announcer').textContent")


def _focused(page: PageWatch) -> str:
    return page.page.evaluate("document.activeElement.id || document.activeElement.tagName")


@cites("docs/client.md", "says the new page's title in a visually hidden `aria-live=\"assertive\"` region")
def test_a_link_click_announces_the_new_title_and_moves_focus_to_the_top(app: Server, page: PageWatch) -> None:
    tab = page.page
    _open(page, app.url + "/")
    region = tab.evaluate("""() => {
      const r = document.getElementById('pyxle-announcer')
      return [r.getAttribute('aria-live'), r.textContent, !!r.closest('#pyxle-root'), r.getBoundingClientRect().width]
    }""")
    assert region == ["assertive", "", False, 1]  # nothing said on the first load, outside React's root, hidden
    link = tab.get_by_role("link", name="About")
    link.focus()
    link.click()
    tab.get_by_role("heading", name="About").wait_for()
    assert _said(page) == "About us" == tab.title()
    assert _focused(page) == "BODY"  # not the link left behind in the layout
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Home"  # Tab goes on from the top
    assert page.problems() == []  # the region caused no hydration warning


@cites("docs/client.md", "else its first `h1`, else its path")
def test_a_page_without_a_title_is_announced_by_its_heading_or_its_path(app: Server, page: PageWatch) -> None:
    tab = page.page
    _open(page, app.url + "/")
    tab.get_by_role("link", name="Untitled").click()
    tab.get_by_role("heading", name="Plain heading").wait_for()
    assert _said(page) == "Plain heading"
    tab.evaluate("window.__said = []")
    tab.get_by_role("link", name="Bare").click()
    tab.get_by_text("nothing to name it").wait_for()
    assert _said(page) == "/bare"
    assert page.problems() == []


@cites("docs/client.md", "the first element of the new page marked `data-pyxle-focus`")
def test_navigate_focuses_the_pages_data_pyxle_focus_element(app: Server, page: PageWatch) -> None:
    tab = page.page
    _open(page, app.url + "/")
    assert tab.evaluate("window.__PYXLE_ROUTER__.navigate('/search')") is True
    assert _said(page) == "Search"
    assert _focused(page) == "query"
    assert page.problems() == []


@cites("docs/client.md", "else to the `#hash` target the page scrolled to")
def test_after_a_navigation_to_a_hash_tab_goes_on_from_the_target(app: Server, page: PageWatch) -> None:
    """As after the browser's own load of /long#part: the first Tab went back to the top of the page."""
    tab = page.page
    _open(page, app.url + "/")
    link = tab.get_by_role("link", name="Part")
    link.focus()
    tab.keyboard.press("Enter")
    tab.get_by_role("heading", name="Long").wait_for()
    _said(page)
    at = tab.evaluate("window.scrollY")
    assert at > 2000 and _focused(page) == "part"
    assert tab.evaluate("document.getElementById('part').getAttribute('tabindex')") == "-1"
    tab.keyboard.press("Tab")
    assert _focused(page) == "after-part"
    assert abs(tab.evaluate("window.scrollY") - at) < 200  # still at the part, not back at the top
    assert tab.evaluate("document.getElementById('part').hasAttribute('tabindex')") is False  # taken off on blur
    assert page.problems() == []


@cites("docs/client.md", "Back and Forward are announced too; a same-page `#hash` link is not")
def test_back_is_announced_and_a_same_page_hash_link_is_not(app: Server, page: PageWatch) -> None:
    tab = page.page
    _open(page, app.url + "/about")
    tab.get_by_role("link", name="Part").click()
    tab.get_by_role("heading", name="Long").wait_for()
    assert _said(page) == "Long page"
    part = tab.evaluate("Math.round(document.getElementById('part').getBoundingClientRect().top)")
    assert part == 0 and tab.evaluate("window.scrollY") > 0  # focus moved without scrolling off the #hash
    assert _focused(page) == "part"
    tab.evaluate("window.__said = []")
    tab.locator("#to-end").click()
    tab.wait_for_function("location.hash === '#end'")
    tab.go_back()
    tab.wait_for_function("location.hash === '#part'")
    tab.wait_for_timeout(300)
    assert tab.evaluate("window.__said") == []  # a #hash of the page shown: nothing to say
    tab.go_back()
    tab.get_by_role("heading", name="About").wait_for()
    assert _said(page) == "About us"
    assert _focused(page) == "BODY"
    assert page.problems() == []
