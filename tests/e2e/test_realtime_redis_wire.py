"""What crosses Redis for the realtime broker, on a real redis-server and real `pyxle serve
--workers 2`: a message Pyxle did not write is dropped without stopping delivery, and
`broker_for(ws).broadcast()` reaches every socket of every worker and server."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import redis

from tests.docs._blocks import cites
from tests.e2e.test_realtime import join, redis_env, room_project, sockets_on_every_worker, texts

# Joins the channel in the query, then broadcasts each text it receives.
SHOUT = '''
import os
from pyxle.realtime import broker_for, channel

async def websocket(ws):
    await ws.accept()
    async with channel(ws, ws.query_params["ch"]):
        await ws.send_json({"pid": os.getpid()})
        while True:
            await broker_for(ws).broadcast({"all": await ws.receive_text()})
'''


@cites("docs/realtime.md", "is dropped, and each worker logs")
def test_a_message_that_is_not_utf8_is_dropped_and_logged_and_delivery_goes_on(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    # Any Redis client can publish on the app's channels. Such a message ended each worker's
    # listener unseen: every publish after it "succeeded" and reached no socket on any channel.
    store = start_redis()
    server = start_server(room_project(make_project), "serve", "--workers", "2", env=redis_env(store, "w1:"))
    url = server.ws_url + "/api/rooms/lobby"

    async def run() -> None:
        sockets = [ws for ws, _ in await sockets_on_every_worker([url], 2)]
        publisher = redis.Redis.from_url(store.url)
        for _ in range(2):  # the second is logged by no worker: once a minute at most
            assert publisher.publish("w1:lobby", b"t\xc3") == 2  # a text tag, then half a character
        async with httpx.AsyncClient(timeout=10) as client:
            await client.post(server.url + "/api/rooms/lobby", json={"text": "after"})
        for ws in sockets:
            assert await texts(ws, 1, 10) == ["after0"]
        started = time.monotonic()
        fresh, _ = await join(server.ws_url + "/api/rooms/fresh")
        assert time.monotonic() - started < 2  # subscribing to a new channel is confirmed at once
        await fresh.send("hello")
        assert await texts(fresh, 1, 10) == ["hello"]
        await asyncio.gather(fresh.close(), *(ws.close() for ws in sockets))

    asyncio.run(run())
    line = "realtime: dropped a message on Redis channel 'w1:lobby' that is not valid UTF-8 text"
    assert server.output().count(line) == 2, server.output()  # one line per worker


@cites("docs/realtime.md", "`t` and UTF-8 text is a text frame (a JSON message is its text), `b` and bytes a binary frame")
@cites("docs/realtime.md", "So is one that does not start with the byte that says its kind")
def test_a_message_without_pyxles_tag_is_dropped_and_a_tagged_one_from_another_client_is_delivered(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    # An untagged message reached the sockets with its first byte eaten: "plain" came as "lain".
    store = start_redis()
    server = start_server(room_project(make_project), env=redis_env(store, "w2:"))

    async def run() -> None:
        ws, _ = await join(server.ws_url + "/api/rooms/lobby")
        publisher = redis.Redis.from_url(store.url)
        for raw in (b"plain text", b'{"x":1}', b""):
            assert publisher.publish("w2:lobby", raw) == 1
        assert publisher.publish("w2:lobby", 'thello from a sidecar: {"x":1} \u00e9'.encode()) == 1
        assert publisher.publish("w2:lobby", b"b\x00\x01\xff") == 1
        assert await texts(ws, 1, 10) == ['hello from a sidecar: {"x":1} \u00e9']
        assert await asyncio.wait_for(ws.recv(), 10) == b"\x00\x01\xff"
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.3)
        await ws.close()

    asyncio.run(run())
    line = "realtime: dropped a message on Redis channel 'w2:lobby' that does not start with t (text) or b (binary)"
    assert server.output().count(line) == 1, server.output()  # once a minute at most


@cites("docs/realtime.md", "once to every socket in any channel, on every worker and server sharing the Redis broker")
def test_broadcast_reaches_every_socket_of_every_worker_and_server(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    # It reached the calling worker's sockets only, where pyxle-framework 0.9.4 sent it through Redis.
    store = start_redis()
    project = make_project({"pages/api/shout.py": SHOUT})
    env = redis_env(store, "b1:")
    servers = [start_server(project, "serve", "--workers", "2", env=env), start_server(project, env=env)]
    urls = [servers[0].ws_url + "/api/shout?ch=a", servers[0].ws_url + "/api/shout?ch=b",
            servers[1].ws_url + "/api/shout?ch=c"]

    async def run() -> None:
        sockets = [ws for ws, _ in await sockets_on_every_worker(urls, 3)]
        await sockets[0].send("hi")
        for ws in sockets:
            assert await texts(ws, 1, 10) == ['{"all":"hi"}']
        for ws in sockets:  # once each
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.2)
        await asyncio.gather(*(ws.close() for ws in sockets))

    asyncio.run(run())
