"""Action answers and `Form` as pyxle-framework 0.9.4 apps rely on them: the inline error shown
with `onError` too, no `"data"` key without data, `"ok": false` on every refusal of
`/api/__actions/`, and the hidden `_csrf_token` field, read by untyped actions and never bound into
a typed body. Each was checked against 0.9.4 itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

PAGE = """
from pydantic import BaseModel, ConfigDict

from pyxle.runtime import ValidationActionError


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a CSRF field bound into it would be a 422
    title: str


@action
async def log_in(request):
    raise ActionError("Bad password", status_code=401)

@action
async def empty_data(request):
    raise ActionError("Nothing to add", data={})

@action
async def with_data(request):
    raise ActionError("Taken", status_code=409, data={"title": "x"})

@action
async def by_hand(request):
    raise ValidationActionError(fields={"title": ["already taken"]})

@action
async def echo(request):
    return {"body": await request.json()}

@action
async def typed(request, note: Note):
    return {"title": note.title}

import { useState } from 'react'
import { Form, useAction } from 'pyxle/client'

export default function Login() {
  const [log, setLog] = useState([])
  const add = (entry) => setLog((all) => [...all, entry])
  const logIn = useAction('log_in')
  return (
    <main>
      <h1>Login</h1>
      <Form action="log_in" data-testid="login" onError={(message, fields, result) => add(['onError', message, fields, result])}>
        <input name="password" aria-label="password" /><button>Log in</button>
      </Form>
      <Form action="echo" data-testid="echo" onSuccess={(result) => add(['echo', result.body])}>
        <input name="title" aria-label="title" defaultValue="Tea" /><button>Echo</button>
      </Form>
      <Form action="typed" data-testid="typed" onSuccess={(result) => add(['typed', result])}
            onError={(message, fields) => add(['typed failed', message, fields])}>
        <input name="title" aria-label="typed title" defaultValue="Typed" /><button>Save typed</button>
      </Form>
      <button onClick={async () => add(['call', await logIn({ password: 'x' })])}>call log_in</button>
      <pre data-testid="log">{JSON.stringify(log)}</pre>
    </main>
  )
}
"""

API = """
async def post(request):
    return {"got": await request.json()}
"""

FILES = {"pages/login.pyxl": PAGE, "pages/api/echo.py": API, "pyxle.config.json": json.dumps({"maxBodySize": 4096})}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("answers094") / "app", FILES), "--ssr-workers", "1") as server:
        yield server


def csrf(client: httpx.Client) -> dict[str, str]:
    client.get("/login")
    return {"x-csrf-token": client.cookies["pyxle-csrf"]}


def log(page: PageWatch) -> list:
    return json.loads(page.page.get_by_test_id("log").text_content())


def open_login(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/login")
    page.hydrated()


@cites("docs/client.md", "**With or without `onError`** the message shows at the end of the form")
def test_a_form_with_on_error_shows_the_message_in_the_form_and_calls_on_error(app: Server, page: PageWatch) -> None:
    open_login(app, page)
    form = page.page.get_by_test_id("login")
    form.get_by_label("password").fill("wrong")
    form.get_by_role("button").click()
    form.locator("p[role=alert][data-pyxle-form-error]").filter(has_text="Bad password").wait_for()
    page.page.get_by_test_id("log").filter(has_text="onError").wait_for()
    assert log(page) == [["onError", "Bad password", None,
                          {"ok": False, "error": "Bad password", "fields": None, "data": None}]]


@cites("docs/client.md", "A failed call's result also carries `data`: the `ActionError`'s data, or `null` when it has none")
def test_a_failed_use_action_call_resolves_with_data_null_when_the_action_error_has_none(
        app: Server, page: PageWatch) -> None:
    open_login(app, page)
    page.page.get_by_role("button", name="call log_in").click()
    page.page.get_by_test_id("log").filter(has_text="call").wait_for()
    assert log(page) == [["call", {"ok": False, "error": "Bad password", "fields": None, "data": None}]]


@cites("docs/pages.md", '`"data"` only when given and not empty (`{"ok": false, "error": message}` without it')
@cites("docs/pages.md", '| not POST | 405 | `{"ok": false, "error": "Method Not Allowed"}`, `Allow: POST` |')
@cites("docs/security.md", "A method other\n  than POST at an action's URL (PUT, DELETE) runs nothing and is answered `405` with `Allow: POST`\n"
       "  before any token is looked at.")
def test_put_patch_and_delete_to_an_action_answer_405_not_a_csrf_refusal(app: Server) -> None:
    """They answered 403 "CSRF token missing": the method is refused first, as nothing runs for it;
    a POST without the token is still refused."""
    for method in ("PUT", "PATCH", "DELETE"):
        answer = httpx.request(method, app.url + "/api/__actions/login/echo", json={})
        assert answer.status_code == 405, (method, answer.status_code, answer.text)
        assert answer.headers["allow"] == "POST"
        assert answer.json() == {"ok": False, "error": "Method Not Allowed"}
    refused = httpx.post(app.url + "/api/__actions/login/echo", json={})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"


@cites("docs/validation.md", '(`"data"` is there only when given, as in Pyxle 0.9.)')
def test_an_action_error_answers_data_only_when_it_has_some(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = csrf(client)
        answers = {name: client.post(f"/api/__actions/login/{name}", json={}, headers=token)
                   for name in ("log_in", "empty_data", "with_data", "by_hand")}
    assert (answers["log_in"].status_code, answers["log_in"].json()) == (401, {"ok": False, "error": "Bad password"})
    assert answers["empty_data"].json() == {"ok": False, "error": "Nothing to add"}  # data={} is no data
    assert answers["with_data"].json() == {"ok": False, "error": "Taken", "data": {"title": "x"}}
    assert answers["by_hand"].status_code == 422
    assert answers["by_hand"].json() == {"ok": False, "error": "Validation failed", "fields": {"title": ["already taken"]}}


@cites("docs/security.md", 'A server action\'s refusal adds `"ok": false`, as every action answer\n  has it: '
       '`403 {"ok": false, "error": "CSRF token missing", "code": "csrf_failed"}`')
def test_a_csrf_refusal_of_an_action_carries_ok_false_and_an_api_route_keeps_its_shape(app: Server) -> None:
    refused = httpx.post(app.url + "/api/__actions/login/echo", json={})
    assert refused.status_code == 403
    assert refused.json() == {"ok": False, "error": "CSRF token missing", "code": "csrf_failed"}
    with httpx.Client(base_url=app.url) as client:
        client.get("/login")
        forged = client.post("/api/__actions/login/echo", json={}, headers={"x-csrf-token": "x.y"})
    assert forged.json() == {"ok": False, "error": "CSRF token invalid", "code": "csrf_failed"}


@cites("docs/pages.md", '| not POST | 405 | `{"ok": false, "error": "Method Not Allowed"}`, `Allow: POST` |')
@cites("docs/pages.md", 'Every error answer of `/api/__actions/` carries `"ok": false` beside `"error"`, the refusals '
       'made before the action runs included: a CSRF refusal (`403 {"ok": false, "error": "CSRF token missing", '
       '"code": "csrf_failed"}`), a body that is not JSON (`400 {"ok": false, "error": "Malformed JSON body: ..."}` '
       'when the action reads it with `await request.json()`')
def test_every_refusal_of_the_actions_endpoint_before_the_action_answers_carries_ok_false(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = csrf(client)
        malformed = client.post("/api/__actions/login/echo", content=b"{x",
                                headers={**token, "content-type": "application/json"})
        wrong_method = client.get("/api/__actions/login/echo")
        too_large = client.post("/api/__actions/login/echo", content=b"[" + b"1," * 4096 + b"1]",
                                headers={**token, "content-type": "application/json"})
        api_malformed = client.post("/api/echo", content=b"{x", headers={"content-type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["ok"] is False
    assert malformed.json()["error"].startswith("Malformed JSON body: ") and set(malformed.json()) == {"ok", "error"}
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    assert wrong_method.json() == {"ok": False, "error": "Method Not Allowed"}
    assert too_large.status_code == 413 and too_large.json()["ok"] is False
    assert api_malformed.status_code == 400 and set(api_malformed.json()) == {"error"}  # API routes keep their shape


@cites("docs/pages.md", "an action with a\n  [typed body](validation.md#actions) answers `422` instead, the reason under `\"__root__\"` of\n  `\"fields\"`")
def test_a_body_that_is_not_json_is_a_400_for_request_json_and_a_422_for_a_typed_body(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        headers = {**csrf(client), "content-type": "application/json"}
        untyped = client.post("/api/__actions/login/echo", content=b"{x", headers=headers)
        typed = client.post("/api/__actions/login/typed", content=b"{x", headers=headers)
    assert untyped.status_code == 400 and untyped.json()["error"].startswith("Malformed JSON body: ")
    assert typed.status_code == 422
    body = typed.json()
    assert body["ok"] is False and list(body["fields"]) == ["__root__"], body


@cites("docs/client.md", "token in a hidden `_csrf_token` field")
def test_form_renders_the_hidden_field_as_underscore_csrf_token(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        html = client.get("/login").text
        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)"', html)
        assert {name for name, _ in fields} == {"_csrf_token", "_pyxle_form"}  # and the form's place, never a field
        assert {value for name, value in fields if name == "_csrf_token"} == {client.cookies["pyxle-csrf"]}


@cites("docs/client.md", "an untyped action finds it in\n  `await request.json()` with the other fields")
def test_an_untyped_action_finds_underscore_csrf_token_in_the_form_body_as_in_0_9(app: Server, page: PageWatch) -> None:
    open_login(app, page)
    page.page.get_by_test_id("echo").get_by_role("button").click()
    page.page.get_by_test_id("log").filter(has_text="echo").wait_for()
    [[_, body]] = log(page)
    token = next(c["value"] for c in page.page.context.cookies() if c["name"] == "pyxle-csrf")
    assert body == {"_csrf_token": token, "title": "Tea"}


@cites("docs/validation.md", "A form's CSRF field, the hidden `_csrf_token` that\n`Form` renders or a hand-written form's `csrf_token`, is never part of a typed body")
@cites("docs/client.md", "a typed body never has it")
def test_a_typed_body_never_gets_either_csrf_field(app: Server, page: PageWatch) -> None:
    open_login(app, page)
    page.page.get_by_test_id("typed").get_by_role("button").click()  # Form: _csrf_token
    page.page.get_by_test_id("log").filter(has_text="Typed").wait_for()
    assert log(page) == [["typed", {"title": "Typed"}]]
    with httpx.Client(base_url=app.url) as client:
        token = csrf(client)
        for field in ("_csrf_token", "csrf_token"):
            posted = client.post("/api/__actions/login/typed", data={field: token["x-csrf-token"], "title": "By hand"},
                                 headers=token)
            assert posted.json() == {"ok": True, "title": "By hand"}, field

