"""A typed API route opted into CSRF takes a form whose token is in a field: against `pyxle serve`."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.docs._blocks import cites

POSTS = """
from pydantic import BaseModel, ConfigDict


class Post(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str


async def get(request):
    return {"ok": True}


async def post(request, body: Post):
    return {"title": body.title}
"""

RAW = "async def post(request, body: dict):\n    return {'got': body}\n"


@pytest.fixture
def server(make_project, start_server):  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/posts.py": POSTS, "pages/api/raw.py": RAW,
                            "pyxle.config.json": json.dumps({"csrf": {"apiRoutes": True}})})
    return start_server(project, "serve", env={"PYXLE_SECRET_KEY": "k" * 40})


@cites("docs/validation.md", "The form's CSRF field\n(`_csrf_token` or `csrf_token`, with `csrf.apiRoutes` on) is the token, not input")
@pytest.mark.parametrize("field", ["_csrf_token", "csrf_token"])
def test_a_form_posting_the_csrf_token_in_a_field_passes_a_forbid_extra_model(server, field) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url) as client:
        client.get("/api/posts")  # issues the CSRF cookie
        token = client.cookies["pyxle-csrf"]
        answer = client.post("/api/posts", data={"title": "Hello", field: token})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"title": "Hello"}
        multipart = client.post("/api/posts", data={field: token, "title": "Hi"}, files={"x": ("", b"")})
        assert multipart.status_code == 422 and set(multipart.json()["fields"]) == {"x"}, multipart.text  # only the file


def test_a_dict_body_from_a_form_does_not_hold_the_csrf_token(server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url) as client:
        client.get("/api/posts")
        token = client.cookies["pyxle-csrf"]
        answer = client.post("/api/raw", data={"_csrf_token": token, "csrf_token": token, "n": "1"})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"got": {"n": "1"}}
