"""What a component inside `Form` can read while its action is pending, in Chromium against a real
`pyxle serve` on React 19: React's `useFormStatus()` never reports it (Form posts with its own
fetch, to keep a real action URL for no-JS), so client.md points to the form's `data-pending` /
`aria-busy` (CSS) and to `useAction`'s `pending`, which both do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import NODE_MODULES, PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

SLOW = """
import asyncio

@action
async def slow(request):
    await asyncio.sleep(1.5)  # pending long enough to look at the page meanwhile
    return {"saved": True}

import { useFormStatus } from 'react-dom'
import { Form, useAction } from 'pyxle/client'

function Status() {
  const { pending } = useFormStatus()
  return <span data-testid="status">{pending ? 'pending' : 'idle'}</span>
}

export default function Page() {
  const save = useAction('slow')
  return (
    <main>
      <style>{'.saving { display: none } form[data-pending] .saving { display: inline }'}</style>
      <Form action="slow" resetOnSuccess={false}>
        <Status />
        <button type="submit" id="submit">Save</button>
        <span className="saving">Saving...</span>
      </Form>
      <button type="button" id="by-code" onClick={() => save({})}>{save.pending ? 'Saving...' : 'Save'}</button>
    </main>
  )
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp("form-pending") / "app", {"pages/index.pyxl": SLOW}, NODE_MODULES)
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def opened(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()


@cites("docs/client.md", "does not see a `Form`'s submission")
@cites("docs/client.md", "form[data-pending] .saving { display: inline }")
def test_a_forms_pending_state_shows_through_data_pending_while_use_form_status_stays_idle(
        app: Server, page: PageWatch) -> None:
    opened(app, page)
    form, saving = page.page.locator("form"), page.page.locator(".saving")
    assert not saving.is_visible()
    page.page.click("#submit")
    page.page.wait_for_selector("form[data-pending='true'][aria-busy='true']", timeout=5000)
    assert saving.is_visible(), "the CSS rule on data-pending shows it"
    assert page.page.get_by_test_id("status").text_content() == "idle", "React's form status never starts"
    page.page.wait_for_selector("form:not([data-pending])", timeout=10000)
    assert not saving.is_visible() and form.get_attribute("aria-busy") is None


@cites("docs/client.md", "call\n  the action with `useAction` and read its `pending`")
def test_use_action_pending_drives_a_buttons_text_while_the_action_runs(app: Server, page: PageWatch) -> None:
    opened(app, page)
    button = page.page.locator("#by-code")
    assert button.text_content() == "Save"
    button.click()
    page.page.wait_for_function("document.querySelector('#by-code').textContent === 'Saving...'", timeout=5000)
    page.page.wait_for_function("document.querySelector('#by-code').textContent === 'Save'", timeout=10000)
