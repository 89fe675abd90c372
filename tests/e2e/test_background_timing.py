"""``request.state.background`` tasks run after the answer is sent, and are not request time: the
access line, the latency histogram and the shutdown warning end the request when its last body
message goes out. Real ``pyxle serve``, httpx, SIGTERM."""

from __future__ import annotations

import re
import signal
import time

import httpx

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites

TOKEN = "metrics-token-for-tests"
SLOWTASK = """
import asyncio

async def work(secs):
    await asyncio.sleep(secs)

async def post(request):
    request.state.background.add_task(work, float(request.query_params.get("secs", "3")))
    return {"ok": True}
"""
CONFIG = f'{{"observability": {{"metricsEndpoint": true, "metricsEndpointToken": "{TOKEN}"}}}}'


def _line(out: str) -> str:
    [line] = [line for line in out.splitlines() if '"POST /api/slowtask"' in line]
    return line


@cites("docs/middleware.md", "what you add runs once the response is sent")
def test_a_background_task_is_not_counted_in_the_access_line_or_the_latency_histogram(make_project,
                                                                                        start_server) -> None:
    project = make_project({"pages/api/slowtask.py": SLOWTASK, "pyxle.config.json": CONFIG})
    server = start_server(project, "serve", env=SHARED_SECRET)
    started = time.monotonic()
    assert httpx.post(server.url + "/api/slowtask?secs=3").json() == {"ok": True}
    out = server.wait_for_output('"POST /api/slowtask"', timeout=2.5)  # written when answered, not when the task ends
    assert time.monotonic() - started < 2.5
    duration = float(re.search(r'"POST /api/slowtask" 200 ([0-9.]+)ms', _line(out)).group(1))
    assert duration < 1000, _line(out)
    time.sleep(3.5)  # the task has ended: still one line, the same
    assert _line(server.output()) == _line(out)
    metrics = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
    bucket = re.search(r'pyxle_http_request_duration_seconds_bucket\{[^}]*le="1\.0"[^}]*route="/api/slowtask"[^}]*\}'
                       r' ([0-9.]+)|pyxle_http_request_duration_seconds_bucket\{[^}]*route="/api/slowtask"[^}]*'
                       r'le="1\.0"[^}]*\} ([0-9.]+)', metrics)
    assert bucket is not None, metrics
    assert float(bucket.group(1) or bucket.group(2)) == 1.0, metrics


@cites("docs/observability.md", "the shutdown deadline (2s) passed with the background tasks of 1 request still running; cancelled:")
def test_a_background_task_running_at_the_shutdown_deadline_is_named_as_a_task_not_a_request_cut(
        make_project, start_server) -> None:
    project = make_project({"pages/api/slowtask.py": SLOWTASK})
    server = start_server(project, "serve", "--shutdown-timeout", "2", env=SHARED_SECRET)
    assert httpx.post(server.url + "/api/slowtask?secs=30").status_code == 200
    server.wait_for_output('"POST /api/slowtask" 200')
    server.proc.send_signal(signal.SIGTERM)
    server.wait_exit(timeout=20)
    out = server.output()
    assert "the shutdown deadline (2s) passed with the background tasks of 1 request still running; cancelled: " \
           "POST /api/slowtask" in out, out
    assert "request still running; cut off" not in out, out
    assert not _line(out).endswith(" cut"), out
