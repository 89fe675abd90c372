"""`createSlots(props)` and the `slots` prop as apps written for Pyxle 0.3 to 0.9 use them, served by
`pyxle serve` and in Chromium (React 19 and 18): every `createSlots` is called with the page's props
at each render, and the page and its layouts get every slot given as `slots` (name -> entries)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app
from tests.e2e.test_typecheck_starters import pyxle, starter

LAYOUT = """
@server
async def load_site(request):
    return {"site": "Demo"}

import { Link, Slot } from 'pyxle/client'

export const createSlots = (props) => ({ crumb: () => <i>{props.layoutData.site} / {props.data.title}</i> })

export default function Root({ children, slots }) {
  const shape = Object.values(slots).every((entries) => Array.isArray(entries)) ? 'arrays' : 'not arrays'
  return (
    <div>
      <p data-testid="names">{Object.keys(slots || {}).join(',')} ({shape})</p>
      <nav data-testid="crumb"><Slot name="crumb" /></nav>
      <header data-testid="header"><Slot name="header" props={{ who: 'layout' }} fallback={<span>default header</span>} /></header>
      <Link href="/reports">Reports</Link> <Link href="/sales">Sales</Link> <Link href="/plain">Plain</Link>
      {children}
    </div>
  )
}
"""


def titled(title: str) -> str:
    """A page whose `createSlots` reads the page's own data."""
    return f"""
@server
async def load(request):
    return {{"title": "{title}"}}

export const createSlots = (props) => ({{ header: ({{ who }}) => <b>{{props.data.title}} via {{who}}</b> }})

export default function Page({{ data, slots }}) {{
  return <main><h1>{{data.title}}</h1><p data-testid="page-names">{{Object.keys(slots).join(',')}}</p></main>
}}
"""


PLAIN = """
@server
async def load(request):
    return {"title": "Plain"}

export default function Plain({ data }) { return <main><h1>{data.title}</h1></main> }
"""

app = react_app({"pages/layout.pyxl": LAYOUT, "pages/reports.pyxl": titled("Reports"),
                 "pages/sales.pyxl": titled("Sales"), "pages/plain.pyxl": PLAIN}, "slotprops")


def test_create_slots_gets_the_page_props_and_layouts_get_slots(app: Server) -> None:
    answer = httpx.get(app.url + "/reports")
    assert answer.status_code == 200, answer.text[:500]
    html = answer.text.replace("<!-- -->", "")
    assert '<header data-testid="header"><b>Reports via layout</b></header>' in html
    assert '<nav data-testid="crumb"><i>Demo / Reports</i></nav>' in html  # a layout's gets the page's props
    assert '<p data-testid="names">crumb,header (arrays)</p>' in html
    assert '<p data-testid="page-names">crumb,header</p>' in html
    plain = httpx.get(app.url + "/plain").text.replace("<!-- -->", "")
    assert '<header data-testid="header"><span>default header</span></header>' in plain
    assert re.search(r'<nav data-testid="crumb"><i>Demo / Plain</i></nav>', plain)
    assert '<p data-testid="names">crumb (arrays)</p>' in plain


def test_create_slots_runs_again_with_each_page_props_after_client_navigation(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/reports")
    page.hydrated()
    header, crumb = page.page.get_by_test_id("header"), page.page.get_by_test_id("crumb")
    assert (header.text_content(), crumb.text_content()) == ("Reports via layout", "Demo / Reports")
    page.page.evaluate("window.__kept = 1")
    page.page.get_by_role("link", name="Sales").click()
    page.page.get_by_role("heading", name="Sales").wait_for()
    assert (header.text_content(), crumb.text_content()) == ("Sales via layout", "Demo / Sales")
    page.page.get_by_role("link", name="Plain").click()
    page.page.get_by_role("heading", name="Plain").wait_for()
    assert (header.text_content(), crumb.text_content()) == ("default header", "Demo / Plain")
    assert page.page.get_by_test_id("names").text_content() == "crumb (arrays)"
    page.page.get_by_role("link", name="Reports").click()
    page.page.get_by_role("heading", name="Reports").wait_for()
    assert (header.text_content(), crumb.text_content()) == ("Reports via layout", "Demo / Reports")
    assert page.page.get_by_test_id("page-names").text_content() == "crumb,header"
    assert page.page.evaluate("window.__kept") == 1, "a navigation reloaded the page"
    assert page.problems() == []



TYPED_LAYOUT = """
import { Slot } from 'pyxle/client'

export default function Layout({ children, slots }) {
  return <main><Slot name="header" /><p>{Object.keys(slots).join(',')}</p>{children}</main>
}
"""

UNTYPED = """
export const slots = { header: () => <b>untyped</b> }

export default function Untyped({ data, slots }) {
  return <p>{String(data.title)} {slots.header.length}</p>
}
"""

TYPED = """
from typing_extensions import TypedDict

class Report(TypedDict):
    title: str

@server
async def load(request) -> Report:
    return {"title": "Reports"}

export default function Typed({ data, slots }) {
  return <p>{data.title} {Object.keys(slots).length}</p>
}
"""


@cites("docs/types.md", 'action?: import("pyxle/client").ActionProp, slots: import("pyxle/client").SlotRegistry }')
def test_pages_and_layouts_that_read_the_slots_prop_pass_pyxle_typecheck(tmp_path: Path) -> None:
    project = starter(tmp_path)
    (project / "pages" / "layout.pyxl").write_text(TYPED_LAYOUT)
    (project / "pages" / "untyped.pyxl").write_text(UNTYPED)
    (project / "pages" / "typed.pyxl").write_text(TYPED)
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '  slots: import("pyxle/client").SlotRegistry\n' in (project / ".pyxle" / "types" / "typed.d.ts").read_text()


COUNTER = """
@server
async def load(request):
    return {"title": "Reports"}

import { useState } from 'react'

export const createSlots = (props) => ({ header: ({ who }) => <b>{props.data.title} via {who}, v1</b> })

export default function Page({ data, slots }) {
  const [n, setN] = useState(0)
  return <main><h1>{data.title}</h1><button onClick={() => setN(n + 1)}>count {n}</button></main>
}
"""


def test_a_create_slots_edit_in_dev_is_read_again_with_the_page_props_and_state_kept(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/layout.pyxl": LAYOUT, "pages/reports.pyxl": COUNTER,
                            "pages/sales.pyxl": titled("Sales"), "pages/plain.pyxl": PLAIN}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/reports")
    page.hydrated()
    header = page.page.get_by_test_id("header")
    assert header.text_content() == "Reports via layout, v1"
    page.page.get_by_role("button", name="count 0").click()
    page.page.evaluate("window.__kept = 1")
    (project / "pages" / "reports.pyxl").write_text(COUNTER.replace("v1", "v2"))
    header.filter(has_text="Reports via layout, v2").wait_for(timeout=15000)
    assert page.page.get_by_role("button").text_content() == "count 1"
    assert page.page.evaluate("window.__kept") == 1, "the page reloaded"
    assert page.problems() == []
