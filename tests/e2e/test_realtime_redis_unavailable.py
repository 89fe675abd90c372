"""docs/realtime.md's own examples on a real `pyxle serve` whose Redis broker has lost Redis (killed,
its password-protected URL in the config): what lets ``BrokerUnavailable`` escape answers 503 with
``Retry-After`` over HTTP (an API route, an action, a loader) and closes a socket with 1013, each
with one warning line and no traceback, and the URL's password is in no answer and no log line."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import time
from datetime import datetime

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
    await publish("room:news", {"title": "deployed"})
    return {"listeners": await count("room:news")}
'''
BOARD = '''
from pyxle.realtime import count, publish

@server
async def load(request):
    return {"listeners": await count("room:news")}

@action
async def announce(request):
    await publish("room:news", {"title": "deployed"})
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
@cites(DOC, "logs a warning naming the route and the error, without a traceback")
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
    lines = warnings_about(out, "503 for ")  # the first at once; the next two within ten seconds are held
    assert len(lines) == 1 and "503 for POST /api/news: realtime: cannot publish to 'room:news': " in lines[0], out
    assert "Redis at redis://:****@127.0.0.1" in lines[0], lines


@cites(DOC, "Under load an outage meets every request that\npublishes, so a worker logs the first of these answers at "
       "once and then at most one line every ten\nseconds, which says how many it stands for: "
       "`... (and 1204 more such answers since the last line)`.\nThe access log still has each answer.")
def test_an_outage_under_load_is_logged_once_at_first_then_once_every_ten_seconds_with_a_count(served) -> None:  # type: ignore[no-untyped-def]
    """Each 503 logged its own warning: thousands of lines a second while Redis was away."""
    server, redis = served
    lose(server, redis)

    async def run() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            first = await client.post("/api/news")
            rest = await asyncio.gather(*(client.post("/api/news") for _ in range(39)))
            closed = []
            for _ in range(3):  # sockets whose handler meets the outage: the same budget
                async with websockets.connect(server.ws_url + "/api/rooms/lobby") as ws:
                    closed.append((await close_of(ws))[0])
        return [first.status_code, *(answer.status_code for answer in rest), *closed]

    answers = asyncio.run(run())
    assert answers == [503] * 40 + [1013] * 3, answers
    out = server.wait_for_output("more such answers since the last line", 20)  # the held ones, ten seconds on
    lines = [line for line in out.splitlines()
             if "WARNING" in line and ("503 for " in line or "closing a WebSocket on " in line)]
    assert lines[0].endswith("the broker is reconnecting"), lines  # the first of the outage: no count
    held = [count_of(line) for line in lines]
    assert len(lines) + sum(held) == 43 and held[-1] > 0, lines  # each answer counted once (two lines, unless slow)
    times = [datetime.fromisoformat(line.split(" ", 1)[0]) for line in lines]
    assert all((later - earlier).total_seconds() > 9.9 for earlier, later in itertools.pairwise(times)), lines
    assert sum('"POST /api/news' in line and " 503 " in line for line in out.splitlines()) == 40, out


async def close_of(ws: websockets.ClientConnection) -> tuple[int | None, str | None]:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 30)
    except websockets.ConnectionClosed:
        return ws.close_code, ws.close_reason


@cites(DOC, "A socket handler that lets it escape closes its socket with `1013` (try again later)")
@cites(DOC, "logs a warning (`closing a WebSocket on /api/rooms/lobby: realtime:\ncannot count 'room:lobby': ... (1013)`), "
       "where an error would close it with `1011` and log a traceback")
def test_a_socket_handler_that_lets_broker_unavailable_escape_closes_with_1013(served) -> None:  # type: ignore[no-untyped-def]
    server, redis = served

    async def run() -> tuple[tuple[int | None, str | None], tuple[int | None, str | None]]:
        sender = await websockets.connect(server.ws_url + "/api/rooms/lobby")
        assert json.loads(await asyncio.wait_for(sender.recv(), 30)) == {"online": 1}
        lose(server, redis)
        joiner = await websockets.connect(server.ws_url + "/api/rooms/lobby")  # its count() raises
        joined = await close_of(joiner)
        await sender.send("hello")  # its publish raises
        return await close_of(sender), joined

    sent, joined = asyncio.run(run())
    assert sent == (1013, "broker unavailable"), sent
    assert joined == (1013, "broker unavailable"), joined
    out = server.wait_for_output("cannot count 'room:lobby'")  # logged as the socket closes: it may reach us after the close
    assert "Traceback" not in out and "ERROR" not in out, out
    assert PASSWORD not in out, out
    lines = warnings_about(out, "closing a WebSocket on /api/rooms/lobby:")  # the second, held (ten seconds)
    assert len(lines) == 1 and "cannot count 'room:lobby'" in lines[0], out
    assert lines[0].endswith("(1013)") and "Redis at redis://:****@" in lines[0], lines


def count_of(line: str) -> int:
    """The answers a sampled line stands for besides its own."""
    found = re.search(r"\(and (\d+) more such answers since the last line\)$", line)
    return int(found.group(1)) if found else 0


@cites(DOC, "The answers held back are logged when Redis is back (before its `is back` line), or ten seconds\n"
       "after the last line if it stays away, never on the line of a later outage.")
def test_the_answers_an_outage_held_back_are_logged_when_redis_is_back(served) -> None:  # type: ignore[no-untyped-def]
    """Their count was written only on the first line of the next outage (seconds or days later),
    where an operator read a brief blip as thousands of failures, or never if Redis did not fail again."""
    server, redis = served
    lose(server, redis)

    async def burst(n: int) -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            return [answer.status_code for answer in await asyncio.gather(*(client.post("/api/news")
                                                                              for _ in range(n)))]

    assert asyncio.run(burst(20)) == [503] * 20
    redis.start()
    protect(redis)  # the same password again (a worker that reconnects first is refused, then tries again)
    out = server.wait_for_output("is back;", 30)
    lines = warnings_about(out, "503 for ")
    assert len(lines) + sum(count_of(line) for line in lines) == 20, lines  # all of them, by the time it is back
    assert out.index(lines[-1]) < out.index("is back;"), out
    redis.stop()  # the next outage: its first line stands for itself alone
    wait_for_count(server, "lost Redis", 2)
    assert asyncio.run(burst(1)) == [503]
    out = wait_for_count(server, "503 for ", len(lines) + 1)
    assert count_of(warnings_about(out, "503 for ")[-1]) == 0, out


def wait_for_count(server: Server, text: str, n: int, timeout: float = 15) -> str:
    """The output once ``n`` warnings hold ``text``."""
    deadline = time.monotonic() + timeout
    while len(warnings_about(server.output(), text)) < n:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    return server.output()


@cites("docs/configuration.md", "A Redis that refuses the password in the URL,\nor asks for one the URL does not give, "
       "is reported as such (`refused the password in the URL`,\n`asks for a password, and the URL gives none`)")
def test_a_redis_back_with_another_password_is_reported_as_refusing_it(served) -> None:  # type: ignore[no-untyped-def]
    """Redis restarted with another password: the running workers' broker said only `lost Redis ...
    (ConnectionError); reconnecting` and `is unreachable` for as long as it refused theirs."""
    server, redis = served
    with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as conn:
        conn.sendall(f"AUTH {PASSWORD}\r\nCONFIG SET requirepass other-pw\r\n".encode())
        time.sleep(0.2)
        conn.sendall(b"CLIENT KILL TYPE pubsub\r\nCLIENT KILL TYPE normal\r\n")  # as a restart drops them
        time.sleep(0.2)
    server.wait_for_output("lost Redis", 15)
    out = server.wait_for_output("refused the password in the URL", 15)
    time.sleep(6)  # a few more tries (every 5 s at most): the cause is said once, not per try
    out = server.output()
    refused = warnings_about(out, "refused the password in the URL")
    assert len(refused) == 1, out
    assert re.search(r"realtime: Redis at redis://:\*\*\*\*@127\.0\.0\.1:\d+/0 refused the password in the URL "
                     r"\(AuthenticationError: .+\); reconnecting", refused[0]), refused
    assert PASSWORD not in out and "other-pw" not in out, out
