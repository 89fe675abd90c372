"""React 19 metadata tags: a `<title>`, `<meta>` or `<link>` a component renders goes in the document
`<head>` as React 19 promises, on a real ``pyxle serve`` and in Chromium. The server's document has it
in the head (not at the start of the root), over the layout's `<Head>` entry with the same key; a
client navigation to and from such a page stays client-side, with the right `document.title`, no
duplicate and nothing in the console. Pyxle's head manager never touches a node React owns."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { Head, Link } from 'pyxle/client'

export default function Layout({ children }) {
  return (
    <div>
      <Head><title>The layout</title><meta name="description" content="layout words" /></Head>
      <nav>
        <Link href="/">home</Link> <Link href="/r19">r19</Link> <Link href="/counter">counter</Link>{' '}
        <Link href="/onlymeta">onlymeta</Link> <Link href="/broken">broken</Link>{' '}
        <Link href="/streamed">streamed</Link>
      </nav>
      {children}
    </div>
  )
}
"""

INDEX = """
export default function Index() { return <h1>home</h1> }
"""

R19 = """
export default function R19() {
  return (
    <section>
      <title>R19 Title</title>
      <meta name="description" content="r19 words" />
      <link rel="canonical" href="https://example.com/r19" />
      <h1>r19</h1>
    </section>
  )
}
"""

COUNTER = """
import { useState } from 'react'

export default function Counter() {
  const [n, setN] = useState(0)
  return <section><title>{`Count ${n}`}</title><h1>counter</h1><button onClick={() => setN(n + 1)}>add</button></section>
}
"""

ONLYMETA = """
export default function OnlyMeta() { return <><meta name="description" content="only meta words" /><h1>onlymeta</h1></> }
"""

TITLES = {"/": "The layout", "/r19": "R19 Title", "/counter": "Count 0", "/onlymeta": "The layout",
          "/streamed": "Streamed title"}
DESCRIPTIONS = {"/": "layout words", "/r19": "r19 words", "/counter": "layout words", "/onlymeta": "only meta words",
                "/streamed": "layout words"}


# A streamed page (it suspends): its shell's <title> is hoisted as a fast render's is.
STREAMED = """
@server
async def load(request):
    return {"delay": 300}

import { Suspense, use } from 'react'

const waits = new WeakMap()  // one wait per render (the props object)
function Slow({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('the slow part'), data.delay)))
  return <p id="slow">{use(promise)}</p>
}

export default function Streamed({ data }) {
  return (
    <section>
      <title>Streamed title</title>
      <h1>streamed</h1>
      <Suspense fallback={<p>loading</p>}><Slow data={data} /></Suspense>
    </section>
  )
}
"""

# A page whose code throws as the browser loads it: a navigation to it ends in a full load.
BROKEN = """
import { ready } from '../components/broken.js'

export default function Broken() { return <h1>broken {ready}</h1> }
"""
BROKEN_MODULE = """
if (typeof window !== 'undefined') throw new Error('broken in the browser')
export const ready = 'yes'
"""


@pytest.fixture(scope="module", params=["serve", "dev"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The app under ``pyxle serve`` (React's production build), then under ``pyxle dev`` (its
    development build, which warns of more)."""
    files = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/r19.pyxl": R19,
             "pages/counter.pyxl": COUNTER, "pages/onlymeta.pyxl": ONLYMETA, "pages/broken.pyxl": BROKEN, "pages/streamed.pyxl": STREAMED,
             "components/broken.js": BROKEN_MODULE}
    project = write_project(tmp_path_factory.mktemp(f"r19-head-{request.param}") / "app", files)
    with serving(project, "--ssr-workers", "1", command=request.param) as server:
        server.command = request.param  # type: ignore[attr-defined]
        yield server


def _head_and_root(markup: str) -> tuple[str, str]:
    head, body = markup.split("</head>", 1)
    return head, body.split('<div id="pyxle-root">', 1)[1]


@cites("docs/pages.md", "the server writes them into the document's `<head>`")
@pytest.mark.parametrize("path", TITLES)
def test_the_server_s_head_has_the_page_s_react_title_and_meta(app: Server, path: str) -> None:
    head, root = _head_and_root(httpx.get(app.url + path, timeout=30).text)
    assert re.findall(r"<title>(.*?)</title>", head) == [TITLES[path]]
    assert re.findall(r'<meta name="description" content="([^"]*)"', head) == [DESCRIPTIONS[path]]
    assert "<title" not in root and "<meta" not in root and "<link" not in root


def test_the_server_s_head_has_a_react_canonical_link(app: Server) -> None:
    head, _ = _head_and_root(httpx.get(app.url + "/r19", timeout=30).text)
    assert head.count('<link rel="canonical" href="https://example.com/r19"/>') == 1


def _shows(page: PageWatch, path: str) -> None:
    """The page at ``path`` is shown with its own title, its one description, and one title."""
    page.page.wait_for_function("title => document.title === title", arg=TITLES[path], timeout=15000)
    assert page.page.locator("title").all_text_contents() == [TITLES[path]], path
    assert page.page.evaluate("[...document.querySelectorAll('meta[name=description]')].map((m) => m.content)") \
        == [DESCRIPTIONS[path]], path
    assert page.page.evaluate("document.querySelector('#pyxle-root title, #pyxle-root meta')") is None


def _click(page: PageWatch, path: str) -> None:
    name = path.strip("/") or "home"
    page.page.get_by_role("link", name=name, exact=True).click()
    page.page.get_by_role("heading", name=name, exact=True).wait_for(timeout=15000)


@cites("docs/pages.md", "a client navigation to and from the page stays client-side")
def test_navigation_to_and_from_react_titled_pages_stays_client_side(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    _shows(page, "/")
    page.page.evaluate("window.__marker = 'kept'")
    for path in ("/r19", "/", "/counter", "/r19", "/onlymeta", "/counter", "/onlymeta", "/streamed", "/r19", "/"):
        _click(page, path)
        _shows(page, path)
    assert page.page.evaluate("window.__marker") == "kept"  # no full load on the way
    assert page.problems() == []


@pytest.mark.parametrize("path", ["/r19", "/streamed"])
def test_a_first_load_of_a_react_titled_page_then_navigation_and_back(app: Server, page: PageWatch, path: str) -> None:
    page.page.goto(app.url + path)
    page.hydrated()
    _shows(page, path)
    page.page.evaluate("window.__marker = 'kept'")
    _click(page, "/")
    _shows(page, "/")
    page.page.go_back()
    page.page.get_by_role("heading", name=path.strip("/"), exact=True).wait_for(timeout=15000)
    _shows(page, path)
    page.page.go_forward()
    page.page.get_by_role("heading", name="home", exact=True).wait_for(timeout=15000)
    _shows(page, "/")
    assert page.page.evaluate("window.__marker") == "kept"
    assert page.problems() == []


@cites("docs/pages.md", "React keeps it up to date")
def test_a_react_title_follows_the_page_s_state_after_navigation(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    _click(page, "/counter")
    _shows(page, "/counter")
    page.page.get_by_role("button", name="add").click()
    page.page.wait_for_function("document.title === 'Count 1'", timeout=15000)
    assert page.page.locator("title").all_text_contents() == ["Count 1"]
    _click(page, "/r19")
    _shows(page, "/r19")
    assert page.problems() == []


@cites("docs/client.md", "is logged to the console first")
def test_a_navigation_that_throws_says_why_under_pyxle_dev_before_the_full_load(app: Server,
                                                                             page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    with page.page.expect_navigation(timeout=15000):  # the full load of /broken
        page.page.get_by_role("link", name="broken", exact=True).click()
    page.page.get_by_role("heading", name="broken yes").wait_for(timeout=15000)  # the server's render of it
    logged = [text for kind, text, _ in page.messages if kind == "error" and text.startswith("[pyxle] navigation")]
    if app.command == "dev":  # type: ignore[attr-defined]
        assert len(logged) == 1 and logged[0].startswith("[pyxle] navigation to /broken failed, loading it in full:")
        assert "broken in the browser" in logged[0]
    else:
        assert logged == []  # pyxle serve: the console stays the app's
