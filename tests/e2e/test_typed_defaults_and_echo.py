"""Typed parameters on a real `pyxle serve`: a mutable default is each request's own (as FastAPI
passes a deep copy), and a 422 quotes no more than a short piece of what the request sent."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

FILES = {
    "pages/api/mut.py": '''
async def get(request, expand: list[str] = []) -> dict:
    expand.append("x")
    return {"expand": expand}

async def put(request, body: dict = {}) -> dict:
    body["n"] = body.get("n", 0) + 1
    return body
''',
    "pages/api/pets.py": '''
from typing import Annotated, Literal, Union
from pydantic import BaseModel, Field

class Cat(BaseModel):
    kind: Literal["cat"]

class Dog(BaseModel):
    kind: Literal["dog"]

class Owner(BaseModel):
    pet: Annotated[Union[Cat, Dog], Field(discriminator="kind")]

async def post(request, body: Owner) -> dict:
    return {"kind": body.pet.kind}
''',
    "pages/api/strict.py": '''
from pydantic import BaseModel, ConfigDict

class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str

async def post(request, body: Strict) -> dict:
    return {"name": body.name}
''',
    "pages/mutact.pyxl": '''
@action
async def save(request, body: dict = {}):
    body.setdefault("seen", []).append(request.headers.get("x-user", "?"))
    return {"body": body}

export default function Page() { return <p>mut</p> }
''',
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("typed-defaults"), FILES)) as server:
        yield server


@cites("docs/validation.md", "A mutable default (`expand: list[str] = []`, `body: dict = {}`) is copied for each\nrequest")
def test_a_mutable_default_of_an_api_route_is_each_requests_own(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        gets = [client.get("/api/mut").json() for _ in range(3)]
        puts = [client.put("/api/mut", headers={"content-length": "0"}).json() for _ in range(2)]
    assert gets == [{"expand": ["x"]}] * 3
    assert puts == [{"n": 1}] * 2


def test_a_mutable_default_body_of_an_action_is_each_requests_own(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.get("/mutact")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        answers = [client.post("/api/__actions/mutact/save", headers={**csrf, "x-user": user,
                                                                       "content-length": "0"}).json()
                   for user in ("alice", "bob")]
    assert answers == [{"ok": True, "body": {"seen": ["alice"]}}, {"ok": True, "body": {"seen": ["bob"]}}]


@cites("docs/validation.md", "A message that quotes the request (a discriminator's tag, a `Content-Type`) quotes at\nmost its first 40 characters")
def test_a_422_quotes_at_most_a_short_piece_of_a_discriminator_tag(server: Server) -> None:
    response = httpx.post(server.url + "/api/pets", json={"pet": {"kind": "<img src=x>" + "A" * 200_000}})
    assert response.status_code == 422
    assert len(response.content) < 1000, response.content[:300]
    assert "A" * 41 not in response.text
    assert "<img src=x>" + "A" * 29 + "…" in response.json()["fields"]["pet"][0]


def test_a_422_quotes_at_most_a_short_piece_of_a_wrong_content_type(server: Server) -> None:
    response = httpx.put(server.url + "/api/mut", content=b"{}", headers={"content-type": "text/" + "A" * 20_000})
    assert response.status_code == 422
    assert len(response.content) < 1000, response.content[:300]
    message = response.json()["fields"]["__root__"][0]
    assert message == f"Content-Type text/{'A' * 35}… is not JSON or a form; send application/json"


def test_a_short_content_type_is_quoted_whole(server: Server) -> None:
    response = httpx.put(server.url + "/api/mut", content=b"{}", headers={"content-type": "text/plain"})
    assert response.json()["fields"]["__root__"] == ["Content-Type text/plain is not JSON or a form; send application/json"]


@cites("docs/validation.md", "a part of a key of\n`fields` that the request named (an extra key the model forbids, a dictionary's key) at most its first 100")
def test_a_422_names_an_extra_key_by_at_most_a_short_piece_of_it(server: Server) -> None:
    response = httpx.post(server.url + "/api/strict", json={"name": "x", "k" * 200_000: 1})
    assert response.status_code == 422
    assert len(response.content) < 1000, response.content[:300]
    assert response.json()["fields"] == {"k" * 100 + "…": ["Extra inputs are not permitted"]}
    short = httpx.post(server.url + "/api/strict", json={"name": "x", "colour": 1})
    assert short.json()["fields"] == {"colour": ["Extra inputs are not permitted"]}
