"""`<Head>` and `Form` in Chromium, from the first render of a directly loaded page on: the head
follows state before any client-side navigation, as it does after one."""

from __future__ import annotations

import pytest

from tests.conftest import PageWatch, Server, link_node_modules, server_env

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

DESCRIPTION = "document.querySelector('meta[name=description]')?.content ?? null"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("head-form") / "app"
    files = {"pages/layout.pyxl": LAYOUT, "pages/counter.pyxl": COUNTER, "pages/titled.pyxl": TITLED,
             "pages/plain.pyxl": PLAIN}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.lstrip("\n"))
    link_node_modules(root)
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", "--ssr-workers", "1"], root,
                    server_env())
    server.wait_ready()
    yield server
    server.stop()


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
