"""Awkward bodies for typed handlers and actions on a real `pyxle serve`: crafted JSON answered at
once, a single checked checkbox of a list field, unparseable forms, a byte order mark."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

MODELS = """
from typing import Optional

from pydantic import BaseModel, Field


class Tags(BaseModel):
    tags: list[str] = []
    ids: Optional[set[int]] = None
    label: str = ""
    n: int = 0
"""

API = """
from models import Tags


async def post(request, body: Tags):
    return {"tags": body.tags, "ids": sorted(body.ids) if body.ids is not None else None, "label": body.label}
"""

PLAIN = "async def get(request):\n    return {'ok': True}\n"

UNTYPED = """
async def post(request):
    value, depth = await request.json(), 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    return {"depth": depth}
"""

PAGE = '''
from models import Tags

@action
async def save(request, body: Tags):
    return {"tags": body.tags, "label": body.label}

import React from 'react'
import { Form } from 'pyxle/client'

export default function Page() {
  const [message, setMessage] = React.useState('')
  return (
    <main>
      <Form action="save" onSuccess={(r) => setMessage('tags: ' + r.tags.join(','))}
            onError={(msg, fields) => setMessage('error: ' + JSON.stringify(fields))}>
        <label><input type="checkbox" name="tags" value="a" /> A</label>
        <label><input type="checkbox" name="tags" value="b" /> B</label>
        <button type="submit">Save</button>
      </Form>
      <p data-testid="message">{message}</p>
    </main>
  )
}
'''

SIZE = 1 << 20  # the crafted bodies are 1 MB; the worker must answer them well within BOUND
BOUND = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"models.py": MODELS, "pages/api/tags.py": API, "pages/api/plain.py": PLAIN, "pages/index.pyxl": PAGE,
             "pages/api/untyped.py": UNTYPED}
    with serving(write_project(tmp_path_factory.mktemp("inputs"), files)) as server:
        yield server


@contextmanager
def _client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"]}


def _normal_json() -> bytes:
    rows = [{"id": i, "name": f'user {i} "q" \\ x', "tags": ["a", "b"], "meta": {"k": [1, {"z": "}]"}]}}
            for i in range(SIZE // 100)]
    return json.dumps({"tags": [row["name"] for row in rows], "rows": rows}).encode()  # extra keys are ignored


CRAFTED = {
    "an unterminated string of escaped quotes": b"[]" * 33 + b'"' + b'\\"' * (SIZE // 2),
    "unterminated strings each ending in a backslash": (b"[]" * 33 + b'"\\') * (SIZE // 68),
    "a string of lone quotes and brackets": b"[]" * 33 + b'"[[' * (SIZE // 3),
    "nesting a million levels deep": b"[" * SIZE,
    "a normal megabyte of JSON": _normal_json(),
}


@pytest.mark.parametrize("body", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_megabyte_of_json_is_answered_at_once_and_does_not_hold_up_other_requests(
        server: Server, body: bytes) -> None:
    answer: dict[str, object] = {}

    def post() -> None:
        started = time.monotonic()
        try:
            answer["response"] = httpx.post(server.url + "/api/tags", content=body, timeout=15,
                                            headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            answer["response"] = exc
        answer["seconds"] = time.monotonic() - started

    poster = threading.Thread(target=post)
    poster.start()
    time.sleep(0.1)  # the body is on its way (or read) when the unrelated request arrives
    started = time.monotonic()
    other = httpx.get(server.url + "/api/plain", timeout=15)
    waited = time.monotonic() - started
    poster.join(20)
    response = answer["response"]
    assert isinstance(response, httpx.Response), response
    assert response.status_code in (200, 422)
    assert answer["seconds"] < BOUND
    assert other.json() == {"ok": True} and waited < 1.0


def test_json_nested_past_the_limit_behind_escaped_quotes_is_still_refused(server: Server) -> None:
    body = b'{"label": "\\"[\\\\", "n": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}"
    response = httpx.post(server.url + "/api/tags", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"__root__": ["JSON nested deeper than 32 levels"]}


@cites("docs/migrating.md", "nested\n  deeper than 32 levels get a 422 (`\"JSON nested deeper than 32 levels\"`), counted over the whole\n"
       "  body, fields the model ignores included; 0.9 read them. An untyped handler reading\n  `request.json()` itself is not limited")
def test_the_nesting_limit_counts_fields_a_typed_body_ignores_and_leaves_untyped_handlers_alone(server: Server) -> None:
    deep = b"[" * 40 + b"1" + b"]" * 40
    typed = httpx.post(server.url + "/api/tags", content=b'{"label": "x", "ignored": ' + deep + b"}",
                       headers={"content-type": "application/json"})
    assert typed.status_code == 422
    assert typed.json()["fields"] == {"__root__": ["JSON nested deeper than 32 levels"]}
    untyped = httpx.post(server.url + "/api/untyped", content=deep, headers={"content-type": "application/json"})
    assert untyped.status_code == 200 and untyped.json() == {"depth": 40}


def test_one_value_of_a_list_field_in_a_urlencoded_form_is_a_list_of_one(server: Server) -> None:
    response = httpx.post(server.url + "/api/tags", data={"tags": "a", "ids": "7", "label": "x"})
    assert response.status_code == 200, response.text
    assert response.json() == {"tags": ["a"], "ids": [7], "label": "x"}
    repeated = httpx.post(server.url + "/api/tags", content=b"tags=a&tags=b",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert repeated.json()["tags"] == ["a", "b"]


def test_one_value_of_a_list_field_in_a_multipart_form_is_a_list_of_one(server: Server) -> None:
    response = httpx.post(server.url + "/api/tags", files={"tags": (None, "a"), "label": (None, "x")})
    assert response.status_code == 200, response.text
    assert response.json() == {"tags": ["a"], "ids": None, "label": "x"}


def test_one_checked_checkbox_reaches_a_typed_action_as_a_list_urlencoded_or_multipart(server: Server) -> None:
    with _client(server) as (client, csrf):
        plain = client.post("/api/__actions/index/save", data={"tags": "a"}, headers=csrf)
        multipart = client.post("/api/__actions/index/save", files={"tags": (None, "b")}, headers=csrf)
    assert plain.json() == {"ok": True, "tags": ["a"], "label": ""}
    assert multipart.json() == {"ok": True, "tags": ["b"], "label": ""}


def test_a_no_js_form_post_with_one_checked_checkbox_succeeds(server: Server) -> None:
    with _client(server) as (client, _):
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        response = client.post("/api/__actions/index/save", data={"csrf_token": token, "tags": "a"},
                               headers={"accept": "text/html", "referer": server.url + "/"})
    assert response.status_code == 303, response.text[:300]


def test_a_form_with_one_of_two_checkboxes_checked_posts_a_list_in_the_browser(server: Server, page: PageWatch) -> None:
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_label("B").check()
    page.page.get_by_role("button", name="Save").click()
    page.page.get_by_test_id("message").filter(has_text="tags").wait_for()
    assert page.page.get_by_test_id("message").text_content() == "tags: b"


BAD_FORMS = {
    "multipart without a boundary": ({"content-type": "multipart/form-data"}, b"--x\r\n\r\n"),
    "a part without a name": ({"content-type": "multipart/form-data; boundary=x"},
                              b'--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n'),
    "more than 1000 fields": ({"content-type": "application/x-www-form-urlencoded"},
                              "&".join(f"f{i}=1" for i in range(1200)).encode()),
}


@pytest.mark.parametrize(("headers", "body"), BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_a_form_the_server_cannot_parse_is_a_422_under_the_root_key(server: Server, headers: dict[str, str],
                                                                     body: bytes) -> None:
    api = httpx.post(server.url + "/api/tags", content=body, headers=headers)
    with _client(server) as (client, csrf):
        action = client.post("/api/__actions/index/save", content=body, headers={**headers, **csrf})
    for response in (api, action):
        assert response.status_code == 422, response.text
        assert list(response.json()["fields"]) == ["__root__"]


def test_json_with_a_utf8_byte_order_mark_is_read_like_json_without_one(server: Server) -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"tags": ["a"], "label": "x"}).encode()
    headers = {"content-type": "application/json"}
    api = httpx.post(server.url + "/api/tags", content=body, headers=headers)
    assert api.status_code == 200, api.text
    assert api.json() == {"tags": ["a"], "ids": None, "label": "x"}
    with _client(server) as (client, csrf):
        action = client.post("/api/__actions/index/save", content=body, headers={**headers, **csrf})
    assert action.json() == {"ok": True, "tags": ["a"], "label": "x"}
