"""Peers that leave a socket whose handler is not reading it, on a real `pyxle serve`.

granian takes a send to a socket whose peer has closed without an error and holds it; a handler
that only sends would push forever (and memory with it) and a channel would count the socket
for good. Pyxle reads ahead of the handler, so the peer's close is seen as it comes.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import websockets

from tests.conftest import SHARED_SECRET, RedisServer, Server
from tests.docs._blocks import cites

TICKER = '''
import asyncio, logging
log = logging.getLogger("ticker")

async def websocket(ws):
    await ws.accept()
    sent = 0
    try:
        while True:
            await ws.send_json({"n": sent, "pad": "p" * 1000})
            sent += 1
            await asyncio.sleep(0.01)
    finally:
        log.warning("ticker ended after %d", sent)
'''
PUSH = '''
import asyncio
from pyxle.realtime import channel, count

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "push") as room:
        await ws.send_json({"online": await room.count()})
        await asyncio.Event().wait()  # only ever pushed to: never reads, never sends again

async def get(request):
    return {"online": await count("push")}
'''
SLOW_READER = '''
import asyncio
RECEIVED = []

async def websocket(ws):
    await ws.accept()
    while True:
        RECEIVED.append(await ws.receive_text())
        await asyncio.sleep(0.002)

async def get(request):
    return {"received": RECEIVED}
'''


@cites("docs/realtime.md", "The handler's next send raises `WebSocketDisconnect`,\n  so a handler that only sends ends there")
def test_a_handler_that_only_sends_learns_its_peer_left_and_ends(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/ticker.py": TICKER}), "serve", env=SHARED_SECRET)

    async def visit() -> None:
        async with websockets.connect(server.ws_url + "/api/ticker") as ws:
            for _ in range(5):
                json.loads(await ws.recv())

    for _ in range(3):
        asyncio.run(visit())
    deadline = time.monotonic() + 10
    while server.output().count("ticker ended after") < 3 or server.output().count('"WS /api/ticker" 101') < 3:
        assert time.monotonic() < deadline, server.output()  # each ended, and its access line was written
        time.sleep(0.1)
    sent = [int(n) for n in re.findall(r"ticker ended after (\d+)", server.output())]
    assert all(n < 200 for n in sent), sent  # ended at the close, not pushing on for seconds


@cites("docs/realtime.md", "leaving the block, or the\n  socket closing, unsubscribes it")
@cites("docs/realtime.md", "answers the close frame at once, and the socket leaves its\n  channels (`count()` stops counting it)")
def test_sockets_that_left_a_channel_they_never_read_are_no_longer_counted(make_project, start_server,
                                                                            redis_server: RedisServer) -> None:
    env = {"PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": redis_server.url,
           "PYXLE_REALTIME_CHANNEL_PREFIX": "departures:", **SHARED_SECRET}
    server = start_server(make_project({"pages/api/push.py": PUSH}), "serve", env=env)

    async def visit() -> int:
        async with websockets.connect(server.ws_url + "/api/push") as ws:
            online = int(json.loads(await ws.recv())["online"])
        assert ws.close_code == 1000  # the server answered the close, though its handler is still waiting
        return online

    started = time.monotonic()
    seen = [asyncio.run(visit()) for _ in range(4)]
    assert seen == [1, 1, 1, 1], seen  # each found only itself: the ones before had left
    assert time.monotonic() - started < 20  # no close waited for its answer (10 s each, unanswered)
    deadline = time.monotonic() + 10
    while (online := httpx.get(server.url + "/api/push").json()["online"]) != 0:
        assert time.monotonic() < deadline, online
        time.sleep(0.1)


@cites("docs/realtime.md", "one reading slowly still gets every message sent\n  before the close, in order")
def test_messages_sent_just_before_a_close_all_reach_a_handler_reading_slowly(make_project, start_server) -> None:
    """Reading ahead keeps every message, in order, also past what it holds for the handler."""
    server: Server = start_server(make_project({"pages/api/slow.py": SLOW_READER}), "serve", env=SHARED_SECRET)
    sent = [f"{i:04d}" + "x" * 2000 for i in range(200)]  # ~400 KB: past the read-ahead

    async def burst_then_leave() -> None:
        async with websockets.connect(server.ws_url + "/api/slow") as ws:
            for text in sent:
                await ws.send(text)

    asyncio.run(burst_then_leave())
    deadline = time.monotonic() + 20
    while len(received := httpx.get(server.url + "/api/slow").json()["received"]) < len(sent):
        assert time.monotonic() < deadline, len(received)
        time.sleep(0.1)
    assert received == sent
