"""A page that throws in the browser after it was shown renders the nearest error.pyxl inside its
layouts (the built-in message without one) instead of React unmounting the whole page, as
pyxle-framework 0.9.4 and Next.js' error.js do. Real `pyxle serve`, Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PageWatch, Server, link_node_modules, server_env
from tests.docs._blocks import cites

DOC = "docs/pages.md"

LAYOUT = """
import { Link } from 'pyxle/client'
export default function Layout({ children }) {
  return (
    <div>
      <header>Site header <Link href="/other">Other</Link> <Link href="/late">Late</Link></header>
      {children}
    </div>
  )
}
"""
INDEX = "export default function Home() { return <h1>Home</h1> }\n"
OTHER = "export default function Other() { return <h1>The other page</h1> }\n"
CLICK = """
import { useState } from 'react'
function Fragile() { throw new Error('clicked into pieces') }
export default function Boom() {
  const [broken, setBroken] = useState(false)
  return <main><h1>Boom shell</h1><button onClick={() => setBroken(true)}>break</button>{broken && <Fragile />}</main>
}
"""
# The part fails on the server (streamed with a digest), is rendered again in the browser and
# fails there too.
LATE = """
import { Suspense, use } from 'react'
const waits = new WeakMap()
function Part({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((_, reject) => setTimeout(() => reject(new TypeError('the part gave up')), 800)))
  return <p>{use(promise)}</p>
}
export default function Late({ data }) {
  return <main><h1>Late shell</h1><Suspense fallback={<p>waiting</p>}><Part data={data} /></Suspense></main>
}
"""
ERROR_PAGE = """
export default function ErrorPage({ data, error }) {
  return (
    <section>
      <h1>Something broke</h1>
      <p data-testid="message">{data.message}</p>
      <p data-testid="detail">{data.statusCode} {error.type}</p>
    </section>
  )
}
"""
# Values with no text form of their own (String() throws on the first two): thrown by a render after
# a click, they made the boundary's own render throw a TypeError, and the page was unmounted.
ODD = """
import { useState } from 'react'
const VALUES = {
  'null prototype': () => Object.create(null),
  'throwing toString': () => ({ toString() { throw new Error('no text') } }),
  'a symbol': () => Symbol('odd'),
}
function Fragile({ which }) { throw VALUES[which]() }
export default function Odd() {
  const [which, setWhich] = useState(null)
  return (
    <main>
      <h1>Odd shell</h1>
      {Object.keys(VALUES).map((name) => <button key={name} onClick={() => setWhich(name)}>{name}</button>)}
      {which && <Fragile which={which} />}
    </main>
  )
}
"""
# A call whose payload cannot be sent (its getter throws such a value while it is made JSON): the
# call rejected with a TypeError made by Pyxle's own failure handling instead of resolving to
# { ok: false, error }.
SAVE = """
@action
async def save(request):
    return {"saved": True}

import { useState } from 'react'
import { useAction } from 'pyxle/client'

export default function Save() {
  const save = useAction('save')
  const [out, setOut] = useState('')
  async function click() {
    try {
      const result = await save({ get title() { throw Object.create(null) } })
      setOut(`ok=${result.ok} error=${result.error} hook=${save.error}`)
    } catch (caught) {
      setOut(`rejected: ${caught}`)
    }
  }
  return <main><button onClick={click}>save</button><output data-testid="out">{out}</output></main>
}
"""
# Throws in the browser only: as it hydrates, after the server rendered it fine.
BROWSER_ONLY = """
export default function BrowserOnly() {
  if (typeof window !== 'undefined') throw new TypeError('client-only crash')
  return <main><h1>Rendered on the server</h1></main>
}
"""
BLOG_LAYOUT = "export default function BlogLayout({ children }) { return <article><p>Blog chrome</p>{children}</article> }\n"
PAGES = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER, "pages/boom.pyxl": CLICK,
         "pages/late.pyxl": LATE, "pages/blog/layout.pyxl": BLOG_LAYOUT, "pages/blog/boom.pyxl": CLICK,
         "pages/odd.pyxl": ODD, "pages/save.pyxl": SAVE, "pages/browser-only.pyxl": BROWSER_ONLY}
DEBUG = '{"debug": true}'  # pyxle serve's error pages show the exception: so do these


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    with_error_page = {**PAGES, "pages/error.pyxl": ERROR_PAGE}
    for name, files in (("with_error_page", with_error_page), ("without", PAGES),
                        ("debug", {**with_error_page, "pyxle.config.json": DEBUG})):
        root = tmp_path_factory.mktemp(name)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text.lstrip("\n"))
        link_node_modules(root)
        made[name] = root
    return made


@pytest.fixture(scope="module")
def servers(projects: dict[str, Path]) -> Iterator[dict[str, Server]]:
    started = {name: Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", "--ssr-workers", "1"], root,
                            server_env()) for name, root in projects.items()}
    try:
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


def open_page(server: Server, page: PageWatch, path: str) -> None:
    page.page.goto(server.url + path)
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")


@cites(DOC, 'a page that throws (as it hydrates, a render after a click, a `<Suspense>`\n  child whose `use(promise)` rejects there) is replaced by the same nearest `error.pyxl`')
def test_a_click_that_makes_a_child_throw_shows_error_pyxl_inside_the_layout(servers: dict[str, Server],
                                                                             page: PageWatch) -> None:
    open_page(servers["with_error_page"], page, "/boom")
    page.page.get_by_role("button", name="break").click()
    page.page.get_by_role("heading", name="Something broke").wait_for()
    assert page.page.get_by_test_id("message").text_content() == "Internal Server Error"  # pyxle serve tells nothing
    assert page.page.get_by_test_id("detail").text_content() == "500 ServerError"
    assert "Site header" in page.page.inner_text("body")  # the layout stays on screen
    assert "Boom shell" not in page.page.inner_text("body")
    assert page.page.evaluate("window.__marker") == "still here"  # in place, no reload
    assert any("clicked into pieces" in text for kind, text in page.problems() if kind == "error")  # logged


@cites(DOC, 'Without an `error.pyxl` the page\'s place shows "Something went wrong rendering this page." (`role="alert"`) inside its layouts')
def test_without_error_pyxl_the_built_in_alert_shows_inside_the_layout(servers: dict[str, Server],
                                                                       page: PageWatch) -> None:
    open_page(servers["without"], page, "/boom")
    page.page.get_by_role("button", name="break").click()
    alert = page.page.get_by_role("alert")
    alert.wait_for()
    assert alert.text_content() == "Something went wrong rendering this page."
    assert "Site header" in page.page.inner_text("body")


@cites(DOC, 'a navigation clears it')
def test_a_link_after_the_error_shows_the_other_page(servers: dict[str, Server], page: PageWatch) -> None:
    open_page(servers["with_error_page"], page, "/boom")
    page.page.get_by_role("button", name="break").click()
    page.page.get_by_role("heading", name="Something broke").wait_for()
    page.page.get_by_role("link", name="Other").click()
    page.page.get_by_role("heading", name="The other page").wait_for()
    assert "Something broke" not in page.page.inner_text("body")
    assert page.page.evaluate("window.__marker") == "still here"  # client-side navigation


@cites(DOC, '`data = { message, statusCode: 500, data: {} }` (also `error`, with `type`, the error\'s name: `"TypeError"`)')
def test_a_suspense_child_rejecting_in_the_browser_shows_error_pyxl(servers: dict[str, Server],
                                                                    page: PageWatch) -> None:
    page.page.goto(servers["debug"].url + "/late")
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=10000)
    assert page.page.get_by_test_id("message").text_content() == "the part gave up"
    assert page.page.get_by_test_id("detail").text_content() == "500 TypeError"
    assert "Site header" in page.page.inner_text("body")


def test_a_link_to_a_page_whose_suspense_child_rejects_shows_error_pyxl(servers: dict[str, Server],
                                                                        page: PageWatch) -> None:
    open_page(servers["with_error_page"], page, "/")
    page.page.get_by_role("link", name="Late").click()
    page.page.get_by_role("heading", name="Late shell").wait_for()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=10000)
    assert "Site header" in page.page.inner_text("body")
    assert page.page.evaluate("window.__marker") == "still here"


@cites(DOC, 'inside the layouts the server renders that error page in (those of its folder and above)')
def test_error_pyxl_replaces_the_layouts_below_its_folder_as_on_the_server(servers: dict[str, Server],
                                                                          page: PageWatch) -> None:
    server = servers["with_error_page"]
    open_page(server, page, "/blog/boom")
    assert "Blog chrome" in page.page.inner_text("body")
    page.page.get_by_role("button", name="break").click()
    page.page.get_by_role("heading", name="Something broke").wait_for()
    body = page.page.inner_text("body")
    assert "Site header" in body and "Blog chrome" not in body  # pages/error.pyxl sits in pages/layout.pyxl only


def test_a_normal_page_hydrates_without_warnings(servers: dict[str, Server], page: PageWatch) -> None:
    open_page(servers["with_error_page"], page, "/boom")
    page.page.get_by_role("heading", name="Boom shell").wait_for()
    page.page.get_by_role("link", name="Other").click()
    page.page.get_by_role("heading", name="The other page").wait_for()
    assert page.problems() == []


@cites(DOC, 'A thrown value with no text form of its own (`Object.create(null)`) gives the message `"[object Object]"`')
@pytest.mark.parametrize(("button", "message"), [("null prototype", "[object Object]"),
                                                 ("throwing toString", "[object Object]"),
                                                 ("a symbol", "Symbol(odd)")])
def test_a_thrown_value_with_no_text_form_shows_error_pyxl(servers: dict[str, Server], page: PageWatch,
                                                           button: str, message: str) -> None:
    """`String(error)` threw in the boundary's render: React unmounted the whole page (blank)."""
    open_page(servers["debug"], page, "/odd")
    page.page.get_by_role("button", name=button).click()
    page.page.get_by_role("heading", name="Something broke").wait_for(timeout=5000)
    assert page.page.get_by_test_id("message").text_content() == message
    assert page.page.get_by_test_id("detail").text_content() == "500 Error"
    assert "Site header" in page.page.inner_text("body")
    assert page.page.evaluate("window.__marker") == "still here"


def test_a_thrown_value_with_no_text_form_shows_the_built_in_alert(servers: dict[str, Server],
                                                                   page: PageWatch) -> None:
    open_page(servers["without"], page, "/odd")
    page.page.get_by_role("button", name="null prototype").click()
    page.page.get_by_role("alert").wait_for(timeout=5000)
    assert page.page.get_by_role("alert").text_content() == "Something went wrong rendering this page."
    assert "Site header" in page.page.inner_text("body")
    assert not any("TypeError" in text for _, text in page.problems())  # nothing thrown by Pyxle itself


@cites("docs/client.md", "nor when a call gets no answer (no network, a payload that cannot be made JSON): it resolves to `{ ok: false, error }`")
def test_an_action_call_failing_with_a_value_with_no_text_form_resolves_to_its_error(servers: dict[str, Server],
                                                                                     page: PageWatch) -> None:
    open_page(servers["without"], page, "/save")
    page.page.get_by_role("button", name="save").click()
    page.page.wait_for_function("document.querySelector('output').textContent !== ''", timeout=5000)
    assert page.page.get_by_test_id("out").text_content() == "ok=false error=[object Object] hook=[object Object]"


@cites(DOC, "Its `data`\n  tells the exception only where the server's own error pages do: under `pyxle serve` it is the\n  server's")
@cites("docs/client.md", "A page that throws in the browser (as it hydrates, as a navigation first renders it, or later) shows its "
       "nearest `error.pyxl`")
@pytest.mark.parametrize(("server", "told"), [("with_error_page", ("Internal Server Error", "500 ServerError")),
                                              ("debug", ("client-only crash", "500 TypeError"))])
def test_a_page_that_throws_as_it_hydrates_tells_what_the_server_would(servers: dict[str, Server], page: PageWatch,
                                                                        server: str, told: tuple[str, str]) -> None:
    """Loaded directly it showed the exception's text under pyxle serve, reached by a link not."""
    for how in ("loaded", "navigated"):
        open_page(servers[server], page, "/browser-only" if how == "loaded" else "/")
        if how == "navigated":
            page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/browser-only')")
        page.page.get_by_role("heading", name="Something broke").wait_for(timeout=10000)
        shown = (page.page.get_by_test_id("message").text_content(), page.page.get_by_test_id("detail").text_content())
        assert shown == told, how
        assert "Site header" in page.page.inner_text("body")
        assert any("client-only crash" in text for kind, text in page.problems() if kind == "error")  # logged
