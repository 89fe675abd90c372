"""The shared Redis client (pyxle._redis) on a real redis-server: pooling, outage and recovery."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from pyxle._redis import (
    Breaker,
    RedisBusy,
    RedisUnavailable,
    Turns,
    backoff,
    check_reachable,
    close_clients,
    redis_client,
    within,
)
from pyxle.config import masked_url
from pyxle.observability._context import request_id_var
from tests.conftest import REPO, RedisServer
from tests.docs._blocks import cites


def test_one_process_shares_one_client_per_url(redis_server: RedisServer) -> None:
    async def main() -> None:
        first = redis_client(redis_server.url)
        assert redis_client(redis_server.url) is first
        await first.set("test:shared", "1")
        assert await redis_client(redis_server.url).get("test:shared") == b"1"
        await close_clients()
        assert redis_client(redis_server.url) is not first
        await close_clients()

    asyncio.run(main())


def test_a_new_event_loop_gets_its_own_client(redis_server: RedisServer) -> None:
    async def ping() -> object:
        client = redis_client(redis_server.url)
        assert await client.ping()
        return client

    first = asyncio.run(ping())
    second = asyncio.run(ping())  # the first loop is closed; its connections cannot be reused
    assert first is not second


def test_an_unreachable_server_is_named_with_a_hint(start_redis) -> None:  # type: ignore[no-untyped-def]
    server = start_redis()
    server.stop()

    async def main() -> None:
        url = server.url.replace("redis://", "redis://:hunter2@")
        with pytest.raises(RedisUnavailable) as caught:
            await check_reachable(redis_client(url), url, feature="rate limits", timeout=5)
        text = str(caught.value)
        assert f"rate limits: Redis at redis://:****@127.0.0.1:{server.port}/0 does not answer" in text
        assert "hunter2" not in text and "hint: start redis-server" in text
        await close_clients()

    asyncio.run(asyncio.wait_for(main(), 20))


def test_commands_work_again_after_redis_restarts(start_redis) -> None:  # type: ignore[no-untyped-def]
    server = start_redis()

    async def main() -> None:
        client = redis_client(server.url)
        await client.set("k", "before")
        server.stop()
        with pytest.raises(Exception):  # noqa: B017  (redis-py's ConnectionError)
            await client.get("k")
        server.start()
        assert await client.set("k", "after")  # the pool reconnects by itself
        assert await client.get("k") == b"after"
        await close_clients()

    asyncio.run(asyncio.wait_for(main(), 30))


@pytest.mark.parametrize("retry", ["patient", "quick"])
def test_every_pooled_connection_left_from_before_a_restart_is_retried_not_an_error(start_redis, retry) -> None:  # type: ignore[no-untyped-def]
    # Connections opened before Redis restarted are dead; each one the pool hands out again must
    # be retried on a fresh connection (the docstring's "a short delay, not an error"), by the
    # broker's client and by the one per-request commands use. With the synchronous Retry given to
    # the asyncio client, no retry ran: one error per stale connection (the page cache and rate
    # limits flapped off and on for minutes after a restart).
    server = start_redis()

    async def main() -> None:
        client = redis_client(server.url, retry=retry)
        await asyncio.gather(*(client.blpop(["test:none"], 0.2) for _ in range(6)))  # six pooled connections
        server.stop()
        server.start()
        for _ in range(3):
            assert await asyncio.gather(*(client.set("test:k", "v") for _ in range(6))) == [True] * 6
        await close_clients()

    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_breaker_skips_redis_while_it_is_away_and_uses_it_again_once_a_ping_is_answered(start_redis,
                                                                                          caplog) -> None:  # type: ignore[no-untyped-def]
    server = start_redis()
    asked: list[str] = []

    async def main() -> None:
        breaker = Breaker(server.url, feature="test", label="test", meanwhile="nothing is stored",
                          logger=logging.getLogger("pyxle.test"), cooldown=0.2, cap=0.4)

        async def command() -> bytes | None:
            asked.append("get")
            return await breaker.client.get("breaker")  # the client commands through a breaker use

        assert await breaker.call(command) is None and breaker.up
        server.stop()
        with pytest.raises(RedisUnavailable, match="does not answer"):
            await breaker.call(command)  # asked, refused: the breaker opens
        for _ in range(20):  # skipped at once, never asked; PINGs after each cooldown fail
            with pytest.raises(RedisUnavailable, match="not asked until it does"):
                await breaker.call(command)
            await asyncio.sleep(0.05)
        assert asked == ["get", "get"] and not breaker.up
        assert breaker._cooldown == 0.4  # doubled, up to its cap
        server.start()
        for _ in range(100):
            if breaker.up:  # a background PING was answered
                break
            with pytest.raises(RedisUnavailable):
                await breaker.call(command)
            await asyncio.sleep(0.05)
        assert await breaker.call(command) is None and asked == ["get", "get", "get"]
        await close_clients()

    with caplog.at_level(logging.WARNING, logger="pyxle.test"):
        asyncio.run(asyncio.wait_for(main(), 30))
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines  # once when it goes, once when it is back
    assert lines[0].startswith(f"test: Redis at {server.url} does not answer (ConnectionError")
    assert lines[0].endswith("nothing is stored until it does")
    assert lines[1] == f"test: Redis at {server.url} answers again"


def test_a_breaker_finds_redis_back_with_no_request_asking_so_the_next_request_uses_it(start_redis) -> None:  # type: ignore[no-untyped-def]
    """The PING after each cooldown goes out on its own: the first request after Redis is back is
    not the one that finds it back (and goes without it, a page not stored, once per worker)."""
    server = start_redis()

    async def main() -> None:
        breaker = Breaker(server.url, feature="test", label="test", meanwhile="nothing is stored",
                          logger=logging.getLogger("pyxle.test.idle"), cooldown=0.1, cap=0.2)
        command = lambda: breaker.client.get("idle")
        server.stop()
        with pytest.raises(RedisUnavailable):
            await breaker.call(command)
        await asyncio.sleep(1)  # PINGs fail meanwhile, with no request to start them
        assert not breaker.up
        server.start()
        for _ in range(100):
            if breaker.up:
                break
            await asyncio.sleep(0.05)
        assert breaker.up, "no request came: the breaker must find Redis back by itself"
        assert await breaker.call(command) is None
        await close_clients()

    asyncio.run(asyncio.wait_for(main(), 30))


# Redis busy for ARGV[1] microseconds (a blocking command's own timeout is only as precise as its hz).
HOLD = """
local t = redis.call('TIME')
local start = t[1] * 1000000 + t[2]
repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= tonumber(ARGV[1])
"""


def test_a_breaker_whose_connections_are_all_busy_waits_its_turn_and_takes_no_outage(redis_server: RedisServer,
                                                                                     caplog) -> None:  # type: ignore[no-untyped-def]
    """A command that finds every connection busy waits for one, and its wait is not Redis's time:
    ten commands of 0.3 s on one connection with a 0.5 s timeout. While the queue moves (Redis
    answers the ones ahead) a command waits on, four timeouts at most: the first seven or so are
    answered, those further back go without Redis (RedisBusy, logged), and the breaker stays closed."""
    url = redis_server.url + "?max_connections=1"
    breaker = Breaker(url, feature="test", label="test", meanwhile="m", logger=logging.getLogger("test.busy"),
                      timeout=0.5)

    async def main() -> list[object]:
        client = breaker.client
        busy = client.register_script(HOLD)
        slow = [breaker.call(lambda: busy(args=[300_000])) for _ in range(10)]
        try:
            return await asyncio.gather(*slow, return_exceptions=True)
        finally:
            await close_clients()

    with caplog.at_level(logging.WARNING, logger="test.busy"):
        results = asyncio.run(main())
    answered = results.count(None)
    assert 5 <= answered <= 8 and results[:answered] == [None] * answered, results
    assert all(isinstance(result, RedisBusy) for result in results[answered:]), results
    assert breaker.up, "a busy pool is no outage"
    said = re.fullmatch(rf"test: every connection to Redis at {re.escape(masked_url(url))} stayed busy for "
                        r"(\d(\.\d)?) s; that request went without Redis \(logged at most once a minute\)",
                        "\n".join(record.getMessage() for record in caplog.records))
    assert said and 2.0 <= float(said.group(1)) < 2.5, caplog.records


def test_the_answers_again_line_carries_no_request_id_of_the_request_that_started_the_ping(start_redis) -> None:  # type: ignore[no-untyped-def]
    """The ping runs in the background after a request found the cooldown over; it ran in that
    request's context, so the line said that request's id, one that had ended by then."""
    server = start_redis()
    seen: list[tuple[str, str | None]] = []

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append((record.getMessage(), request_id_var.get()))

    log = logging.getLogger("pyxle.test.context")
    log.addHandler(Seen())
    log.setLevel(logging.WARNING)

    async def main() -> None:
        breaker = Breaker(server.url, feature="test", label="test", meanwhile="nothing is stored",
                          logger=log, cooldown=0.1, cap=0.1)
        command = lambda: breaker.client.get("x")
        server.stop()
        with pytest.raises(RedisUnavailable):
            await breaker.call(command)
        server.start()
        for n in range(100):
            if breaker.up:
                break
            request_id_var.set(f"request-{n}")  # as the edge does for each request
            with contextlib.suppress(RedisUnavailable):
                await breaker.call(command)
            await asyncio.sleep(0.05)
        assert breaker.up
        await close_clients()

    asyncio.run(asyncio.wait_for(main(), 30))
    assert [message for message, _ in seen][-1] == f"test: Redis at {server.url} answers again"
    assert seen[-1][1] is None, seen


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    delays = list(itertools.islice(backoff(base=0.1, cap=2.0), 12))
    assert all(0 <= d <= 2.0 for d in delays)
    assert max(delays[:2]) <= 0.2  # starts small
    assert len(set(delays)) > 1  # jittered


@cites("docs/realtime.md", "`Retry-After: 5` (the longest a worker waits between two tries\nto reconnect, so a client "
       "retrying then finds every worker back once Redis is back)")
def test_a_subscription_never_waits_longer_than_the_503s_retry_after_between_two_tries(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis port that accepts and hangs up at once, for 15 s: the broker's listener tries again
    and again, its waits growing to the Retry-After an outage's 503 names, and none longer. The
    jitter is taken at its top, so each wait is the longest it could have been."""
    monkeypatch.setattr("pyxle._redis.random.uniform", lambda low, high: high)
    from pyxle._redis import Subscription
    from pyxle.realtime._broker import RETRY_AFTER

    tries: list[float] = []

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tries.append(asyncio.get_running_loop().time())
        writer.close()

    async def on_message(channel: bytes, data: bytes) -> None:
        pass

    async def main() -> None:
        server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        subscription = Subscription(f"redis://127.0.0.1:{port}/0", on_message, feature="test", reconnect_base=0.05,
                                    logger=logging.getLogger("pyxle.test"))
        subscription.start_soon()
        await asyncio.sleep(15)
        await subscription.aclose()
        server.close()
        await close_clients()

    asyncio.run(main())
    waits = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert len(waits) >= 5, tries
    assert RETRY_AFTER == 5
    assert RETRY_AFTER - 0.05 <= max(waits) <= RETRY_AFTER + 1, waits  # the wait, plus a loaded machine's reconnect


def test_redis_messages_mask_urls_with_the_configs_masker() -> None:
    """One masker for the config's refusals and the Redis client's messages, even for a URL no
    URL parser takes (``urlsplit`` refuses the unclosed bracket)."""
    import pyxle._redis

    assert pyxle._redis.masked_url is masked_url
    assert masked_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert masked_url("rediss://user:pw@host:1/2") == "rediss://user:****@host:1/2"
    assert masked_url("redis://u:p@ss@h/0") == "redis://u:****@h/0"
    assert masked_url("unix://:pw@/tmp/redis.sock?db=1") == "unix://:****@/tmp/redis.sock?db=1"
    assert masked_url("redis://:hunter2@[::1/0") == "redis://:****@[::1/0"


def test_without_the_extra_the_error_says_how_to_install_it() -> None:
    code = (
        "import sys, asyncio\n"
        "sys.modules['redis'] = None\n"  # as if redis-py were not installed
        "from pyxle._redis import redis_client, RedisUnavailable\n"
        "async def main():\n"
        "    try:\n"
        "        redis_client('redis://x', feature='realtime')\n"
        "    except RedisUnavailable as exc:\n"
        "        print(exc)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip() == "realtime needs Redis: pip install 'pyxle-framework[redis]'"


def test_importing_pyxle_does_not_import_redis() -> None:
    code = "import sys, pyxle, pyxle._redis, pyxle.app; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip() == "False"


def test_a_subscription_sees_a_quick_redis_restart_and_subscribes_again(start_redis, caplog) -> None:  # type: ignore[no-untyped-def]
    # Redis back within a client retry's backoff: a retrying pub/sub connection reconnected behind
    # the listener's back, so it stayed "up" through the outage (a publish meanwhile reached no
    # one, without an error) and on_up, which restores what Redis lost, never ran again.
    from pyxle._redis import Subscription

    server = start_redis()
    ups: list[int] = []
    got: list[bytes] = []

    async def on_message(channel: bytes, data: bytes) -> None:
        got.append(data)

    async def on_up() -> None:
        ups.append(1)

    async def main() -> None:
        subscription = Subscription(server.url, on_message, feature="test", on_up=on_up, reconnect_base=0.02,
                                    logger=logging.getLogger("pyxle.test"))
        await subscription.start()
        await subscription.add(b"test:room")
        await asyncio.sleep(0.05)
        assert ups == [1]
        server.stop()
        server.start()
        deadline = asyncio.get_running_loop().time() + 10
        while len(ups) < 2:  # lost, and back
            assert asyncio.get_running_loop().time() < deadline, caplog.text
            await asyncio.sleep(0.02)
        assert subscription.up
        await redis_client(server.url).publish(b"test:room", b"after")
        while not got:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.02)
        assert got == [b"after"]
        await subscription.aclose()
        await close_clients()

    with caplog.at_level(logging.WARNING, logger="pyxle.test"):
        asyncio.run(asyncio.wait_for(main(), 30))
    assert "test: lost Redis at" in caplog.text and "is back; 1 channel subscribed again" in caplog.text


def test_a_subscription_whose_handler_fails_logs_it_and_reconnects(start_redis, caplog) -> None:  # type: ignore[no-untyped-def]
    # An exception other than Redis's own ended the listener task while `up` stayed true: every
    # message after it was lost, and nothing was logged.
    from pyxle._redis import Subscription

    server = start_redis()
    got: list[bytes] = []

    async def on_message(channel: bytes, data: bytes) -> None:
        if data == b"boom":
            raise RuntimeError("a bug in the handler")
        got.append(data)

    async def main() -> None:
        subscription = Subscription(server.url, on_message, feature="test", reconnect_base=0.02,
                                    logger=logging.getLogger("pyxle.test"))
        await subscription.start()
        await subscription.add(b"test:room")
        publisher = redis_client(server.url)
        await publisher.publish(b"test:room", b"boom")
        deadline = asyncio.get_running_loop().time() + 10
        while not got:  # subscribed again after the failure: a message published then arrives
            assert asyncio.get_running_loop().time() < deadline, caplog.text
            await publisher.publish(b"test:room", b"after")
            await asyncio.sleep(0.05)
        assert subscription.up
        await subscription.aclose()
        await close_clients()

    with caplog.at_level(logging.WARNING, logger="pyxle.test"):
        asyncio.run(asyncio.wait_for(main(), 30))
    assert "test: the listener on Redis at" in caplog.text and "failed; reconnecting" in caplog.text
    assert "RuntimeError: a bug in the handler" in caplog.text
    assert "is back; 1 channel subscribed again" in caplog.text


def test_within_reads_an_answer_that_came_while_the_loop_was_blocked_and_times_out_silence() -> None:
    """A timer that fires late (the loop was held by a blocking call) gives the command its time
    again: what arrived meanwhile is read, not taken for Redis's silence. Silence still times out."""
    async def scenario() -> tuple[str, float]:
        loop = asyncio.get_running_loop()
        answer = loop.create_future()
        loop.call_later(0.01, answer.set_result, "answered")  # due while the loop is blocked below
        waiting = asyncio.ensure_future(within(lambda: answer, 0.05, Turns(1)))
        await asyncio.sleep(0)  # its timer is armed
        time.sleep(0.2)  # noqa: ASYNC251  (the point: a blocking call, four timeouts long)
        got = await waiting
        began = loop.time()
        with pytest.raises(asyncio.TimeoutError):
            await within(lambda: loop.create_future(), 0.05, Turns(1))  # never answered
        return got, loop.time() - began

    got, silent = asyncio.run(scenario())
    assert got == "answered"
    assert 0.04 < silent < 1.0, silent


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_within_counts_no_silence_while_every_turn_of_the_loop_is_long(loop: str) -> None:
    """A worker with a crowd of requests in flight runs long turns of its event loop (45 ms here,
    each under the old 50 ms "stalled" mark), so a command of four round trips took over its
    0.25 s while the peer answered each at once. On uvloop, which granian runs, every such command
    timed out (CI: "page cache: Redis ... does not answer (timed out after 0.25 s)", and "answers
    again" 9 ms later). A step of the timeout counts only while the loop keeps up."""
    async def scenario() -> int:
        running = asyncio.get_running_loop()
        near, far = socket.socketpair()
        near.setblocking(False)
        answered: list[asyncio.Future[None]] = []

        def read() -> None:
            near.recv(64)
            if answered and not answered[-1].done():
                answered[-1].set_result(None)

        def crowd() -> None:  # one turn's work: 45 ms of Python, every turn
            end = time.perf_counter() + 0.045
            while time.perf_counter() < end:
                pass
            if not stop.is_set():
                running.call_soon(crowd)

        async def four_round_trips() -> None:
            for _ in range(4):
                answered.append(running.create_future())
                near.send(b"?")
                await answered[-1]

        def echo() -> None:  # answers at once, outside the loop (Redis is another process)
            while data := far.recv(64):
                far.send(data)

        stop = threading.Event()
        peer = threading.Thread(target=echo, daemon=True)
        peer.start()
        running.add_reader(near.fileno(), read)
        running.call_soon(crowd)
        timed_out = 0
        try:
            for _ in range(5):
                try:
                    await within(four_round_trips, 0.25, Turns(1))
                except asyncio.TimeoutError:
                    timed_out += 1
        finally:
            stop.set()
            running.remove_reader(near.fileno())
            near.close()  # the peer reads its end, and stops
            peer.join(5)
            far.close()
        return timed_out

    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        assert uvloop.run(scenario()) == 0
    else:
        assert asyncio.run(scenario()) == 0
