"""A page's head scripts (a ``<Head>`` script, a ``HEAD`` string's ``<script>``) run once on a full
load and again on each client navigation to the page (a ``Link``, ``navigate()``, Back, Forward),
as Next.js's pages router runs ``next/head`` scripts; a layout's, which the head keeps, and a
``<Script id>`` run once per document; JSON-LD is present and never run; a Fast Refresh under
``pyxle dev`` runs none again. Real `pyxle serve` / `pyxle dev` and Chromium."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LOG = "(window.log = window.log || []).push"
LAYOUT = f"""
HEAD = ['<script>{LOG}("layout")</script>']

export default function Layout({{ children }}) {{ return <div>{{children}}</div> }}
"""
INDEX = """
import { Link, navigate } from 'pyxle/client'

export default function Index() {
  return <main><h1 id="home">home</h1>
    <Link id="link" href="/b">b</Link>
    <button id="go" onClick={() => navigate('/b')}>go</button>
  </main>
}
"""
B = f"""
HEAD = ['<script>{LOG}("HEAD")</script>',
        '<script type="application/ld+json">{{"@type": "Thing", "name": "head"}}</script>']

import {{ Head, Link, Script }} from 'pyxle/client'

export default function B() {{
  return <main>
    <Head>
      <script>{{'{LOG}("jsx")'}}</script>
      <script type="application/ld+json">{{'{{"@type": "Thing", "name": "jsx"}}'}}</script>
    </Head>
    <Script id="once">{{'{LOG}("script")'}}</Script>
    <h1 id="b">TEXT</h1><Link id="home-link" href="/">home</Link>
  </main>
}}
"""
LD = "document.head.querySelectorAll('script[type=\"application/ld+json\"]').length"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/b.pyxl": B.replace("TEXT", "b")}
    with serving(write_project(tmp_path_factory.mktemp("head-scripts-nav") / "app", files), "--ssr-workers", "1") as server:
        yield server


def _runs(page: PageWatch) -> Counter[str]:
    """How often each script ran in this document, once the head manager has applied."""
    page.page.wait_for_timeout(300)
    return Counter(page.page.evaluate("window.log || []"))


def _arrive(page: PageWatch, selector: str) -> None:
    page.page.wait_for_selector(selector)


@cites("docs/pages.md", "once on a full load of the page (not again when it hydrates)")
def test_a_full_load_runs_each_head_script_once(app: Server, page: PageWatch) -> None:
    page.page.goto(f"{app.url}/b")
    page.hydrated()
    assert _runs(page) == {"layout": 1, "HEAD": 1, "jsx": 1, "script": 1}
    assert page.page.evaluate(LD) == 2
    assert page.problems() == []


@cites("docs/pages.md", "and again on each\nclient navigation to the page (a `Link`, `navigate()`, Back, Forward)")
@cites("docs/pages.md", "A script the head already holds, equal (a layout's,\nor the same script on the page navigated from), stays and does not run again")
@cites("docs/pages.md", "is in the head each time, and never run")
@cites("docs/client.md", "A `Script` is not run again on a client navigation back to its page")
def test_head_scripts_run_again_on_each_client_navigation_to_their_page(app: Server, page: PageWatch) -> None:
    page.page.goto(f"{app.url}/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")
    assert _runs(page) == {"layout": 1}

    page.page.click("#link")
    _arrive(page, "#b")
    assert _runs(page) == {"layout": 1, "HEAD": 1, "jsx": 1, "script": 1}
    page.page.click("#home-link")
    _arrive(page, "#home")
    page.page.click("#go")
    _arrive(page, "#b")
    assert _runs(page) == {"layout": 1, "HEAD": 2, "jsx": 2, "script": 1}
    page.page.go_back()
    _arrive(page, "#home")
    page.page.go_forward()
    _arrive(page, "#b")
    assert _runs(page) == {"layout": 1, "HEAD": 3, "jsx": 3, "script": 1}

    assert page.page.evaluate(LD) == 2
    assert page.page.evaluate("window.__marker") == "kept", "a navigation loaded the page in full"
    assert page.problems() == []


@cites("docs/pages.md", "nor does one that a\nFast Refresh under `pyxle dev` leaves unchanged")
@pytest.mark.parametrize("reached", ["full load", "navigation"])
def test_a_fast_refresh_runs_no_head_script_again(make_project, start_server, page: PageWatch, reached: str) -> None:
    project = make_project({"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX,
                            "pages/b.pyxl": B.replace("TEXT", "b")}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(f"{server.url}/b" if reached == "full load" else f"{server.url}/")
    page.hydrated()
    if reached == "navigation":
        page.page.click("#link")
    _arrive(page, "#b")
    page.page.evaluate("window.__marker = 'kept'")

    (project / "pages" / "b.pyxl").write_text(B.replace("TEXT", "edited"))
    page.page.locator("#b", has_text="edited").wait_for(timeout=15000)

    assert _runs(page) == {"layout": 1, "HEAD": 1, "jsx": 1, "script": 1}
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.page.evaluate(LD) == 2
    assert page.problems() == []
