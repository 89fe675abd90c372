"""HEAD markup built from data cannot put script into the page: the f-string pattern docs/pages.md
shows stays safe with a hostile query, on the server's document, in navigation JSON and in Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

SEARCH = '''
def HEAD(data):
    return [f"<title>Search: {data['q']}</title>", f'<meta name="description" content="{data["q"]}">']

@server
async def load(request):
    return {"q": request.query_params.get("q", "")}

export default function Search({ data }) { return <main><p id="q">results for {data.q}</p></main> }
'''
HOME = '''
import { Link } from 'pyxle/client'
export default function Home() { return <main><Link href="/search?q=HOSTILE">search</Link></main> }
'''
STATIC = """
HEAD = ['<meta http-equiv="refresh" content="0;url=https://elsewhere.example/">',
        '<meta name="a" content="b" onload="window.__ran = 1">', '<link rel="canonical" href="javascript:window.__ran = 2">',
        '<img src="x" onerror="window.__ran = 3">', '<meta name="keep" content="kept">']

export default function Static() { return <main>static</main> }
"""
HOSTILE = '</title><script>window.__ran = "title"</script><img src=x onerror="window.__ran = 4">'
HOSTILE_META = '"><script>window.__ran = "meta"</script>'
REDIRECT = '0;url=/static" http-equiv="refresh'  # the meta's own attribute, added by the value


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/search.pyxl": SEARCH,
             "pages/index.pyxl": HOME.replace("HOSTILE", quote(HOSTILE, safe="")), "pages/static.pyxl": STATIC}
    with serving(write_project(tmp_path_factory.mktemp("head-safety") / "app", files), "--ssr-workers", "1") as server:
        yield server


def head_of(html: str) -> str:
    return html.split("<head>", 1)[1].split("</head>", 1)[0]


@cites("docs/pages.md", "a value that closes the element it was put in")
def test_a_hostile_value_in_a_head_f_string_stays_text_in_the_document(app: Server) -> None:
    for value in (HOSTILE, HOSTILE_META):
        answer = httpx.get(app.url + "/search", params={"q": value})
        assert answer.status_code == 200
        head = head_of(answer.text)
        assert "<script" not in head and "<img" not in head, head  # what the value held is text
        assert "<title>Search: " in head and head.count("<title>") == 1


def test_a_hostile_value_in_a_head_f_string_stays_text_in_navigation_json(app: Server) -> None:
    answer = httpx.get(app.url + "/search", params={"q": HOSTILE_META}, headers={"x-pyxle-navigation": "1"})
    body = answer.json()
    levels = "".join(body["headLevels"])
    assert "<script" not in levels and "<script" not in body["headMarkup"]
    assert '<meta name="description" content="">' in levels  # what the value left of the element


@cites("docs/pages.md", "`on*` attributes are dropped and any\nelement with a `javascript:` URL is dropped")
def test_on_attributes_and_javascript_urls_in_head_strings_are_dropped(app: Server) -> None:
    head = head_of(httpx.get(app.url + "/static").text)
    assert '<meta name="a" content="b">' in head and "onload" not in head
    assert "javascript:" not in head and "<img" not in head
    assert '<meta name="keep" content="kept">' in head


@cites("docs/pages.md", "a `<meta http-equiv=\"refresh\">`, which a\nvalue put in a meta's `content` could add, is dropped too")
def test_a_value_in_a_meta_content_cannot_make_it_a_refresh_that_sends_visitors_elsewhere(app: Server,
                                                                                        page: PageWatch) -> None:
    head = head_of(httpx.get(app.url + "/search", params={"q": REDIRECT}).text)
    assert not re.search("<meta[^>]*http-equiv", head) and "<title>Search: 0;url=/static" in head
    assert not re.search("<meta[^>]*http-equiv", head_of(httpx.get(app.url + "/static").text))  # a constant too
    page.page.goto(app.url + "/search?q=" + quote(REDIRECT, safe=""))
    page.hydrated()
    page.page.wait_for_timeout(1500)
    assert page.page.url.startswith(app.url + "/search?")  # still here, not sent to /static



@cites("docs/pages.md", "An attribute written twice in a `HEAD` string keeps its first value, as browsers read it")
def test_a_value_that_repeats_an_attribute_is_read_as_browsers_read_it(app: Server) -> None:
    """A value that adds `name="robots"` to the description meta: browsers keep the first `name`, so
    the element is the page's description. Pyxle keyed it by the last, dropped the description and
    kept its layout's, with the two apart in the head."""
    head = head_of(httpx.get(app.url + "/search", params={"q": 'x" name="robots'}).text)
    assert '<meta name="description" content="x">' in head, head
    assert 'name="robots"' not in head, head

def test_no_head_markup_runs_in_the_browser_on_load_or_navigation(app: Server, page: PageWatch) -> None:
    for value in (HOSTILE, HOSTILE_META):
        page.page.goto(app.url + "/search?q=" + quote(value, safe=""))
        page.hydrated()
        assert page.page.evaluate("window.__ran ?? null") is None
        assert page.page.title().startswith("Search: </title>") or page.page.title().startswith('Search: ">')
    page.page.goto(app.url + "/static")
    page.hydrated()
    page.page.wait_for_timeout(300)
    assert page.page.evaluate("window.__ran ?? null") is None
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.get_by_role("link", name="search").click()  # client-side: the head comes from navigation JSON
    page.page.locator("#q").wait_for(timeout=10000)
    page.page.wait_for_timeout(300)
    assert page.page.evaluate("window.__ran ?? null") is None
    assert json.dumps(page.page.title()).startswith('"Search: </title>')
