"""Loaders and actions may return what their annotations say: a pydantic model or a dataclass."""

from __future__ import annotations

import httpx

PAGE = '''
from dataclasses import dataclass

from pydantic import BaseModel


class Post(BaseModel):
    title: str
    tags: list[str]


@dataclass
class Saved:
    id: int
    title: str


@server
async def load(request) -> Post:
    return Post(title="Hello", tags=["a", "b"])


@action
async def save(request, body: Post) -> Saved:
    return Saved(id=7, title=body.title)


export default function Page({ data }) {
  return <h1>{data.title}</h1>
}
'''


def test_a_loader_returning_a_model_and_an_action_returning_a_dataclass_answer_json(make_project,
                                                                                  start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project({"pages/index.pyxl": PAGE}))
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/", headers={"x-pyxle-navigation": "1"})
        assert page.status_code == 200
        assert page.json()["props"]["data"] == {"title": "Hello", "tags": ["a", "b"]}
        client.get("/")  # the document sets the CSRF cookie (navigation JSON sets none)
        token = client.cookies["pyxle-csrf"]
        saved = client.post("/api/__actions/index/save", json={"title": "New", "tags": []},
                            headers={"x-csrf-token": token})
        assert saved.status_code == 200
        assert saved.json() == {"ok": True, "id": 7, "title": "New"}
