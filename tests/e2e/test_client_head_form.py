"""`<Head>` and `Form` in Chromium, from the first render of a directly loaded page on: the head
follows state before any client-side navigation, as it does after one; a `Form` posts what the
same form posts without JavaScript, the clicked submit button included."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { useState } from 'react'
import { Head, Link } from 'pyxle/client'

export default function Layout({ children }) {
  const [n, setN] = useState(0)
  return (
    <div>
      <Head><title>Site</title></Head>
      <nav><Link href="/counter">Counter</Link> <Link href="/titled">Titled</Link> <Link href="/plain">Plain</Link></nav>
      <button onClick={() => setN(n + 1)}>layout {n}</button>
      {children}
    </div>
  )
}
"""

COUNTER = """
import { useState } from 'react'
import { Head } from 'pyxle/client'

export default function Counter() {
  const [n, setN] = useState(0)
  return (
    <main>
      <Head><title>{`Count ${n}`}</title><meta name="description" content={`desc ${n}`} /></Head>
      <button onClick={() => setN(n + 1)}>count {n}</button>
    </main>
  )
}
"""

TITLED = """
HEAD = ['<title>From HEAD</title>', '<meta name="description" content="page HEAD">']

export default function Titled() {
  return <main><h1>Titled</h1></main>
}
"""

PLAIN = """
export default function Plain() {
  return <main><h1>Plain</h1></main>
}
"""

FORM = """
from starlette.responses import RedirectResponse

@action
async def pick(request):
    body = await request.json()
    if body.get("op") == "elsewhere":
        return RedirectResponse("/plain")
    return {"op": body.get("op"), "name": body.get("name")}

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Picker({ action }) {
  const [result, setResult] = useState(null)
  return (
    <main>
      <Form action="pick" onSuccess={setResult} resetOnSuccess={false}>
        <input name="name" aria-label="Name" defaultValue="ab" />
        <button name="op" value="keep">Keep</button>
        <button name="op" value="archive">Archive</button>
        <button name="op" value="elsewhere">Elsewhere</button>
      </Form>
      <pre data-testid="result">{result ? JSON.stringify(result) : ''}</pre>
    </main>
  )
}
"""

DESCRIPTION = "document.querySelector('meta[name=description]')?.content ?? null"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/layout.pyxl": LAYOUT, "pages/counter.pyxl": COUNTER, "pages/titled.pyxl": TITLED,
             "pages/plain.pyxl": PLAIN, "pages/form.pyxl": FORM}
    with serving(write_project(tmp_path_factory.mktemp("head-form") / "app", files), "--ssr-workers", "1") as server:
        yield server


def open_page(app: Server, page: PageWatch, path: str) -> None:
    page.page.goto(app.url + path)
    page.hydrated()


def test_a_head_driven_by_state_updates_on_a_directly_loaded_page(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/counter")
    assert page.page.title() == "Count 0" and page.page.evaluate(DESCRIPTION) == "desc 0"
    page.page.get_by_role("button", name="count 0").click()
    page.page.get_by_role("button", name="count 1").click()
    page.page.get_by_role("button", name="count 2").wait_for()
    page.page.wait_for_function("document.title === 'Count 2'", timeout=5000)
    assert page.page.evaluate(DESCRIPTION) == "desc 2"
    assert page.page.evaluate("document.querySelectorAll('head title').length") == 1
    assert page.problems() == []


@cites("docs/migrating.md", "a page's `HEAD` (`HEAD = ['<title>About</title>']`, or `def HEAD(data)`) now\n  replaces a layout's `<Head><title>`")
def test_a_layout_head_rendering_again_leaves_the_page_head_title_in_place(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/titled")
    assert page.page.title() == "From HEAD"
    page.page.get_by_role("button", name="layout 0").click()
    page.page.get_by_role("button", name="layout 1").wait_for()
    page.page.wait_for_timeout(300)  # the head manager applies in a microtask after the effect
    assert page.page.title() == "From HEAD" and page.page.evaluate(DESCRIPTION) == "page HEAD"
    assert page.problems() == []


def test_a_head_update_before_navigating_leaves_the_next_page_its_own_head(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/counter")
    page.page.get_by_role("button", name="count 0").click()
    page.page.wait_for_function("document.title === 'Count 1'", timeout=5000)
    page.page.get_by_role("link", name="Plain").click()
    page.page.get_by_role("heading", name="Plain").wait_for()
    page.page.wait_for_function("document.title === 'Site'", timeout=5000)
    assert page.page.evaluate(DESCRIPTION) is None
    assert page.problems() == []


def test_a_form_sends_the_name_and_value_of_the_submit_button_that_was_clicked(app: Server, page: PageWatch) -> None:
    seen: list[str] = []
    page.page.on("request", lambda r: r.method == "POST" and seen.append(r.post_data or ""))
    open_page(app, page, "/form")
    page.page.get_by_role("button", name="Archive").click()
    page.page.get_by_test_id("result").filter(has_text="archive").wait_for(timeout=10000)
    assert json.loads(page.page.get_by_test_id("result").inner_text()) == {"op": "archive", "name": "ab"}
    assert len(seen) == 1 and 'name="op"\r\n\r\narchive' in seen[0]  # fetched, not a plain post
    assert page.problems() == []


def test_a_form_submit_button_whose_action_redirects_navigates_there(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/form")
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("button", name="Elsewhere").click()
    page.page.wait_for_url(app.url + "/plain", timeout=10000)
    page.page.get_by_role("heading", name="Plain").wait_for()
    assert page.page.evaluate("window.__marker") == "still here"  # client-side, as Form navigates
    assert page.problems() == []
