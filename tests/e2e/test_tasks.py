"""``pyxle.tasks``: ``enqueue(fn, *args)`` as pyxle-framework 0.9's starter (its AGENTS.md) tells
apps to write it, under a real ``pyxle serve``: tasks run beside the requests that queue them, a
bounded number at a time, sync ones in a thread, failures logged with the queuing request's id,
and a SIGTERM drains them within the shutdown deadline."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_server import wait_until

# The page is AGENTS.md's shape: the action queues the work and answers at once.
PAGE = """
import os
from pyxle.tasks import enqueue

async def send_welcome(email):
    await asyncio.sleep(0.5)
    with open(os.environ["TASKS_OUT"], "a") as out:
        out.write(f"welcome {email}\\n")

import asyncio

@action
async def sign_up(request):
    body = await request.json()
    enqueue(send_welcome, body["email"])
    return {"queued": True}

import React from 'react';

export default function Home() { return <p>home</p> }
"""

API = """
import asyncio
import os
import threading
import time

from pyxle.tasks import TaskQueueFull, enqueue, get_active_queue


def write(line):
    with open(os.environ["TASKS_OUT"], "a") as out:
        out.write(line + "\\n")


async def later(line, seconds):
    await asyncio.sleep(seconds)
    write(line)


def blocking(line, seconds):
    time.sleep(seconds)
    write(f"{line} {threading.current_thread() is threading.main_thread()}")


async def timed(number):
    write(f"start {number}")
    await asyncio.sleep(1)
    write(f"end {number}")


async def fails():
    raise ValueError("the mail server said no")


async def post(request):
    body = await request.json()
    kind = body["kind"]
    if kind == "later":
        enqueue(later, body["line"], body.get("seconds", 0))
    elif kind == "blocking":
        enqueue(blocking, body["line"], body["seconds"])
    elif kind == "six":
        for number in range(6):
            enqueue(timed, number)
    elif kind == "fails":
        enqueue(fails)
    elif kind == "lambda":
        enqueue(lambda: later(body["line"], 0))
    elif kind == "keyword":
        enqueue(later, body["line"], seconds=0)
    elif kind == "fill":
        queued = 0
        try:
            while True:
                enqueue(later, "filler", 0)
                queued += 1
        except TaskQueueFull as exc:
            return {"queued": queued, "refused": str(exc), "pending": get_active_queue().pending}
    return {"queued": True}
"""

# A plain ``def`` route runs in a thread: it queues from there.
SYNC_API = """
import os

from pyxle.tasks import enqueue


def write(line):
    with open(os.environ["TASKS_OUT"], "a") as out:
        out.write(line + "\\n")


def post(request):
    enqueue(write, "from a thread")
    return {"queued": True}
"""

FILES = {"pages/index.pyxl": PAGE, "pages/api/tasks.py": API, "pages/api/sync_tasks.py": SYNC_API,
         "pyxle.config.json": json.dumps({"csrf": {"apiRoutes": False}})}


def lines(out: Path) -> list[str]:
    return out.read_text().splitlines() if out.exists() else []


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tasks") / "out.txt"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, out: Path) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp("tasks-app") / "app", FILES)
    with serving(project, "--ssr-workers", "1", env={"TASKS_OUT": str(out)}) as server:
        yield server


def post(app: Server, body: dict) -> httpx.Response:
    return httpx.post(app.url + "/api/tasks", json=body, timeout=30)


@cites("docs/middleware.md", "`from pyxle.tasks import enqueue`, then `enqueue(fn, *args, **kwargs)`")
def test_an_action_written_as_the_094_starter_says_queues_work_and_answers_before_it_runs(
        app: Server, out: Path) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/")
        began = time.monotonic()
        answer = client.post("/api/__actions/index/sign_up", json={"email": "ada@example.com"},
                             headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
        answered = time.monotonic() - began
    assert answer.json() == {"ok": True, "queued": True}
    assert answered < 0.5 and "welcome ada@example.com" not in lines(out)  # the task sleeps 0.5 s first
    wait_until(lambda: "welcome ada@example.com" in lines(out), timeout=10)


@cites("docs/middleware.md", "a plain function runs in a thread")
def test_a_plain_function_runs_in_a_thread_and_does_not_hold_other_requests(app: Server, out: Path) -> None:
    assert post(app, {"kind": "blocking", "line": "slept", "seconds": 2}).json() == {"queued": True}
    began = time.monotonic()
    assert post(app, {"kind": "later", "line": "meanwhile"}).status_code == 200
    wait_until(lambda: "meanwhile" in lines(out), timeout=10)
    assert time.monotonic() - began < 1.5, "the loop waited for the blocking task"
    wait_until(lambda: "slept False" in lines(out), timeout=10)  # False: not the main thread


def test_keyword_arguments_and_a_callable_returning_a_coroutine_both_run(app: Server, out: Path) -> None:
    post(app, {"kind": "keyword", "line": "with keywords"})
    post(app, {"kind": "lambda", "line": "from a lambda"})
    wait_until(lambda: {"with keywords", "from a lambda"} <= set(lines(out)), timeout=10)


def test_a_sync_api_route_queues_from_its_thread(app: Server, out: Path) -> None:
    assert httpx.post(app.url + "/api/sync_tasks", timeout=10).json() == {"queued": True}
    wait_until(lambda: "from a thread" in lines(out), timeout=10)


@cites("docs/middleware.md", "A task that raises is logged with its traceback and the id of the request that queued it")
def test_a_failing_task_is_logged_with_the_queuing_request_id_and_the_queue_goes_on(app: Server, out: Path) -> None:
    answer = post(app, {"kind": "fails"})
    request_id = answer.headers["x-request-id"]
    output = app.wait_for_output("the mail server said no")
    failure = next(line for line in output.splitlines() if "Background task fails failed" in line)
    assert f"[{request_id}]" in failure and " ERROR " in failure
    assert "Traceback" in output and "ValueError: the mail server said no" in output
    post(app, {"kind": "later", "line": "after the failure"})
    wait_until(lambda: "after the failure" in lines(out), timeout=10)


@cites("docs/middleware.md", "at most 4 run at a time and the rest wait their turn")
def test_at_most_four_tasks_run_at_a_time(app: Server, out: Path) -> None:
    post(app, {"kind": "six"})
    wait_until(lambda: "end 5" in lines(out), timeout=20)
    order = [line for line in lines(out) if line.split()[0] in ("start", "end") and line.split()[1].isdigit()]
    first_end = next(at for at, line in enumerate(order) if line.startswith("end"))
    assert sorted(order[:first_end]) == ["start 0", "start 1", "start 2", "start 3"], order
    assert order.index("start 4") > first_end and order.index("start 5") > first_end, order


@cites("docs/middleware.md", "past 1,000 waiting, `enqueue` raises `TaskQueueFull`")
def test_past_a_thousand_waiting_enqueue_raises_task_queue_full(app: Server) -> None:
    answer = post(app, {"kind": "fill"}).json()
    assert answer["queued"] == 1000 and answer["pending"] == 1000, answer  # none started: the route has not awaited
    assert answer["refused"].startswith("The task queue is full (1000 tasks waiting)")


@cites("docs/middleware.md", "A SIGTERM lets queued and running tasks finish within the shutdown deadline")
def test_a_sigterm_drains_the_tasks_and_cancels_what_outlives_the_deadline(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    project = write_project(tmp_path / "app", FILES)
    with serving(project, "--ssr-workers", "1", env={"TASKS_OUT": str(out), "PYXLE_SHUTDOWN_TIMEOUT": "3"}) as app:
        post(app, {"kind": "later", "line": "finished in time", "seconds": 1})
        post(app, {"kind": "later", "line": "never", "seconds": 30})
        app.proc.send_signal(signal.SIGTERM)
        assert app.proc.wait(20) == 0
        output = app.output()
    assert lines(out) == ["finished in time"]
    # The deadline, not what was left of it when the requests were done (it said "within 0s").
    assert "1 background task(s) cancelled at shutdown: they had not finished within 3s" in output, output


HELD_API = """
import asyncio
import os

from pyxle.tasks import TaskQueueFull, enqueue


async def held():
    while not os.path.exists(os.environ["TASKS_GATE"]):
        await asyncio.sleep(0.05)


async def fails():
    raise ValueError("the mail server said no")


async def post(request):
    if (await request.json())["kind"] == "fails":
        enqueue(fails)
        return {"queued": 1}
    refused = 0
    for _ in range(1003):
        try:
            enqueue(held)
        except TaskQueueFull:
            refused += 1
    return {"refused": refused}
"""
TOKEN = "tasks-metrics-token"


def task_figures(server: Server) -> dict[str, float]:
    text = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"},
                     timeout=10).text
    return {name: float(value) for name, value in
            (line.rsplit(" ", 1) for line in text.splitlines() if line.startswith("pyxle_tasks_"))}


@cites("docs/observability.md", "`pyxle_tasks_total`")
def test_the_metrics_count_tasks_waiting_running_and_how_they_ended(tmp_path: Path) -> None:
    """1,003 tasks queued at once: 1,000 are taken (4 run, 996 wait) and 3 refused; once they
    may finish, 1,000 are done; a failing one is counted as failed."""
    gate = tmp_path / "gate"
    project = write_project(tmp_path / "app", {
        "pages/api/held.py": HELD_API,
        "pyxle.config.json": json.dumps({"csrf": {"apiRoutes": False},
                                         "observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}})})
    with serving(project, "--ssr-workers", "1", env={"TASKS_GATE": str(gate)}) as app:
        assert httpx.post(app.url + "/api/held", json={"kind": "held"}, timeout=30).json() == {"refused": 3}
        wait_until(lambda: task_figures(app).get("pyxle_tasks_running") == 4)
        figures = task_figures(app)
        assert figures["pyxle_tasks_waiting"] == 996, figures
        assert figures['pyxle_tasks_total{outcome="refused"}'] == 3, figures
        gate.touch()
        wait_until(lambda: task_figures(app).get('pyxle_tasks_total{outcome="done"}') == 1000, timeout=60)
        httpx.post(app.url + "/api/held", json={"kind": "fails"}, timeout=30)
        wait_until(lambda: task_figures(app).get('pyxle_tasks_total{outcome="failed"}') == 1)
        figures = task_figures(app)
        assert figures["pyxle_tasks_waiting"] == 0 and figures["pyxle_tasks_running"] == 0, figures
