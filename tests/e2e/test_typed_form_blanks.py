"""A form field left empty is a field not sent where "" is no value of its type, for typed bodies of
API routes and actions, on a real `pyxle serve`: an optional or defaulted field takes its default
(`age=` for `age: int | None = None`), as FastAPI's `Form()` models read a form; a text field takes
"" (`nick=` for `nick: str = "anon"`), as pyxle-framework 0.9's `Form` sent it (more in
test_form_rules_094.py). JSON bodies are unchanged: an explicit "" in JSON is a value. A file input left empty (a part with `filename=""`
and no bytes, as browsers send it) is a file not sent, as Django reads it."""

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

ATTACH = '''
from typing import Optional

from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile


class Attach(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    title: str
    avatar: Optional[UploadFile] = None
    more: list[UploadFile] = []


class Needs(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    doc: UploadFile


def shown(a):
    return {"title": a.title, "avatar": a.avatar and a.avatar.filename, "more": [f.filename for f in a.more]}
'''

ATTACH_API = ATTACH + '''

async def post(request, a: Attach):
    return shown(a)


async def put(request, n: Needs):
    return {"doc": n.doc.filename}
'''

ATTACH_PAGE = ATTACH + '''

@action
async def attach(request, body: Attach):
    return shown(body)


@action
async def needs(request, body: Needs):
    return {"doc": body.doc.filename}


export default function Attached() {
  return <form id="f"><input name="title" defaultValue="T" /><input type="file" name="avatar" /></form>
}
'''

DEFAULTS = {"name": "A", "age": None, "agree": False, "nick": "anon", "tags": []}
EMPTY = {**DEFAULTS, "nick": ""}  # "" is a str: posted empty, the field is ""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("blanks") / "app",
                         {"pages/api/age.py": API, "pages/person.pyxl": PAGE, "pages/api/attach.py": ATTACH_API,
                          "pages/attach.pyxl": ATTACH_PAGE}, NODE_MODULES)
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "b" * 40}) as server:
        yield server


@cites("docs/validation.md", "field posted empty (`age=`) is a field not sent")
def test_an_empty_form_field_takes_the_default_in_urlencoded_and_multipart_posts(app: Server) -> None:
    form = {"name": "A", "age": "", "agree": "", "nick": ""}
    urlencoded = httpx.post(app.url + "/api/age", data=form)
    assert (urlencoded.status_code, urlencoded.json()) == (200, EMPTY)
    multipart = httpx.post(app.url + "/api/age", data=form, files={"unused": ("", b"")})
    assert multipart.request.headers["content-type"].startswith("multipart/form-data")
    assert (multipart.status_code, multipart.json()) == (200, EMPTY)
    filled = httpx.post(app.url + "/api/age", data={"name": "A", "age": "7", "agree": "on", "tags": ""})
    assert filled.json() == {**DEFAULTS, "age": 7, "agree": True, "tags": [""]}  # a list keeps what was sent


def test_a_required_text_field_posted_empty_is_an_empty_string(app: Server) -> None:
    answer = httpx.post(app.url + "/api/age", data={"name": "", "age": ""})
    assert (answer.status_code, answer.json()) == (200, {**DEFAULTS, "name": ""})


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


BOUNDARY = "----WebKitFormBoundaryPyxle"
BROWSER_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
NOTHING = {"title": "T", "avatar": None, "more": []}


def browser_form(*fields: tuple[str, str | None]) -> bytes:
    """A multipart body as Chromium writes it: ``(name, value)`` for a text input, ``(name, None)``
    for a file input left empty (``filename=""``, no bytes; httpx's ``files=`` leaves the filename out)."""
    parts = []
    for name, value in fields:
        if value is None:
            parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n\r\n")
        else:
            parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


@cites("docs/validation.md", "A file input left empty (a part with `filename=\"\"`")
def test_an_empty_file_input_is_a_file_not_sent_for_a_typed_api_route(app: Server) -> None:
    headers = {"content-type": BROWSER_TYPE}
    empty = httpx.post(app.url + "/api/attach", content=browser_form(("title", "T"), ("avatar", None)), headers=headers)
    assert (empty.status_code, empty.json()) == (200, NOTHING)
    lists = httpx.post(app.url + "/api/attach", content=browser_form(("title", "T"), ("avatar", None), ("more", None)),
                       headers=headers)
    assert (lists.status_code, lists.json()) == (200, NOTHING)
    filled = httpx.post(app.url + "/api/attach", data={"title": "T"},
                        files=[("avatar", ("a.png", b"x")), ("more", ("b.txt", b"y"))])
    assert filled.json() == {"title": "T", "avatar": "a.png", "more": ["b.txt"]}
    required = httpx.put(app.url + "/api/attach", content=browser_form(("doc", None)), headers=headers)
    assert (required.status_code, required.json()["fields"]) == (422, {"doc": ["Field required"]})


def test_an_empty_file_input_is_a_file_not_sent_for_a_typed_action(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/attach")
        headers = {"x-csrf-token": client.cookies["pyxle-csrf"], "content-type": BROWSER_TYPE}
        saved = client.post("/api/__actions/attach/attach", content=browser_form(("title", "T"), ("avatar", None)),
                            headers=headers)
        assert (saved.status_code, saved.json()) == (200, {"ok": True, **NOTHING})
        required = client.post("/api/__actions/attach/needs", content=browser_form(("doc", None)), headers=headers)
        assert (required.status_code, required.json()["fields"]) == (422, {"doc": ["Field required"]})


def test_a_form_with_an_empty_file_input_posted_by_chromium_is_read_as_no_file(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    tab = browser.new_page()
    try:
        tab.goto(app.url + "/attach")
        answer = tab.evaluate("""async () => {
            const form = new FormData(document.getElementById('f'))
            const r = await fetch('/api/attach', {method: 'POST', body: form})
            return [r.status, await r.json()]
        }""")
        assert answer == [200, NOTHING]
    finally:
        tab.close()
