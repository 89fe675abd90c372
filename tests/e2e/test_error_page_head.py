"""The head of an error page a real server renders (`not-found.pyxl`, `error.pyxl`): the `HEAD` of
the layouts around it, then its own `HEAD`, then the `<Head>`s, with the page precedence; the
config's `name` titles it only when none of them has a title. pyxle-framework 0.9 kept them; a
regression dropped every `HEAD` from the error pages, so a `noindex` or the site's favicon was lost.
`pyxle serve` and `pyxle dev`; one Chromium check that a full load and the in-place error page of a
client navigation get the same head."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

DOC = "docs/pages.md"

LAYOUT = """
HEAD = ['<title>Layout Title</title>', '<link rel="icon" href="/favicon.svg">',
        '<meta property="og:site_name" content="Site">', '<meta name="description" content="the site">']

import { Head, Link } from 'pyxle/client'

export default function Layout({ children }) {
  return (
    <>
      <Head><meta name="theme-color" content="#123456" /></Head>
      <nav><Link href="/">Home</Link> <Link href="/rcrash">RCrash</Link></nav>
      <main>{children}</main>
    </>
  )
}
"""
# The layout of a folder: its HEAD(data) reads its loader's data, on its error pages too.
SUB_LAYOUT = """
@server
async def load(request):
    if request.headers.get("x-fail"):
        raise RuntimeError("the section is unreachable")
    return {"section": "Sub"}

def HEAD(data):
    return [f'<meta property="og:title" content="{data["section"]} section">']

export default function SubLayout({ children }) { return <section>{children}</section> }
"""
SUB_NOT_FOUND = """
HEAD = ['<title>Sub not found</title>', '<meta name="robots" content="noindex">',
        '<meta name="description" content="nothing here">']

import { Head } from 'pyxle/client'

export default function NotFound() {
  return <><Head><meta name="description" content="no such page" /></Head><h1 id="nf">nf sub</h1></>
}
"""
# HEAD(data) of an error page gets the error page's data: the error.
SUB_ERROR = """
def HEAD(data):
    return [f'<title>Sub error {data["statusCode"]}</title>', '<meta name="robots" content="noindex">']

export default function SubError({ data }) { return <h1 id="err">err sub {data.statusCode}</h1> }
"""
CRASH = """
@server
async def load(request):
    raise ValueError("the loader gave up")

export default function Crash() { return <h1>never</h1> }
"""
# A folder whose STANDALONE layout has no title: its error pages are titled with the config's name.
PLAIN_LAYOUT = """
STANDALONE = True
HEAD = ['<link rel="icon" href="/plain.svg">']

export default function Plain({ children }) { return <div>{children}</div> }
"""
ERROR = """
import { Head } from 'pyxle/client'

export default function ErrorPage({ data }) {
  return <><Head><meta name="robots" content="noindex" /></Head><h1 id="err">Something broke</h1></>
}
"""
FILES = {
    "pyxle.config.json": json.dumps({"name": "Site Name"}),
    "pages/layout.pyxl": LAYOUT,
    "pages/index.pyxl": "export default function Home() { return <h1>Home</h1> }\n",
    "pages/not-found.pyxl": 'export default function NotFound() { return <h1 id="nf">nf root</h1> }\n',
    "pages/error.pyxl": ERROR,
    "pages/rcrash.pyxl": "export default function RCrash() { throw new Error('render gave up') }\n",
    "pages/sub/layout.pyxl": SUB_LAYOUT,
    "pages/sub/not-found.pyxl": SUB_NOT_FOUND,
    "pages/sub/error.pyxl": SUB_ERROR,
    "pages/sub/crash.pyxl": CRASH,
    "pages/plain/layout.pyxl": PLAIN_LAYOUT,
    "pages/plain/index.pyxl": "export default function PlainHome() { return <h1>plain</h1> }\n",
    "pages/plain/not-found.pyxl": 'export default function NotFound() { return <h1 id="nf">nf plain</h1> }\n',
    "pages/plain/error.pyxl": 'export default function E() { return <h1 id="err">err plain</h1> }\n',
    "pages/plain/crash.pyxl": CRASH,
}


@pytest.fixture(scope="module", params=["serve", "dev"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp(f"error-head-{request.param}"), FILES)
    with serving(project, "--ssr-workers", "1", command=request.param, env={"PYXLE_SECRET_KEY": "h" * 40}) as server:
        yield server

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def head_of(document: str) -> list[str]:
    """The page's own head: the elements between Pyxle's head markers, but the default viewport."""
    inside = document.split('<meta name="pyxle-head" content="start">', 1)[1].split('<meta name="pyxle-head" content="end">')[0]
    return [tag for tag in re.findall(r"<(?:title>[^<]*</title|[^>]*)>", inside) if tag != VIEWPORT]


def get(server: Server, path: str, status: int) -> list[str]:
    response = httpx.get(server.url + path, timeout=30)
    assert response.status_code == status, response.text[:500]
    return head_of(response.text)


@cites(DOC, "Precedence, lowest first: each layout's `HEAD`, then its `<Head>`, from the outermost layout in; then "
       "the page's `HEAD`, then the page's `<Head>`.")
@cites(DOC, "It is rendered inside its layouts")
@cites(DOC, "An error page's head is a page's: the `HEAD` and `<Head>` of its layouts, then its own")
def test_a_not_found_page_carries_its_layouts_head_and_its_own_in_that_order(server: Server) -> None:
    head = get(server, "/sub/nope", 404)
    assert head == [
        "<title>Sub not found</title>",  # its HEAD over the layout's title, in the layout's place
        '<link rel="icon" href="/favicon.svg">',
        '<meta property="og:site_name" content="Site">',
        '<meta name="description" content="no such page"/>',  # its <Head> over its HEAD over the layout's
        '<meta name="theme-color" content="#123456"/>',  # the layout's <Head>
        '<meta property="og:title" content="Sub section">',  # the folder layout's HEAD(data), with its data
        '<meta name="robots" content="noindex">',
    ], head


def test_a_not_found_page_without_a_head_of_its_own_has_its_layout_s(server: Server) -> None:
    head = get(server, "/nope", 404)
    assert head[:4] == ['<title>Layout Title</title>', '<link rel="icon" href="/favicon.svg">',
                        '<meta property="og:site_name" content="Site">', '<meta name="description" content="the site">']
    assert "<title>Site Name</title>" not in head and '<meta name="theme-color" content="#123456"/>' in head


@cites(DOC, "a `HEAD(data)` of `error.pyxl` or `not-found.pyxl` gets the error, its `data`")
def test_an_error_page_carries_its_layouts_head_and_its_own_head_of_the_error(server: Server) -> None:
    head = get(server, "/sub/crash", 500)
    assert head[0] == "<title>Sub error 500</title>"  # HEAD(data) gets the error page's data
    assert {'<link rel="icon" href="/favicon.svg">', '<meta property="og:site_name" content="Site">',
            '<meta property="og:title" content="Sub section">', '<meta name="robots" content="noindex">',
            '<meta name="theme-color" content="#123456"/>'} <= set(head)
    assert sum(element.startswith("<title>") for element in head) == 1


@cites(DOC, "On an error page, a layout's `HEAD(data)` that raises (its loader failed, so its data is missing) is "
       "logged and left out: the error page still answers.")
def test_a_layout_head_that_raises_without_its_data_is_left_out_of_the_error_page(server: Server) -> None:
    response = httpx.get(server.url + "/sub/crash", headers={"x-fail": "1"}, timeout=30)
    assert response.status_code == 500 and '<h1 id="err">err sub <!-- -->500</h1>' in response.text
    head = head_of(response.text)
    assert head[0] == "<title>Sub error 500</title>" and '<link rel="icon" href="/favicon.svg">' in head
    assert not any("og:title" in element for element in head)
    server.wait_for_output("the HEAD of pages/sub/layout.pyxl failed on an error page")


def test_the_log_of_a_layout_head_failing_on_an_error_page_does_not_repeat_the_loader_s_traceback(
        server: Server) -> None:
    """The loader's exception is logged in its own record; the HEAD's record, which Python chained
    to it ("During handling of the above exception..."), printed all of it a second time."""
    httpx.get(server.url + "/sub/crash", headers={"x-fail": "1"}, timeout=30)
    output = server.wait_for_output("KeyError: 'section'")
    start = output.rindex("the HEAD of pages/sub/layout.pyxl failed on an error page")
    record = output[start:output.index("KeyError: 'section'", start)]
    assert "During handling" not in record and "the section is unreachable" not in record, record
    assert 'return [f\'<meta property="og:title"' in record  # the HEAD's own traceback is there
    assert "Unhandled error in a loader or HEAD of pages/sub/layout.pyxl" in output[:start]  # the loader's, before


@cites(DOC, "A page that sets no `<title>` (no layout or page has one, in `HEAD` or `<Head>`) is titled with `name` "
       "from `pyxle.config.json`, as in pyxle-framework 0.9; so are `error.pyxl` and `not-found.pyxl` pages")
@pytest.mark.parametrize(("path", "status"), [("/plain/nope", 404), ("/plain/crash", 500)])
def test_an_error_page_with_no_title_anywhere_is_titled_with_the_config_name(server: Server, path: str,
                                                                              status: int) -> None:
    assert get(server, path, status) == ["<title>Site Name</title>", '<link rel="icon" href="/plain.svg">']


HEAD_SNAPSHOT = """() => Array.from(document.head.querySelectorAll('title, meta[name], meta[property], link[rel="icon"]'))
  .filter(e => !['pyxle-head', 'viewport', 'pyxle-shared', 'pyxle-lang'].includes(e.getAttribute('name'))
               && !(e.getAttribute('name') || '').startsWith('pyxle-'))
  .map(e => e.outerHTML).sort()"""


@cites(DOC, "inside the layouts the server renders that error page in (those of its folder and above)")
def test_a_full_load_and_a_client_navigation_to_a_page_that_throws_show_the_same_head(
        tmp_path: Path, start_server, page: PageWatch) -> None:
    server = start_server(write_project(tmp_path / "app", FILES), "serve", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_role("link", name="RCrash").click()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    page.page.wait_for_url(server.url + "/rcrash")
    page.page.wait_for_function("document.title === 'Layout Title'")
    in_place = page.page.evaluate(HEAD_SNAPSHOT)
    page.page.goto(server.url + "/rcrash")
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=15000)
    full = page.page.evaluate(HEAD_SNAPSHOT)
    assert page.page.title() == "Layout Title"
    assert full == in_place, (full, in_place)
    assert '<link rel="icon" href="/favicon.svg">' in full and '<meta name="robots" content="noindex">' in full
