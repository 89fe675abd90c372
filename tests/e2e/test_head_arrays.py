"""OpenGraph's arrays in the head: several `og:image` (or `article:tag`) of one `HEAD`, or of one
level's `<Head>`, are all kept, and a page's replace its layout's, in the document, in navigation
JSON and after a client navigation in Chromium. They collapsed to the last one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
HEAD = ['<meta property="og:image" content="/layout.png">', '<meta property="og:site_name" content="Site">']

import { Link } from 'pyxle/client'

export default function Layout({ children }) {
  return <div><nav><Link href="/">plain</Link> <Link href="/post">post</Link></nav>{children}</div>
}
"""
PLAIN = """
export default function Plain() { return <h1>plain</h1> }
"""
POST = """
HEAD = ['<meta property="og:image" content="/a.png">', '<meta property="og:image:width" content="100">',
        '<meta property="og:image" content="/b.png">', '<meta property="og:image:width" content="200">',
        '<meta property="article:tag" content="x">', '<meta property="article:tag" content="y">']

import { Head } from 'pyxle/client'

function Authors() {
  return <Head><meta property="article:author" content="p" /><meta property="article:author" content="q" /></Head>
}

export default function Post() {
  return <><Authors /><Head><meta property="article:tag" content="from-head" /></Head><h1>post</h1></>
}
"""
POST_HEAD = {"og:image": ["/a.png", "/b.png"], "og:image:width": ["100", "200"], "article:tag": ["from-head"],
             "article:author": ["p", "q"], "og:site_name": ["Site"]}
PLAIN_HEAD = {"og:image": ["/layout.png"], "og:site_name": ["Site"]}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": PLAIN, "pages/post.pyxl": POST}
    with serving(write_project(tmp_path_factory.mktemp("head-arrays") / "app", files), "--ssr-workers", "1") as server:
        yield server


def properties(markup: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, content in re.findall(r'<meta property="([^"]+)" content="([^"]*)"', markup):
        found.setdefault(name, []).append(content)
    return found


@cites("docs/pages.md", "Several `meta property` of one `HEAD` (or of one level's `<Head>`s) are all kept, as "
                        "OpenGraph's arrays need (two `og:image`, `article:tag`); a later one's replace them all")
def test_the_document_keeps_a_page_s_arrays_over_its_layout_s(app: Server) -> None:
    head = httpx.get(app.url + "/post").text.split("</head>")[0]
    assert properties(head) == POST_HEAD
    assert properties(httpx.get(app.url + "/").text.split("</head>")[0]) == PLAIN_HEAD


def test_navigation_json_keeps_the_arrays_of_the_head_strings(app: Server) -> None:
    """What the server knows without rendering: the HEAD strings, merged (the `<Head>`s are the browser's)."""
    body = httpx.get(app.url + "/post", headers={"x-pyxle-navigation": "1"}).json()
    assert properties(body["headMarkup"]) == {"og:image": ["/a.png", "/b.png"], "og:image:width": ["100", "200"],
                                              "article:tag": ["x", "y"], "og:site_name": ["Site"]}


def test_a_client_navigation_shows_the_page_s_arrays_and_back_the_layout_s(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")
    for name, wanted in (("post", POST_HEAD), ("plain", PLAIN_HEAD), ("post", POST_HEAD)):
        page.page.get_by_role("link", name=name, exact=True).click()
        page.page.get_by_role("heading", name=name, exact=True).wait_for(timeout=15000)
        page.page.wait_for_function("n => document.querySelectorAll('meta[property=\"og:image\"]').length === n",
                                    arg=len(wanted["og:image"]), timeout=15000)
        assert properties(page.page.inner_html("head")) == wanted, name
    assert page.page.evaluate("window.__marker") == "kept"  # client-side navigations, no full load
    assert page.problems() == []


OWN_VIEWPORT = """
HEAD = ['<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">',
        '<meta charset="iso-8859-1">']

export default function Fit() { return <h1>fit</h1> }
"""


@pytest.fixture(scope="module")
def viewports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/layout.pyxl": LAYOUT.replace('<Link href="/post">post</Link>', '<Link href="/fit">fit</Link>'),
             "pages/index.pyxl": PLAIN, "pages/fit.pyxl": OWN_VIEWPORT}
    with serving(write_project(tmp_path_factory.mktemp("head-viewport") / "app", files), "--ssr-workers", "1") as server:
        yield server


def viewports_of(markup: str) -> list[str]:
    return re.findall(r'<meta name="viewport" content="([^"]*)"', markup)


@cites("docs/pages.md", "A page's own `<meta name=\"viewport\">` replaces the default one")
@cites("docs/pages.md", "and its `<meta charset>` is left out: the document is UTF-8, which its first tag says")
def test_a_page_s_viewport_replaces_the_default_and_its_charset_is_left_out(viewports: Server) -> None:
    head = httpx.get(viewports.url + "/fit").text.split("</head>")[0]
    assert viewports_of(head) == ["width=device-width, initial-scale=1, viewport-fit=cover"]
    assert re.findall(r"<meta charset=\"([^\"]+)\"", head) == ["utf-8"] and head.startswith("<!DOCTYPE html>")
    assert viewports_of(httpx.get(viewports.url + "/").text.split("</head>")[0]) == ["width=device-width, initial-scale=1"]


def test_a_client_navigation_swaps_the_page_s_viewport_and_the_default(viewports: Server, page: PageWatch) -> None:
    page.page.goto(viewports.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")
    for name, wanted in (("fit", "width=device-width, initial-scale=1, viewport-fit=cover"),
                         ("plain", "width=device-width, initial-scale=1"),
                         ("fit", "width=device-width, initial-scale=1, viewport-fit=cover")):
        page.page.get_by_role("link", name=name, exact=True).click()
        page.page.get_by_role("heading", name=name, exact=True).wait_for(timeout=15000)
        page.page.wait_for_function("c => [...document.querySelectorAll('meta[name=viewport]')].map(m => m.content)"
                                    ".join() === c", arg=wanted, timeout=15000)
        assert page.page.eval_on_selector_all("meta[charset]", "ms => ms.map(m => m.getAttribute('charset'))") == ["utf-8"]
    assert page.page.evaluate("window.__marker") == "kept"
    assert page.problems() == []
