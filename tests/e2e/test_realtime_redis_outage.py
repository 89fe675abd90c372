"""The Redis broker of a real `pyxle serve --workers 2` while Redis is dead (killed) or hung (stopped
with SIGSTOP): stopping (1001) or reloading (1012) the server closes the sockets and logs no error, a
socket joining a channel is not held up, the loss of a hung Redis is logged, and what a publish
raises says what is going on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import websockets

from tests.conftest import SHARED_SECRET, RedisServer, Server
from tests.docs._blocks import cites
from tests.e2e.test_rate_limit import burst

DOC = "docs/realtime.md"

# docs/realtime.md's chat handler, telling the client how long joining the channel took.
LIVE = '''
import os
import time
from pyxle.realtime import BrokerUnavailable, channel

async def websocket(ws):
    await ws.accept()
    began = time.monotonic()
    async with channel(ws, "lobby") as room:
        await ws.send_json({"pid": os.getpid(), "joined": time.monotonic() - began})
        while True:
            text = await ws.receive_text()
            try:
                await room.publish(text)
            except BrokerUnavailable as exc:
                await ws.send_json({"error": str(exc)})
'''


def env(redis: RedisServer) -> dict[str, str]:
    return {"PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": redis.url, **SHARED_SECRET}


@contextmanager
def hung(redis: RedisServer) -> Iterator[None]:
    """Redis stopped (SIGSTOP): its port still accepts connections, it answers nothing."""
    assert redis.proc is not None
    redis.proc.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        redis.proc.send_signal(signal.SIGCONT)


def take_away(redis: RedisServer, how: str) -> None:
    assert redis.proc is not None
    if how == "dead":
        redis.stop()  # SIGKILL
    else:
        redis.proc.send_signal(signal.SIGSTOP)


def bring_back(redis: RedisServer, how: str) -> None:
    if how == "dead":
        redis.start()
    elif redis.proc is not None:
        redis.proc.send_signal(signal.SIGCONT)


async def join(url: str) -> tuple[websockets.ClientConnection, dict]:
    ws = await websockets.connect(url, max_queue=None)
    return ws, json.loads(await asyncio.wait_for(ws.recv(), 30))


async def on_both_workers(url: str) -> list[websockets.ClientConnection]:
    sockets, pids = [], set()
    for _ in range(100):
        ws, hello = await join(url)
        sockets.append(ws)
        pids.add(hello["pid"])
        if len(pids) == 2 and len(sockets) >= 4:
            return sockets
    raise AssertionError("the sockets landed on one worker only")


async def close_code(ws: websockets.ClientConnection) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 30)
    except websockets.ConnectionClosed:
        return ws.close_code


@pytest.mark.parametrize("how", ["dead", "hung"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["stop", "reload"])
@cites(DOC, "On SIGTERM every open socket is closed with `1001`")
@cites(DOC, "Stopping the server meanwhile closes\nthe sockets with `1001` as always, and reloading it with `1012`")
def test_stopping_or_reloading_while_redis_is_away_closes_the_sockets_and_logs_no_error(
        make_project, start_server, start_redis, how: str, sig: signal.Signals) -> None:  # type: ignore[no-untyped-def]
    redis = start_redis()
    server: Server = start_server(make_project({"pages/api/live.py": LIVE}), "serve", "--workers", "2",
                                  env=env(redis))

    async def run() -> list[int | None]:
        sockets = await on_both_workers(server.ws_url + "/api/live")
        take_away(redis, how)
        await asyncio.sleep(3)  # the workers have seen it go
        os.kill(server.proc.pid, sig)
        return list(await asyncio.gather(*(close_code(ws) for ws in sockets)))

    try:
        codes = asyncio.run(run())
        code = 1001 if sig == signal.SIGTERM else 1012
        assert set(codes) == {code}, codes
        if sig == signal.SIGTERM:
            assert server.wait_exit() == 0
        else:
            server.wait_for_output("Stopped old worker-2", 30)
    finally:
        bring_back(redis, how)
    out = server.output()
    assert "closed " in out and f"WebSockets ({code})" in out, out
    assert "Traceback" not in out and "ERROR" not in out and "CancelledError" not in out, out


@cites(DOC, "within half a second when Redis keeps it open without answering")
@cites(DOC, "Such a Redis counts as gone once it leaves a subscription, or the `PING` each worker sends\n"
       "after a second of silence, unanswered for two seconds: it is logged as lost")
@cites(DOC, "The error says which it is: `... is unreachable (no\nanswer in 0.5 s)` for a command Redis left "
       "unanswered, `... is unreachable; the broker is\nreconnecting` once the broker has lost it")
@cites(DOC, "Joining a channel (`async with channel(...)`) waits for\nRedis to confirm the subscription, half a "
       "second at most; while Redis is away it does not wait,\nand the worker subscribes when Redis is back")
def test_a_hung_redis_does_not_hold_a_joining_socket_is_logged_as_lost_and_publish_says_why(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    redis = start_redis()
    server: Server = start_server(make_project({"pages/api/live.py": LIVE}), "serve", "--workers", "2",
                                  env=env(redis))
    url = server.ws_url + "/api/live"

    async def run() -> None:
        first, _ = await join(url)
        with hung(redis):
            # At once, before the workers can have noticed: a publish answers within half a second.
            began = time.monotonic()
            await first.send("during")
            error = json.loads(await asyncio.wait_for(first.recv(), 10))["error"]
            assert time.monotonic() - began < 1.5, "a publish waited for a hung Redis"
            assert "is unreachable (no answer in 0.5 s)" in error and "reconnecting" not in error, error
            for _ in range(6):  # both workers, each early in the hang and once it knows
                began = time.monotonic()
                ws, hello = await join(url)
                assert time.monotonic() - began < 1.5 and hello["joined"] < 1.0, hello
                await ws.close()
            server.wait_for_output("realtime: lost Redis at ", 10)
            deadline = time.monotonic() + 10
            while True:  # once the worker of `first` has noticed (each notices on its own)
                await first.send("later")
                error = json.loads(await asyncio.wait_for(first.recv(), 10))["error"]
                if "is unreachable; the broker is reconnecting" in error:
                    break
                assert time.monotonic() < deadline, error
        # Redis answers again: each worker subscribes again and delivery resumes.
        deadline = time.monotonic() + 30
        while True:
            await first.send("after")
            reply = await asyncio.wait_for(first.recv(), 15)
            if reply == "after":
                break
            assert time.monotonic() < deadline, "the broker did not come back"
            await asyncio.sleep(0.5)
        await first.close()

    asyncio.run(run())
    out = server.wait_for_output("is back;", 15)
    assert "Traceback" not in out, out


@cites(DOC, "Joining a channel (`async with channel(...)`) waits for\nRedis to confirm the subscription, half a "
       "second at most")
def test_a_socket_joining_while_the_last_one_leaves_a_hung_redis_waits_once(
        make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    """The leave's presence write waited half a second for the hung Redis, and the join behind it
    half a second more for its own (the outage test above failed one run in eight on it)."""
    redis = start_redis()
    server: Server = start_server(make_project({"pages/api/live.py": LIVE}), "serve", env=env(redis))
    url = server.ws_url + "/api/live"

    async def run() -> float:
        leaving, _ = await join(url)  # subscribed and counted while Redis answers
        with hung(redis):
            await leaving.close()  # its presence is written to a Redis that says nothing
            _, hello = await join(url)
            return float(hello["joined"])

    joined = asyncio.run(run())
    assert joined < 0.85, joined  # one command_timeout (0.5 s) of waiting, not two


PUBLISH = '''
from pyxle.realtime import BrokerUnavailable, count, publish

async def post(request):
    try:
        await publish("news", {"title": "x"})
        return {"listeners": await count("news")}
    except BrokerUnavailable as exc:
        return ({"error": str(exc)}, 503)
'''


def test_hundreds_of_publishes_in_flight_in_one_worker_all_reach_redis(make_project, start_server,
                                                                       start_redis) -> None:
    """redis-py's pool held 100 connections and raised for the 101st command, which the broker
    turned into BrokerUnavailable ("Redis ... is unreachable"): a crowd of publishing requests got
    503s while Redis was fine. Commands now wait for a free connection."""
    redis = start_redis()
    server = start_server(make_project({"pages/api/pub.py": PUBLISH}), "serve", "--workers", "1",
                          "--no-access-log", env=env(redis))
    seen = burst(server.url + "/api/pub", 800, method="POST")
    assert seen == {"200": 800}, seen
    assert "unreachable" not in server.output() and "lost Redis" not in server.output(), server.output()


@cites(DOC, "logs `realtime: Redis at <url> is back; N channels subscribed again` when it")
def test_redis_back_counts_the_apps_channels_alone(make_project, start_server, start_redis) -> None:
    """After a Redis restart the worker said "2 channels subscribed again" for a socket in one
    channel: Pyxle's own broadcast channel was counted (and one channel was "1 channels")."""
    redis = start_redis()
    server: Server = start_server(make_project({"pages/api/live.py": LIVE}), "serve", "--workers", "1",
                                  env=env(redis))

    async def run() -> None:
        ws, _ = await join(server.ws_url + "/api/live")
        redis.stop()
        server.wait_for_output("realtime: lost Redis at", 10)
        redis.start()
        server.wait_for_output("is back;", 30)
        await ws.close()

    asyncio.run(run())
    assert f"realtime: Redis at {redis.url} is back; 1 channel subscribed again" in server.output(), server.output()


STALLING_PUBLISH = '''
import itertools
import time
from pyxle.realtime import BrokerUnavailable, publish

served = itertools.count()

async def post(request):
    try:
        await publish("news", {"title": "x"})
    except BrokerUnavailable as exc:
        return ({"error": str(exc)}, 503)
    if next(served) == 40:
        time.sleep(0.8)  # blocking work in one request: the whole worker stalls
    return {"ok": True}
'''


@cites(DOC, "The half second is Redis's alone: hundreds of\npublishes in flight in one worker wait their turn")
def test_publishes_waiting_for_a_connection_through_a_stall_are_not_timed_out(make_project, start_server,
                                                                             start_redis) -> None:
    """A publish's half second for Redis to answer counted its wait for a free connection of the pool
    too. A worker that stalled (one request's blocking call, a slow machine under a burst) while
    hundreds of publishes waited their turn had every one of them fail "no answer in 0.5 s", though
    Redis answered each command at once (CI saw 315 of 800 in a burst). Only the time a command
    holds a connection counts now."""
    redis = start_redis()
    url = env(redis)
    url["PYXLE_REALTIME_REDIS_URL"] += "?max_connections=2"  # a small pool: most of the burst waits its turn
    server = start_server(make_project({"pages/api/pub.py": STALLING_PUBLISH}), "serve", "--workers", "1",
                          "--no-access-log", env=url)
    seen = burst(server.url + "/api/pub", 400, method="POST")
    assert seen == {"200": 400}, seen
    assert "unreachable" not in server.output() and "lost Redis" not in server.output(), server.output()


@cites(DOC, "Such a Redis counts as gone once it leaves a subscription, or the `PING` each worker sends\nafter a second of silence, unanswered for two seconds")
def test_a_quiet_channel_just_joined_is_no_lost_redis(make_project, start_server, start_redis) -> None:
    """A subscription confirmed before `add` had marked it as awaited left the listener waiting for
    an answer already given: two seconds after a socket joined a channel that then stayed quiet, the
    worker logged `lost Redis ... (TimeoutError)` and `is back`, and subscribed everything again,
    with Redis answering throughout (a soak test saw it after every start and reload)."""
    redis = start_redis()
    server: Server = start_server(make_project({"pages/api/live.py": LIVE}), "serve", "--workers", "1",
                                  env=env(redis))

    async def run() -> None:
        for _ in range(3):  # each join subscribes the channel anew (the last socket's leaving unsubscribed it)
            ws, _hello = await join(server.ws_url + "/api/live")
            await asyncio.sleep(3.5)  # quiet: over the two seconds an unanswered request is given
            await ws.close()
            await asyncio.sleep(0.3)

    asyncio.run(run())
    assert "lost Redis" not in server.output() and "is back" not in server.output(), server.output()
