"""What an operator meets after ordinary faults: a server killed with SIGKILL, clients over the
rate limit, a request that never ends at the shutdown deadline."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites

TOKEN = "metrics-token-for-tests"
METRICS = {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}
HELLO = "async def get(request):\n    return {'hello': 'world'}\n"
ITEM = "async def get(request):\n    return {'id': request.path_params['id']}\n"
# A body that never ends (an event stream would be ended at SIGTERM: tests/e2e/test_stream_shutdown.py).
FEED = """
import asyncio
from starlette.responses import StreamingResponse

async def get(request):
    async def lines():
        i = 0
        while True:
            yield f"{i}\\n"
            i += 1
            await asyncio.sleep(0.2)
    return StreamingResponse(lines(), media_type="text/plain")
"""


def _metrics_folders(tmp: Path) -> set[str]:
    return {path.name for path in tmp.glob("pyxle-metrics-*")}


def _run_folders(tmp: Path) -> set[str]:
    return {path.name for path in tmp.glob("pyxle-run-*")}


@cites("docs/observability.md", "A folder that `pyxle serve` made is removed as it exits; one left by a server killed with\n"
       "SIGKILL (`pyxle-metrics-*` in the temporary folder) is removed by the next `pyxle serve` that starts with\n"
       "metrics on, once no process holds it. A folder named by `PROMETHEUS_MULTIPROC_DIR` is never removed.")
@cites("docs/deployment.md", "(`pyxle-run-*`: its workers' heartbeats), removed as it exits. One left by a server killed with\n"
       "  SIGKILL (a crash, the OOM killer) is removed by the next `pyxle serve` that starts, once no\n"
       "  process holds it")
def test_a_metrics_folder_left_by_a_killed_server_is_removed_by_the_next_start(make_project, start_server,
                                                                              tmp_path: Path) -> None:
    """`kill -9` of `pyxle serve` left its `/tmp/pyxle-metrics-XXXX` behind, one more per crash or
    OOM kill. The next start removes it, and only it: not a running server's folder, not a folder
    of that name that is no Pyxle's, not one the operator named."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    foreign = tmp / "pyxle-metrics-foreign"  # not Pyxle's: a name alone is no proof
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    named = tmp / "pyxle-metrics-named"  # the operator's own
    named.mkdir()
    project = make_project({"pages/api/hello.py": HELLO,
                            "pyxle.config.json": json.dumps({"observability": METRICS})})
    env = {"TMPDIR": str(tmp)}
    live = start_server(project, "serve", env=env)
    live_folder = _metrics_folders(tmp) - {foreign.name, named.name}
    live_run = _run_folders(tmp)
    assert len(live_folder) == 1 and len(live_run) == 1, sorted(tmp.iterdir())
    killed = start_server(project, "serve", env=env)
    killed_folder = _metrics_folders(tmp) - live_folder - {foreign.name, named.name}
    killed_runs = _run_folders(tmp) - live_run
    assert len(killed_folder) == 1 and len(killed_runs) == 1, sorted(tmp.iterdir())
    os.killpg(killed.proc.pid, signal.SIGKILL)
    killed.wait_exit(timeout=10)
    assert killed_folder <= _metrics_folders(tmp)  # left behind, as SIGKILL allows nothing else
    with_named = start_server(project, "serve", env={**env, "PROMETHEUS_MULTIPROC_DIR": str(named)})
    assert httpx.get(with_named.url + "/api/hello").status_code == 200
    os.killpg(with_named.proc.pid, signal.SIGKILL)
    with_named.wait_exit(timeout=10)
    killed_runs |= _run_folders(tmp) - live_run  # left too (the first may be gone already: this start removed it)
    time.sleep(1)  # the killed servers' orphaned workers leave
    last = start_server(project, "serve", env=env)
    left = _metrics_folders(tmp)
    assert not killed_folder & left, sorted(tmp.iterdir())
    assert not killed_runs & _run_folders(tmp) and live_run <= _run_folders(tmp), sorted(tmp.iterdir())
    # said in one line each, in words other tests' "killed" checks do not take for a crash
    said = with_named.output() + last.output()  # either start may have found them gone (orphaned workers left)
    assert re.search(r"removed \d+ metrics folders? that no running server holds", said), said
    assert re.search(r"removed \d+ run folders? that no running server holds", said), said
    assert "killed" not in said.lower(), said
    assert live_folder <= left and foreign.name in left and named.name in left
    assert (foreign / "keep.txt").read_text() == "mine"
    assert httpx.get(live.url + "/api/hello").status_code == 200


@cites("docs/observability.md", "A `429` of `rateLimit` is counted under the route the URL would have reached")
def test_rate_limit_refusals_are_counted_under_the_route_asked_for(make_project, start_server) -> None:
    """A 429 was counted as `route="-"`, apart from the route it refused: a dashboard of one route's
    answers never showed its refusals. It is counted under the route's pattern, and logged with it."""
    config = {"rateLimit": {"requests": 2, "window": 60, "exemptPaths": ["/api/__pyxle"]},
              "observability": {**METRICS, "logFormat": "json"}}
    project = make_project({"pages/api/items/[id].py": ITEM, "pyxle.config.json": json.dumps(config)})
    server = start_server(project, "serve")
    statuses = [httpx.get(server.url + f"/api/items/{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    refused = httpx.get(server.url + "/api/missing")
    assert refused.status_code == 429

    def counted() -> str:
        return httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text

    deadline = time.monotonic() + 10
    while 'route="/api/items/{id}",status="429"' not in counted():
        assert time.monotonic() < deadline, counted()
        time.sleep(0.3)
    text = counted()
    assert 'pyxle_http_requests_total{method="GET",route="/api/items/{id}",status="429"} 1.0' in text, text
    assert 'pyxle_http_requests_total{method="GET",route="-",status="429"} 1.0' in text, text  # no route there
    line = server.wait_for_output('"path":"/api/items/2"')
    [entry] = [json.loads(raw) for raw in line.splitlines() if '"path":"/api/items/2"' in raw]
    assert entry["status"] == 429 and entry["route"] == "/api/items/{id}"


def _listening(url: str) -> threading.Thread:
    """A client reading the endless stream at ``url`` until the server cuts it, once its first line came."""
    opened = threading.Event()

    def listen() -> None:
        try:
            with httpx.stream("GET", url, timeout=20) as response:
                for _ in response.iter_lines():
                    opened.set()
        except httpx.HTTPError:
            pass  # cut off at the deadline

    client = threading.Thread(target=listen, daemon=True)
    client.start()
    assert opened.wait(10)
    return client


@cites("docs/observability.md", "A request still running at the shutdown deadline (a streamed answer that never ends) gets its\n"
       "line then")
@cites("docs/deployment.md", "Each request cut at the deadline gets its access-log line, marked\n  as cut, and one warning names them")
def test_a_stream_cut_by_the_shutdown_deadline_gets_its_access_line_and_a_warning_naming_it(
        make_project, start_server) -> None:
    """An endless stream held the stop until the worker was killed, and left no access-log line;
    only granian's `Killing worker-1` said anything, without the request that held it."""
    project = make_project({"pages/api/feed.py": FEED, "pages/api/hello.py": HELLO})
    server = start_server(project, "serve", "--shutdown-timeout", "2", env=SHARED_SECRET)
    client = _listening(server.url + "/api/feed")
    httpx.get(server.url + "/api/hello")
    server.proc.send_signal(signal.SIGTERM)
    server.wait_exit(timeout=20)
    client.join(5)
    out = server.output()
    [line] = [line for line in out.splitlines() if '"GET /api/feed"' in line]
    assert '"GET /api/feed" 200 ' in line and line.endswith(" cut"), out
    assert "the shutdown deadline (2s) passed with 1 request still running; cut off: GET /api/feed" in out, out
    assert '"GET /api/hello" 200 ' in out and not any(
        line.endswith(" cut") for line in out.splitlines() if "/api/hello" in line)


def test_a_stream_cut_by_the_shutdown_deadline_is_marked_cut_in_json_logs(make_project, start_server) -> None:
    """In JSON the cut request's line says `"cut": true`; lines of answered requests have no such key."""
    project = make_project({"pages/api/feed.py": FEED,
                            "pyxle.config.json": json.dumps({"observability": {"logFormat": "json"}})})
    server = start_server(project, "serve", "--shutdown-timeout", "2", env=SHARED_SECRET)
    _listening(server.url + "/api/feed")
    server.proc.send_signal(signal.SIGTERM)
    server.wait_exit(timeout=20)
    entries = [json.loads(line) for line in server.lines if line.startswith("{")]
    [access] = [e for e in entries if e.get("path") == "/api/feed"]
    assert access["status"] == 200 and access["cut"] is True and access["duration_ms"] > 1000, access
    [warning] = [e for e in entries if "shutdown deadline" in e.get("message", "")]
    assert warning["level"] == "warning" and "GET /api/feed" in warning["message"], warning
