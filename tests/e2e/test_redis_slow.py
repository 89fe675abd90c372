"""A Redis that answers, but too slowly for a request to wait for it, or that stalls again and
again: pages are rendered and requests let through without waiting on it, and each worker says so
in a few lines, not a pair of lines ("does not answer", "answers again") every second."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API, serve, write_counted
from tests.e2e.test_cache_redis import STORED
from tests.e2e.test_realtime_races import delaying_proxy

GOES = "does not answer"
BACK = "answers again"


def slow_project(tmp_path: Path, redis_url: str) -> Path:
    """``/stored`` kept in the Redis at ``redis_url``, with the rate limit's counters there too."""
    config = {"cache": {"backend": "redis", "redisUrl": redis_url},
              "rateLimit": {"requests": 100_000, "window": 60, "redisUrl": redis_url}}
    return write_counted(tmp_path / "app", {"counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
                                            "pages/stored.pyxl": STORED, "pyxle.config.json": json.dumps(config)})


@contextmanager
def far_redis(port: int, delay: float) -> Iterator[str]:
    """The URL of the Redis on ``port`` through a proxy holding each chunk ``delay`` seconds each way."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    proxy = asyncio.run_coroutine_threadsafe(delaying_proxy(port, delay), loop).result(10)
    try:
        yield f"redis://127.0.0.1:{proxy.port}/0"
    finally:
        asyncio.run_coroutine_threadsafe(proxy.aclose(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def timed_pages(url: str, seconds: float) -> list[float]:
    """Ask for ``url`` for ``seconds``: how long each answer took (each a 200 of the page)."""
    took = []
    end = time.monotonic() + seconds
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < end:
            began = time.monotonic()
            answer = client.get(url)
            took.append(time.monotonic() - began)
            assert answer.status_code == 200 and "stored" in answer.text, answer.text[:200]
            time.sleep(0.05)
    return took


def outage_lines(out: str, label: str) -> tuple[int, int]:
    """How many times ``label``'s breaker said Redis went, and came back."""
    lines = [line for line in out.splitlines() if f"{label}: Redis at" in line]
    return sum(GOES in line for line in lines), sum(BACK in line for line in lines)


@cites("docs/pages.md", "A Redis that answers a `PING`, but slower than that quarter of a second, is still away")
@cites("docs/security.md", "one slower than that (far away, or overloaded) stays away, logged once rather than\n"
       "every second")
def test_a_redis_too_slow_for_requests_is_left_alone_and_logged_once_not_every_second(tmp_path: Path,
                                                                                      start_redis) -> None:
    """Redis far away (0.4 s a round trip): the PING that closed the breaker waited up to 2 s, so it
    closed it, the next request timed out and opened it again, and each worker logged a pair of
    lines about once a second for each of the page cache and the rate limit, for as long as it
    lasted. The PING is now held to the time a request waits, so Redis stays away, said once."""
    redis = start_redis()
    with far_redis(redis.port, 0.2) as url:
        server = serve(slow_project(tmp_path, url))
        try:
            took = timed_pages(server.url + "/stored", 8)
            out = server.output()
        finally:
            server.stop()
    for label in ("page cache", "rate limit"):
        goes, back = outage_lines(out, label)
        assert goes == 1 and back == 0, (label, goes, back)
    # the first request pays each subsystem's quarter of a second; the rest wait for no Redis (the
    # median, not the slowest: a busy machine may hold any one request as long)
    assert sorted(took)[len(took) // 2] < 0.2, [round(t, 2) for t in took]


@cites("docs/pages.md", "go on growing when it goes again within ten seconds of coming back, so each worker asks, and logs\n"
       "it, less and less often")
@cites("docs/security.md", "One that goes again within ten\nseconds of coming back (it stalls again and again) is asked "
       "after pauses that go on growing")
def test_a_redis_that_stalls_again_and_again_is_asked_less_and_less_often(tmp_path: Path, start_redis) -> None:
    """Redis stalling 0.4 s in every 0.5 s (a host swapping, say): between stalls it answers a PING at
    once, so the breaker closed, and opened again at the next request, at the same half-second pace
    each time. Opened again soon after it closed, the pause now goes on growing as in one outage."""
    redis = start_redis()
    server = serve(slow_project(tmp_path, redis.url))
    stop = threading.Event()

    def stall() -> None:
        while not stop.is_set():
            os.kill(redis.proc.pid, signal.SIGSTOP)
            time.sleep(0.4)
            os.kill(redis.proc.pid, signal.SIGCONT)
            time.sleep(0.1)

    staller = threading.Thread(target=stall)
    try:
        staller.start()
        timed_pages(server.url + "/stored", 12)
        stop.set()
        staller.join()
        out = server.output()
    finally:
        stop.set()
        os.kill(redis.proc.pid, signal.SIGCONT)
        server.stop()
    for label in ("page cache", "rate limit"):
        goes, _ = outage_lines(out, label)
        # pauses of 0.5, 1, 2, 4 and 8 s fill 12 s: five outages at most (before: one a second)
        assert 1 <= goes <= 5, (label, goes, out[-3000:])


NEWS = '''
from pyxle.realtime import count, publish

async def post(request):
    await publish("room:news", {"title": "deployed"})
    return {"listeners": await count("room:news")}
'''
LIMIT = 4  # requests a minute: the fifth is refused when the rate limit reaches its Redis
SLOW = "answers a PING in"


def far_project(tmp_path: Path, redis_url: str) -> Path:
    """Every Redis-backed feature on the Redis at ``redis_url``: ``/stored`` kept in it, the rate
    limit's counters (``LIMIT`` a minute) and the realtime broker that ``POST /api/news`` publishes on."""
    config = {"cache": {"backend": "redis", "redisUrl": redis_url},
              "rateLimit": {"requests": LIMIT, "window": 60, "redisUrl": redis_url},
              "realtime": {"broker": "redis", "redisUrl": redis_url}}
    return write_counted(tmp_path / "app", {"counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
                                            "pages/api/news.py": NEWS, "pages/stored.pyxl": STORED,
                                            "pyxle.config.json": json.dumps(config)})


def far_answers(tmp_path: Path, start_redis, query: str) -> tuple[list[tuple[int, str]], str]:  # type: ignore[no-untyped-def]
    """Through a Redis 0.3 s away (0.15 s each way) whose URL ends in ``query``: a publish, then
    ``/stored`` until the rate limit would refuse it; each answer's status and cache state, and the log."""
    redis = start_redis()
    with far_redis(redis.port, 0.15) as url:
        server = serve(far_project(tmp_path, url + query))
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                answers = [(client.post("/api/news").status_code, "")]
                for _ in range(LIMIT):
                    answer = client.get("/stored")
                    answers.append((answer.status_code, answer.headers.get("x-pyxle-cache", "")))
            out = server.output()
        finally:
            server.stop()
    return answers, out


@cites("docs/configuration.md", "gets a longer wait from\nthe URL's `?socket_timeout=`, in seconds, as redis-py reads it")
@cites("docs/configuration.md", "that is then the wait of each feature using that URL\nfor each of its commands, "
       "instead of its own")
@cites("docs/pages.md", "waits a quarter of a second at most (or the URL's `?socket_timeout=`")
@cites("docs/security.md", "A Redis\nfar away gets a longer wait than the quarter of a second from the URL's `?socket_timeout=`")
@cites("docs/realtime.md", "a publish, a count, a presence write and a join then\nwait that long for it instead")
def test_a_far_redis_whose_url_gives_a_socket_timeout_is_used_by_every_feature(tmp_path: Path, start_redis) -> None:
    """``?socket_timeout=5`` was accepted and ignored: each feature waited its own fraction of a
    second, so a Redis 0.3 s away passed start-up, then no page was kept, the rate limit let every
    request through and every publish was a 503."""
    # 5 s: a first command opens its connection and loads its script, some six round trips
    answers, out = far_answers(tmp_path, start_redis, "?socket_timeout=5")
    assert answers[0] == (200, ""), (answers, out[-3000:])  # published and counted
    assert answers[1:-1] == [(200, "MISS")] + [(200, "HIT")] * (LIMIT - 2), answers
    assert answers[-1][0] == 429, answers
    assert GOES not in out and SLOW not in out, out[-3000:]


@cites("docs/configuration.md", "Start-up times a `PING` to each Redis, and one whose round trip is more than half of "
       "its feature's\nwait does not stop it, but is said once, in one line naming the key, the time and the wait")
@cites("docs/configuration.md", "rateLimit.redisUrl: Redis at redis://10.0.0.5:6379/0 answers a PING in 0.31 s, more "
       "than half of the 0.25 s a command waits for it; slower commands go without Redis; hint: a far Redis needs a "
       "longer wait: add ?socket_timeout=SECONDS to the URL")
@cites("docs/pages.md", "A Redis that answers a `PING`, but slower than that quarter of a second, is still away")
def test_a_far_redis_without_a_socket_timeout_is_said_at_start_up_and_then_done_without(tmp_path: Path,
                                                                                        start_redis) -> None:
    answers, out = far_answers(tmp_path, start_redis, "")
    assert answers[0] == (503, ""), answers  # the publish gave up after its half second
    assert answers[1:] == [(200, "MISS")] * LIMIT, answers  # rendered each time, and not limited
    warnings = [line for line in out.splitlines() if SLOW in line]
    file = tmp_path / "app" / "pyxle.config.json"
    assert [line.split(": Redis at")[0].split("WARNING pyxle [-]: ")[-1] for line in warnings] == [
        f"{file}: {key}.redisUrl" for key in ("rateLimit", "realtime", "cache")], out
    for line, wait in zip(warnings, ("0.25", "0.5", "0.25"), strict=True):
        assert re.search(rf"answers a PING in 0\.\d\d s, more than half of the {wait} s a command waits for it; "
                         r"slower commands go without Redis; hint: a far Redis needs a longer wait: add "
                         r"\?socket_timeout=SECONDS to the URL$", line), line
