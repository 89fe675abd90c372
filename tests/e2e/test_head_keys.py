"""``data-head-key``, the manual de-duplication key 0.4 to 0.9 documented for analytics and tag
manager scripts: of two head elements with the same one, only the later is kept, in the server's
document and on client navigation, across a layout's ``HEAD`` string and a page's ``<Head>``;
in Chromium, only the later script runs."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
HEAD = '<script src="/a.js" data-head-key="an"></script>'

import { Link } from 'pyxle/client'

export default function Layout({ children }) {
  return <div><nav><Link href="/keyed">keyed</Link> <Link href="/override">override</Link></nav>{children}</div>
}
"""

INDEX = """
export default function Index() { return <h1>index</h1> }
"""

KEYED = """
import { Head } from 'pyxle/client'

function Analytics({ src }) {
  return <Head><script src={src} data-head-key="analytics"></script></Head>
}

export default function Keyed() {
  return <><Analytics src="/v1.js" /><Analytics src="/v2.js" /><h1>keyed</h1></>
}
"""

OVERRIDE = """
import { Head } from 'pyxle/client'

export default function Override() {
  return <><Head><script src="/b.js" data-head-key="an"></script></Head><h1>override</h1></>
}
"""


def _script(name: str) -> str:
    return f"window.ran = (window.ran || []).concat({name!r})\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/keyed.pyxl": KEYED,
             "pages/override.pyxl": OVERRIDE, **{f"public/{n}.js": _script(n) for n in ("a", "b", "v1", "v2")}}
    with serving(write_project(tmp_path_factory.mktemp("head-keys") / "app", files), "--ssr-workers", "1") as server:
        yield server


def _head(app: Server, path: str) -> str:
    return httpx.get(app.url + path, timeout=30).text.split("</head>")[0]


@cites("docs/pages.md", "explicit `key` or `data-head-key` (which stays in the\nmarkup, so it also works in a `HEAD` string")
def test_the_server_document_keeps_only_the_later_element_of_a_data_head_key(app: Server) -> None:
    keyed = _head(app, "/keyed")
    assert '<script src="/v2.js" data-head-key="analytics"></script>' in keyed and "/v1.js" not in keyed
    assert '<script src="/a.js" data-head-key="an"></script>' in keyed  # another key: kept
    override = _head(app, "/override")
    assert '<script src="/b.js" data-head-key="an"></script>' in override and "/a.js" not in override


@cites("docs/pages.md", 'two components adding\n`<script src={src} data-head-key="analytics">` keep only the later script')
def test_only_the_later_script_runs_on_a_loaded_page(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/keyed")
    page.hydrated()
    page.page.wait_for_timeout(300)
    assert page.page.evaluate("window.ran") == ["a", "v2"]
    assert page.page.evaluate("[...document.head.querySelectorAll('script[data-head-key]')].map(s => s.getAttribute('src'))") \
        == ["/a.js", "/v2.js"]
    assert page.problems() == []


@pytest.mark.parametrize("path,ran,scripts", [
    ("/keyed", ["a", "v2"], ["/a.js", "/v2.js"]),
    ("/override", ["a", "b"], ["/b.js"]),  # a.js ran with the first page; the page's b.js replaces it
])
def test_only_the_later_script_is_added_on_client_navigation(app: Server, page: PageWatch, path: str,
                                                             ran: list[str], scripts: list[str]) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.get_by_role("link", name=path.strip("/")).click()
    page.page.get_by_role("heading", name=path.strip("/")).wait_for()
    page.page.wait_for_timeout(500)
    assert page.page.evaluate("window.ran") == ran
    assert page.page.evaluate("[...document.head.querySelectorAll('script[data-head-key]')].map(s => s.getAttribute('src'))") \
        == scripts
    assert page.problems() == []
