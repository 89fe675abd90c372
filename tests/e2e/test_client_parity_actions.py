"""`Form` and `useAction` as Pyxle 0.9 apps use them, in Chromium: the inline error, onSuccess
without `ok`, onError(message, fields), `.data`/`.fields`, a new call aborting the one in flight,
and actions of dynamic pages (`pages/posts/[id].pyxl`) posted from the page as rendered."""

from __future__ import annotations

import json
import re

import httpx

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app

FORMS = """
import asyncio

from starlette.responses import JSONResponse

@action
async def save(request):
    body = await request.json()
    title = body.get("title", "")
    if title == "taken":
        raise ActionError("That title is taken", status_code=409, data={"title": title})
    if len(title) < 3:
        return JSONResponse({"ok": False, "error": "Validation failed",
                             "fields": {"title": ["at least 3 characters"]}}, 422)
    if title == "slow":
        await asyncio.sleep(2)
    return {"saved": title}

import { useState } from 'react'
import { Form, useAction } from 'pyxle/client'

export default function Forms() {
  const [log, setLog] = useState([])
  const add = (entry) => setLog((all) => [...all, entry])
  const save = useAction('save')
  const call = (title) => save({ title }).then((result) => add(['call', title, result]))
  return (
    <main>
      <h1>Forms</h1>
      <Form action="save" data-testid="plain"><input name="title" aria-label="plain title" />
        <button>Save plain</button></Form>
      <Form action="save" data-testid="styled" errorClassName="oops"><input name="title" aria-label="styled title" />
        <button>Save styled</button></Form>
      <Form action="save" data-testid="handled" onSuccess={(result) => add(['success', result])}
            onError={(message, fields) => add(['error', message, fields])}>
        <input name="title" aria-label="handled title" /><button>Save handled</button>
      </Form>
      <button onClick={() => call('fine')}>call fine</button>
      <button onClick={() => call('taken')}>call taken</button>
      <button onClick={() => call('x')}>call short</button>
      <button onClick={() => { call('slow'); call('quick') }}>call twice</button>
      <pre data-testid="state">{JSON.stringify({ pending: save.pending, error: save.error, fields: save.fields, data: save.data })}</pre>
      <pre data-testid="log">{JSON.stringify(log)}</pre>
      <style>{'.oops { color: rgb(0, 0, 255); font-style: italic }'}</style>
    </main>
  )
}
"""

POST = """
@server
async def load(request):
    return {"id": request.path_params["id"]}

@action
async def like(request):
    return {"liked": request.path_params["id"]}

import { useState } from 'react'
import { Form, useAction } from 'pyxle/client'

export default function Post({ data }) {
  const like = useAction('like')
  const [out, setOut] = useState('')
  return (
    <main>
      <h1>Post {data.id}</h1>
      <button onClick={async () => setOut(JSON.stringify(await like({})))}>like by call</button>
      <Form action="like" onSuccess={(result) => setOut(JSON.stringify(result))}><button>like by form</button></Form>
      <output data-testid="out">{out}</output>
    </main>
  )
}
"""

SHOP = """
@action
async def buy(request):
    return {"bought": (await request.json()).get("item")}

import { useState } from 'react'
import { useAction } from 'pyxle/client'

export default function Shop() {
  const buy = useAction('buy', { pagePath: '/shop' })
  const [out, setOut] = useState('')
  return <main><h1>Shop</h1><button onClick={async () => setOut(JSON.stringify(await buy({ item: 'tea' })))}>buy</button>
    <output data-testid="out">{out}</output></main>
}
"""

FILES = {"pages/forms.pyxl": FORMS, "pages/posts/[id].pyxl": POST, "pages/shop/index.pyxl": SHOP}


app = react_app(FILES, "actions")


def log(page: PageWatch) -> list:
    return json.loads(page.page.get_by_test_id("log").text_content())


def state(page: PageWatch) -> dict:
    return json.loads(page.page.get_by_test_id("state").text_content())


def open_forms(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/forms")
    page.hydrated()


def expected_failures(page: PageWatch) -> list:
    """Problems other than the action answers these tests ask for (409, 422)."""
    return [p for p in page.problems() if "/api/__actions/" not in p[1] and "status of 4" not in p[1]]


def test_a_form_without_on_error_shows_the_message_in_an_element_users_can_style(app: Server, page: PageWatch) -> None:
    open_forms(app, page)
    plain, styled = page.page.get_by_test_id("plain"), page.page.get_by_test_id("styled")
    plain.get_by_label("plain title").fill("taken")
    plain.get_by_role("button").click()
    alert = plain.locator("p[role=alert][data-pyxle-form-error]")
    alert.filter(has_text="That title is taken").wait_for()
    assert alert.evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"  # red by default
    plain.get_by_label("plain title").fill("a fine title")
    plain.get_by_role("button").click()
    alert.wait_for(state="detached")  # a success clears it

    styled.get_by_label("styled title").fill("x")
    styled.get_by_role("button").click()
    message = styled.locator("p[role=alert].oops")
    message.filter(has_text="Validation failed").wait_for()
    assert message.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).fontStyle]") == [
        "rgb(0, 0, 255)", "italic"]  # errorClassName styles it instead
    assert expected_failures(page) == []


def test_form_callbacks_get_the_result_without_ok_and_the_message_with_the_fields(app: Server, page: PageWatch) -> None:
    open_forms(app, page)
    handled = page.page.get_by_test_id("handled")
    for title in ("a fine title", "taken", "x"):
        handled.get_by_label("handled title").fill(title)
        handled.get_by_role("button").click()
        page.page.get_by_test_id("log").filter(has_text=title if title != "x" else "at least").wait_for()
    assert log(page) == [
        ["success", {"saved": "a fine title"}],
        ["error", "That title is taken", None],
        ["error", "Validation failed", {"title": ["at least 3 characters"]}],
    ]
    shown = handled.locator("p[role=alert][data-pyxle-form-error]")  # with onError too, as in Pyxle 0.9
    assert shown.text_content() == "Validation failed"


def test_use_action_keeps_the_last_successful_data_and_the_fields_of_a_422(app: Server, page: PageWatch) -> None:
    open_forms(app, page)
    page.page.get_by_role("button", name="call fine").click()
    page.page.get_by_test_id("state").filter(has_text='"saved":"fine"').wait_for()
    assert state(page) == {"pending": False, "error": None, "fields": None, "data": {"saved": "fine"}}
    page.page.get_by_role("button", name="call short").click()
    page.page.get_by_test_id("state").filter(has_text="at least").wait_for()
    assert state(page) == {"pending": False, "error": "Validation failed", "fields": {"title": ["at least 3 characters"]},
                           "data": {"saved": "fine"}}  # still the last success
    page.page.get_by_role("button", name="call taken").click()
    page.page.get_by_test_id("state").filter(has_text="taken").wait_for()
    assert state(page)["fields"] is None and state(page)["data"] == {"saved": "fine"}
    assert log(page)[-1] == ["call", "taken", {"ok": False, "error": "That title is taken", "data": {"title": "taken"},
                                               "fields": None}]
    assert log(page)[0] == ["call", "fine", {"ok": True, "saved": "fine"}]  # the awaited result keeps `ok`


@cites("docs/client.md", "resolves to `{ ok: false, error: 'Request aborted', aborted: true, fields: null }`")
def test_a_new_use_action_call_aborts_the_one_in_flight(app: Server, page: PageWatch) -> None:
    open_forms(app, page)
    page.page.get_by_role("button", name="call twice").click()
    page.page.get_by_test_id("log").filter(has_text="quick").wait_for(timeout=1500)  # well before the slow 2 s
    page.page.get_by_test_id("state").filter(has_text='"saved":"quick"').wait_for()
    first = [entry for entry in log(page) if entry[1] == "slow"]
    assert first == [["call", "slow", {"ok": False, "error": "Request aborted", "aborted": True, "fields": None}]]
    assert state(page) == {"pending": False, "error": None, "fields": None, "data": {"saved": "quick"}}
    assert [p for p in page.problems() if p[0] == "pageerror"] == []


def test_actions_of_a_dynamic_page_post_from_the_page_as_rendered(app: Server, page: PageWatch) -> None:
    html = httpx.get(app.url + "/posts/7").text
    assert 'action="/api/__actions/posts/7/like"' in html  # the URL it was rendered at
    page.page.goto(app.url + "/posts/7")
    page.hydrated()
    for button in ("like by call", "like by form"):
        with page.page.expect_response(lambda r: "/api/__actions/" in r.url) as answer:
            page.page.get_by_role("button", name=button).click()
        assert answer.value.url == app.url + "/api/__actions/posts/7/like" and answer.value.status == 200
        page.page.get_by_test_id("out").filter(has_text='"liked":"7"').wait_for()  # with its path parameters
        page.page.get_by_test_id("out").evaluate("e => e.textContent = ''")
    assert page.problems() == []


def test_a_dynamic_page_action_works_without_javascript(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/posts/42").text).group(1)
        answer = client.post("/api/__actions/posts/42/like", data={"csrf_token": token},
                             headers={"accept": "text/html", "referer": app.url + "/elsewhere.example"})
        assert answer.status_code == 303 and answer.headers["location"] == "/elsewhere.example"
        answer = client.post("/api/__actions/posts/42/like", data={"csrf_token": token}, headers={"accept": "text/html"})
        assert answer.status_code == 303 and answer.headers["location"] == "/posts/42"  # back to the page itself


def test_actions_answer_at_the_urls_pyxle_0_9_used(app: Server, page: PageWatch) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/shop")
        headers = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        for url in ("/api/__actions/shop/buy", "/api/__actions/shop/index/buy"):  # its URL, or its file
            assert client.post(url, json={"item": "tea"}, headers=headers).json() == {"ok": True, "bought": "tea"}
        missing = client.post("/api/__actions/nowhere/buy", json={}, headers=headers)
        assert missing.status_code == 404 and missing.json()["ok"] is False
    page.page.goto(app.url + "/shop")
    page.hydrated()
    page.page.get_by_role("button", name="buy").click()  # useAction('buy', { pagePath: '/shop' })
    page.page.get_by_test_id("out").filter(has_text='"bought":"tea"').wait_for()
