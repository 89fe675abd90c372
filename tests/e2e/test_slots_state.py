"""Slot content keeps its state across client-side navigation, as the rest of a layout does, when
`createSlots(props)` (called at every render, so its entries are new functions each time) gives
the same component for the same place; it still gets the new props. Served by `pyxle serve` and
driven in Chromium, React 19 and 18, with hydration warning-free."""

from __future__ import annotations

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app

# A layout whose createSlots wraps a stateful component in a new arrow at each call (the usual
# shape in 0.3-0.9 apps), and gives an entry that holds state itself; effects count their mounts.
LAYOUT = """
@server
async def load_site(request):
    return {"site": "Demo"}

import { useEffect, useState } from 'react'
import { Link, Slot } from 'pyxle/client'

function Search({ title }) {
  const [text, setText] = useState('')
  useEffect(() => { window.__searchMounts = (window.__searchMounts || 0) + 1 }, [])
  return <label>Search {title} <input aria-label="search" value={text} onChange={(e) => setText(e.target.value)} /></label>
}

export const createSlots = (props) => ({
  aside: () => <Search title={props.data.title} />,
  counter: ({ step }) => {
    const [n, setN] = useState(0)
    useEffect(() => { window.__counterMounts = (window.__counterMounts || 0) + 1 }, [])
    return <button onClick={() => setN(n + step)}>clicked {n} on {props.data.title}</button>
  },
})

export default function Root({ children }) {
  return (
    <div>
      <aside data-testid="aside"><Slot name="aside" /></aside>
      <p data-testid="counter"><Slot name="counter" props={{ step: 1 }} /></p>
      <header data-testid="header"><Slot name="header" /></header>
      <Link href="/reports">Reports</Link> <Link href="/sales">Sales</Link>
      <Link href="/items/1">Item 1</Link> <Link href="/items/2">Item 2</Link>
      {children}
    </div>
  )
}
"""

TITLED = """
@server
async def load(request):
    return {{"title": "{title}"}}

export default function Page({{ data }}) {{ return <main><h1>{{data.title}}</h1></main> }}
"""

# One page module for many URLs: the page keeps its state between them, and so does its slot.
ITEM = """
@server
async def load(request):
    return {"title": "Item " + request.path_params["id"]}

import { useState } from 'react'

function Note({ title }) {
  const [note, setNote] = useState('')
  return <input aria-label="note" placeholder={title} value={note} onChange={(e) => setNote(e.target.value)} />
}

export const createSlots = (props) => ({ header: () => <Note title={props.data.title} />, aside: <i>, item aside</i> })

export default function Item({ data }) { return <main><h1>{data.title}</h1></main> }
"""

# A layout's `slots` export (one function for good) and an inline `fallback` (new at each render).
SHOP = """
import { useState } from 'react'
import { Link, Slot } from 'pyxle/client'

function Field({ label }) {
  const [text, setText] = useState('')
  return <input aria-label={label} value={text} onChange={(e) => setText(e.target.value)} />
}

export const slots = { basket: () => <Field label="basket" /> }

export default function Shop({ children }) {
  return (
    <section>
      <div data-testid="basket"><Slot name="basket" /></div>
      <Slot name="coupon" fallback={() => <Field label="coupon" />} />
      <Link href="/shop/a">A</Link> <Link href="/shop/b">B</Link>
      {children}
    </section>
  )
}
"""

SHOP_A = "export default function A() { return <h2>Shop A</h2> }\n"
SHOP_B = """
export const slots = { basket: <b>, from B</b> }

export default function B() { return <h2>Shop B</h2> }
"""

app = react_app({"pages/layout.pyxl": LAYOUT, "pages/reports.pyxl": TITLED.format(title="Reports"),
                 "pages/sales.pyxl": TITLED.format(title="Sales"), "pages/items/[id].pyxl": ITEM,
                 "pages/shop/layout.pyxl": SHOP, "pages/shop/a.pyxl": SHOP_A, "pages/shop/b.pyxl": SHOP_B},
                "slotstate")


@cites("docs/client.md", "Slot content keeps its state across navigations, as the layout does")
def test_a_layout_slot_keeps_its_state_across_navigation_and_gets_the_new_props(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/reports")
    page.hydrated()
    search = page.page.get_by_label("search")
    search.fill("typed")
    page.page.get_by_role("button", name="clicked 0 on Reports").click()
    page.page.get_by_role("button", name="clicked 1 on Reports").click()
    page.page.get_by_role("link", name="Sales").click()
    page.page.get_by_role("heading", name="Sales").wait_for()
    assert page.page.get_by_test_id("aside").text_content() == "Search Sales "  # the new props
    assert search.input_value() == "typed", "the layout's slot content was mounted anew"
    assert page.page.get_by_test_id("counter").text_content() == "clicked 2 on Sales"
    page.page.get_by_role("link", name="Item 1").click()  # the page adds its entry after the layout's
    page.page.get_by_role("heading", name="Item 1").wait_for()
    assert page.page.get_by_test_id("aside").text_content() == "Search Item 1 , item aside"
    assert search.input_value() == "typed", "the layout's entry was mounted anew beside the page's"
    page.page.get_by_role("link", name="Reports").click()
    page.page.get_by_role("heading", name="Reports").wait_for()
    assert search.input_value() == "typed"
    assert page.page.get_by_test_id("counter").text_content() == "clicked 2 on Reports"
    assert page.page.evaluate("[window.__searchMounts, window.__counterMounts]") == [1, 1], "effects ran again"
    assert page.problems() == []


@cites("docs/client.md", "and a page's while the page is (from `/items/1` to `/items/2` of\none `pages/items/[id].pyxl`)")
def test_a_page_slot_keeps_its_state_while_the_page_does_and_not_past_it(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/items/1")
    page.hydrated()
    note = page.page.get_by_label("note")
    note.fill("remember")
    page.page.get_by_role("link", name="Item 2").click()
    page.page.get_by_role("heading", name="Item 2").wait_for()
    assert note.get_attribute("placeholder") == "Item 2"
    assert note.input_value() == "remember", "the same page's slot was mounted anew"
    page.page.get_by_role("link", name="Reports").click()  # another page: its slots go with it
    page.page.get_by_role("heading", name="Reports").wait_for()
    assert page.page.get_by_test_id("header").text_content() == ""
    page.page.get_by_role("link", name="Item 1").click()
    page.page.get_by_role("heading", name="Item 1").wait_for()
    assert note.input_value() == ""
    assert page.problems() == []


@cites("docs/client.md", "even when a page fills the name too")
@cites("docs/client.md", "or an inline `fallback`")
def test_a_layout_slots_export_stays_mounted_when_a_page_adds_an_entry_and_an_inline_fallback_too(
        app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/shop/a")
    page.hydrated()
    page.page.get_by_label("basket").fill("apples")
    page.page.get_by_label("coupon").fill("SAVE")
    page.page.get_by_role("link", name="B", exact=True).click()
    page.page.get_by_role("heading", name="Shop B").wait_for()
    assert page.page.get_by_test_id("basket").text_content() == ", from B"
    assert page.page.get_by_label("coupon").input_value() == "SAVE", "the fallback was mounted anew"
    assert page.page.get_by_label("basket").input_value() == "apples", "mounted anew beside the page's entry"
    page.page.get_by_role("link", name="A", exact=True).click()
    page.page.get_by_role("heading", name="Shop A").wait_for()
    assert page.page.get_by_label("basket").input_value() == "apples"
    assert page.page.get_by_label("coupon").input_value() == "SAVE"
    assert page.problems() == []


NOTE_LAYOUT = """
import { useState } from 'react'
import { Slot } from 'pyxle/client'

function Note() {
  const [text, setText] = useState('')
  return <label>v1 <input aria-label="note" value={text} onChange={(e) => setText(e.target.value)} /></label>
}

export const slots = { note: Note }

export default function Layout({ children }) {
  return <div><aside data-testid="note"><Slot name="note" /></aside>{children}</div>
}
"""


@cites("docs/client.md", "`useState` values, focus and scroll are kept")
def test_an_edited_slot_component_keeps_its_state_in_dev(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/layout.pyxl": NOTE_LAYOUT, "pages/index.pyxl": TITLED.format(title="Home")},
                           node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_label("note").fill("kept")
    page.page.evaluate("window.__kept = 1")
    (project / "pages" / "layout.pyxl").write_text(NOTE_LAYOUT.replace("v1", "v2"))
    page.page.get_by_test_id("note").filter(has_text="v2").wait_for(timeout=15000)
    assert page.page.get_by_label("note").input_value() == "kept"
    assert page.page.evaluate("window.__kept") == 1, "the page reloaded"
    assert page.problems() == []
