"""A page's own language: ``<Head><html lang="fr" /></Head>`` (and ``dir``) sets the document's
``<html lang>`` for that page, as react-helmet's ``<Helmet><html lang /></Helmet>`` does, so that
an app serving French and Arabic pages no longer says the config's ``lang`` on each of them. Under
real ``pyxle serve`` (the rendered, streamed and stored document), and in Chromium across client
navigations, where ``document.documentElement`` follows the page shown."""

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
        <Link href="/fr">fr</Link> <Link href="/ar">ar</Link> <Link href="/plain">plain</Link>{' '}
        <Link href="/de">de</Link> <Link href="/de/own">own</Link>
      </nav>
      {children}
    </div>
  )
}
"""


def _page(name: str, head: str) -> str:
    return f"""
import {{ Head }} from 'pyxle/client'

export default function Page() {{
  return <><Head>{head}<title>{name}</title></Head><h1>{name}</h1></>
}}
"""


STREAMED = """
import React, { Suspense, use } from 'react'
import { Head } from 'pyxle/client'

const waits = new WeakMap()
function Slow({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('later'), 300)))
  return <p id="slow">{use(promise)}</p>
}

export default function Page({ data }) {
  return (
    <main>
      <Head><html lang="he" /></Head>
      <h1>streamed</h1>
      <Suspense fallback={<p>loading</p>}><Slow data={data} /></Suspense>
    </main>
  )
}
"""

STORED = """
CACHE = {"revalidate": 60}

@server
async def load(request):
    return {"n": 1}

import { Head } from 'pyxle/client'

export default function Page() { return <><Head><html lang="pt-BR" /></Head><h1>stored</h1></> }
"""

FILES = {
    "pyxle.config.json": '{"lang": "en-GB"}',
    "pages/layout.pyxl": LAYOUT,
    "pages/fr.pyxl": _page("fr", '<html lang="fr" />'),
    "pages/ar.pyxl": _page("ar", '<html lang="ar" />'),
    "pages/ltr.pyxl": _page("ltr", '<html lang="ar" dir="ltr" />'),
    "pages/plain.pyxl": _page("plain", ""),
    "pages/de/layout.pyxl": """
import { Head } from 'pyxle/client'

export default function DeLayout({ children }) { return <section><Head><html lang="de" /></Head>{children}</section> }
""",
    "pages/de/index.pyxl": _page("de", '<html lang="fr-CA" />'),
    "pages/de/own.pyxl": _page("own", ""),
    "pages/odd.pyxl": _page("odd", '<html lang={\'x" onload="alert(1)\'} class="dark" />'),
    "pages/streamed.pyxl": STREAMED,
    "pages/stored.pyxl": STORED,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    project = write_project(tmp_path_factory.mktemp("html-lang") / "app", FILES)
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def _html(text: str) -> str:
    return re.search(r"<html[^>]*>", text).group(0)  # type: ignore[union-attr]


@cites("docs/pages.md", '`<Head><html lang="fr" /></Head>` in a layout or page sets the document\'s `<html lang>` for that page')
@cites("docs/pages.md", 'a `lang` without `dir` gets\n`dir="rtl"` when it is written right to left, as the config\'s does, and a value that is no language\ntag is ignored')
@cites("docs/configuration.md", 'a page sets its own with `<Head><html lang="fr" /></Head>`')
@pytest.mark.parametrize(("path", "opening"), [
    ("/fr", '<html lang="fr">'),
    ("/ar", '<html lang="ar" dir="rtl">'),  # dir by the config's rule
    ("/ltr", '<html lang="ar" dir="ltr">'),  # an explicit dir is kept
    ("/de", '<html lang="fr-CA">'),  # the page's over its layout's
    ("/de/own", '<html lang="de">'),  # the layout's, for a page that sets none
    ("/plain", '<html lang="en-GB">'),  # the config's
    ("/odd", '<html lang="en-GB">'),  # no language tag: the config's; class is not taken
    ("/streamed", '<html lang="he" dir="rtl">'),  # the streamed path: the first message carries it
])
def test_the_document_says_the_page_s_own_language(app: Server, path: str, opening: str) -> None:
    text = httpx.get(app.url + path, timeout=30).text
    assert _html(text) == opening
    head = text.split("</head>")[0]
    assert head.count("<html") == 1 and "onload" not in text and "dark" not in head  # never in the head markup


def test_a_stored_page_keeps_its_language(app: Server) -> None:
    first = httpx.get(app.url + "/stored", timeout=30)
    again = httpx.get(app.url + "/stored", timeout=30)
    assert again.headers.get("x-pyxle-cache") == "HIT", (first.headers, again.headers)
    assert _html(first.text) == _html(again.text) == '<html lang="pt-BR">'


def _root(page: PageWatch) -> list[str | None]:
    return page.page.evaluate("[document.documentElement.getAttribute('lang'), document.documentElement.getAttribute('dir')]")


@cites("docs/pages.md", "after a client navigation `document.documentElement` follows the page shown")
def test_client_navigation_sets_the_document_language_of_each_page(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/plain")
    page.hydrated()
    assert _root(page) == ["en-GB", None]
    page.page.evaluate("window.__marker = 'kept'")
    steps = [("fr", ["fr", None]), ("ar", ["ar", "rtl"]), ("plain", ["en-GB", None]), ("de", ["fr-CA", None]),
             ("own", ["de", None]), ("ar", ["ar", "rtl"]), ("fr", ["fr", None])]
    for name, expected in steps:
        page.page.get_by_role("link", name=name, exact=True).click()
        page.page.get_by_role("heading", name=name, exact=True).wait_for(timeout=15000)
        page.page.wait_for_function(f"document.title === {name!r}", timeout=15000)
        page.page.wait_for_function("([lang, dir]) => document.documentElement.getAttribute('lang') === lang"
                                    " && document.documentElement.getAttribute('dir') === dir",
                                    arg=expected, timeout=15000)
    assert page.page.evaluate("window.__marker") == "kept"  # client-side navigations, no full load
    assert page.problems() == []


def test_a_document_loaded_in_another_language_puts_back_the_config_s(app: Server, page: PageWatch) -> None:
    """The first document is Arabic: a page that sets no language still gets the config's."""
    page.page.goto(app.url + "/ar")
    page.hydrated()
    assert _root(page) == ["ar", "rtl"]
    page.page.get_by_role("link", name="plain", exact=True).click()
    page.page.get_by_role("heading", name="plain", exact=True).wait_for(timeout=15000)
    page.page.wait_for_function("document.documentElement.getAttribute('lang') === 'en-GB'", timeout=15000)
    assert _root(page) == ["en-GB", None]
    assert page.problems() == []


@cites("docs/pages.md", "`pyxle dev` names anything else in a console warning")
def test_pyxle_dev_names_what_else_a_head_html_says_and_a_build_says_nothing(
        app: Server, page: PageWatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`<html lang={...} class="dark" />`: the class is not taken; `pyxle dev` says so once in the
    console, naming it; the production build (`app`) has no such check."""
    warning = "Pyxle: <Head><html class> is ignored: only lang and dir of a <Head><html> set the document's <html>."
    page.page.goto(app.url + "/odd")
    page.hydrated()
    assert page.problems() == []
    project = write_project(tmp_path / "app", FILES)
    with serving(project, command="dev") as dev:
        page.page.goto(dev.url + "/odd")
        page.hydrated()
        page.page.wait_for_function("document.title === 'odd'", timeout=15000)
        warned = [text for kind, text, _url in page.messages if kind == "warning" and text.startswith("Pyxle: <Head><html")]
        assert warned == [warning], page.messages


def test_an_edit_of_the_language_under_pyxle_dev_is_applied_in_place(page: PageWatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Fast Refresh swaps the page's `<Head><html lang>`: the document's language follows, with no reload."""
    project = write_project(tmp_path / "app", FILES)
    with serving(project, command="dev") as dev:
        page.page.goto(dev.url + "/fr")
        page.hydrated()
        assert _root(page) == ["fr", None]
        page.page.evaluate("window.__marker = 'kept'")
        source = project / "pages" / "fr.pyxl"
        source.write_text(source.read_text().replace('<html lang="fr" />', '<html lang="he" />'))
        page.page.wait_for_function("document.documentElement.getAttribute('lang') === 'he'", timeout=30000)
        assert _root(page) == ["he", "rtl"]
        assert page.page.evaluate("window.__marker") == "kept"  # swapped in place, not reloaded
