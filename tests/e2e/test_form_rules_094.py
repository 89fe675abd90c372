"""Form posts read as pyxle-framework 0.9.4 apps expect, on a real `pyxle serve`. 0.9.4's `Form`
posted `Object.fromEntries(new FormData(form))` as JSON: an input left empty arrived as `""`, and a
name sent twice arrived as its last value. Pyxle posts the form itself and reads it by one rule for
actions, no-JS form posts and typed API routes: a field posted empty is `""` where `""` is a valid
value of its type (else a field not sent), and an untyped action's `await request.json()` holds the
last value of a repeated name (`await request.form()` keeps them all)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import NODE_MODULES, Server, serving, write_project
from tests.docs._blocks import cites

MODELS = '''
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, Field


class Profile(BaseModel):
    name: str
    bio: str


class Fields(BaseModel):
    name: str
    bio: str
    nickname: str | None = None
    maybe: Optional[str] = None
    motto: str = "carpe diem"
    age: int | None = None
    agree: bool = False
    size: Literal["s", "m"] = "m"
    tags: list[str] = []


class Strict(BaseModel):
    title: Annotated[str, Field(min_length=1)]
    size: Literal["s", "m"]


class Terms(BaseModel):
    agree: bool = False
    tag: str = ""
    tags: list[str] = []
'''

PAGE = MODELS + '''

@action
async def save_profile(request, body: Profile):
    return {"saved": body.model_dump()}


@action
async def fields(request, body: Fields):
    return {"saved": body.model_dump()}


@action
async def strict(request, body: Strict):
    return {"saved": body.model_dump()}


@action
async def terms(request, body: Terms):
    return {"saved": body.model_dump()}


@action
async def untyped(request):
    form = await request.form()
    return {"body": await request.json(), "tags": form.getlist("tag")}


import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function ProfilePage() {
  const [log, setLog] = useState([])
  const add = (entry) => setLog((all) => [...all, entry])
  return (
    <main>
      <Form action="save_profile" onSuccess={(result) => add(['saved', result.saved])}
            onError={(message, fields) => add(['failed', message, fields])}>
        <label>Name <input name="name" required /></label>
        <label>Bio <textarea name="bio" /></label>
        <button type="submit">Save profile</button>
      </Form>
      <Form action="untyped" onSuccess={(result) => add(['untyped', result.body, result.tags])}>
        <input type="hidden" name="agree" value="off" />
        <label>Agree <input type="checkbox" name="agree" value="on" /></label>
        <input type="hidden" name="tag" value="a" />
        <input type="hidden" name="tag" value="b" />
        <button type="submit">Send untyped</button>
      </Form>
      <pre data-testid="log">{JSON.stringify(log)}</pre>
    </main>
  )
}
'''

API = MODELS + '''

async def post(request, body: Fields):
    return body.model_dump()


async def put(request, body: Strict):
    return body.model_dump()
'''

BLANKS = {"name": "Ada", "bio": "", "nickname": "", "maybe": "", "motto": "", "age": "", "agree": "", "size": ""}
READ = {"name": "Ada", "bio": "", "nickname": "", "maybe": "", "motto": "", "age": None, "agree": False, "size": "m",
        "tags": []}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("forms094") / "app",
                         {"pages/profile.pyxl": PAGE, "pages/api/fields.py": API}, NODE_MODULES)
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "f" * 40}) as server:
        yield server


@contextmanager
def _client(app: Server) -> Iterator[tuple[httpx.Client, str]]:
    """A client holding the CSRF cookie, and the token the page's forms carry."""
    with httpx.Client(base_url=app.url) as client:
        yield client, re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/profile").text).group(1)


def _multipart(client: httpx.Client, action: str, token: str, fields: list[tuple[str, str]],
               **headers: str) -> httpx.Response:
    """``fields`` posted as ``multipart/form-data``, as ``Form`` posts them, with the CSRF field."""
    files = [(name, (None, value)) for name, value in [("_csrf_token", token), *fields]]
    return client.post(f"/api/__actions/profile/{action}", files=files, headers=headers)


def _log(tab) -> list:  # type: ignore[no-untyped-def]
    """The page's log, without the CSRF token ``Form`` posts (0.9's ``Form`` sent it too)."""
    log = json.loads(tab.get_by_test_id("log").inner_text())
    for entry in log:
        if isinstance(entry[1], dict):
            entry[1].pop("_csrf_token", None)
    return log


@cites("docs/validation.md", "`bio: str` with `bio=` is `\"\"`")
def test_a_form_with_its_bio_left_empty_is_saved_with_an_empty_bio_in_chromium(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    tab = browser.new_page()
    try:
        tab.goto(app.url + "/profile")
        tab.wait_for_function("window.__PYXLE_ROOT__ !== undefined", timeout=15000)
        tab.get_by_label("Name").fill("Ada")
        tab.get_by_role("button", name="Save profile").click()
        tab.wait_for_function("document.querySelector('[data-testid=log]').textContent !== '[]'", timeout=15000)
        assert _log(tab) == [["saved", {"name": "Ada", "bio": ""}]]
    finally:
        tab.close()


@cites("docs/validation.md", "A form field posted empty is `\"\"` where `\"\"` is a valid value of the field's type")
def test_an_empty_field_is_an_empty_string_where_its_type_takes_one_and_not_sent_elsewhere(app: Server) -> None:
    with _client(app) as (client, token):
        answer = _multipart(client, "fields", token, list(BLANKS.items()))
        assert (answer.status_code, answer.json()) == (200, {"ok": True, "saved": READ})
        answer = _multipart(client, "fields", token, [*BLANKS.items(), ("tags", "")])
        assert answer.json()["saved"]["tags"] == [""]  # a list keeps what was sent
        no_js = _multipart(client, "save_profile", token, [("name", "Ada"), ("bio", "")], accept="text/html",
                           referer=app.url + "/profile")
        assert no_js.status_code == 303, no_js.text[:300]


@cites("docs/validation.md", "a required field posted empty is `\"Field required\"`")
@cites("docs/validation.md", "`title: Annotated[str, Field(min_length=1)]` posted empty is `\"Field required\"`")
def test_an_empty_field_whose_type_refuses_an_empty_string_is_still_field_required(app: Server) -> None:
    with _client(app) as (client, token):
        answer = _multipart(client, "strict", token, [("title", ""), ("size", "")])
        assert answer.status_code == 422
        assert answer.json()["fields"] == {"title": ["Field required"], "size": ["Field required"]}
    api = httpx.put(app.url + "/api/fields", data={"title": "", "size": ""})
    assert (api.status_code, api.json()["fields"]) == (422, {"title": ["Field required"], "size": ["Field required"]})


def test_a_typed_api_route_reads_an_empty_field_by_the_same_rule(app: Server) -> None:
    urlencoded = httpx.post(app.url + "/api/fields", data=BLANKS)
    assert (urlencoded.status_code, urlencoded.json()) == (200, READ)
    multipart = httpx.post(app.url + "/api/fields", files=[(k, (None, v)) for k, v in BLANKS.items()])
    assert (multipart.status_code, multipart.json()) == (200, READ)


@cites("docs/pages.md", "a name sent more than once is its last value")
def test_an_untyped_action_reads_the_last_value_of_a_repeated_name_in_chromium(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    tab = browser.new_page()
    try:
        tab.goto(app.url + "/profile")
        tab.wait_for_function("window.__PYXLE_ROOT__ !== undefined", timeout=15000)
        tab.get_by_role("button", name="Send untyped").click()
        tab.wait_for_function("document.querySelector('[data-testid=log]').textContent !== '[]'", timeout=15000)
        tab.get_by_label("Agree").check()
        tab.get_by_role("button", name="Send untyped").click()
        tab.wait_for_function("JSON.parse(document.querySelector('[data-testid=log]').textContent).length === 2",
                              timeout=15000)
        assert _log(tab) == [["untyped", {"agree": "off", "tag": "b"}, ["a", "b"]],
                             ["untyped", {"agree": "on", "tag": "b"}, ["a", "b"]]]
    finally:
        tab.close()


@cites("docs/pages.md", "`await request.form()` keeps every value")
def test_an_untyped_action_posted_a_repeated_name_gets_its_last_value_and_the_form_keeps_all(app: Server) -> None:
    with _client(app) as (client, token):
        answer = _multipart(client, "untyped", token, [("tag", "a"), ("title", ""), ("tag", "b")])
        assert answer.json() == {"ok": True, "body": {"_csrf_token": token, "tag": "b", "title": ""},
                                 "tags": ["a", "b"]}
        urlencoded = client.post("/api/__actions/profile/untyped", data={"_csrf_token": token, "tag": ["a", "b"]})
        assert urlencoded.json()["body"]["tag"] == "b"


@cites("docs/validation.md", "a field that takes one value gets the last one sent")
def test_a_typed_field_that_takes_one_value_gets_the_last_of_a_repeated_name_and_a_list_gets_them_all(
        app: Server) -> None:
    with _client(app) as (client, token):
        checked = _multipart(client, "terms", token, [("agree", "off"), ("agree", "on"), ("tag", "a"), ("tag", "b"),
                                                      ("tags", "a"), ("tags", "b")])
        assert checked.json() == {"ok": True, "saved": {"agree": True, "tag": "b", "tags": ["a", "b"]}}
        unchecked = _multipart(client, "terms", token, [("agree", "off")])
        assert unchecked.json() == {"ok": True, "saved": {"agree": False, "tag": "", "tags": []}}
