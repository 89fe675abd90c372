"""A form posted before the page hydrated (a plain post) whose action fails is answered with the page
rendered again, at the action's URL. Once that page hydrates it is the page again: `usePathname()`
in a layout is the page's path, as the server rendered it (no hydration mismatch), the address bar
shows the page's URL with its query (replaced, not pushed), the message stays, and a link away and
Back come back to the page client-side. In Chromium, on a real `pyxle serve`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { Link, usePathname } from 'pyxle/client'

export default function Layout({ children }) {
  return (
    <div>
      <p id="path">{usePathname()}</p>
      <nav><Link href="/other">Other</Link></nav>
      {children}
    </div>
  )
}
"""

FORM = """
@server
async def load(request):
    return {"tab": request.query_params.get("tab", "-")}

@action
async def add_item(request):
    raise ActionError("The list is full")

@action
async def crash(request):
    raise RuntimeError("the action broke")

import { Form } from 'pyxle/client'

export default function FormPage({ data }) {
  return (
    <main>
      <h1>Form on tab {data.tab}</h1>
      <Form action="add_item" id="add"><input name="item" /><button type="submit">Add</button></Form>
      <Form action="crash" id="crash"><button type="submit">Crash</button></Form>
    </main>
  )
}
"""

TAG = """
@action
async def follow(request):
    raise ActionError("Following is off")

import { Form } from 'pyxle/client'

export default function Tag() {
  return <Form action="follow" id="follow"><button type="submit">Follow</button></Form>
}
"""

ERROR = "export default function ErrorPage({ data }) {\n  return <h1>Error {data.statusCode}</h1>\n}\n"

OTHER = "export default function Other() {\n  return <h1>Other</h1>\n}\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/layout.pyxl": LAYOUT, "pages/form.pyxl": FORM, "pages/tag/[name].pyxl": TAG,
             "pages/other.pyxl": OTHER, "pages/error.pyxl": ERROR}
    root = write_project(tmp_path_factory.mktemp("no-js-page-url") / "app", files)
    with serving(root, "--ssr-workers", "1") as server:
        yield server


def _post_natively(page: PageWatch, form: str) -> int:
    """The form posted as before hydration (no submit event, so no fetch): the answer's status."""
    with page.page.expect_navigation() as answer:
        page.page.evaluate(f"HTMLFormElement.prototype.submit.call(document.getElementById('{form}'))")
    return answer.value.status


def _problems(page: PageWatch, post: str) -> list[tuple[str, str]]:
    """All but the post's own 400, which Chromium reports as a failed load."""
    return [(kind, text) for kind, text in page.problems() if post not in text]


@cites("docs/client.md", "stays once the page hydrates")
@cites("docs/pages.md", "once the page hydrates, the address bar shows the page's URL")
def test_the_page_rendered_again_hydrates_at_its_own_url_and_path(app: Server, page: PageWatch) -> None:
    tab = page.page
    tab.goto(app.url + "/form?tab=2")
    page.hydrated()
    length = tab.evaluate("history.length")
    assert _post_natively(page, "add") == 400
    page.hydrated()
    assert tab.url == app.url + "/form?tab=2"  # the page's URL, with its query, in place of the action's
    assert tab.evaluate("history.length") == length + 1  # the post's own entry, replaced, not a new one
    assert tab.locator("#path").inner_text() == "/form"
    assert tab.locator("#add [role=alert]").inner_text() == "The list is full"  # kept
    assert tab.get_by_role("heading").inner_text() == "Form on tab 2"
    post = "/api/__actions/form/add_item"
    assert _problems(page, post) == []  # no hydration mismatch
    tab.evaluate("window.__marker = 'still here'")
    tab.get_by_role("link", name="Other").click()
    tab.get_by_role("heading", name="Other").wait_for()
    assert tab.locator("#path").inner_text() == "/other"
    tab.go_back()
    tab.get_by_role("heading", name="Form on tab 2").wait_for()
    assert tab.url == app.url + "/form?tab=2" and tab.locator("#path").inner_text() == "/form"
    assert tab.evaluate("window.__marker") == "still here"  # client-side, never the action URL (a 405)
    assert _problems(page, post) == []


@cites("docs/pages.md", "an\n  unexpected error is the error page with 500. The browser shows that answer at the action's URL;")
def test_the_error_page_of_an_action_that_raised_hydrates_at_the_page_s_url(app: Server, page: PageWatch) -> None:
    """It stayed at the action's URL: Back to it asked that URL for navigation JSON (a 405), then
    loaded it in full, which went to the page without its query."""
    tab = page.page
    tab.goto(app.url + "/form?tab=2")
    page.hydrated()
    assert _post_natively(page, "crash") == 500
    page.hydrated()
    tab.get_by_role("heading", name="Error 500").wait_for()
    assert tab.url == app.url + "/form?tab=2"
    assert tab.locator("#path").inner_text() == "/form"
    post = "/api/__actions/form/crash"
    assert _problems(page, post) == []  # no hydration mismatch
    tab.evaluate("window.__marker = 'still here'")
    tab.get_by_role("link", name="Other").click()
    tab.get_by_role("heading", name="Other").wait_for()
    tab.go_back()
    tab.get_by_role("heading", name="Form on tab 2").wait_for()
    assert tab.url == app.url + "/form?tab=2" and tab.locator("#path").inner_text() == "/form"
    assert tab.evaluate("window.__marker") == "still here"
    assert _problems(page, post) == []


@cites("docs/pages.md", "Once such an `error.pyxl` hydrates, the address bar shows\n  that page's URL")
def test_the_error_page_of_a_refused_post_hydrates_at_the_page_s_url(app: Server, page: PageWatch) -> None:
    """A stale CSRF token: its error.pyxl page, too, stayed at the action's URL."""
    tab = page.page
    tab.goto(app.url + "/form?tab=3")
    page.hydrated()
    tab.evaluate("document.querySelector('#add [name=_csrf_token]').value = 'stale'")
    assert _post_natively(page, "add") == 403
    page.hydrated()
    tab.get_by_role("heading", name="Error 403").wait_for()
    assert tab.url == app.url + "/form?tab=3" and tab.locator("#path").inner_text() == "/form"
    assert _problems(page, "/api/__actions/form/add_item") == []


def test_a_dynamic_pages_encoded_path_comes_back_as_it_was(app: Server, page: PageWatch) -> None:
    tab = page.page
    tab.goto(app.url + "/tag/caf%C3%A9")
    page.hydrated()
    assert _post_natively(page, "follow") == 400
    page.hydrated()
    assert tab.url == app.url + "/tag/caf%C3%A9"
    assert tab.locator("#path").inner_text() == "/tag/café"
    assert tab.locator("#follow [role=alert]").inner_text() == "Following is off"
    assert _problems(page, "/api/__actions/tag/") == []


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same pages without an `error.pyxl`: Pyxle's own error page answers."""
    files = {"pages/layout.pyxl": LAYOUT, "pages/form.pyxl": FORM, "pages/other.pyxl": OTHER}
    root = write_project(tmp_path_factory.mktemp("no-js-page-url-bare") / "app", files)
    with serving(root, "--ssr-workers", "1") as server:
        yield server


@cites("docs/pages.md", "Pyxle's own error page does the same")
@pytest.mark.parametrize(("form", "status"), [("crash", 500), ("add", 403)], ids=["raised", "refused"])
def test_the_built_in_error_page_of_a_post_shows_the_page_s_url(bare: Server, page: PageWatch, form: str,
                                                                status: int) -> None:
    """Without an error.pyxl the built-in page stayed at the action's URL: a reload posted nothing
    but was sent to the page without its query, and Back came to the action's URL."""
    tab = page.page
    tab.goto(bare.url + "/form?tab=4")
    page.hydrated()
    length = tab.evaluate("history.length")
    if form == "add":
        tab.evaluate("document.querySelector('#add [name=_csrf_token]').value = 'stale'")
    assert _post_natively(page, form) == status
    tab.get_by_role("heading", name=str(status)).wait_for()
    assert tab.url == bare.url + "/form?tab=4"  # the page's URL, with its query, in place of the action's
    assert tab.evaluate("history.length") == length + 1  # the post's entry, replaced
    assert tab.get_by_role("link", name="Back to the page").get_attribute("href") == "/form?tab=4"
    assert _problems(page, "/api/__actions/form/") == []
    tab.reload()
    page.hydrated()
    assert tab.get_by_role("heading").inner_text() == "Form on tab 4"
