"""`Form`'s submit buttons and the app's own handlers, in Chromium against a real `pyxle serve` (React 19
and 18): a button the app disabled stays disabled (after hydration, while an action is pending and
after it) and never posts, one that was enabled is disabled only while the action is pending; the
app's `onSubmit` runs first and its `preventDefault()` stops the action; a `ref` reaches the `<form>`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app
from tests.e2e.test_client_types import check

AGREE = """
import asyncio

@action
async def agree(request):
    form = await request.form()
    await asyncio.sleep(1.5)  # pending long enough to look at the buttons meanwhile
    return {"op": form.get("op")}

import { useEffect, useState } from 'react'
import { Form } from 'pyxle/client'

export default function Agree() {
  const [ok, setOk] = useState(false)
  const [done, setDone] = useState('')
  const [effects, setEffects] = useState('')
  useEffect(() => setEffects('done'), []) // a parent's effects run after its children's: Form's have run
  return (
    <main data-effects={effects}>
      <Form action="agree" resetOnSuccess={false} onSuccess={(r) => setDone(`${r.op} ${Date.now()}`)}>
        <label><input type="checkbox" checked={ok} onChange={(e) => setOk(e.target.checked)} /> I agree</label>
        <button type="submit" name="op" value="agree" disabled={!ok}>Agree</button>
        <button type="submit" name="op" value="never" disabled>Never</button>
        <input type="submit" name="op" value="later" />
      </Form>
      <p data-testid="done">{done}</p>
    </main>
  )
}
"""

CONFIRM = """
@action
async def delete_all(request):
    return {"deleted": True}

import { useEffect, useRef, useState } from 'react'
import { Form } from 'pyxle/client'

export default function Confirm() {
  const form = useRef(null)
  const [seen, setSeen] = useState('')
  const [done, setDone] = useState('')
  useEffect(() => setSeen(`${form.current?.tagName} ${form.current?.getAttribute('action')}`), [])
  return (
    <main>
      <Form ref={form} action="delete_all" onSuccess={() => setDone(String(Date.now()))}
            onSubmit={(e) => { if (!window.confirm('Delete?')) e.preventDefault() }}>
        <button type="submit">Delete all</button>
      </Form>
      <p data-testid="ref">{seen}</p>
      <p data-testid="done">{done}</p>
    </main>
  )
}
"""

SIGN = """
import asyncio

@action
async def sign(request):
    form = await request.form()
    await asyncio.sleep(0.3)
    if not form.get("name"):
        raise ActionError("A name is required")
    return {"name": form.get("name")}

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Sign() {
  const [done, setDone] = useState('')
  return (
    <main>
      <Form action="sign" resetOnSuccess={false} onSuccess={(r) => setDone(`${r.name} ${Date.now()}`)}>
        <input name="name" aria-label="Name" />
        <button type="submit" id="send">Send</button>
      </Form>
      <p data-testid="done">{done}</p>
    </main>
  )
}
"""

app = react_app({"pages/agree.pyxl": AGREE, "pages/confirm.pyxl": CONFIRM, "pages/sign.pyxl": SIGN}, "form-submit")

DISABLED = "[...document.querySelectorAll('form [type=submit]')].map((b) => b.disabled)"  # Agree, Never, Later


def open_page(app: Server, page: PageWatch, path: str) -> list[str]:
    """The page, hydrated; the returned list fills with the action posts it sends."""
    posts: list[str] = []
    page.page.on("request", lambda r: r.method == "POST" and "/api/__actions/" in r.url and posts.append(r.url))
    page.page.goto(app.url + path)
    page.hydrated()
    return posts


def finished(page: PageWatch, op: str) -> None:
    page.page.get_by_test_id("done").filter(has_text=op).wait_for(timeout=10000)
    page.page.wait_for_function("!document.querySelector('form').hasAttribute('data-pending')", timeout=5000)


def test_submit_buttons_the_app_disabled_stay_disabled_after_hydration_and_after_a_submit(
        app: Server, page: PageWatch) -> None:
    posts = open_page(app, page, "/agree")
    page.page.locator("main[data-effects=done]").wait_for()
    assert page.page.evaluate(DISABLED) == [True, True, False]
    page.page.get_by_role("button", name="Never").click(force=True)  # a disabled button sends nothing
    page.page.wait_for_timeout(500)
    assert posts == []
    page.page.get_by_role("button", name="later").click()
    finished(page, "later")
    assert page.page.evaluate(DISABLED) == [True, True, False]
    page.page.get_by_role("button", name="Never").click(force=True)
    page.page.wait_for_timeout(500)
    assert len(posts) == 1
    assert page.problems() == []


@cites("docs/client.md", "the submit buttons that were enabled are disabled")
def test_an_enabled_submit_button_is_disabled_while_the_action_is_pending_and_enabled_after(
        app: Server, page: PageWatch) -> None:
    posts = open_page(app, page, "/agree")
    page.page.get_by_role("checkbox").check()
    page.page.get_by_role("button", name="Agree").click()
    page.page.locator("form[data-pending=true][aria-busy=true]").wait_for(timeout=5000)
    assert page.page.evaluate(DISABLED) == [True, True, True]
    finished(page, "agree")
    assert page.page.evaluate(DISABLED) == [False, True, False]
    assert len(posts) == 1
    assert page.problems() == []


@cites("docs/client.md", "a button your app disabled, before or while the action runs, stays disabled")
def test_a_submit_button_the_app_disables_while_the_action_is_pending_stays_disabled_after(
        app: Server, page: PageWatch) -> None:
    open_page(app, page, "/agree")
    page.page.get_by_role("checkbox").check()
    page.page.get_by_role("button", name="Agree").click()
    page.page.locator("form[data-pending=true]").wait_for(timeout=5000)
    page.page.get_by_role("checkbox").uncheck()  # the app's disabled={!ok} turns true meanwhile
    finished(page, "agree")
    assert page.page.evaluate(DISABLED) == [True, True, False]
    assert page.problems() == []


@cites("docs/client.md", "focus stays on the button that was pressed")
def test_a_submit_button_pressed_with_enter_keeps_focus_after_a_failed_and_a_succeeding_action(
        app: Server, page: PageWatch) -> None:
    """Disabling the focused button blurs it: focus went to <body>, and a second Enter sent nothing."""
    posts = open_page(app, page, "/sign")
    send = page.page.locator("#send")
    send.focus()
    page.page.keyboard.press("Enter")
    page.page.get_by_role("alert").filter(has_text="A name is required").wait_for(timeout=10000)
    page.page.wait_for_function("!document.querySelector('form').hasAttribute('data-pending')", timeout=5000)
    assert page.page.evaluate("document.activeElement.id") == "send"
    page.page.get_by_label("Name").fill("Ada")
    send.focus()
    page.page.keyboard.press("Enter")
    finished(page, "Ada")
    assert page.page.evaluate("document.activeElement.id") == "send"
    page.page.keyboard.press("Enter")  # a second Enter submits again
    page.page.wait_for_function("document.querySelector('form').hasAttribute('data-pending')", timeout=5000)
    page.page.wait_for_function("!document.querySelector('form').hasAttribute('data-pending')", timeout=5000)
    assert len(posts) == 3
    assert page.page.evaluate("document.activeElement.id") == "send"
    assert [p for p in page.problems() if "400" not in p[1]] == []


@cites("docs/client.md", "Your `onSubmit` runs first, and if it calls `event.preventDefault()` the action is not sent")
def test_an_on_submit_that_prevents_default_sends_no_action(app: Server, page: PageWatch) -> None:
    asked: list[str] = []

    def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss()

    page.page.on("dialog", dismiss)
    posts = open_page(app, page, "/confirm")
    page.page.get_by_role("button", name="Delete all").click()
    page.page.wait_for_timeout(1000)
    assert asked == ["Delete?"] and posts == []
    assert page.page.url == app.url + "/confirm" and page.page.get_by_test_id("done").inner_text() == ""
    assert page.problems() == []


def test_an_on_submit_that_lets_the_submit_go_on_sends_the_action_once(app: Server, page: PageWatch) -> None:
    asked: list[str] = []

    def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.page.on("dialog", accept)
    posts = open_page(app, page, "/confirm")
    page.page.get_by_role("button", name="Delete all").click()
    page.page.get_by_test_id("done").filter(has_text="1").wait_for(timeout=10000)
    page.page.wait_for_timeout(500)
    assert asked == ["Delete?"] and len(posts) == 1
    assert page.problems() == []


@cites("docs/client.md", "a `ref` you give `Form` reaches its `<form>` element")
def test_a_ref_given_to_form_reaches_the_form_element(app: Server, page: PageWatch) -> None:
    open_page(app, page, "/confirm")
    page.page.get_by_test_id("ref").filter(has_text="FORM").wait_for(timeout=5000)
    assert page.page.get_by_test_id("ref").inner_text() == "FORM /api/__actions/confirm/delete_all"
    assert page.problems() == []


def test_form_types_accept_a_ref_and_on_submit(tmp_path: Path) -> None:
    code = """
import { useRef } from 'react'
import { Form } from 'pyxle/client'

export default function Page() {
  const form = useRef<HTMLFormElement>(null)
  return (
    <Form ref={form} action="delete_all" onSubmit={(event) => { if (!confirm('Delete?')) event.preventDefault() }}>
      <button type="submit">Delete all</button>
    </Form>
  )
}
"""
    result = check(tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr
