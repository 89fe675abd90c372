"""A ``<title>`` in ``<Head>`` whose children mix text and expressions (``<title>{data.count}
items</title>``, the shape the AGENTS.md of 0.5 to 0.8 shows every new project) is one string:
React 19 renders such a title (an array of children) empty. In the server's document, after
hydration and after client navigation, on React 19 and 18; the page's title still wins over the
layout's, and a page without one shows the layout's."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import NODE_MODULES, NODE_MODULES_REACT18, PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { Head, Link } from 'pyxle/client'

export default function Layout({ children }) {
  const site = 'Shop'
  return (
    <div>
      <Head><title>{site} home</title></Head>
      <nav><Link href="/items">items</Link> <Link href="/hello">hello</Link> <Link href="/plain">plain</Link></nav>
      {children}
    </div>
  )
}
"""

ITEMS = """
@server
async def load(request):
    return {"count": 3}

import { Head } from 'pyxle/client'

export default function Items({ data }) {
  return <><Head><title>{data.count} items</title></Head><h1>items</h1></>
}
"""

HELLO = """
@server
async def load(request):
    return {"name": "Ada"}

import { Head } from 'pyxle/client'

export default function Hello({ data }) {
  return <><Head><title><>Hello {data.name}</>{'!'}</title></Head><h1>hello</h1></>
}
"""

PLAIN = """
export default function Plain() { return <h1>plain</h1> }
"""

TITLES = {"/items": "3 items", "/hello": "Hello Ada!", "/plain": "Shop home"}


@pytest.fixture(scope="module", params=["react19", "react18"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    modules = NODE_MODULES if request.param == "react19" else NODE_MODULES_REACT18
    files = {"pages/layout.pyxl": LAYOUT, "pages/items.pyxl": ITEMS, "pages/hello.pyxl": HELLO,
             "pages/plain.pyxl": PLAIN}
    project = write_project(tmp_path_factory.mktemp(f"title-{request.param}") / "app", files, modules)
    with serving(project, "--ssr-workers", "1") as server:
        yield server


@cites("docs/pages.md", "A `<title>` may mix text and expressions (`<title>{data.count} items</title>`, text in fragments\ntoo): its text becomes one string, on React 19 as on 18")
@pytest.mark.parametrize("path", TITLES)
def test_the_server_document_has_the_title_as_one_string(app: Server, path: str) -> None:
    head = httpx.get(app.url + path, timeout=30).text.split("</head>")[0]
    assert re.findall(r"<title>.*?</title>", head) == [f"<title>{TITLES[path]}</title>"]


def _title_is(page: PageWatch, title: str) -> None:
    page.page.wait_for_function("title => document.title === title", arg=title, timeout=5000)


@cites("docs/pages.md", "its text becomes one string, on React 19 as on 18")
def test_the_title_holds_after_hydration_and_client_navigation(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/items")
    page.hydrated()
    page.page.wait_for_timeout(300)  # the head manager has applied the <Head> elements
    assert page.page.title() == "3 items"
    page.page.evaluate("window.__marker = 'kept'")
    for path in ("/hello", "/plain", "/items"):
        page.page.get_by_role("link", name=path.strip("/")).click()
        page.page.get_by_role("heading", name=path.strip("/")).wait_for()
        _title_is(page, TITLES[path])
        assert page.page.locator("head title").all_text_contents() == [TITLES[path]]
    assert page.page.evaluate("window.__marker") == "kept"  # client-side navigations
    assert page.problems() == []


BOLD = """
import { Head } from 'pyxle/client'

export default function Bold() { return <><Head><title>A <b>bold</b> one</title></Head><h1>bold</h1></> }
"""


@cites("docs/pages.md", "A `<title>` holding an element is left to React, which warns of it under `pyxle dev`.")
def test_pyxle_dev_warns_only_of_a_title_holding_an_element(tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = write_project(tmp_path / "app", {"pages/items.pyxl": ITEMS, "pages/bold.pyxl": BOLD})
    with serving(project, command="dev") as server:
        assert "<title>3 items</title>" in httpx.get(server.url + "/items", timeout=30).text
        httpx.get(server.url + "/bold", timeout=30)  # an element in <title>: React's own warning, as before
        output = server.wait_for_output("page 'bold'")
    warned = [line for line in output.splitlines() if "children` prop of <title>" in line]
    assert warned and all("page 'bold'" in line for line in warned), warned
