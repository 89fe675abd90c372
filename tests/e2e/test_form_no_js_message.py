"""A form posted without JavaScript whose action fails is answered with the page rendered again: the
`<Form>` that posted shows the action's message under its fields in the server's HTML (no JavaScript
needed to read it), as it does after a failed `fetch`, and the page hydrates with it unchanged. Only
that action's forms show it: another action's form, or one posting to another page's action of the
same name, stays as it was. On a real `pyxle serve`, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

GREET = """
@action
async def greet(request):
    name = ((await request.json()).get("name") or "").strip()
    if not name:
        raise ActionError("Please enter a name")
    return {"greeting": f"Hello, {name}!"}

@action
async def other(request):
    raise ActionError("The other action failed")

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Greet({ action }) {
  const [greeting, setGreeting] = useState('')
  return (
    <main>
      <Form action="greet" id="greet" onSuccess={(result) => setGreeting(result.greeting)}>
        <input name="name" aria-label="Your name" defaultValue={action ? action.values.name : ''} />
        <button type="submit">Greet me</button>
      </Form>
      <Form action="other" id="other"><button type="submit">Other</button></Form>
      <Form action="greet" pagePath="elsewhere" id="elsewhere"><button type="submit">Elsewhere</button></Form>
      <p id="greeting">{greeting}</p>
    </main>
  )
}
"""

ELSEWHERE = """
@action
async def greet(request):
    raise ActionError("Elsewhere failed")

export default function Elsewhere() {
  return <p>elsewhere</p>
}
"""

CLUB_LAYOUT = """
@action
async def join(request):
    raise ActionError("The club is full")

import { Form } from 'pyxle/client'

export default function Club({ children }) {
  return <div><Form action="join" id="join"><button type="submit">Join</button></Form>{children}</div>
}
"""

POST = """
@server
async def load(request):
    return {"id": request.path_params["id"]}

@action
async def rate(request):
    raise ActionError("Ratings are closed")

import { Form } from 'pyxle/client'

export default function Post({ data }) {
  return <Form action="rate" id="rate"><h1>Post {data.id}</h1><button type="submit">Rate</button></Form>
}
"""

ITEMS = """
@server
async def load(request):
    return {"items": ["apple", "pear", "plum"]}

@action
async def remove(request):
    body = await request.json()
    raise ActionError(f"Cannot remove {body.get('name')} ({', '.join(sorted(body))})")

import { Form } from 'pyxle/client'

export default function Items({ data }) {
  return (
    <ul>
      {data.items.map((item) => (
        <li key={item} id={`item-${item}`}>
          {item}
          <Form action="remove"><input type="hidden" name="name" value={item} /><button type="submit">Remove {item}</button></Form>
        </li>
      ))}
    </ul>
  )
}
"""

# The page shows the failure itself, as the docs say it may: from the pyxle-action-error query
# parameter its loader reads, or from the `action` prop's `error`.
NOTES = """
@server
async def load(request):
    return {"problem": request.query_params.get("pyxle-action-error", "")}

@action
async def add(request):
    raise ActionError("Notes are read-only")

import { Form } from 'pyxle/client'

export default function Notes({ data }) {
  return (
    <main>
      {data.problem && <p role="alert" id="problem">{data.problem}</p>}
      <Form action="add" id="add"><button type="submit">Add note</button></Form>
    </main>
  )
}
"""

LABELS = """
@action
async def add(request):
    raise ActionError("Labels are read-only")

import { Form } from 'pyxle/client'

export default function Labels({ action }) {
  return (
    <main>
      <Form action="add" id="add"><button type="submit">Add label</button></Form>
      {action && <p role="alert" id="problem">{action.error}</p>}
    </main>
  )
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/greet.pyxl": GREET, "pages/elsewhere.pyxl": ELSEWHERE, "pages/club/layout.pyxl": CLUB_LAYOUT,
             "pages/club/room.pyxl": "export default function Room() {\n  return <p>room</p>\n}\n",
             "pages/posts/[id].pyxl": POST, "pages/items.pyxl": ITEMS, "pages/notes.pyxl": NOTES,
             "pages/labels.pyxl": LABELS}
    root = write_project(tmp_path_factory.mktemp("no-js-message") / "app", files)
    with serving(root, "--ssr-workers", "1") as server:
        yield server


def _alert(tab, form: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The visible text of the messages in the form ``#<form>``."""
    return [text.strip() for text in tab.locator(f"#{form} [role=alert]:visible").all_inner_texts()]


def _post_without_js(browser, url: str, button: str):  # type: ignore[no-untyped-def]
    """Chromium with JavaScript off, at ``url``, clicking ``button``: (the tab, the post's status)."""
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(url)
    with tab.expect_navigation() as answer:
        tab.get_by_role("button", name=button).click()
    return context, tab, answer.value.status


@cites("docs/client.md", "in the server's HTML, so it is read\n  after a post without JavaScript too")
def test_a_failed_no_js_post_shows_the_message_under_its_form(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab, status = _post_without_js(browser, app.url + "/greet", "Greet me")
    try:
        assert status == 400
        assert tab.url == app.url + "/api/__actions/greet/greet"
        assert _alert(tab, "greet") == ["Please enter a name"]
        assert _alert(tab, "other") == [] and _alert(tab, "elsewhere") == []  # not their action's failure
        assert tab.locator("text=Please enter a name").count() == 1
    finally:
        context.close()


def test_a_layouts_and_a_dynamic_pages_action_show_theirs_too(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab, status = _post_without_js(browser, app.url + "/club/room", "Join")
    try:
        assert status == 400 and _alert(tab, "join") == ["The club is full"]
    finally:
        context.close()
    context, tab, status = _post_without_js(browser, app.url + "/posts/7", "Rate")
    try:
        assert status == 400 and _alert(tab, "rate") == ["Ratings are closed"]
    finally:
        context.close()


def test_the_page_hydrates_with_the_message_and_a_later_success_clears_it(app: Server, page: PageWatch) -> None:
    tab = page.page
    tab.goto(app.url + "/greet")
    page.hydrated()
    with tab.expect_navigation() as answer:  # a plain post, as before hydration: no submit event
        tab.evaluate("document.getElementById('greet').submit()")
    assert answer.value.status == 400
    page.hydrated()
    assert _alert(tab, "greet") == ["Please enter a name"]
    post = f"{app.url}/api/__actions/greet/greet"  # the post's own 400, which Chromium reports as a failed load
    assert [(kind, text) for kind, text in page.problems() if not ("400" in text and text.rstrip(")").endswith(post))] == []
    tab.get_by_label("Your name").fill("Ada")
    tab.get_by_role("button", name="Greet me").click()
    tab.locator("#greeting", has_text="Hello, Ada!").wait_for()
    assert _alert(tab, "greet") == []


def _item_alerts(tab) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {item: [t.strip() for t in tab.locator(f"#item-{item} [role=alert]:visible").all_inner_texts()]
            for item in ("apple", "pear", "plum")}


@cites("docs/client.md", "under the `Form` that was posted")
def test_of_several_forms_of_one_action_only_the_one_posted_shows_the_message(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    """A list of items, each with its delete form: every form of the action showed the message."""
    context, tab, status = _post_without_js(browser, app.url + "/items", "Remove pear")
    try:
        assert status == 400
        # the field that names the form is not among the fields the action reads
        assert _item_alerts(tab) == {"apple": [], "pear": ["Cannot remove pear (_csrf_token, name)"], "plum": []}
    finally:
        context.close()


def test_the_page_rendered_again_hydrates_with_the_message_on_the_posted_form_only(app: Server, page: PageWatch) -> None:
    tab = page.page
    tab.goto(app.url + "/items")
    page.hydrated()
    with tab.expect_navigation() as answer:  # a plain post, as before hydration
        tab.evaluate("document.querySelector('#item-plum form').submit()")
    assert answer.value.status == 400
    page.hydrated()
    assert _item_alerts(tab) == {"apple": [], "pear": [], "plum": ["Cannot remove plum (_csrf_token, name)"]}
    post = f"{app.url}/api/__actions/items/remove"
    assert [(kind, text) for kind, text in page.problems() if not ("400" in text and text.rstrip(")").endswith(post))] == []
    tab.get_by_role("button", name="Remove apple").click()  # with JavaScript: the one sent shows its own
    tab.locator("#item-apple [role=alert]").wait_for()
    assert _item_alerts(tab) == {"apple": ["Cannot remove apple (_csrf_token, name)"], "pear": [],
                                 "plum": ["Cannot remove plum (_csrf_token, name)"]}


@cites("docs/client.md", "A page that shows the message itself")
@pytest.mark.parametrize("path,button,message", [("/notes", "Add note", "Notes are read-only"),
                                                 ("/labels", "Add label", "Labels are read-only")])
def test_a_page_that_shows_the_message_itself_shows_it_once(app: Server, browser, path, button, message) -> None:  # type: ignore[no-untyped-def]
    context, tab, status = _post_without_js(browser, app.url + path, button)
    try:
        assert status == 400
        assert tab.locator(f"text={message}").count() == 1, tab.content()
        assert tab.locator("#problem").inner_text() == message
    finally:
        context.close()


def test_with_javascript_the_form_of_a_page_that_shows_failures_itself_shows_its_own(app: Server, page: PageWatch) -> None:
    """With JavaScript no page is rendered again: the page's own line is empty, the Form shows it."""
    tab = page.page
    tab.goto(app.url + "/notes")
    page.hydrated()
    tab.get_by_role("button", name="Add note").click()
    tab.locator("#add [role=alert]").wait_for()
    assert _alert(tab, "add") == ["Notes are read-only"] and tab.locator("#problem").count() == 0
