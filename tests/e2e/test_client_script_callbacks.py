"""`<Script onLoad onError>` in Chromium against a real `pyxle serve`: every mounted instance hears
that its script loaded (two on one page, and after a client navigation to another page using the
same src) or failed, with an `Error`, while the script itself runs once per document."""

from __future__ import annotations

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

NOTE = "const note = (what) => { window.__heard = [...(window.__heard || []), what] }\n"
FIRST = "import { Link, Script } from 'pyxle/client'\n" + NOTE + '''
export default function First() {
  return (
    <main>
      <h1>First</h1>
      <Script src="/widget.js" onLoad={() => note('first one')} />
      <Script src="/widget.js" onLoad={() => note('first two')} />
      <Link href="/second">Second</Link>
    </main>
  )
}
'''
SECOND = "import { Link, Script } from 'pyxle/client'\n" + NOTE + '''
const failed = (who) => (error) =>
  note(`${who}: ${error instanceof Error ? 'Error' : typeof error} ${error && error.message}`)

export default function Second() {
  return (
    <main>
      <h1>Second</h1>
      <Script src="/widget.js" onLoad={() => note('second')} />
      <Script src="/missing.js" onError={failed('missing one')} />
      <Script src="/missing.js" onError={failed('missing two')} />
      <Link href="/">First</Link>
    </main>
  )
}
'''
WIDGET = "window.__runs = (window.__runs || 0) + 1\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/index.pyxl": FIRST, "pages/second.pyxl": SECOND, "public/widget.js": WIDGET}
    with serving(write_project(tmp_path_factory.mktemp("script-callbacks") / "app", files), "--ssr-workers", "1") as server:
        yield server


def heard(page: PageWatch, count: int) -> list[str]:
    page.page.wait_for_function(f"(window.__heard || []).length >= {count}", timeout=10000)
    page.page.wait_for_timeout(300)  # nothing more comes
    return sorted(page.page.evaluate("window.__heard"))


@cites("docs/client.md", "Every mounted `Script` gets its `onLoad` once the script has loaded")
def test_every_script_instance_gets_onload_on_its_page_and_after_navigation(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    assert heard(page, 2) == ["first one", "first two"]
    page.page.evaluate("window.__heard = []")
    page.page.get_by_role("link", name="Second").click()
    page.page.get_by_role("heading", name="Second").wait_for()
    assert "second" in heard(page, 3)
    page.page.evaluate("window.__heard = []")
    page.page.get_by_role("link", name="First").click()
    page.page.get_by_role("heading", name="First").wait_for()
    assert heard(page, 2) == ["first one", "first two"]
    assert page.page.evaluate("window.__runs") == 1  # still one run per document
    assert page.page.evaluate("document.querySelectorAll('script[src=\"/widget.js\"]').length") == 1


@cites("docs/client.md", "`onError` gets an `Error` (`Failed to load script: <src>`)")
def test_every_instance_of_a_script_that_fails_gets_onerror_with_an_error(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/second")
    page.hydrated()
    assert heard(page, 3) == ["missing one: Error Failed to load script: /missing.js",
                              "missing two: Error Failed to load script: /missing.js", "second"]
