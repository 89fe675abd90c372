"""React 18 is supported as well as 19: the same pages server-render, hydrate, navigate and
refresh with tests/node-react18's packages (the rest of the suite runs React 19)."""

from __future__ import annotations

import json
import re

import httpx

from tests.conftest import NODE_MODULES_REACT18, PageWatch, link_node_modules
from tests.docs._blocks import cites

HOME = """
@server
async def load(request):
    return {"start": 3}

import { useState } from 'react'
import { Head, Link } from 'pyxle/client'

export default function Home({ data }) {
  const [n, setN] = useState(data.start)
  return (
    <main>
      <Head><title>Home on React 18</title></Head>
      <button data-testid="counter" onClick={() => setN(n + 1)}>{LABEL} {n}</button>
      <Link href="/about">About</Link> <Link href="/boom">Boom</Link>
    </main>
  )
}
"""
PAGES = {
    "pages/about.pyxl": "import { Head } from 'pyxle/client'\n"
                        "export default function About() { return <h1><Head><title>About</title></Head>About</h1> }\n",
    "pages/boom.pyxl": "export default function Boom() { throw new Error('boom while rendering') }\n",
}


def react18_project(make_project, label: str = "count"):  # type: ignore[no-untyped-def]
    project = make_project({**PAGES, "pages/index.pyxl": HOME.replace("{LABEL}", label)})
    link_node_modules(project, NODE_MODULES_REACT18)
    version = json.loads((project / "node_modules" / "react-dom" / "package.json").read_text())["version"]
    assert version.startswith("18."), version
    return project


def test_pages_render_hydrate_and_navigate_on_react_18(make_project, start_server, page: PageWatch) -> None:
    project = react18_project(make_project)
    server = start_server(project, "serve", "--ssr-workers", "1")
    html = httpx.get(server.url + "/").text
    assert re.search(r'data-testid="counter">count (<!-- -->)?3</button>', html)  # rendered on the server
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_test_id("counter").click()
    assert page.page.get_by_test_id("counter").text_content() == "count 4"
    assert page.page.title() == "Home on React 18"

    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("link", name="About").click()
    page.page.get_by_role("heading", name="About").wait_for()
    assert page.page.title() == "About"
    assert page.page.evaluate("window.__marker") == "still here"  # client-side navigation
    page.page.go_back()
    page.page.get_by_test_id("counter").wait_for()
    assert page.problems() == []  # no hydration warnings, no errors

    page.page.get_by_role("link", name="Boom").click()  # React 18 throws from the render itself
    # Caught by the page's boundary (no error.pyxl: the built-in message), shown in place.
    page.page.get_by_role("alert").filter(has_text="Something went wrong rendering this page.").wait_for()
    assert page.page.url == server.url + "/boom"
    assert page.page.evaluate("window.__marker") == "still here"  # no full load


def test_fast_refresh_keeps_state_on_react_18(make_project, start_server, page: PageWatch) -> None:
    project = react18_project(make_project)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_test_id("counter").click()
    page.page.evaluate("window.__marker = 'kept'")
    (project / "pages" / "index.pyxl").write_text(HOME.replace("{LABEL}", "clicks"))
    page.page.get_by_test_id("counter").filter(has_text="clicks 4").wait_for(timeout=10000)
    assert page.page.evaluate("window.__marker") == "kept"


INLINE_TITLE = """
import { Link } from 'pyxle/client'

export default function Inline() {
  return <section><title>In place</title><meta name="description" content="in place" /><h1>inline</h1><Link href="/">Home</Link></section>
}
"""


@cites("docs/pages.md", "React 18 renders these tags where they are, in the body")
def test_react_18_keeps_a_title_in_the_page_where_it_renders_it(make_project, start_server, page: PageWatch) -> None:
    project = react18_project(make_project)
    (project / "pages" / "inline.pyxl").write_text(INLINE_TITLE)
    server = start_server(project, "serve", "--ssr-workers", "1")
    head, body = httpx.get(server.url + "/inline").text.split("</head>", 1)
    assert "In place" not in head  # React 19's hoisting is not React 18's: nothing is moved
    assert '<section><title>In place</title><meta name="description" content="in place"/><h1>' in body
    page.page.goto(server.url + "/inline")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")
    page.page.get_by_role("link", name="Home").click()
    page.page.get_by_test_id("counter").wait_for()
    assert page.page.title() == "Home on React 18"
    page.page.go_back()
    page.page.get_by_role("heading", name="inline").wait_for()
    assert page.page.evaluate("window.__marker") == "kept"
    assert page.problems() == []
