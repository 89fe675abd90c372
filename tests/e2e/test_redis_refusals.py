"""A Redis that answers but refuses what Pyxle asks of it (full under ``noeviction``, a read-only
replica, an ACL user without the rights Pyxle needs) on a real ``pyxle serve``: a full Redis is an
outage to ride out, never a reason for a worker to exit; a user without rights is a configuration
error that start-up names in one line with a fix."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis as redis_py

from tests.conftest import SHARED_SECRET, RedisServer, Server, until
from tests.docs._blocks import cites
from tests.e2e.test_rate_limit import _answer, _workers
from tests.e2e.test_realtime_refusals import ROOMS as ROOM

PID = "import os\n\nasync def get(request):\n    return {'pid': os.getpid(), 'version': 1}\n"


def ask(redis: RedisServer, *args: Any) -> Any:
    with redis_py.Redis(port=redis.port) as client:
        return client.execute_command(*args)


def fill(redis: RedisServer) -> None:
    """Redis refuses every write that needs memory, as a full one under ``noeviction`` does."""
    ask(redis, "CONFIG", "SET", "maxmemory-policy", "noeviction")
    ask(redis, "CONFIG", "SET", "maxmemory", "1")


def realtime_project(make_project, url: str, **files: str) -> Path:  # type: ignore[no-untyped-def]
    config = {"realtime": {"broker": "redis", "redisUrl": url}}
    return make_project({"pages/api/pid.py": PID, "pyxle.config.json": json.dumps(config), **files})


def tracebacks(out: str) -> int:
    return out.count("Traceback")


@cites("docs/realtime.md", "A worker started while Redis refuses writes (full under `noeviction`, or a read-only\n"
       "replica) starts and serves too")
@cites("docs/security.md", "and for a Redis that answers but refuses writes (full under\n`noeviction`, a read-only "
       "replica): a worker started then starts and serves")
def test_a_worker_started_while_redis_refuses_writes_starts_and_serves(make_project, start_server,
                                                                        start_redis) -> None:  # type: ignore[no-untyped-def]
    """A full Redis and one `kill -9`d worker: its successor died on its first presence write
    (OutOfMemoryError), and granian's crash-loop guard stopped the healthy worker too, so the whole
    site answered nothing until Redis had room again. A reload did the same."""
    redis = start_redis()
    project = realtime_project(make_project, redis.url)
    server: Server = start_server(project, "serve", "--workers", "2", env=SHARED_SECRET)
    url = server.url + "/api/pid"
    until(lambda: server.output().count("Started worker") == 2)
    fill(redis)
    [victim, *_] = _workers(server)
    os.kill(victim, signal.SIGKILL)
    until(lambda: victim not in _workers(server) and len(_workers(server)) == 2)
    time.sleep(4)  # granian's crash-loop guard gives up on a worker that exits within seconds
    assert [_answer(url) is not None for _ in range(10)] == [True] * 10
    assert server.proc.poll() is None
    (project / "pages" / "api" / "pid.py").write_text(PID.replace("'version': 1", "'version': 2"))
    server.proc.send_signal(signal.SIGHUP)  # a reload while Redis is full is not refused either
    until(lambda: (_answer(url) or {}).get("version") == 2, timeout=60)
    time.sleep(3)
    assert [_answer(url) is not None for _ in range(10)] == [True] * 10
    out = server.output()
    assert "crash loop" not in out.lower() and "before its app started" not in out, out
    assert tracebacks(out) == 0, out
    assert "refused a presence write (OutOfMemoryError" in out, out


@cites("docs/realtime.md", "If Redis refuses writes at start-up, `pyxle serve` starts and says so once")
@cites("docs/configuration.md", "A Redis that answers but refuses writes (full under `noeviction`, a read-only replica) "
       "does not stop\nstart-up: it says so once, in one line naming the key")
@pytest.mark.parametrize("refusal", ["full", "replica"])
def test_a_server_started_on_a_redis_that_refuses_writes_starts_and_says_so_once(make_project, start_server,
                                                                                  start_redis, refusal: str) -> None:  # type: ignore[no-untyped-def]
    """The start-up check (a PING) passed, then every worker died on its first write: 8
    tracebacks, and the server stopped."""
    redis = start_redis()
    if refusal == "full":
        fill(redis)
    else:
        master = start_redis()
        ask(redis, "REPLICAOF", "127.0.0.1", str(master.port))
    project = realtime_project(make_project, redis.url)
    server: Server = start_server(project, "serve", "--workers", "2", env=SHARED_SECRET)
    assert _answer(server.url + "/api/pid") is not None
    out = server.output()
    said = [line for line in out.splitlines() if "refuses writes" in line]
    assert len(said) == 1, out
    assert "realtime.redisUrl" in said[0] and f"Redis at {redis.url}" in said[0], said
    assert ("OutOfMemoryError" if refusal == "full" else "ReadOnlyError") in said[0], said
    assert tracebacks(out) == 0, out


def acl_user(redis: RedisServer, *rules: str) -> str:
    """An ACL user ``app`` with ``rules``; its URL."""
    ask(redis, "ACL", "SETUSER", "app", "reset", "on", ">pw", *rules)
    return f"redis://app:pw@127.0.0.1:{redis.port}/0"


def lines_with(out: str, text: str) -> list[str]:
    """The lines holding ``text``, each with the hint line under it."""
    lines = out.splitlines()
    return [f"{line}; {lines[n + 1].strip()}" for n, line in enumerate(lines) if text in line and n + 1 < len(lines)]


def stops_with(server: Server) -> str:
    assert server.wait_exit(60) == 1, server.output()
    out = server.output()
    assert tracebacks(out) == 0 and "does not answer" not in out, out
    return out


@cites("docs/configuration.md", "an ACL user that may not subscribe to Pyxle's channels or write its\nkeys stops it "
       "too, naming the permission (`NOPERM`) and the `ACL SETUSER` rule that grants it")
@cites("docs/configuration.md", "`pyxle: /app/pyxle.config.json: realtime.redisUrl: Redis user 'app' at "
       "redis://app:****@10.0.0.5:6379/0 may not subscribe to channel 'pyxle:rt:__pyxle_check__' (NOPERM: ...)`\n"
       "and `hint: ACL SETUSER app &pyxle:*`")
def test_an_acl_user_without_channel_rights_stops_start_up_with_one_line_and_a_hint(make_project, start_server,
                                                                                    start_redis) -> None:  # type: ignore[no-untyped-def]
    """Redis 7's default for a new user (`resetchannels`): the check passed, then each worker waited
    for a subscription NOPERM refused and died saying Redis "does not answer"."""
    redis = start_redis()
    url = acl_user(redis, "~*", "+@all", "resetchannels")
    project = realtime_project(make_project, url)
    server: Server = start_server(project, "serve", "--workers", "2", env=SHARED_SECRET, ready=False)
    out = stops_with(server)
    said = lines_with(out, "NOPERM")
    assert len(said) == 1, out
    assert said[0].startswith(f"pyxle: {project}/pyxle.config.json: realtime.redisUrl: Redis user 'app' at "
                              "redis://app:****@127.0.0.1"), said
    assert "may not subscribe to channel 'pyxle:rt:__pyxle_check__' (NOPERM: " in said[0] and "hint: ACL SETUSER app &pyxle:*" in said[0], said
    assert "pw@" not in out


@pytest.mark.parametrize("feature", ["realtime", "rateLimit", "cache"])
def test_an_acl_user_without_rights_on_pyxles_keys_stops_start_up_with_one_line_and_a_hint(
        make_project, start_server, start_redis, feature: str) -> None:  # type: ignore[no-untyped-def]
    """A raw NoPermissionError traceback in each worker (realtime), or a rate limit and page cache
    quietly off for ever (each request's command refused, logged once a minute as a passing fault)."""
    redis = start_redis()
    url = acl_user(redis, "~other:*", "&*", "+@all")
    config = {"realtime": {"broker": "redis", "redisUrl": url},
              "rateLimit": {"requests": 100, "window": 60, "redisUrl": url},
              "cache": {"backend": "redis", "redisUrl": url}}[feature]
    project = make_project({"pages/api/pid.py": PID, "pyxle.config.json": json.dumps({feature: config})})
    server: Server = start_server(project, "serve", env=SHARED_SECRET, ready=False)
    out = stops_with(server)
    said = lines_with(out, "NOPERM")
    assert len(said) == 1, out
    assert said[0].startswith(f"pyxle: {project}/pyxle.config.json: {feature}.redisUrl: Redis user 'app' at "), said
    assert "may not write the key " in said[0] and "hint: ACL SETUSER app ~pyxle:*" in said[0], said


@cites("docs/realtime.md", "each worker logs `realtime: Redis at <url> refused a presence write (...); counts are "
       "stale ...` at most once a minute")
def test_presence_writes_refused_by_a_full_redis_are_logged_as_stale_counts(make_project, start_server,
                                                                           start_redis) -> None:  # type: ignore[no-untyped-def]
    """The heartbeat's refused writes were logged at DEBUG only, and count() drifted to 0 unsaid."""
    import asyncio

    import websockets

    redis = start_redis()
    project = realtime_project(make_project, redis.url, **{"pages/api/rooms/[room].py": ROOM})
    server: Server = start_server(project, "serve", env=SHARED_SECRET)

    async def run() -> None:
        async with websockets.connect(server.ws_url + "/api/rooms/lobby") as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 30)) == {"online": 1}
            fill(redis)
            await asyncio.to_thread(server.wait_for_output, "refused a presence write", 20)
            await asyncio.sleep(6)  # another heartbeat: not logged again within the minute

    asyncio.run(run())
    out = server.output()
    said = [line for line in out.splitlines() if "refused a presence write" in line]
    assert len(said) == 1 and "WARNING" in said[0], out
    assert f"realtime: Redis at {redis.url} refused a presence write (OutOfMemoryError" in said[0], said
    assert "counts are stale" in said[0], said
    assert httpx.get(server.url + "/api/pid").status_code == 200
