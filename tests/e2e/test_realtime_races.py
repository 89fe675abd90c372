"""The Redis broker when Redis is slow or hung: a socket that joins while the last one leaves, a
Redis that stops answering a publish, and the presence keys channels leave behind."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time

import httpx
import redis
from starlette.websockets import WebSocket

from pyxle.realtime import RedisBroker
from tests.conftest import RedisServer
from tests.e2e.test_realtime import join, redis_env, room_project


def numsub(server: RedisServer, channel: str) -> int:
    with redis.Redis(port=server.port) as client:
        return int(client.pubsub_numsub(channel)[0][1])


def test_a_socket_that_joins_while_the_last_one_leaves_stays_subscribed_when_redis_is_slow(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    # One visitor reloading a page: its old socket leaves while the new one joins, on one worker.
    # CLIENT PAUSE holds the leave's Redis round trip, so the join happens inside it every time.
    redis_server = start_redis()
    server = start_server(room_project(make_project), "serve", env=redis_env(redis_server, "race:"))
    url = server.ws_url + "/api/rooms/reload"

    async def run() -> None:
        old, _ = await join(url)
        with redis.Redis(port=redis_server.port) as client:
            client.execute_command("CLIENT", "PAUSE", 400, "ALL")
        closing = asyncio.ensure_future(old.close())  # done once the server's handler has ended
        await asyncio.sleep(0.1)  # the old socket has left here; Redis has not answered yet
        new, hello = await join(url)  # its hello comes once the pause is over
        await closing
        assert hello["online"] == 1
        await asyncio.sleep(0.3)
        assert await asyncio.to_thread(numsub, redis_server, "race:reload") == 1
        async with httpx.AsyncClient() as http:
            await http.post(server.url + "/api/rooms/reload", json={"text": "after"})
        assert await asyncio.wait_for(new.recv(), 5) == "after0"
        await new.close()

    asyncio.run(run())


class Peer:
    """A socket as the broker sees it: a Starlette WebSocket whose frames the test keeps."""

    def __init__(self) -> None:
        self.frames: list[str] = []

        async def send(message: dict) -> None:
            self.frames.append(message.get("text", ""))

        async def receive() -> dict:
            await asyncio.sleep(3600)
            return {}

        self.ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)


class DelayingProxy:
    """A TCP proxy to Redis that holds each chunk a while (a Redis far away). ``aclose`` ends its
    pipes too: left pending when their loop closed, they were finalised during a later test and
    their error's traceback, formatted inside that test's ``ast.parse``, hit CPython 3.11.7's
    "AST constructor recursion depth mismatch" (a red CI)."""

    def __init__(self, server: asyncio.AbstractServer, pipes: set[asyncio.Task]) -> None:
        self.server = server
        self.port: int = server.sockets[0].getsockname()[1]
        self.pipes = pipes

    async def aclose(self) -> None:
        self.server.close()
        pipes = list(self.pipes)
        for task in pipes:
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)


async def delaying_proxy(port: int, delay: float) -> DelayingProxy:
    """A :class:`DelayingProxy` to the Redis on ``port``, holding each chunk ``delay`` seconds."""
    pipes: set[asyncio.Task] = set()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        for task in (asyncio.create_task(pipe(reader, up_writer)), asyncio.create_task(pipe(up_reader, writer))):
            pipes.add(task)
            task.add_done_callback(pipes.discard)

    return DelayingProxy(await asyncio.start_server(handle, "127.0.0.1", 0), pipes)


def test_sockets_joining_and_leaving_one_channel_at_random_leave_redis_matching_the_sockets(start_redis) -> None:  # type: ignore[no-untyped-def]
    redis_server = start_redis()

    async def run() -> None:
        proxy = await delaying_proxy(redis_server.port, 0.002)
        broker = RedisBroker(f"redis://127.0.0.1:{proxy.port}/0", channel_prefix="churn:")
        await broker.start()
        rng = random.Random(7)
        peers = [Peer() for _ in range(3)]
        inside: set[Peer] = set()

        async def toggle(peer: Peer) -> None:
            await asyncio.sleep(rng.uniform(0, 0.004))
            if peer in inside:
                inside.discard(peer)
                await broker.unsubscribe("c", peer.ws)
            else:
                inside.add(peer)
                await broker.subscribe("c", peer.ws)

        for _ in range(80):  # each round: some sockets join or leave, all at once
            await asyncio.gather(*(toggle(peer) for peer in peers if rng.random() < 0.6))
            want = 1 if inside else 0
            deadline = time.monotonic() + 1  # an UNSUBSCRIBE is sent, not confirmed: it may be on its way
            while (subscribed := await asyncio.to_thread(numsub, redis_server, "churn:c")) != want:
                assert time.monotonic() < deadline, f"{len(inside)} sockets here, {subscribed} subscriptions"
                await asyncio.sleep(0.02)
            assert await broker.count("c") == len(inside)
        await broker.aclose()
        await proxy.aclose()
        left = [task for task in asyncio.all_tasks() if task.get_coro().__name__ not in ("run", "wait_for")]
        assert not left, left  # nothing left pending, to be finalised during a later test

    asyncio.run(asyncio.wait_for(run(), 120))


def test_a_publish_to_a_hung_redis_fails_within_a_second_and_is_delivered_if_redis_resumes(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    redis_server = start_redis()
    server = start_server(room_project(make_project), "serve", env=redis_env(redis_server, "hung:"))
    url = server.ws_url + "/api/rooms/hung"

    async def run() -> None:
        sender, _ = await join(url)
        reader, _ = await join(url)
        await sender.send("before")
        assert await asyncio.wait_for(reader.recv(), 5) == "before"
        assert await asyncio.wait_for(sender.recv(), 5) == "before"
        redis_server.proc.send_signal(signal.SIGSTOP)  # open connections, no answers
        try:
            started = time.monotonic()
            await sender.send("during")
            answer = json.loads(await asyncio.wait_for(sender.recv(), 10))
            assert time.monotonic() - started < 1
            assert answer["error"].startswith("realtime: cannot publish to 'hung': Redis at redis://127.0.0.1:")
            async with httpx.AsyncClient(timeout=10) as http:
                started = time.monotonic()
                counted = await http.post(server.url + "/api/rooms/hung", json={"n": 0})  # count() only
                assert counted.status_code == 503 and time.monotonic() - started < 1  # an outage, not a bug
                assert counted.headers["retry-after"] == "5"
        finally:
            redis_server.proc.send_signal(signal.SIGCONT)
        # Redis resumes and reads what was already in its socket: the failed publish goes out
        assert await asyncio.wait_for(reader.recv(), 5) == "during"
        await sender.send("after")
        assert await asyncio.wait_for(reader.recv(), 5) == "after"
        await asyncio.gather(sender.close(), reader.close())

    asyncio.run(run())


def test_closing_the_sockets_of_many_channels_leaves_no_presence_keys_in_redis(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    redis_server = start_redis()
    server = start_server(room_project(make_project), "serve", "--workers", "2",
                          env=redis_env(redis_server, "keys:"))
    client = redis.Redis(port=redis_server.port)

    async def run() -> None:
        sockets = [(await join(f"{server.ws_url}/api/rooms/user-{i}"))[0] for i in range(60)]
        keys = client.keys("keys:presence:*")
        assert len(keys) == 60
        assert all(0 < client.ttl(key) <= 15 for key in keys)  # a key no live worker refreshes expires
        await asyncio.gather(*(ws.close() for ws in sockets))

    asyncio.run(run())
    deadline = time.monotonic() + 5
    while client.keys("keys:presence:*"):
        assert time.monotonic() < deadline, client.keys("keys:presence:*")
        time.sleep(0.05)
    client.close()
