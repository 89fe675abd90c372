"""`template.pyxl` in Chromium against a real `pyxle serve`: a client-side navigation between two
URLs of the same page (`/p/1` -> `/p/2`) mounts the template again, so its state starts over, as
Next.js's template does, while the layout beside it keeps its state (pyxle-framework 0.8 kept the
template's too)."""

from __future__ import annotations

import pytest

from tests.conftest import PageWatch, serving, write_project
from tests.docs._blocks import cites


def _counter(name: str) -> str:
    return f'''
import {{ useState }} from 'react'

export default function {name.capitalize()}({{ children }}) {{
  const [count, setCount] = useState(0)
  return <section>
    <button id="{name}-add" onClick={{() => setCount(count + 1)}}>{name} +1</button>
    <span id="{name}-count">{{count}}</span>
    {{children}}
  </section>
}}
'''


PAGE = '''
import { Link } from 'pyxle/client'

@server
async def load(request):
    return {"id": request.path_params["id"]}

export default function Item({ data }) {
  return <main><h1>Item {data.id}</h1><Link id="next" href="/p/2">Two</Link></main>
}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/p/layout.pyxl": _counter("layout"), "pages/p/template.pyxl": _counter("template"),
             "pages/p/[id].pyxl": PAGE}
    with serving(write_project(tmp_path_factory.mktemp("template-remount"), files), "--ssr-workers", "1") as server:
        yield server


@cites("docs/pages.md", "`template.pyxl`\ndoes the same but re-mounts on navigation")
@cites("docs/migrating.md", "going from `/p/1` to `/p/2` starts its\n  state over, where a `layout.pyxl` beside it keeps its own. 0.8 kept a template mounted as it\n  keeps a layout")
def test_a_navigation_to_another_url_of_the_same_page_remounts_the_template_not_the_layout(server, page: PageWatch) -> None:
    browser = page.page
    browser.goto(server.url + "/p/1")
    page.hydrated()
    for _ in range(2):
        browser.click("#template-add")
    browser.click("#layout-add")
    assert browser.text_content("#template-count") == "2" and browser.text_content("#layout-count") == "1"
    browser.evaluate("window.__sameDocument = true")  # gone if the browser loads a page in full
    browser.click("#next")
    browser.wait_for_selector("h1:has-text('Item 2')")
    assert browser.evaluate("window.__sameDocument === true")  # a client-side navigation
    assert browser.text_content("#template-count") == "0"  # the template started over
    assert browser.text_content("#layout-count") == "1"  # the layout kept its state
    assert page.problems() == []
