"""A page titled by its ``<Head>``, in an app whose ``pyxle.config.json`` has a ``name``: its
document has the page's title; its navigation JSON has what the server knows without rendering
(``headLevels`` with the name first, ``headMarkup`` merged from them), and in Chromium a
client-side navigation shows the page's own title, never the name in between."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { Link } from 'pyxle/client'

export default function Layout({ children }) {
  return (
    <div>
      <nav>
        <Link href="/">home</Link> <Link href="/about">about</Link> <Link href="/seo">seo</Link>{' '}
        <Link href="/guide">guide</Link> <Link href="/headvar">headvar</Link>
      </nav>
      {children}
    </div>
  )
}
"""

INDEX = """
export default function Index() { return <h1>home</h1> }
"""

ABOUT = """
@server
async def load(request):
    return {"who": "Ada"}

import { Head } from 'pyxle/client'

export default function About({ data }) {
  return <><Head><title>About {data.who}</title><meta name="description" content="about" /></Head><h1>about</h1></>
}
"""

SEO = """
export function Seo({ title }) {
  return <Head><title>{title}</title></Head>
}

import { Head } from 'pyxle/client'
"""

SEO_PAGE = """
import { Seo } from '../components/Seo.jsx'

export default function SeoPage() { return <><Seo title="Found by search" /><h1>seo</h1></> }
"""

GUIDE_LAYOUT = """
import { Head } from 'pyxle/client'

export default function GuideLayout({ children }) { return <section><Head><title>The guide</title></Head>{children}</section> }
"""

GUIDE = """
export default function Guide() { return <h1>guide</h1> }
"""

HEADVAR = """
HEAD = "<title>From HEAD</title>"

export default function HeadVar() { return <h1>headvar</h1> }
"""

# What each page's own document is titled; the name only where nothing else titles the page.
TITLES = {"/": "My App", "/about": "About Ada", "/seo": "Found by search", "/guide": "The guide",
          "/headvar": "From HEAD"}
NAV = {"x-pyxle-navigation": "1"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pyxle.config.json": '{"name": "My App"}', "pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX,
             "pages/about.pyxl": ABOUT, "components/Seo.jsx": SEO, "pages/seo.pyxl": SEO_PAGE,
             "pages/guide/layout.pyxl": GUIDE_LAYOUT, "pages/guide/index.pyxl": GUIDE, "pages/headvar.pyxl": HEADVAR}
    project = write_project(tmp_path_factory.mktemp("nav-title") / "app", files)
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def _titles(markup: str) -> list[str]:
    return re.findall(r"<title>(.*?)</title>", markup)


@pytest.mark.parametrize("path", TITLES)
def test_the_document_has_the_page_s_own_title(app: Server, path: str) -> None:
    head = httpx.get(app.url + path, timeout=30).text.split("</head>")[0]
    assert _titles(head) == [TITLES[path]]


@cites("docs/pages.md", "What a `<Head>` in the JSX renders is not in it, so for a page titled by its `<Head>`\n"
                        "it holds the `name` title (or a layout's `HEAD` title)")
@pytest.mark.parametrize("path", ["/about", "/seo", "/guide"])
def test_the_navigation_json_of_a_page_titled_by_its_head_holds_what_the_server_knows(app: Server, path: str) -> None:
    body = httpx.get(app.url + path, headers=NAV, timeout=30).json()
    assert _titles(body["headMarkup"]) == ["My App"]  # its <Head> titles it once it renders (see the Chromium test)


@cites("docs/pages.md", "`headMarkup` is those levels merged: the head as far as the server knows it without rendering\nthe page")
@pytest.mark.parametrize("path", ["/", "/headvar"])
def test_the_navigation_json_of_a_page_titled_without_head_gives_the_document_s_title(app: Server,
                                                                                     path: str) -> None:
    body = httpx.get(app.url + path, headers=NAV, timeout=30).json()
    assert _titles(body["headMarkup"]) == [TITLES[path]]


@cites("docs/pages.md", "the outermost level starts with\nthe `<title>` of `name` from `pyxle.config.json`")
def test_head_levels_keep_the_config_name_first_for_the_browser_to_merge_over(app: Server) -> None:
    body = httpx.get(app.url + "/about", headers=NAV, timeout=30).json()
    assert body["headLevels"] == ["<title>My App</title>", ""]


# Every change of document.title, from before the click: the <title> element replaced or its text changed.
WATCH = """() => {
  window.__titles = []
  new MutationObserver(() => {
    if (document.title !== window.__titles.at(-1)) window.__titles.push(document.title)
  }).observe(document.head, { subtree: true, childList: true, characterData: true })
}"""


@cites("docs/pages.md", "the browser merges the page's `<Head>` over\n`headLevels` as it renders, and shows only the page's own title")
def test_a_client_navigation_shows_only_the_page_s_own_title(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.wait_for_function("document.title === 'My App'", timeout=15000)
    page.page.evaluate("window.__marker = 'kept'")
    for path in ("/about", "/", "/seo", "/guide", "/headvar", "/about"):
        page.page.evaluate(WATCH)
        name = path.strip("/") or "home"
        page.page.get_by_role("link", name=name, exact=True).click()
        page.page.get_by_role("heading", name=name, exact=True).wait_for(timeout=15000)
        page.page.wait_for_function("title => document.title === title", arg=TITLES[path], timeout=15000)
        assert page.page.evaluate("window.__titles") == [TITLES[path]], path  # nothing in between
        assert page.page.locator("head title").all_text_contents() == [TITLES[path]]
    assert page.page.evaluate("window.__marker") == "kept"  # client-side navigations, no full load
    assert page.problems() == []
