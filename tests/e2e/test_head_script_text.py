"""Data in the text of a head ``<script>`` or ``<style>`` (a ``<Head>`` element, its text a child or
Next.js's ``dangerouslySetInnerHTML``, a ``<Script strategy="beforeInteractive">``, a ``HEAD``
string built as docs/pages.md shows) can neither close
its element nor swallow the rest of the document (``<!--<script>``), reads back exactly in
Chromium, and is in the head once after hydration and after client navigation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites, doc_block

VALUES = {
    "comment": "<!--<script>",
    "comment-closed": "<!--<SCRIPT x>--> </script ><script>window.__xss = 1</script>",
    "close": "</script><script>window.__xss = 1</script>",
    "style": "</STYLE ><script>window.__xss = 1</script><!--",
    "cr": "a\r\nb\rc",
    "surrogate": "hi \ud83d",
    "nul": "a\x00b",
    "plain": "a < b && c > d <scrip </scrip",
}
LOADER = f"""
VALUES = {VALUES!r}

@server
async def load(request):
    k = request.query_params.get("k", "plain")
    return {{"k": k, "name": VALUES[k]}}
"""
INDEX = """
import { Link } from 'pyxle/client'

export default function Index() {
  return <main><h1>home</h1>
    KEYS.map((k) => <Link key={k} href={'/jsonld?k=' + k}>{'ld ' + k}</Link>)}
    KEYS.map((k) => <Link key={k} href={'/innerld?k=' + k}>{'inner ' + k}</Link>)}
  </main>
}
""".replace("KEYS", "{" + json.dumps(list(VALUES)))
JSONLD = LOADER + """
import { Head, Link } from 'pyxle/client'

export default function JsonLd({ data }) {
  return <main>
    <Head>
      <script type="application/ld+json">{JSON.stringify({ '@type': 'Thing', name: data.name })}</script>
      <style>{'#ld { color: red } /* ' + data.name + ' */'}</style>
    </Head>
    <h1 id="ld">ld</h1><Link href="/">home</Link>
  </main>
}
"""
INNER = LOADER + """
import { Head, Link } from 'pyxle/client'

export default function InnerLd({ data }) {
  const ld = JSON.stringify({ '@type': 'Thing', name: data.name })
  return <main>
    <Head>
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: ld }} />
      <style dangerouslySetInnerHTML={{ __html: '#ld { color: red } /* ' + data.name + ' */' }} />
      <meta name="inner" content="kept" dangerouslySetInnerHTML={{ __html: '<b>bold</b>' }} />
    </Head>
    <h1 id="ld">ld</h1><Link href="/">home</Link>
  </main>
}
"""
SCRIPT = LOADER + """
import { Script } from 'pyxle/client'

export default function Scr({ data }) {
  return <main>
    <Script id="cfg" strategy="beforeInteractive">{`window.CFG = ${JSON.stringify(data)}`}</Script>
    <Script id="code" strategy="beforeInteractive">{'var script = 2; window.LT = 1<script; window.RE = /<\\\\/script>/.test("</script>")'}</Script>
    <h1 id="ld">scr</h1>
  </main>
}
"""
HEAD_JSON = doc_block("docs/pages.md", "head-json")
HEADLD = LOADER + HEAD_JSON + """
export default function HeadLd() { return <main><h1 id="ld">headld</h1></main> }
"""
OLD_RECIPE = LOADER + """
import json

def HEAD(data):
    ld = json.dumps({"@type": "Thing", "name": data["name"]}).replace("</", "<\\\\/")
    return [f'<script type="application/ld+json">{ld}</script>']

export default function OldLd() { return <main><h1 id="ld">oldld</h1></main> }
"""

LD = "document.head.querySelectorAll('script[type=\"application/ld+json\"]')"
ROUND_TRIP = f"""(expected) => {{
  const found = [...{LD}].map((s) => JSON.parse(s.textContent))
  return found.length === 1 && found[0]['@type'] === 'Thing' && found[0].name === JSON.parse(expected)
}}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/index.pyxl": INDEX, "pages/jsonld.pyxl": JSONLD, "pages/innerld.pyxl": INNER,
             "pages/scr.pyxl": SCRIPT,
             "pages/headld.pyxl": HEADLD, "pages/oldld.pyxl": OLD_RECIPE}
    with serving(write_project(tmp_path_factory.mktemp("head-script-text") / "app", files), "--ssr-workers", "1") as server:
        yield server


def _open(page: PageWatch, url: str) -> None:
    """Load ``url``, check its body rendered and hydrated, and let the head manager apply."""
    page.page.goto(url)
    assert page.page.evaluate("document.querySelector('#ld') !== null"), page.page.content()[:3000]
    page.hydrated()
    page.page.wait_for_timeout(300)


def _counts(page: PageWatch) -> tuple[int, int]:
    return tuple(page.page.evaluate(f"[{LD}.length, document.head.querySelectorAll('style').length]"))


@cites("docs/pages.md", "nothing in it closes the element or\nkeeps it open")
@cites("docs/pages.md", "each `<` escaped as `\\u003c`, which JSON reads back as `<`")
@cites("docs/pages.md", "Pyxle writes the `s` of a `<script` in a `HEAD` script's text as `\\u0073`")
@pytest.mark.parametrize("key", list(VALUES))
@pytest.mark.parametrize("url", ["/jsonld", "/innerld", "/headld", "/oldld"])
def test_data_in_a_head_script_renders_the_page_and_reads_back_exactly(app: Server, page: PageWatch, url: str,
                                                                        key: str) -> None:
    """A ``<Head>`` script (/jsonld; /innerld: its text in ``dangerouslySetInnerHTML``, which Pyxle
    dropped before, leaving the script empty), the docs' ``HEAD`` recipe (/headld), and the recipe they gave
    before (/oldld: ``.replace("</", "<\\\\/")``, which blanked the page with ``<!--<script>``)."""
    _open(page, f"{app.url}{url}?k={key}")
    assert page.page.evaluate(ROUND_TRIP, json.dumps(VALUES[key]))
    assert page.page.evaluate("window.__xss") is None
    assert page.problems() == []


@cites("docs/pages.md", "which JavaScript and JSON read as `s`")
@pytest.mark.parametrize("key", list(VALUES))
def test_data_in_a_before_interactive_script_renders_the_page_and_reads_back_exactly(app: Server, page: PageWatch,
                                                                                     key: str) -> None:
    _open(page, f"{app.url}/scr?k={key}")
    assert page.page.evaluate("(expected) => JSON.stringify(window.CFG) === JSON.stringify(JSON.parse(expected))",
                              json.dumps({"k": key, "name": VALUES[key]}))
    assert page.page.evaluate("[window.LT, window.RE, window.__xss]") == [True, True, None]  # code keeps its meaning
    assert page.problems() == []


@cites("docs/pages.md", "after\nhydration and client navigation the head holds each such element once")
@pytest.mark.parametrize("key", list(VALUES))
@pytest.mark.parametrize(("url", "link"), [("/jsonld", "ld"), ("/innerld", "inner")])
def test_a_head_script_and_style_are_in_the_head_once_after_hydration_and_navigation(app: Server, page: PageWatch,
                                                                                      url: str, link: str,
                                                                                      key: str) -> None:
    _open(page, f"{app.url}{url}?k={key}")
    assert _counts(page) == (1, 1)
    page.page.get_by_role("link", name="home").click()
    page.page.get_by_role("heading", name="home").wait_for()
    page.page.wait_for_timeout(300)
    assert _counts(page) == (0, 0)
    page.page.get_by_role("link", name=f"{link} {key}", exact=True).click()
    page.page.locator("#ld").wait_for()
    page.page.wait_for_timeout(300)
    assert _counts(page) == (1, 1)
    assert page.page.evaluate(ROUND_TRIP, json.dumps(VALUES[key]))
    assert page.page.evaluate("getComputedStyle(document.querySelector('#ld')).color") == "rgb(255, 0, 0)"
    assert page.problems() == []


@cites("docs/pages.md", "`dangerouslySetInnerHTML={{ __html: JSON.stringify(ld) }}`; either is written\nthe same way")
@cites("docs/pages.md", "On any other head element\n`dangerouslySetInnerHTML` is dropped")
@pytest.mark.parametrize("key", list(VALUES))
def test_a_head_script_and_style_from_dangerously_set_inner_html_are_written_as_a_text_child_is(app: Server,
                                                                                              key: str) -> None:
    """What Googlebot and link previewers read: the server's document, not the hydrated head."""
    def head(url: str) -> str:
        response = httpx.get(f"{app.url}{url}?k={key}")
        assert response.status_code == 200
        return response.text.split("</head>", 1)[0]

    inner, child = head("/innerld"), head("/jsonld")
    for element in (r'<script type="application/ld\+json">(.*?)</script>', r"<style>(#ld .*?)</style>"):
        written = re.search(element, inner, re.DOTALL)
        assert written is not None, inner
        assert written.group(1) == re.search(element, child, re.DOTALL).group(1)
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', inner, re.DOTALL).group(1)
    assert json.loads(ld)["name"] == VALUES[key]
    assert '<meta name="inner" content="kept"/>' in inner or '<meta name="inner" content="kept">' in inner
    assert "<b>" not in inner
