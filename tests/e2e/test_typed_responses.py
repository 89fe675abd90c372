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


PAIR_API = '''
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse


class User(BaseModel):
    id: int
    email: str
    password_hash: str = Field(exclude=True)


class Count(BaseModel):
    n: int


ROW = {"id": 1, "email": "a@example.com", "password_hash": "$argon2id$secret", "is_admin": True}


async def get(request, created: int = 0, model: int = 0) -> User:
    if model:
        return User(**ROW), 201
    return (ROW, 201) if created else ROW


async def post(request, raw: int = 0) -> Count:
    return (JSONResponse({"raw": True}), 202) if raw else ({"n": "many"}, 201)


async def patch(request) -> tuple[Count, int]:
    return Count(n=5), 201
'''


def test_a_body_with_a_status_goes_through_the_annotation_as_a_bare_return_does(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/users.py": PAIR_API}), "serve")
    user = {"id": 1, "email": "a@example.com"}
    assert httpx.get(server.url + "/api/users").json() == user
    for query in ("?created=1", "?model=1"):
        response = httpx.get(server.url + "/api/users" + query)
        assert (response.status_code, response.json()) == (201, user)
    assert httpx.post(server.url + "/api/users").status_code == 500  # not validated, it was sent as it was
    response = httpx.post(server.url + "/api/users?raw=1")
    assert (response.status_code, response.json()) == (202, {"raw": True})
    response = httpx.patch(server.url + "/api/users")
    assert (response.status_code, response.json()) == (201, {"n": 5})
    assert "$argon2id$secret" not in server.output()
