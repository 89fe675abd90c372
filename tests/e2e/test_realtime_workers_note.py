"""`pyxle serve --workers N` with WebSocket routes and the in-process broker says at start-up that a
channel's messages stay in the worker that publishes them, as pyxle-framework 0.9 warned: a chat
that works on one worker silently loses half its messages on four. `pyxle routes` marks a page's
WebSocket as it marks an API route's."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import SHARED_SECRET, RedisServer, server_env
from tests.docs._blocks import cites

PAGE = '''
from pyxle.realtime import channel


async def websocket(ws):
    await ws.accept()
    async with channel(ws, "live") as live:
        while True:
            await live.publish(await ws.receive_text())


import React from 'react'
export default function Live() { return <p>live</p> }
'''

ROOM = '''
async def websocket(ws):
    await ws.accept()
    await ws.send_text("open")
'''

NOTE = "accept WebSockets and the realtime broker is in-process"


def sockets_project(make_project):  # type: ignore[no-untyped-def]
    return make_project({"pages/live.pyxl": PAGE, "pages/api/rooms/[room].py": ROOM,
                         "pages/api/plain.py": "async def get(request):\n    return {}\n"})


@cites("docs/realtime.md", "pages/live.pyxl, pages/api/rooms/[room].py accept WebSockets and the realtime broker")
def test_serving_websockets_on_several_workers_with_the_in_process_broker_names_the_routes(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(sockets_project(make_project), "serve", "--workers", "2", env=SHARED_SECRET)
    lines = [line for line in server.output().splitlines() if NOTE in line]
    assert len(lines) == 1, server.output()  # the CLI's note, not one per worker
    assert ("pages/live.pyxl, pages/api/rooms/[room].py accept WebSockets and the realtime broker is in-process: "
            "with --workers 2 a channel's messages reach only the sockets of the worker that publishes them; "
            "set PYXLE_REALTIME_BROKER=redis") in lines[0]


def test_one_worker_or_a_redis_broker_says_nothing_of_it(
        make_project, start_server, redis_server: RedisServer) -> None:  # type: ignore[no-untyped-def]
    project = sockets_project(make_project)
    one = start_server(project, "serve", "--workers", "1")
    shared = start_server(project, "serve", "--workers", "2", env={
        "PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": redis_server.url, **SHARED_SECRET})
    assert NOTE not in one.output() and NOTE not in shared.output()


def test_pyxle_routes_marks_a_page_that_accepts_websockets(make_project) -> None:  # type: ignore[no-untyped-def]
    project = sockets_project(make_project)
    out = subprocess.run([sys.executable, "-m", "pyxle", "routes", str(project), "--json"], capture_output=True,
                         text=True, env=server_env(), timeout=60, check=True).stdout
    rows = {row["pattern"]: row["websocket"] for row in json.loads(out)}
    assert rows == {"/live": True, "/api/rooms/{room}": True, "/api/plain": False}
