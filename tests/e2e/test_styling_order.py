"""The order of a page's stylesheets (docs/styling.md): the layouts' from the outermost in, then the
page's, so that at equal specificity a page's rule wins over its layouts' and a nested layout's over
the root's. A real `pyxle serve` and `pyxle dev`, Chromium reading the computed colours; in dev
also after stylesheet edits (the CSS swapped in place) and a client-side navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PageWatch
from tests.docs._blocks import cites

ROOT = "rgb(1, 1, 1)"
INNER = "rgb(2, 2, 2)"
PAGE = "rgb(3, 3, 3)"

LAYOUT = """
import './layout.css'

export default function Layout({ children }) {
  return <div>{children}</div>
}
"""
HOME = """
import { Link } from 'pyxle/client'
import './page.css'

export default function Home() {
  return <main><p id="page-wins">home</p><Link href="/blog" id="to-blog">blog</Link></main>
}
"""
BLOG = """
import './page.css'

export default function Blog() {
  return <main><p id="page-wins">blog</p><p id="inner-wins">inner</p><p id="root-only">root</p></main>
}
"""
FILES = {
    "pages/layout.pyxl": LAYOUT,
    "pages/layout.css": f"#page-wins, #inner-wins, #root-only {{ color: {ROOT}; }}\n",
    "pages/page.css": f"#page-wins {{ color: {PAGE}; }}\n",
    "pages/index.pyxl": HOME,
    "pages/blog/layout.pyxl": LAYOUT,
    "pages/blog/layout.css": f"#page-wins {{ color: {INNER}; }}\n#inner-wins {{ color: {INNER}; }}\n",
    "pages/blog/page.css": f"#page-wins {{ color: {PAGE}; }}\n",
    "pages/blog/index.pyxl": BLOG,
}


def colour(page: PageWatch, element: str) -> str:
    return page.page.evaluate(f"getComputedStyle(document.getElementById({element!r})).color")


def wait_colour(page: PageWatch, element: str, expected: str) -> None:
    """Waits for an element's colour (a stylesheet swap in dev takes a rebuild); then checks it."""
    script = f"getComputedStyle(document.getElementById({element!r})).color === {expected!r}"
    try:
        page.page.wait_for_function(script, timeout=15000)
    except PlaywrightTimeout:
        pass  # the assertion below says what the colour is
    assert colour(page, element) == expected, element


@cites("docs/styling.md", "then the layouts' stylesheets from the outermost in, then the page's; for the same "
       "specificity, a later one wins")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_the_page_wins_over_its_layouts_and_a_nested_layout_over_the_root(make_project, start_server,
                                                                        page: PageWatch, command: str) -> None:
    project = make_project(FILES, node=True)
    server = start_server(project, command, "--ssr-workers", "1")

    page.page.goto(server.url + "/blog")  # root layout, nested layout, page
    page.hydrated()
    assert colour(page, "page-wins") == PAGE
    assert colour(page, "inner-wins") == INNER

    page.page.goto(server.url + "/")  # root layout, page
    page.hydrated()
    assert colour(page, "page-wins") == PAGE
    page.page.click("#to-blog")  # client-side navigation links the blog page's stylesheet
    page.page.get_by_text("inner").wait_for()
    wait_colour(page, "page-wins", PAGE)
    wait_colour(page, "inner-wins", INNER)
    assert page.problems() == []


def test_stylesheet_edits_in_dev_keep_the_order(make_project, start_server, page: PageWatch) -> None:
    project = make_project(FILES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/blog")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")

    # The nested layout's stylesheet changes: its rules still come after the root's, before the page's.
    (project / "pages" / "blog" / "layout.css").write_text("#page-wins { color: rgb(4, 4, 4); }\n"
                                                           "#inner-wins { color: rgb(4, 4, 4); }\n")
    wait_colour(page, "inner-wins", "rgb(4, 4, 4)")
    assert colour(page, "page-wins") == PAGE
    # The page's changes: still last.
    (project / "pages" / "blog" / "page.css").write_text("#page-wins { color: rgb(5, 5, 5); }\n")
    wait_colour(page, "page-wins", "rgb(5, 5, 5)")
    # The root layout's: still first.
    (project / "pages" / "layout.css").write_text("#page-wins, #inner-wins, #root-only { color: rgb(6, 6, 6); }\n")
    wait_colour(page, "root-only", "rgb(6, 6, 6)")
    assert colour(page, "page-wins") == "rgb(5, 5, 5)"
    assert colour(page, "inner-wins") == "rgb(4, 4, 4)"
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []
