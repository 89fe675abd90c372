"""A Redis that answers, but too slowly for a request to wait for it, or that stalls again and
again: pages are rendered and requests let through without waiting on it, and each worker says so
in a few lines, not a pair of lines ("does not answer", "answers again") every second."""

from __future__ import annotations

import asyncio
import json
import os
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
