"""What a handler that fails does with the background tasks it had added
(`request.state.background.add_task`), on a real `pyxle serve --workers 1`: a crash (an exception
that reaches the 500) cancels them, for an action as for an API route; a refusal the handler
chose (an action's `ActionError`, an API route's `HTTPException`) is its answer, and they run.

A probe found it: an action that added a task and then raised `RuntimeError` answered
`500 {"ok":false,...}` and the task ran anyway (pyxle-framework 0.9.4's did not), after pyxle-db
had rolled back the action's writes: a confirmation e-mail for work undone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites

MARK = '''
import os

def mark(tag):
    with open(os.environ["MARKS"], "a") as marks:
        marks.write(tag + "\\n")
'''

PAGE = '''
from pyxle.runtime import ActionError
from marks import mark

@action
async def save(request):
    tag, mode = request.query_params["tag"], request.query_params.get("mode")
    request.state.background.add_task(mark, tag)
    if mode == "crash":
        raise RuntimeError("the action crashed")
    if mode == "refuse":
        raise ActionError("Taken", status_code=409)
    return {"saved": True}

export default function Page() { return <p>page</p> }
'''

API = '''
from starlette.exceptions import HTTPException
from marks import mark

async def post(request):
    tag, mode = request.query_params["tag"], request.query_params.get("mode")
    request.state.background.add_task(mark, tag)
    if mode == "crash":
        raise RuntimeError("the route crashed")
    if mode == "refuse":
        raise HTTPException(409, "Taken")
    return {"saved": True}
'''
DOC = "docs/middleware.md"
FORM = {"accept": "text/html"}  # with a form body: a browser's own post, answered with a page


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("bg-errors") / "app",
                         {"marks.py": MARK, "pages/index.pyxl": PAGE, "pages/api/route.py": API})
    with serving(root, "--workers", "1", "--no-access-log", env={"MARKS": str(root / "marks.txt"), **SHARED_SECRET}) \
            as server:
        server.marks = root / "marks.txt"  # type: ignore[attr-defined]
        yield server


def marks_after(app: Server, client: httpx.Client, tag: str) -> list[str]:
    """The tasks that ran, once a successful action's task (``tag``-ok), queued after them, has run
    and a second more has passed (a failed request's tasks, run after its 500 was logged, were seen
    to start after the next request's)."""
    assert post(client, f"/api/__actions/index/save?tag={tag}-ok").status_code == 200
    marks: Path = app.marks  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while f"{tag}-ok" not in (marks.read_text().split() if marks.exists() else []):
        assert time.monotonic() < deadline, "the successful action's task never ran"
        time.sleep(0.05)
    time.sleep(1)
    return marks.read_text().split()


def post(client: httpx.Client, url: str, form: bool = False) -> httpx.Response:
    token = client.cookies["pyxle-csrf"]
    if form:
        return client.post(url, data={"csrf_token": token}, headers=FORM)
    return client.post(url, json={}, headers={"x-csrf-token": token})


@pytest.fixture
def client(app: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app.url, timeout=30) as client:
        client.get("/")  # the CSRF cookie
        yield client


@cites(DOC, "An unexpected exception in an action or an API route, one that reaches the 500 handler, cancels\nthem.")
@pytest.mark.parametrize("form", [False, True], ids=["fetch", "form"])
def test_an_action_that_crashes_after_add_task_cancels_the_task(app: Server, client: httpx.Client, form: bool) -> None:
    """Before the fix the task ran after the action's 500 (`crash-fetch` in the marks)."""
    tag = f"crash-{'form' if form else 'fetch'}"
    answer = post(client, f"/api/__actions/index/save?tag={tag}&mode=crash", form)
    assert answer.status_code == 500
    if not form:
        assert answer.json() == {"ok": False, "error": "Internal Server Error"}
    assert tag not in marks_after(app, client, tag)


def test_an_api_route_that_crashes_after_add_task_cancels_the_task(app: Server, client: httpx.Client) -> None:
    answer = client.post("/api/route?tag=api-crash&mode=crash")
    assert answer.status_code == 500
    assert "api-crash" not in marks_after(app, client, "api-crash")


@cites(DOC, "A refusal the handler chose (an action's `ActionError`, an API route's `HTTPException`) is\nits answer: "
            "what it added before raising runs, as in pyxle-framework 0.9")
@pytest.mark.parametrize("url", ["/api/__actions/index/save", "/api/route"], ids=["action", "api"])
def test_a_refusal_after_add_task_still_runs_the_task(app: Server, client: httpx.Client, url: str) -> None:
    """An `ActionError` (as in pyxle-framework 0.9.4) or an `HTTPException`: the handler's own answer."""
    tag = f"refuse-{url.rsplit('/', 1)[1]}"
    answer = post(client, f"{url}?tag={tag}&mode=refuse")
    assert answer.status_code == 409
    assert tag in marks_after(app, client, tag)
