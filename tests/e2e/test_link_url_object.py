"""A `<Link>` given Next.js's URL object (`{ pathname, query, hash }`), as a ported Next.js app
writes it, on a real `pyxle serve` and `pyxle dev` in Chromium: the server renders the href Next.js
would, hydration agrees, a click navigates client-side to it, and `navigate()` takes one too. A
value that is neither gets a console error naming the Link under `pyxle dev`, where it used to
render `href="[object Object]"` and navigate to a 404 without a word."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, until, write_project
from tests.docs._blocks import cites

INDEX = '''
import { Link, navigate } from 'pyxle/client'

export default function Index() {
  return (
    <main>
      <h1>Home</h1>
      <Link id="obj" href={{ pathname: '/blog', query: { page: 5, tag: ['a', 'b'] }, hash: 'top' }}>Page 5</Link>
      <Link id="search" href={{ pathname: '/blog', search: '?page=7', query: { page: 9 } }}>Page 7</Link>
      <Link id="odd" href={{ pathname: '/blog', query: { q: 'tea & cake', none: null } }}>Odd</Link>
      <button id="go" onClick={() => navigate({ pathname: '/blog', query: { page: 3 } })}>Go</button>
    </main>
  )
}
'''
BLOG = '''
@server
async def load(request):
    return {"page": request.query_params.get("page"), "tags": request.query_params.getlist("tag")}

export default function Blog({ data }) {
  return <main><h1 id="top">Blog page {data.page} tags {data.tags.join(',')}</h1></main>
}
'''
WRONG = '''
import { Link } from 'pyxle/client'

export default function Wrong() {
  return <main><h1>Wrong</h1><Link id="num" href={42}>Forty-two</Link></main>
}
'''
FILES = {"pages/index.pyxl": INDEX, "pages/blog.pyxl": BLOG, "pages/wrong.pyxl": WRONG}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("link-url-object") / "app", FILES)
    with serving(root, "--ssr-workers", "1") as server:
        yield server


@cites("docs/client.md", "`href=\"/blog?page=5&tag=a&tag=b#top\"` (an array repeats its key; `search`, when given, is used")
def test_the_server_renders_a_url_object_href_as_nextjs_formats_it(app: Server) -> None:
    html = httpx.get(app.url + "/").text
    assert 'id="obj" href="/blog?page=5&amp;tag=a&amp;tag=b#top"' in html
    assert 'id="search" href="/blog?page=7"' in html
    assert 'id="odd" href="/blog?q=tea+%26+cake&amp;none="' in html
    assert "[object Object]" not in html


@cites("docs/client.md", "may also be Next.js's URL\nobject, formatted as Next.js formats it, the same on the server and in the browser")
def test_a_url_object_link_hydrates_quietly_and_navigates_client_side(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    assert page.page.get_attribute("#obj", "href") == "/blog?page=5&tag=a&tag=b#top"
    page.page.evaluate("window.stayed = true")
    page.page.click("#obj")
    until(lambda: "Blog page 5 tags a,b" in page.page.inner_text("h1"), timeout=10)
    assert page.page.evaluate("location.pathname + location.search + location.hash") == "/blog?page=5&tag=a&tag=b#top"
    assert page.page.evaluate("window.stayed") is True, "the click loaded the page in full"
    assert page.problems() == []


@cites("docs/client.md", "A `Link`'s `href` (and what `navigate`, `prefetch` and `invalidate` take) may also be")
def test_navigate_takes_a_url_object(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.evaluate("window.stayed = true")
    page.page.click("#go")
    until(lambda: "Blog page 3" in page.page.inner_text("h1"), timeout=10)
    assert page.page.evaluate("location.pathname + location.search") == "/blog?page=3"
    assert page.page.evaluate("window.stayed") is True
    assert page.problems() == []


@cites("docs/client.md", "Under `pyxle dev`, an `href` that is neither a string nor such an object\nlogs `Pyxle: <Link> got href ...` in the console")
def test_pyxle_dev_names_a_link_whose_href_is_neither_a_string_nor_a_url_object(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project(FILES, node=True), "dev")
    page.page.goto(server.url + "/wrong")
    page.hydrated()
    page.page.wait_for_timeout(300)
    errors = [text for kind, text, _ in page.messages if kind == "error" and text.startswith("Pyxle")]
    assert len(errors) == 1, page.messages
    assert "Pyxle: <Link> got href number 42" in errors[0]
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.wait_for_timeout(300)
    assert [text for kind, text, _ in page.messages if "got href" in text] == errors, "a URL object is not an error"
