"""Metrics across the life of server workers: a worker killed or crashed leaves no figure behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import httpx
import websockets

from tests.conftest import SHARED_SECRET, Server
from tests.docs._blocks import cites

TOKEN = "metrics-token-for-tests"
CONFIG = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
ECHO_WS = '''
async def websocket(ws):
    await ws.accept()
    async for text in ws.iter_text():
        await ws.send_text(text)
'''
PID = "import os\n\nasync def get(request):\n    return {'pid': os.getpid()}\n"


def open_websockets(server: Server) -> float:
    text = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
    [line] = [line for line in text.splitlines() if line.startswith("pyxle_websocket_connections ")]
    return float(line.split()[1])


def worker_pid(server: Server) -> int | None:
    try:
        return int(httpx.get(server.url + "/api/pid", timeout=2).json()["pid"])
    except httpx.HTTPError:
        return None


@cites("docs/observability.md", "the connections and renders of a worker that was killed or\ncrashed leave them at the first scrape after it is gone")
def test_a_killed_workers_open_websockets_leave_the_gauge_once_it_is_restarted(make_project, start_server,
                                                                             tmp_path: Path) -> None:
    """`kill -9` of the worker holding three WebSockets: granian starts a new one, and the next
    scrape counts only the socket really open (on the new worker), not the dead worker's three;
    the dead worker's live-gauge file is gone from the metrics directory."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    project = make_project({"pages/api/echo.py": ECHO_WS, "pages/api/pid.py": PID,
                            "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, "serve", env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})

    async def scenario() -> tuple[float, int, float]:
        held = [await websockets.connect(server.ws_url + "/api/echo") for _ in range(3)]
        for ws in held:
            await ws.send("ping")
            assert await ws.recv() == "ping"
        before = open_websockets(server)
        victim = worker_pid(server)
        assert victim is not None
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while worker_pid(server) in (None, victim):
            assert time.monotonic() < deadline, server.output()
            await asyncio.sleep(0.2)
        async with websockets.connect(server.ws_url + "/api/echo") as ws:
            await ws.send("ping")
            assert await ws.recv() == "ping"
            after = open_websockets(server)
        for ws in held:
            ws.transport.abort()  # their worker is gone
        return before, victim, after

    before, victim, after = asyncio.run(scenario())
    assert (before, after) == (3, 1)
    assert not list(metrics_dir.glob(f"gauge_live*_{victim}.db"))


@cites("docs/observability.md", "stops at start-up, naming the variable")
def test_a_metrics_folder_that_cannot_be_written_stops_start_up_naming_the_variable(make_project, start_server,
                                                                                  tmp_path: Path) -> None:
    """A folder never created, or a file in its place: every worker would fail on its first
    request (health checks included), so `pyxle serve` refuses to start instead."""
    project = make_project({"pages/api/pid.py": PID, "pyxle.config.json": json.dumps(CONFIG)})
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for chosen in (tmp_path / "never" / "made", a_file):
        server = start_server(project, "serve", env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(chosen)},
                              ready=False)
        assert server.wait_exit() == 1
        output = server.output()
        assert f"PROMETHEUS_MULTIPROC_DIR={chosen}: the metric files cannot be written there" in output
        assert "hint: create the folder, writable by the server's user, or unset PROMETHEUS_MULTIPROC_DIR" in output
        assert "Traceback" not in output and "pyxle serve: http" not in output
