"""A form field left empty is a field not sent, for typed bodies of API routes and actions, on a
real `pyxle serve`: an optional or defaulted field takes its default (`age=` for `age: int | None
= None`), a required one is "Field required", as FastAPI's `Form()` models read a form. JSON bodies
are unchanged: an explicit "" in JSON is a value."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import NODE_MODULES, Server, serving, write_project
from tests.docs._blocks import cites

API = '''
from typing import Optional

from pydantic import BaseModel


class P(BaseModel):
    name: str
    age: Optional[int] = None
    agree: bool = False
    nick: str = "anon"
    tags: list[str] = []


async def post(request, p: P):
    return p.model_dump()
'''

PAGE = '''
from typing import Optional

from pydantic import BaseModel


class P(BaseModel):
    name: str
    age: Optional[int] = None


@action
async def save(request, body: P):
    return {"saved": body.model_dump()}


import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Person({ action }) {
  const [saved, setSaved] = useState(null)
  const [errors, setErrors] = useState((action && action.fields) || {})
  return (
    <Form action="save" onSuccess={(result) => setSaved(result.saved)} onError={(m, fields) => setErrors(fields || {})}>
      <label>Name <input name="name" /></label>
      <label>Age <input type="number" name="age" /></label>
      {errors.age && <p role="alert">{errors.age.join(' ')}</p>}
      {errors.name && <p role="alert">{errors.name.join(' ')}</p>}
      {saved && <p data-testid="saved">{JSON.stringify(saved)}</p>}
      <button type="submit">Save</button>
    </Form>
  )
}
'''

DEFAULTS = {"name": "A", "age": None, "agree": False, "nick": "anon", "tags": []}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("blanks") / "app",
                         {"pages/api/age.py": API, "pages/person.pyxl": PAGE}, NODE_MODULES)
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "b" * 40}) as server:
        yield server


@cites("docs/validation.md", "A form field posted empty (`age=`) is a field not sent")
def test_an_empty_form_field_takes_the_default_in_urlencoded_and_multipart_posts(app: Server) -> None:
    form = {"name": "A", "age": "", "agree": "", "nick": ""}
    urlencoded = httpx.post(app.url + "/api/age", data=form)
    assert (urlencoded.status_code, urlencoded.json()) == (200, DEFAULTS)
    multipart = httpx.post(app.url + "/api/age", data=form, files={"unused": ("", b"")})
    assert multipart.request.headers["content-type"].startswith("multipart/form-data")
    assert (multipart.status_code, multipart.json()) == (200, DEFAULTS)
    filled = httpx.post(app.url + "/api/age", data={"name": "A", "age": "7", "agree": "on", "tags": ""})
    assert filled.json() == {**DEFAULTS, "age": 7, "agree": True, "tags": [""]}  # a list keeps what was sent


@cites("docs/validation.md", "a required field posted empty is `\"Field required\"`")
def test_a_required_field_posted_empty_is_field_required(app: Server) -> None:
    answer = httpx.post(app.url + "/api/age", data={"name": "", "age": ""})
    assert (answer.status_code, answer.json()["fields"]) == (422, {"name": ["Field required"]})


@cites("docs/validation.md", "In a JSON body `\"\"` is a value, as it is sent")
def test_an_empty_string_in_json_is_still_a_value(app: Server) -> None:
    answer = httpx.post(app.url + "/api/age", json={"name": "", "age": ""})
    assert answer.status_code == 422
    assert list(answer.json()["fields"]) == ["age"]  # name="" is a str; age="" is not an int


def _token(client: httpx.Client) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/person").text).group(1)


def test_an_actions_form_with_an_empty_number_input_is_saved_without_javascript(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = _token(client)
        answer = client.post("/api/__actions/person/save", data={"_csrf_token": token, "name": "A", "age": ""},
                             headers={"accept": "text/html", "referer": app.url + "/person"})
        assert answer.status_code == 303, answer.text[:300]
        answer = client.post("/api/__actions/person/save", data={"_csrf_token": token, "name": "A", "age": ""},
                             headers={"x-csrf-token": token})
        assert answer.json() == {"ok": True, "saved": {"name": "A", "age": None}}


def test_an_empty_number_input_in_chromium_is_saved_with_and_without_javascript(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        try:
            tab = context.new_page()
            tab.goto(app.url + "/person")
            if javascript:
                tab.wait_for_function("window.__PYXLE_ROOT__ !== undefined", timeout=15000)
            tab.get_by_label("Name").fill("Ada")
            if javascript:
                tab.get_by_role("button", name="Save").click()
                tab.get_by_test_id("saved").wait_for()
                assert tab.get_by_test_id("saved").inner_text() == '{"name":"Ada","age":null}'
            else:
                with tab.expect_navigation() as saved:
                    tab.get_by_role("button", name="Save").click()
                assert saved.value.status == 200 and tab.url == app.url + "/person"  # the 303 back
            assert tab.get_by_role("alert").count() == 0
        finally:
            context.close()
