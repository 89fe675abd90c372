"""``invalidate_routes`` as pyxle-framework 0.9's apps call it, under a real ``pyxle serve``: on a
Starlette ``Response`` (the header set on it), on a dict an API route returns, and with URLs alone
as a statement in an action. A probe found the first and the last answering 500 where 0.9.4
answered 200 (``TypeError: 'JSONResponse' object is not iterable``, ``ValueError: dictionary
update sequence``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites

ROUTE = """
from starlette.responses import JSONResponse
from pyxle.runtime import invalidate_routes

async def get(request):
    kind = request.query_params["kind"]
    if kind == "response":
        return invalidate_routes(JSONResponse({"status": "ok"}), "/posts")
    if kind == "twice":
        marked = invalidate_routes(JSONResponse({"status": "ok"}), "/posts")
        return invalidate_routes(marked, "/tag/日本")
    if kind == "dict":
        return invalidate_routes({"status": "ok"}, "/posts", "/")
    if kind == "statement":
        invalidate_routes("/posts")
        return {"status": "ok"}
    return invalidate_routes({"status": "ok"})  # no URL: unchanged
"""

PAGE = """
import counter

@server
async def load(request):
    return {"n": counter.bump("home")}

@action
async def save(request):
    invalidate_routes("/")  # a statement, as 0.9 apps wrote it
    return {"saved": True}

@action
async def save_both(request):
    invalidate_routes("/", "/other")
    return invalidate_routes({"saved": True}, "/more")

export default function Home({ data }) { return <p>home {data.n}</p> }
"""

COUNTER = """
import os
from pathlib import Path

def bump(name):
    with open(Path(os.environ["COUNTS"]) / name, "a") as f:
        f.write("x")
    return (Path(os.environ["COUNTS"]) / name).stat().st_size
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/api/refresh.py": ROUTE, "pages/index.pyxl": PAGE, "counter.py": COUNTER,
             "pyxle.config.json": json.dumps({"cache": {"/": 60}})}
    root = write_project(tmp_path_factory.mktemp("invalidate") / "app", files)
    (root / "counts").mkdir()
    with serving(root, "--ssr-workers", "1", env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


def refresh(app: Server, kind: str) -> httpx.Response:
    answer = httpx.get(app.url + "/api/refresh", params={"kind": kind}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


@cites("docs/pages.md", "On a Starlette `Response` (an API route's, say) it sets the header itself, added to one "
                        "already there")
def test_invalidate_routes_on_a_starlette_response_sets_its_header(app: Server) -> None:
    answer = refresh(app, "response")
    assert answer.json() == {"status": "ok"} and answer.headers["x-pyxle-invalidate"] == "/posts"
    again = refresh(app, "twice")
    assert again.headers["x-pyxle-invalidate"] == "/posts, /tag/%E6%97%A5%E6%9C%AC"


@cites("docs/pages.md", "A dict an API route returns so marked is sent without the mark, the URLs in the header")
def test_a_marked_dict_from_an_api_route_sends_the_header_not_the_mark(app: Server) -> None:
    answer = refresh(app, "dict")
    assert answer.json() == {"status": "ok"}  # was: {"status": "ok", "__pyxle_invalidate__": ["/posts", "/"]}
    assert answer.headers["x-pyxle-invalidate"] == "/posts, /"
    plain = refresh(app, "none")
    assert plain.json() == {"status": "ok"} and "x-pyxle-invalidate" not in plain.headers


@cites("docs/pages.md", "Outside an action such a call changes nothing and logs a warning saying so")
def test_a_statement_call_in_an_api_route_changes_nothing_and_says_so(app: Server) -> None:
    answer = refresh(app, "statement")
    assert answer.json() == {"status": "ok"} and "x-pyxle-invalidate" not in answer.headers
    assert "invalidate_routes('/posts') outside an action changes nothing" in app.wait_for_output("outside an action")


@cites("docs/pages.md", 'Called with URLs alone, as a statement in an action (`invalidate_routes("/posts")`), it '
                        "marks that action's answer")
def test_a_statement_call_in_an_action_marks_its_answer_and_purges_the_stored_page(app: Server) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as client:
        first = client.get("/")
        assert first.headers["x-pyxle-cache"] == "MISS"
        assert client.get("/").headers["x-pyxle-cache"] == "HIT"
        refused = client.post("/api/__actions/index/save", json={})  # a stored page carries no token:
        assert refused.status_code == 403  # the first post's refusal sets it (docs/security.md)
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        saved = client.post("/api/__actions/index/save", json={}, headers=token)
        assert (saved.status_code, saved.json()) == (200, {"ok": True, "saved": True})  # was: 500
        assert saved.headers["x-pyxle-invalidate"] == "/"
        assert client.get("/").headers["x-pyxle-cache"] == "MISS"  # the server's copy went too
        both = client.post("/api/__actions/index/save_both", json={}, headers=token)
        assert both.json() == {"ok": True, "saved": True}
        assert both.headers["x-pyxle-invalidate"] == "/more, /, /other"
