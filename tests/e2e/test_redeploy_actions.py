"""A tab opened before a deploy that renamed the action its page calls, in Chromium against a real
`pyxle serve` stopped, rebuilt and started again on the same port: the old name's post is answered
`404 {"code": "unknown_action"}`, and `Form` and `useAction` then show the page as the new build has
it (in place when only the page's module changed, in full when the shared code did), so the next
try calls the renamed action; the user never sees the developer's "Unknown action" text."""

from __future__ import annotations

import httpx

from tests.conftest import PageWatch, Server, free_port
from tests.docs._blocks import cites
from tests.e2e.test_redeploy_navigation import served, shared

KEY = "k" * 40
LAYOUT = '''
export default function Layout({ children }) {
  return <div><header id="banner">Layout one</header>{children}</div>
}
'''
# A second page: the code both pages share (React, pyxle/client, the layout) is a chunk of its own.
INDEX = '''
export default function Index() {
  return <main><h1>Home</h1></main>
}
'''
FORM = '''
@action
async def save(request):
    body = await request.json()
    return {"saved": body.get("title", "")}

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function FormPage() {
  const [saved, setSaved] = useState('')
  const note = (result) => { (window.__results ||= []).push(result) }
  return (
    <main>
      <h1>Version one</h1>
      <Form action="save" onSuccess={(result) => setSaved(result.saved)}
            onError={(message, fields, result) => note(result)}>
        <input name="title" aria-label="title" /><button>Save</button>
      </Form>
      <p id="saved">{saved}</p>
    </main>
  )
}
'''
CALL = '''
@action
async def save(request):
    body = await request.json()
    return {"saved": body.get("title", "")}

import { useState } from 'react'
import { useAction } from 'pyxle/client'

export default function CallPage() {
  const save = useAction('save')
  const [saved, setSaved] = useState('')
  const click = async () => {
    const result = await save({ title: 'called' })
    if (result.ok) setSaved(result.saved)
    else (window.__results ||= []).push(result)
  }
  return <main><h1>Version one</h1><button onClick={click}>Call</button><p id="saved">{saved}</p></main>
}
'''


def renamed(source: str) -> str:
    """The page as v2 has it: its action `save` renamed `save_post`, and its heading changed."""
    return (source.replace("async def save(", "async def save_post(").replace('action="save"', 'action="save_post"')
            .replace("useAction('save')", "useAction('save_post')").replace("Version one", "Version two"))


def open_page(server: Server, page: PageWatch, path: str) -> None:
    page.page.goto(server.url + path)
    page.hydrated()
    page.page.evaluate("window.__sameDocument = true")  # gone once the browser loads a page in full


def only_the_old_post_failed(page: PageWatch, old: str) -> None:
    """The one failure is the post to the old action's URL (and Chromium's console line for it)."""
    problems = [p for p in page.problems() if not p[1].startswith("Failed to load resource: the server "
                                                                   "responded with a status of 404")]
    assert [p for p in problems if not (p[0] == "http" and p[1].endswith(old))] == [], page.problems()
    assert [p for p in page.problems() if p[0] == "http"] == [("http", f"404 {old}")]


def test_an_unknown_actions_404_carries_its_code(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/form.pyxl": FORM}, node=True)
    with served(project, free_port(), PYXLE_SECRET_KEY=KEY) as server, httpx.Client(base_url=server.url) as client:
        client.get("/form")
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        unknown = client.post("/api/__actions/form/save_post", json={}, headers=token)
        known = client.post("/api/__actions/form/save", json={"title": "t"}, headers=token)
    assert (unknown.status_code, unknown.json()) == (404, {"ok": False, "code": "unknown_action",
                                                          "error": "Unknown action 'save_post' for page 'form'"})
    assert known.json() == {"ok": True, "saved": "t"}


@cites("docs/pages.md", "A page opened before a deploy that renamed or removed the action it calls gets that\n404")
@cites("docs/pages.md", 'the call still resolves to the `{"ok": false, "error": ..., "code": "unknown_action"}`\nit got')
def test_a_form_of_a_page_opened_before_its_action_was_renamed_shows_the_new_page(
        make_project, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/form.pyxl": FORM}, node=True)
    port = free_port()
    with served(project, port, PYXLE_SECRET_KEY=KEY) as server:
        open_page(server, page, "/form")
        before = shared(project)
    (project / "pages" / "form.pyxl").write_text(renamed(FORM))
    with served(project, port, PYXLE_SECRET_KEY=KEY) as server:
        assert shared(project) == before  # only the page's own module changed
        page.page.get_by_label("title").fill("first")
        page.page.get_by_role("button", name="Save").click()
        page.page.get_by_role("heading", name="Version two").wait_for(timeout=15000)
        assert page.page.evaluate("window.__sameDocument") is True  # shown in place
        assert "Unknown action" not in page.page.locator("body").inner_text()
        assert page.page.evaluate("window.__results") == [{
            "ok": False, "error": "Unknown action 'save' for page 'form'", "code": "unknown_action",
            "fields": None, "data": None}]
        page.page.get_by_label("title").fill("second")
        page.page.get_by_role("button", name="Save").click()
        page.page.locator("#saved", has_text="second").wait_for()
    only_the_old_post_failed(page, f"{server.url}/api/__actions/form/save")


@cites("docs/pages.md", "in full when the deploy changed their shared code")
def test_use_action_on_a_page_opened_before_a_deploy_that_renamed_it_and_changed_the_layout_loads_it_in_full(
        make_project, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/call.pyxl": CALL}, node=True)
    port = free_port()
    with served(project, port, PYXLE_SECRET_KEY=KEY) as server:
        open_page(server, page, "/call")
        before = shared(project)
    (project / "pages" / "call.pyxl").write_text(renamed(CALL))
    (project / "pages" / "layout.pyxl").write_text(LAYOUT.replace("Layout one", "Layout two"))
    with served(project, port, PYXLE_SECRET_KEY=KEY) as server:
        assert shared(project) != before
        page.page.get_by_role("button", name="Call").click()
        page.page.get_by_role("heading", name="Version two").wait_for(timeout=15000)
        assert page.page.locator("#banner").text_content() == "Layout two"
        assert page.page.evaluate("window.__sameDocument") is None  # a full page load
        page.hydrated()
        page.page.get_by_role("button", name="Call").click()
        page.page.locator("#saved", has_text="called").wait_for()
    only_the_old_post_failed(page, f"{server.url}/api/__actions/call/save")


OTHER = '''
@server
async def load(request):
    return {"n": 1}

export default function Other({ data }) {
  return <main><h1>Other page</h1></main>
}
'''
LINKED = FORM.replace("<h1>Version one</h1>", "<h1>Version one</h1><Link href=\"/other\">Other</Link>").replace(
    "import { Form } from 'pyxle/client'", "import { Form, Link } from 'pyxle/client'")


@cites("docs/pages.md", "A navigation the user started\nmeanwhile goes on instead.")
def test_an_unknown_action_answered_while_a_navigation_is_under_way_leaves_the_navigation_alone(
        make_project, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": INDEX, "pages/form.pyxl": LINKED, "pages/other.pyxl": OTHER},
                           node=True)
    held = []
    with served(project, free_port(), PYXLE_SECRET_KEY=KEY) as server:
        open_page(server, page, "/form")
        # The click's own request is held: the link's code-only prefetch (sent late on a loaded
        # machine) goes through, and the click no longer waits for it (CI at 5721494 held that one).
        page.page.route("**/other", lambda route: route.continue_() if held or route.request.headers.get(
            "x-pyxle-navigation") != "1" else held.append(route))
        page.page.route("**/api/__actions/form/save", lambda route: route.fulfill(status=404, json={
            "ok": False, "error": "Unknown action 'save' for page 'form'", "code": "unknown_action"}))
        page.page.get_by_role("link", name="Other").click()
        while not held:  # the navigation's request, held until the action has been answered
            page.page.wait_for_timeout(50)
        page.page.get_by_role("button", name="Save").click()
        page.page.wait_for_function("window.__results && window.__results.length === 1")
        assert held and page.page.get_by_role("heading", name="Version one").is_visible()
        held[0].continue_()
        page.page.get_by_role("heading", name="Other page").wait_for()
        assert page.page.url == server.url + "/other" and page.page.evaluate("window.__sameDocument") is True


@cites("docs/pages.md", "a page that still names the action shows that error")
def test_a_page_that_still_names_an_unknown_action_shows_its_error_after_the_refresh(
        make_project, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": INDEX, "pages/form.pyxl": FORM}, node=True)
    with served(project, free_port(), PYXLE_SECRET_KEY=KEY) as server:
        open_page(server, page, "/form")
        page.page.route("**/api/__actions/form/save", lambda route: route.fulfill(status=404, json={
            "ok": False, "error": "Unknown action 'save' for page 'form'", "code": "unknown_action"}))
        with page.page.expect_request(lambda request: request.headers.get("x-pyxle-navigation") == "1"):
            page.page.get_by_role("button", name="Save").click()  # the page is fetched again
        page.page.get_by_role("alert").filter(has_text="Unknown action 'save' for page 'form'").wait_for()
        assert page.page.evaluate("window.__sameDocument") is True
