"""A loader or action sends what its return annotation dumps to in JSON, as an API route does:
a dataclass or TypedDict holding a `datetime` is an ISO string (as the generated types say), not a 500."""

from __future__ import annotations

import httpx

EVENT_PAGE = '''
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from typing_extensions import TypedDict


@dataclass
class Event:
    title: str
    when: datetime


class Stamp(TypedDict):
    when: datetime


class Account(BaseModel):
    name: str
    password_hash: str = Field(default="", exclude=True)
    tags: list[str] = []


@server
async def load(request) -> Event:
    return Event(title="launch", when=datetime(2024, 1, 2, 3, 4, 5))


@action
async def again(request) -> Event:
    return invalidate_routes({"title": "again", "when": datetime(2024, 1, 2, 3, 4, 5)}, "/")


@action
async def stamp(request) -> Stamp:
    return {"when": datetime(2024, 1, 2)}


@action
async def account(request) -> Account:
    return {"name": "ada", "password_hash": "pbkdf2$hash-of-ada"}


export default function Home({ data }) {
  return <p>{data.title} at {data.when}</p>
}
'''

STAMP_PAGE = '''
from datetime import datetime

from typing_extensions import TypedDict


class Stamp(TypedDict):
    when: datetime


@server
async def load(request) -> tuple[Stamp, int]:
    return {"when": datetime(2024, 1, 2)}, 201


export default function Stamped({ data }) {
  return <p>{data.when}</p>
}
'''


def test_a_loader_and_actions_returning_dataclasses_and_typeddicts_with_datetimes_answer_iso_strings(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project({"pages/index.pyxl": EVENT_PAGE, "pages/stamp.pyxl": STAMP_PAGE}))
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/", headers={"x-pyxle-navigation": "1"})
        assert page.status_code == 200
        assert page.json()["props"]["data"] == {"title": "launch", "when": "2024-01-02T03:04:05"}
        stamped = client.get("/stamp", headers={"x-pyxle-navigation": "1"})
        assert (stamped.status_code, stamped.json()["props"]["data"]) == (201, {"when": "2024-01-02T00:00:00"})
        client.get("/")  # the document sets the CSRF cookie (navigation JSON sets none)
        headers = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        again = client.post("/api/__actions/index/again", json={}, headers=headers)
        assert (again.status_code, again.json()) == (200, {"ok": True, "title": "again", "when": "2024-01-02T03:04:05"})
        assert again.headers["x-pyxle-invalidate"] == "/"  # invalidate_routes() is kept beside the dumped data
        stamp = client.post("/api/__actions/index/stamp", json={}, headers=headers)
        assert (stamp.status_code, stamp.json()) == (200, {"ok": True, "when": "2024-01-02T00:00:00"})
        account = client.post("/api/__actions/index/account", json={}, headers=headers)
        assert (account.status_code, account.json()) == (200, {"ok": True, "name": "ada", "tags": []})


POST_PAGE = '''
from dataclasses import dataclass


@dataclass
class Post:
    title: str


@server
async def load(request) -> Post:
    return {"title": 31337}


export default function Home({ data }) {
  return <p>{data.title}</p>
}
'''


def test_a_loader_whose_data_does_not_match_its_annotation_is_a_500_logging_the_field_not_the_value(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project({"pages/index.pyxl": POST_PAGE}))
    page = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1"})
    assert page.status_code == 500 and "31337" not in page.text
    logged = server.wait_for_output("pages/index.pyxl: loader load() returned data that does not match its return "
                                    "annotation: {'title': ['Input should be a valid string']}")
    assert "31337" not in logged
