"""Typed action bodies on a real `pyxle serve` (with SSR): 422 fields, forms with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

PAGE = '''
from pydantic import BaseModel, ConfigDict, Field

class Item(BaseModel):
    qty: int = Field(ge=1)

class Post(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3)
    items: list[Item] = []

@server
async def load(request):
    return {"heading": "New post"}

@action
async def save(request, body: Post):
    return {"saved": body.title, "count": len(body.items)}

@action
async def maybe(request, body: Post | None = None):
    return {"got": None if body is None else body.title}

@action
async def by_hand(request):
    raise ValidationActionError(fields={"title": ["already taken"]})

import React from 'react'
import { Form, useAction } from 'pyxle/client'

export default function Page({ data, action }) {
  const [message, setMessage] = React.useState('')
  const [fieldErrors, setFieldErrors] = React.useState(null)
  const save = useAction('save')
  const errors = (action && action.fields) || fieldErrors || {}
  return (
    <main>
      <h1>{data.heading}</h1>
      <Form action="save" onSuccess={(r) => setMessage('saved ' + r.saved)}
            onError={(msg, fields) => { setMessage(msg); setFieldErrors(fields) }}>
        <label>Title <input name="title" defaultValue={action ? action.values.title : ''} /></label>
        {errors.title && <p data-testid="title-error">{errors.title.join(' ')}</p>}
        <button type="submit">Save</button>
      </Form>
      <p data-testid="message">{message}</p>
      <button onClick={() => save({ title: 'ok!', items: [{ qty: 0 }] })}>Call</button>
      {save.fields && <p data-testid="hook-fields">{Object.keys(save.fields).join(',')}</p>}
    </main>
  )
}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with serving(write_project(tmp_path_factory.mktemp("typed-actions"), {"pages/index.pyxl": PAGE})) as server:
        yield server


@contextmanager
def _client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"]}


def test_a_valid_json_body_reaches_the_action_as_a_model(server: Server) -> None:
    with _client(server) as (client, csrf):
        response = client.post("/api/__actions/index/save", json={"title": "Hello", "items": [{"qty": 2}]},
                               headers=csrf)
    assert response.json() == {"ok": True, "saved": "Hello", "count": 1}


@cites("docs/validation.md", "An action's typed body is read as\nJSON from any other type too")
@cites("docs/validation.md", "`Content-Type` sends `text/plain`")
def test_an_actions_typed_body_sent_as_text_plain_is_read_as_json(server: Server) -> None:
    """What `fetch(url, {method: 'POST', body: JSON.stringify(...)})` sends: the CSRF token, not the
    content type, is what keeps other sites out of an action."""
    with _client(server) as (client, csrf):
        response = client.post("/api/__actions/index/save", content=b'{"title": "Plain", "items": []}',
                               headers={**csrf, "content-type": "text/plain;charset=UTF-8"})
    assert response.json() == {"ok": True, "saved": "Plain", "count": 0}


def test_an_invalid_body_is_a_422_with_dotted_field_paths(server: Server) -> None:
    with _client(server) as (client, csrf):
        response = client.post("/api/__actions/index/save", json={"title": "x", "items": [{"qty": 0}], "z": 1},
                               headers=csrf)
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["error"] == "Validation failed"
    assert set(body["fields"]) == {"title", "items.0.qty", "z"}


@cites('docs/validation.md', 'A body with a default (`order: Order | None = None`, in an API route or an action) is optional')
def test_an_optional_body_left_out_is_its_default(server: Server) -> None:
    with _client(server) as (client, csrf):
        empty = client.post("/api/__actions/index/maybe", headers={**csrf, "content-type": "application/json"})
        given = client.post("/api/__actions/index/maybe", json={"title": "Hello"}, headers=csrf)
    assert (empty.status_code, empty.json()) == (200, {"ok": True, "got": None})
    assert given.json() == {"ok": True, "got": "Hello"}


def test_malformed_json_is_a_422_under_the_root_key(server: Server) -> None:
    with _client(server) as (client, csrf):
        response = client.post("/api/__actions/index/save", content=b'{"title": "\xff', headers={
            **csrf, "content-type": "application/json"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["__root__"]


def test_a_form_body_is_validated_and_the_csrf_field_is_not_part_of_it(server: Server) -> None:
    with _client(server) as (client, csrf):
        response = client.post("/api/__actions/index/save", headers=csrf,
                               data={"title": "From a form", "csrf_token": csrf["x-csrf-token"]})
    assert response.json() == {"ok": True, "saved": "From a form", "count": 0}


@cites('docs/validation.md', '`ValidationActionError(message="Validation failed", *, fields, status_code=422, data=None)`\nraised by hand, answer:')
@cites('docs/pages.md', '| 422 | `{"ok": false, "error": "Validation failed", "fields": {"title": [...]}}`')
def test_validation_action_error_raised_by_hand_answers_the_same_shape(server: Server) -> None:
    with _client(server) as (client, csrf):
        response = client.post("/api/__actions/index/by_hand", json={}, headers=csrf)
    assert response.status_code == 422
    assert response.json() == {"ok": False, "error": "Validation failed",
                               "fields": {"title": ["already taken"]}}


def test_a_no_js_form_post_re_renders_the_page_with_its_field_errors(server: Server) -> None:
    with _client(server) as (client, _):
        html = client.get("/").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)
        response = client.post("/api/__actions/index/save", data={"csrf_token": token, "title": "ab"},
                               headers={"accept": "text/html", "referer": server.url + "/"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'data-testid="title-error">String should have at least 3 characters<', response.text)
    assert 'value="ab"' in response.text  # what the user typed is kept
    assert "New post" in response.text  # the loader ran


@cites('docs/client.md', '`onError(message, fields, result)` gets the message and, for a 422, the\n  per-field [errors](validation.md#actions) of a typed body')
@cites('docs/client.md', "`toggle.fields` (the last call's per-field errors, a 422")
def test_form_on_error_and_use_action_receive_the_fields_in_the_browser(server: Server, page: PageWatch) -> None:
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_label("Title").fill("ab")
    page.page.get_by_role("button", name="Save").click()
    page.page.get_by_test_id("title-error").filter(has_text="at least 3 characters").wait_for()
    assert page.page.get_by_test_id("message").text_content() == "Validation failed"
    page.page.get_by_role("button", name="Call").click()
    page.page.get_by_test_id("hook-fields").filter(has_text="items.0.qty").wait_for()


def test_an_unannotated_body_parameter_stops_start_up_naming_the_file_and_line(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": """
        @action
        async def save(request, body):
            return {}

        export default function Page() { return null }
        """})
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) != 0
    assert "pages/index.pyxl:2:1: action save(): parameter 'body' has no type annotation" in server.output()


@cites("docs/validation.md", "parameters\nafter the request that all have defaults and no annotations (`async def save(request, extra=None)`)\nare left to their defaults, as Pyxle 0.9 did")
def test_an_action_whose_other_parameters_all_have_defaults_is_called_with_the_request_as_in_0_9(
        make_project, start_server) -> None:
    """0.9 called every action with the request alone; one with ``(request, extra=None, n=1)`` ran.
    Start-up refused it ("has no type annotation", "takes 3 parameters")."""
    project = make_project({"pages/index.pyxl": """
        @action
        async def save(request, extra=None, n=1):
            return {"extra": extra, "n": n, "got": (await request.json())["x"]}

        export default function Page() { return null }
        """})
    server = start_server(project, "serve")
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        answer = client.post("/api/__actions/index/save", json={"x": 7},
                             headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
    assert answer.json() == {"ok": True, "extra": None, "n": 1, "got": 7}
