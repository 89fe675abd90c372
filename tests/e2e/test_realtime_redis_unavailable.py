"""docs/realtime.md's own examples on a real `pyxle serve` whose Redis broker has lost Redis (killed,
its password-protected URL in the config): what lets ``BrokerUnavailable`` escape answers 503 with
``Retry-After`` over HTTP (an API route, an action, a loader) and closes a socket with 1013, each
with one warning line and no traceback, and the URL's password is in no answer and no log line."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
import websockets

from tests.conftest import SHARED_SECRET, RedisServer, Server
from tests.docs._blocks import cites
from tests.e2e.test_realtime_refusals import ROOMS as ROOM

DOC = "docs/realtime.md"
PASSWORD = "s3cret-pw"

# docs/realtime.md's first example (the chat of pages/chat.pyxl, ROOM) and its publish from an API route.
NEWS = '''
from pyxle.realtime import count, publish


async def post(request):
    await publish("news", {"title": "deployed"})
    return {"listeners": await count("news")}
'''
BOARD = '''
from pyxle.realtime import count, publish

@server
async def load(request):
    return {"listeners": await count("news")}

@action
async def announce(request):
    await publish("news", {"title": "deployed"})
    return {}

export default function Board({ data }) { return <p>listeners {data.listeners}</p> }
'''


def protect(redis: RedisServer) -> str:
    """Give ``redis`` a password; its URL with that password."""
    with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as conn:
        conn.sendall(f"CONFIG SET requirepass {PASSWORD}\r\n".encode())
        assert conn.recv(64).startswith(b"+OK")
    return f"redis://:{PASSWORD}@127.0.0.1:{redis.port}/0"


@pytest.fixture
def served(make_project, start_server, start_redis) -> tuple[Server, RedisServer]:  # type: ignore[no-untyped-def]
    redis = start_redis()
    url = protect(redis)
    project = make_project({"pages/api/rooms/[room].py": ROOM, "pages/api/news.py": NEWS, "pages/board.pyxl": BOARD},
                           node=True)
    server: Server = start_server(project, "serve", "--ssr-workers", "1", env={
        "PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": url, **SHARED_SECRET})
    return server, redis


def lose(server: Server, redis: RedisServer) -> None:
    redis.stop()  # SIGKILL
    server.wait_for_output("lost Redis", 15)


def warnings_about(out: str, what: str) -> list[str]:
    return [line for line in out.splitlines() if what in line and "WARNING" in line]


@cites(DOC, "An API route, an action or a loader that lets it escape answers `503`")
@cites(DOC, "with `Retry-After: 5`")
@cites(DOC, '`{"error": "the realtime broker is unavailable; try again shortly"}` (`"ok": false` too at an\n'
       "action's URL; a loader's page gets its error page)")
@cites(DOC, "logs one warning naming the route and the error, without a traceback")
@cites(DOC, "the password of the Redis URL is masked in the log and no answer names Redis")
def test_an_http_route_that_lets_broker_unavailable_escape_answers_503_with_retry_after(served) -> None:  # type: ignore[no-untyped-def]
    server, redis = served
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/news").json() == {"listeners": 0}
        assert client.get("/board").status_code == 200
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        lose(server, redis)
        news = client.post("/api/news")
        announced = client.post("/api/__actions/board/announce", json={}, headers=token)
        board = client.get("/board")
    assert news.status_code == 503, news.text
    assert news.headers["retry-after"] == "5"
    assert news.json() == {"error": "the realtime broker is unavailable; try again shortly"}
    assert announced.status_code == 503, announced.text
    assert announced.headers["retry-after"] == "5"
    assert announced.json() == {"ok": False, "error": "the realtime broker is unavailable; try again shortly"}
    assert board.status_code == 503, board.text[:500]
    assert board.headers["retry-after"] == "5"
    for answer in (news, announced, board):
        assert PASSWORD not in answer.text and "redis" not in answer.text.lower(), answer.text[:500]
    out = server.output()
    assert "Traceback" not in out and "ERROR" not in out, out
    assert PASSWORD not in out, out
    for route in ("POST /api/news", "POST /api/__actions/board/announce", "GET /board"):
        lines = warnings_about(out, route + ":")
        assert len(lines) == 1, out
        assert "503" in lines[0] and "Redis at redis://:****@127.0.0.1" in lines[0], lines


async def close_of(ws: websockets.ClientConnection) -> tuple[int | None, str | None]:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 30)
    except websockets.ConnectionClosed:
        return ws.close_code, ws.close_reason


@cites(DOC, "A socket handler that lets it escape closes its socket with `1013` (try again later)")
@cites(DOC, "logs one warning (`closing a WebSocket on /api/rooms/lobby: realtime:\ncannot count 'lobby': ... (1013)`), "
       "where an error would close it with `1011` and log a traceback")
def test_a_socket_handler_that_lets_broker_unavailable_escape_closes_with_1013(served) -> None:  # type: ignore[no-untyped-def]
    server, redis = served

    async def run() -> tuple[tuple[int | None, str | None], tuple[int | None, str | None]]:
        sender = await websockets.connect(server.ws_url + "/api/rooms/lobby")
        assert json.loads(await asyncio.wait_for(sender.recv(), 30)) == {"online": 1}
        lose(server, redis)
        await sender.send("hello")  # its publish raises
        sent = await close_of(sender)
        joiner = await websockets.connect(server.ws_url + "/api/rooms/lobby")  # its count() raises
        return sent, await close_of(joiner)

    sent, joined = asyncio.run(run())
    assert sent == (1013, "broker unavailable"), sent
    assert joined == (1013, "broker unavailable"), joined
    out = server.wait_for_output("cannot count 'lobby'")  # logged as the socket closes: it may reach us after the close
    assert "Traceback" not in out and "ERROR" not in out, out
    assert PASSWORD not in out, out
    lines = warnings_about(out, "closing a WebSocket on /api/rooms/lobby:")
    assert len(lines) == 2 and all("(1013)" in line and "Redis at redis://:****@" in line for line in lines), out
