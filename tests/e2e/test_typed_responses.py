"""A typed API route's answer goes through its return annotation in `pyxle serve` as in `pyxle dev`:
validated, then dumped, as FastAPI's ``response_model`` does (a real server, real HTTP)."""

from __future__ import annotations

import httpx

USER_API = '''
from pydantic import BaseModel, Field


class User(BaseModel):
    name: str
    password_hash: str = Field(default="", exclude=True)
    tags: list[str] = []


async def get(request) -> User:
    return {"name": "ada", "password_hash": "pbkdf2$hash-of-ada", "is_admin": True}  # a database row
'''

POST_API = '''
from pydantic import BaseModel


class Post(BaseModel):
    title: str


async def get(request) -> Post:
    return {"title": 31337}
'''


def test_pyxle_serve_drops_excluded_and_unknown_fields_and_fills_defaults(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/me.py": USER_API}), "serve")
    response = httpx.get(server.url + "/api/me")
    assert (response.status_code, response.json()) == (200, {"name": "ada", "tags": []})
    httpx.get(server.url + "/api/me")  # a second answer: pydantic warns only once per process
    server.wait_for_output('"GET /api/me" 200')
    assert "hash-of-ada" not in server.output() and "UserWarning" not in server.output()


def test_pyxle_serve_answers_a_mismatched_response_with_a_bare_500_and_logs_field_names_only(
        make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/post.py": POST_API}), "serve")
    response = httpx.get(server.url + "/api/post")
    assert (response.status_code, response.json()) == (500, {"error": "Internal Server Error"})
    logged = server.wait_for_output("the response does not match its return annotation")
    assert "'title': ['Input should be a valid string']" in logged
    server.wait_for_output('"GET /api/post" 500')
    assert "31337" not in server.output()


def test_pyxle_dev_names_the_mismatched_field_in_its_500(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/post.py": POST_API}), "dev")
    response = httpx.get(server.url + "/api/post")
    assert response.status_code == 500
    assert "'title': ['Input should be a valid string']" in response.json()["exception"]
    assert "31337" not in response.text
