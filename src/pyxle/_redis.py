"""The one way Pyxle reaches Redis: realtime fan-out, the page cache and rate-limit counters share it.

redis-py is an optional extra (``pip install "pyxle-framework[redis]"``). Importing this module
does not import it; ``redis_client`` does, and says how to install it when it is missing. Every
client comes from here, so each subsystem gets the same pool, timeouts, retries with backoff and
key prefix, and one process talking to one URL shares one connection pool.

``Breaker`` is how a subsystem asks Redis on every request (the page cache, rate-limit counters):
each command waits a fraction of a second at most, and while Redis is away it is not asked at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import hmac
import logging
import math
import os
import random
import sys
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pyxle._loggable import Sparse
from pyxle.config import masked_url, socket_timeout

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX = "pyxle:"
# Seconds a per-request command waits for Redis. It answers in well under a millisecond; a Redis
# that holds the connection open without answering (a stopped process) must not hold the request.
# A URL's ?socket_timeout= replaces it (see wait_limit).
COMMAND_TIMEOUT = 0.25
SOCKET_TIMEOUT = 5.0  # seconds any command waits for Redis's answer on its connection
# Connections one client (a worker's, per URL and retry policy) opens at most. A command holds one
# for a round trip, well under a millisecond, so one event loop keeps few busy at once even with
# hundreds of requests in flight; a command finding them all busy waits for one (never an error).
# 50 per client keeps a hundred workers' page cache, rate limit and realtime broker within
# Redis's default of 10,000 clients.
POOL_SIZE = 50
# within() watches a command's timeout in this many steps, and a step that fires more than BUSY
# seconds late shows an event loop behind its work (see within()).
STEPS = 5
BUSY = 0.01
T = TypeVar("T")
# event loop -> url -> client: a client's connections belong to the loop that opened them
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Redis]] = weakref.WeakKeyDictionary()
# event loop -> client -> its turns to a connection (see turns())
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, weakref.WeakKeyDictionary[Redis, Turns]] = (
    weakref.WeakKeyDictionary())


def wait_limit(url: str, default: float) -> float:
    """How long a feature's command waits for the Redis at ``url``: the URL's ``?socket_timeout=``
    when it gives one (the operator's word for how far their Redis is), else ``default``."""
    try:
        given = socket_timeout(url)
    except ValueError:  # refused with the configuration; a URL built in code keeps the default
        return default
    return default if given is None else given


class RedisUnavailable(Exception):
    """Redis cannot be used: the extra is not installed, or the server does not answer."""


class RedisRefused(RedisUnavailable):
    """Redis answered one command with an error (out of memory, a value out of range): that command
    failed, and Redis is still used for the next ones."""


class RedisBusy(RedisUnavailable):
    """Every connection of the worker's pool stayed busy for the command's timeout (a crowd of
    requests in flight): that command went without Redis, which is still used for the next ones."""


def app_namespace(secret: str | bytes) -> str:
    """A short name for the app that owns ``secret`` (its secret key), which does not reveal it.

    What an app keeps in Redis (rate-limit counters, stored pages) is under this name: every server
    of one app shares the key, and two apps (a staging and a production of one build) do not.
    No key (a test's app), no name: "".
    """
    if not secret:
        return ""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, b"pyxle app namespace", hashlib.sha256).hexdigest()[:16]


def _redis_module(feature: str) -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise RedisUnavailable(f"{feature} needs Redis: pip install 'pyxle-framework[redis]'") from None
    return redis.asyncio


# How a client's commands retry. "patient" ones (start-up, the broker's own) three times with
# backoff, so a restart of Redis costs a short delay, not an error. "quick" ones (a request waits
# for them, behind a Breaker) once, at once, on a fresh connection: a pooled connection a restarted
# Redis closed costs nothing, and a Redis that is down fails at once. A Subscription's "never": its
# listener reconnects by itself and must see every outage to restore what Redis lost.
Patience = Literal["patient", "quick", "never"]


def redis_client(url: str = DEFAULT_URL, *, feature: str = "this feature", retry: Patience = "patient") -> Redis:
    """The shared client for ``url`` and ``retry`` in this process (one connection pool each, per
    event loop). Commands time out instead of hanging while Redis is down, and wait for a free
    connection of the pool's ``POOL_SIZE`` (as long as a command waits for Redis) rather than fail."""
    module = _redis_module(feature)
    from redis.asyncio.retry import Retry  # the asyncio client awaits its retries: the sync Retry never ran them
    from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
    from redis.exceptions import ConnectionError, TimeoutError

    clients = _clients.setdefault(asyncio.get_running_loop(), {})
    key = url if retry == "patient" else f"{url}#{retry}"
    client = clients.get(key)
    if client is None:
        policy = {"patient": Retry(ExponentialWithJitterBackoff(base=0.05, cap=1.0), retries=3),
                  "quick": Retry(NoBackoff(), retries=1), "never": Retry(NoBackoff(), retries=0)}[retry]
        pool = module.BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_SIZE,
            timeout=wait_limit(url, COMMAND_TIMEOUT) if retry == "quick" else SOCKET_TIMEOUT,
            socket_connect_timeout=2,
            socket_timeout=SOCKET_TIMEOUT,
            health_check_interval=15,
            retry=policy,
            retry_on_error=[ConnectionError, TimeoutError],
        )
        client = clients[key] = module.Redis.from_pool(pool)
    return client


class Turns(asyncio.Semaphore):
    """The turns to a connection of one client's pool (see ``turns``), and when Redis last answered
    a command made in one: while it answers others, a command still waiting is behind, not lost."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.heard = -math.inf  # the event loop's time of the last answer


def turns(client: Redis) -> Turns:
    """The turns to a connection of ``client``'s pool on the running loop, as many as the pool has
    (the URL may set ``?max_connections=``). A command takes one before it asks Redis, so it finds a
    connection free: the time it waited for its turn (a crowd of commands, a worker that stalled)
    is not counted as Redis's, and the pool's own wait, whose timed-out waiters drop the wake-ups
    meant for the next ones on Python 3.11, is never used."""
    gates = _gates.setdefault(asyncio.get_running_loop(), weakref.WeakKeyDictionary())
    gate = gates.get(client)
    if gate is None:
        gate = gates[client] = Turns(client.connection_pool.max_connections)
    return gate


async def wait_turn(gate: Turns, timeout: float) -> None:
    """Take a turn of ``gate``: at once when one is free, else within ``timeout`` seconds, not
    counting time in which the worker stalled or Redis answered others (``asyncio.TimeoutError``).
    The caller releases it."""
    if not gate.locked():
        await gate.acquire()  # free: taken at once, with no timer
        return
    await within(gate.acquire, timeout, gate, answer=False)


async def within(command: Callable[[], Awaitable[T]], timeout: float, gate: Turns, *, extensions: int = 3,
                 answer: bool = True) -> T:
    """``await command()``, given up with ``asyncio.TimeoutError`` once Redis has been silent for
    ``timeout`` seconds. A worker far behind (a blocking call in some request, a crowd of them)
    reads its answers late; that is no silence of Redis. So the timeout is counted in ``STEPS``
    steps: a step counts only while the event loop keeps up (its timer fires on time), so a loop
    whose every turn is long counts nothing however many round trips a command makes; and Redis
    answering another command of ``gate`` starts the count again. ``(1 + extensions) * STEPS``
    steps bound the wait in any case; an expiry leaves the answers already read in this turn of the
    loop to be handled first. ``answer``: whether ``command`` finishing means Redis answered (a turn
    coming free does not)."""
    loop = asyncio.get_running_loop()
    if sys.version_info < (3, 11):
        result = await asyncio.wait_for(command(), timeout)
    else:
        result = await _within(loop, command, timeout, gate, extensions)
    if answer:
        gate.heard = loop.time()
    return result


async def _within(loop: asyncio.AbstractEventLoop, command: Callable[[], Awaitable[T]], timeout: float, gate: Turns,
                  extensions: int) -> T:
    async with asyncio.timeout(None) as bound:  # no task per command, as wait_for makes on 3.11
        step = timeout / STEPS
        last = loop.time()
        steps = silent = 0  # steps taken, and those of Redis's silence

        def tick(due: float) -> None:
            nonlocal handle, last, steps, silent
            now = loop.time()
            steps += 1
            if gate.heard > last:
                silent = 0  # Redis answered another command: it is not silent, this one waits its turn
            elif now - due <= BUSY:
                silent += 1
            last = now
            if silent >= STEPS or steps >= STEPS * (1 + extensions):
                bound.reschedule(now)  # asyncio's own expiry, one loop turn on: after the answers read in this one
            else:
                handle = loop.call_at(now + step, tick, now + step)

        handle = loop.call_at(last + step, tick, last + step)
        try:
            return await command()
        finally:
            handle.cancel()


class Breaker:
    """Per-request commands that give up fast, and skip Redis while it is away.

    The page cache and the rate limiter ask Redis on every request and can do without an answer
    (the page is rendered, the request let through). A hung Redis keeps its TCP connection open
    and answers nothing, so the client's socket timeout alone would make every request wait it.
    Here a command waits at most ``timeout`` (by default the URL's ``?socket_timeout=``, else
    ``COMMAND_TIMEOUT``). A failure opens the breaker: commands raise
    ``RedisUnavailable`` at once, without touching Redis, for a cooldown that doubles (up to
    ``cap``) while Redis stays away. At the end of each cooldown one ``PING`` goes out in the
    background, whether requests come or not (none waits for it), and its answer within ``timeout``
    closes the breaker: the next request after Redis is back uses it. One warning when Redis
    goes away and one when it is back; a Redis away again within ``cap`` seconds of coming back
    (one that stalls again and again) keeps the cooldown it reached, so it is not asked, nor logged,
    every half second. One breaker per subsystem, so each log line says what the
    outage costs (``meanwhile``). A command Redis answers with an error (``ResponseError``: out of
    memory, a bad argument) is no outage: it raises ``RedisRefused`` for that command alone, logged
    at most once a minute, and the breaker stays closed. Nor is a crowd of commands: each waits its
    turn to a connection (at most ``timeout``; then ``RedisBusy`` for it alone, logged at most once a
    minute), and only then is Redis given ``timeout`` to answer.

    ``catch_up``: writes that must reach Redis before the subsystem reads it again (the page cache's
    invalidations that failed meanwhile). Once Redis answers, the breaker runs it before it closes,
    and stays open while it raises ``RedisUnavailable``. ``hurry()`` says such a write waits: the
    PINGs keep the first cooldown's pace until Redis answers, so it is applied soon after.
    """

    def __init__(self, url: str, *, feature: str, label: str, meanwhile: str, logger: logging.Logger,
                 timeout: float | None = None, cooldown: float = 0.5, cap: float = 10.0,
                 probe_timeout: float = 2.0, catch_up: Callable[[], Awaitable[None]] | None = None) -> None:
        self.url = url
        self.feature = feature  # for redis_client's "needs Redis: pip install" message
        self.label = label
        self.meanwhile = meanwhile
        self.timeout = wait_limit(url, COMMAND_TIMEOUT) if timeout is None else timeout
        self.base = cooldown
        self.cap = cap
        # the PING may also open a connection (TLS, a far Redis)
        self.probe_timeout = max(probe_timeout, 2 * self.timeout)
        self._log = logger
        self._cooldown = cooldown
        self._away = False  # Redis did not answer: the breaker is open until a PING is answered
        self._back_at = -math.inf  # when it last came back (time.monotonic())
        self._probe: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None  # the next PING's
        self._refusals = Sparse(60)  # the line for a command Redis refused
        self._busy_lines = Sparse(60)  # the line for a command that found every connection busy
        self.catch_up = catch_up
        self._hurried = False  # a write waits for Redis: PING at the base cooldown

    @property
    def up(self) -> bool:
        return not self._away

    @property
    def client(self) -> Redis:
        """The client for commands made through this breaker (``retry="quick"``)."""
        return redis_client(self.url, feature=self.feature, retry="quick")

    async def call(self, command: Callable[[], Awaitable[T]], *, force: bool = False) -> T:
        """``await command()`` within the timeout, or ``RedisUnavailable`` (logged once per outage;
        ``RedisRefused`` when Redis answered this command with an error, ``RedisBusy`` when it never
        got a connection).

        While the breaker is open ``command`` is not called, unless ``force`` (a write the caller
        must not drop unseen, such as an invalidation); its success closes the breaker.
        """
        self._not_open(force)
        from redis import exceptions

        gate = turns(self.client)
        await self._turn(gate)
        try:
            self._not_open(force)  # it opened while this waited: the rest of a crowd does not wait too
            result = await within(command, self.timeout, gate)
        except exceptions.RedisError as exc:
            if not isinstance(exc, (exceptions.ConnectionError, exceptions.TimeoutError)):
                self._answered()  # Redis answered, with an error for this command alone
                raise self._refused(exc) from exc
            raise self._unavailable(exc) from exc
        except (OSError, asyncio.TimeoutError) as exc:
            raise self._unavailable(exc) from exc
        finally:
            gate.release()
        self._answered()
        return result

    def hurry(self) -> None:
        """A write waits for Redis (``catch_up`` has work): PING it at the first cooldown's pace."""
        self._hurried = True
        if self._away and self._cooldown > self.base:
            self._cooldown = self.base
            if self._probe is None or self._probe.done():
                self._probe_later()

    def _not_open(self, force: bool) -> None:
        if self._away and not force:
            raise RedisUnavailable(f"Redis at {masked_url(self.url)} does not answer (not asked until it does)")

    async def _turn(self, gate: Turns) -> None:
        """Wait for a turn to a connection (see ``wait_turn``): ``RedisBusy`` when none came, which
        says nothing about Redis."""
        began = time.monotonic()
        try:
            await wait_turn(gate, self.timeout)
        except asyncio.TimeoutError:
            raise self._busy(time.monotonic() - began) from None

    def _busy(self, waited: float) -> RedisBusy:
        if self._busy_lines.due() is not None:
            self._log.warning("%s: every connection to Redis at %s stayed busy for %.2g s; that request went "
                              "without Redis (logged at most once a minute)", self.label, masked_url(self.url),
                              waited)
        return RedisBusy(f"every connection to Redis at {masked_url(self.url)} is busy")

    def _unavailable(self, exc: BaseException) -> RedisUnavailable:
        reason = f"timed out after {self.timeout:g} s" if isinstance(exc, asyncio.TimeoutError) else (
            f"{type(exc).__name__}: {exc}")
        self._down(reason)
        return RedisUnavailable(f"Redis at {masked_url(self.url)} does not answer ({reason})")

    def _refused(self, exc: Exception) -> RedisRefused:
        reason = f"{type(exc).__name__}: {exc}"
        if self._refusals.due() is not None:
            self._log.warning("%s: Redis at %s refused a command (%s); that one went without Redis "
                              "(logged at most once a minute)", self.label, masked_url(self.url), reason)
        return RedisRefused(f"Redis at {masked_url(self.url)} refused the command ({reason})")

    def _probe_later(self) -> None:
        """PING Redis once the cooldown is over (one timer at a time)."""
        if self._timer is not None:
            self._timer.cancel()
        # In a context of its own: the request whose failure scheduled it has nothing to do with the
        # PING, and its "answers again" line must not carry that request's id.
        self._timer = contextvars.Context().run(asyncio.get_running_loop().call_later, self._cooldown, self._probe_now)

    def _probe_now(self) -> None:
        self._timer = None
        if self._away and (self._probe is None or self._probe.done()):
            self._probe = asyncio.get_running_loop().create_task(self._ping())

    async def _ping(self) -> None:
        from redis.exceptions import RedisError

        try:
            await asyncio.wait_for(self.client.ping(), self.probe_timeout)  # may open a connection first
            # and as fast as a request waits for it: a Redis slower than that, taken back, would be
            # taken away again by the next request, logging both every second while it stays slow
            await within(self.client.ping, self.timeout, turns(self.client))
            if self.catch_up is not None:
                await self.catch_up()
        except RedisRefused:
            self._back()  # Redis answers, and refused the catch-up: the subsystem retries it before each use
        except (RedisError, OSError, asyncio.TimeoutError, RedisUnavailable):
            self._cooldown = self.base if self._hurried else min(self.cap, self._cooldown * 2)
            self._probe_later()
        else:
            self._back()

    def _answered(self) -> None:
        """Redis answered a command: the breaker closes, after ``catch_up`` when it was open (the
        PING runs it now)."""
        if not (self._away and self.catch_up is not None):
            self._back()
            return
        if self._timer is not None:
            self._timer.cancel()
        contextvars.Context().run(self._probe_now)  # not this request's: see _probe_later

    def _down(self, reason: str) -> None:
        if not self._away:
            self._log.warning("%s: Redis at %s does not answer (%s); %s until it does", self.label,
                              masked_url(self.url), reason, self.meanwhile)
            # Away again soon after it came back (a Redis that stalls again and again): the pauses go
            # on growing as in one outage, rather than start again at the first, so it is asked, and
            # logged, less and less often.
            again = time.monotonic() - self._back_at < self.cap
            self._cooldown = min(self.cap, self._cooldown * 2) if again else self.base
            self._away = True
            self._probe_later()

    def _back(self) -> None:
        self._hurried = False
        if self._away:
            self._away = False
            self._back_at = time.monotonic()  # the pause it reached is kept for a while: see _down
            self._log.warning("%s: Redis at %s answers again", self.label, masked_url(self.url))


async def check_reachable(client: Redis, url: str, *, feature: str, timeout: float) -> None:
    """Start-up check: a ``PING`` answered within ``timeout`` seconds, or ``RedisUnavailable`` naming
    the URL and a fix. The bound is the whole check's: a hung Redis (a stopped process keeps its port
    open) would hold a patient client through every retry of its socket timeout."""
    from redis.exceptions import RedisError, TimeoutError

    try:
        await asyncio.wait_for(client.ping(), timeout)
    except asyncio.TimeoutError:
        raise _unreachable(url, feature, TimeoutError(f"no answer in {timeout:g} s")) from None
    except (RedisError, OSError) as exc:
        raise _unreachable(url, feature, exc) from None


def _unreachable(url: str, feature: str, exc: BaseException | None = None) -> RedisUnavailable:
    """Why start-up cannot use the Redis at ``url``, and the fix: a password it refused is no
    server to start, nor is a Redis that answers with its client limit or a certificate that does
    not verify."""
    from redis.exceptions import (
        AuthenticationError,
        BusyLoadingError,
        MaxClientsReachedError,
        NoPermissionError,
        ResponseError,
    )

    cause = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    where = f"{feature}: Redis at {masked_url(url)}"
    if isinstance(exc, NoPermissionError):
        user = _user(url)
        return RedisUnavailable(f"{feature}: Redis user {user!r} at {masked_url(url)} lacks a permission Pyxle needs "
                                f"(NOPERM: {exc})\n    hint: ACL SETUSER {user} ~pyxle:* &pyxle:*")
    if isinstance(exc, ResponseError):  # it answers: the URL asks for what it has not (a database beyond `databases`)
        return RedisUnavailable(f"{where} answered the connection with an error{cause}\n"
                                "    hint: correct the URL (its database number must be below the server's "
                                "`databases` setting, 16 by default)")
    if isinstance(exc, AuthenticationError):
        if urlsplit(url).password is None:
            return RedisUnavailable(f"{where} asks for a password, and the URL "
                                    f"gives none{cause}\n    hint: put it in the URL: "
                                    "redis://:PASSWORD@host:port/db (redis://USER:PASSWORD@... for an ACL user)")
        return RedisUnavailable(f"{where} refused the password in the URL{cause}\n"
                                "    hint: the password (or user name) in the URL is wrong: correct it")
    if isinstance(exc, MaxClientsReachedError):
        return RedisUnavailable(f"{where} refused the connection: max number of clients reached{cause}\n"
                                "    hint: raise Redis's `maxclients` setting, or close the clients that hold them")
    if isinstance(exc, BusyLoadingError):
        return RedisUnavailable(f"{where} is loading its data set into memory{cause}\n"
                                "    hint: retry shortly, once Redis has loaded it")
    if exc is not None and "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return RedisUnavailable(f"{where} sent a TLS certificate that does not verify{cause}\n"
                                "    hint: name the CA that signed it in the URL (?ssl_ca_certs=/path/to/ca.pem), "
                                "or turn the check off with ?ssl_cert_reqs=none")
    return RedisUnavailable(f"{where} does not answer{cause}\n"
                            "    hint: start redis-server, or correct the URL")


def _user(url: str) -> str:
    """The ACL user the URL logs in as (``default`` when it names none)."""
    return urlsplit(url).username or "default"


def refuses_writes(exc: BaseException) -> bool:
    """Whether Redis answered a write with a refusal that lasts until it is fixed on Redis's side (full
    under ``noeviction``, a read-only replica): no outage, and no reason for a worker to stop."""
    from redis.exceptions import OutOfMemoryError, ReadOnlyError

    return isinstance(exc, (OutOfMemoryError, ReadOnlyError))


# Set by pyxle serve and pyxle dev for their workers: the Redis URLs (hashed: a URL may hold a
# password) that the server's start-up found answering.
CHECKED = "PYXLE_REDIS_CHECKED"


def _url_mark(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def mark_checked(urls: Iterable[str], environ: MutableMapping[str, str]) -> None:
    """Record in ``environ`` (which the workers inherit) that start-up found ``urls`` answering."""
    environ[CHECKED] = " ".join(sorted({_url_mark(url) for url in urls}))


def checked_at_start(url: str) -> bool:
    """Whether the server's start-up found ``url`` answering. A worker started later (a crash, a
    timeout, a reload) then does not ask again: Redis being away at that moment is an outage, which
    the running subsystems ride out, not a configuration error to stop on (that would stop every
    worker, through the server's crash-loop guard, while the workers already running were fine)."""
    return _url_mark(url) in os.environ.get(CHECKED, "").split()


# What a start-up check asks of Redis besides a PING: the channels it subscribes to and a key it
# writes, as the feature will (a SET and a DEL in a script: the rate limit and page cache use scripts).
_WRITE = "redis.call('SET', KEYS[1], '1', 'PX', 1000); return redis.call('DEL', KEYS[1])"


def ensure_reachable(url: str, *, feature: str, timeout: float = 2.0, key: str | None = None,
                     channels: Iterable[str] = (), limit: float | None = None) -> list[str]:
    """The start-up check before any event loop runs (an app being built): ``RedisUnavailable``, or
    the notes to print (none when all is well): Redis answers but refuses writes (full, a read-only
    replica: the server starts and rides that out), or answers a ``PING`` slower than half of
    ``limit``, the feature's wait for a command. ``key`` and ``channels``: what the feature will
    write and subscribe to, tried so that an ACL user without the rights is named now, not by every
    worker."""
    _redis_module(feature)
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    notes: list[str] = []
    try:
        client.ping()  # connects: the round trip is timed on the open connection
        if limit is not None and (slow := _slow_note(client, url, feature, limit)) is not None:
            notes.append(slow)
        for channel in channels:
            _try_subscribe(client, url, feature, channel)
        if key is not None and (refusal := _try_write(client, url, feature, key)) is not None:
            notes.append(refusal)
    except (redis.RedisError, OSError) as exc:
        raise _unreachable(url, feature, exc) from None
    finally:
        client.close()
    return notes


def _slow_note(client: Any, url: str, feature: str, limit: float) -> str | None:
    """The line for a Redis whose ``PING`` round trip is more than half of ``limit``: the server
    starts, and then many commands would take longer than a request waits, each going without Redis."""
    began = time.perf_counter()
    client.ping()
    took = time.perf_counter() - began
    if took <= limit / 2:
        return None
    return (f"{feature}: Redis at {masked_url(url)} answers a PING in {took:.2f} s, more than half of the "
            f"{limit:g} s a command waits for it; slower commands go without Redis; "
            "hint: a far Redis needs a longer wait: add ?socket_timeout=SECONDS to the URL")


def _try_subscribe(client: Any, url: str, feature: str, channel: str) -> None:
    from redis.exceptions import NoPermissionError

    pubsub = client.pubsub()
    try:
        pubsub.subscribe(channel)
        pubsub.get_message(timeout=1.0)
    except NoPermissionError as exc:
        user = _user(url)
        raise RedisUnavailable(f"{feature}: Redis user {user!r} at {masked_url(url)} may not subscribe to channel "
                               f"{channel!r} (NOPERM: {exc})\n    hint: ACL SETUSER {user} {_pattern('&', channel)}"
                               ) from None
    finally:
        pubsub.close()


def _try_write(client: Any, url: str, feature: str, key: str) -> str | None:
    from redis.exceptions import NoPermissionError, ResponseError

    try:
        client.eval(_WRITE, 1, key)
    except NoPermissionError as exc:
        user = _user(url)
        grant = _pattern("~", key) if "key" in str(exc) else "+@all (or the command it names)"
        raise RedisUnavailable(f"{feature}: Redis user {user!r} at {masked_url(url)} may not write the key {key!r} "
                               f"(NOPERM: {exc})\n    hint: ACL SETUSER {user} {grant}") from None
    except ResponseError as exc:
        if not refuses_writes(exc):
            raise
        return (f"{feature}: Redis at {masked_url(url)} refuses writes ({type(exc).__name__}: "
                f"{str(exc).split(' script:')[0]}); the server starts and does without what Redis refuses; "
                "hint: give Redis room (`maxmemory`, an eviction policy), or point the URL at the master")
    return None


def _pattern(kind: str, name: str) -> str:
    """The ACL rule granting ``name`` and its siblings: Pyxle's own names all start with ``pyxle:``."""
    head = "pyxle:" if name.startswith("pyxle:") else name.rsplit(":", 1)[0] + ":" if ":" in name else name
    return f"{kind}{head}*"


async def close_clients() -> None:
    """Close the clients opened on the running event loop (at shutdown)."""
    _gates.pop(asyncio.get_running_loop(), None)
    clients = _clients.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.aclose()


def backoff(base: float = 0.1, cap: float = 5.0) -> Iterator[float]:
    """Delays for a reconnect loop: exponential from ``base`` up to ``cap``, with full jitter."""
    attempt = 0
    while True:
        yield random.uniform(0, min(cap, base * 2**attempt))
        attempt += 1


class Subscription:
    """A dedicated pub/sub connection that outlives Redis restarts.

    Built on ``redis_client(url, retry="never")``'s pool. When Redis goes away it logs once,
    reconnects with ``backoff()`` and subscribes again to every channel it had, logging when it
    is back. ``await on_message(channel, data)`` runs in the listener task, one message at a time;
    ``on_up()`` after each (re)connect. Any other exception in the listener is logged and taken
    as an outage: it reconnects. (A client that retries would reconnect behind its back:
    ``up`` would stay true through an outage, publishes meanwhile would reach no subscriber
    without an error, and ``on_up`` would never run to restore what Redis lost.)

    A hung Redis (a stopped process, a stalled host) keeps the connection open and says nothing,
    which reads as a quiet channel: so after ``idle`` seconds without a word the listener sends a
    ``PING``, and Redis not answering that, or a subscription, within ``lost_after`` is an outage
    like a closed connection (logged, reconnected). ``add`` waits ``answer_timeout`` at most for its
    confirmation (a Redis merely slow keeps its subscriptions: ``lost_after`` is longer).
    """

    def __init__(self, url: str, on_message: Callable[[bytes, bytes], Awaitable[None]], *, feature: str,
                 on_up: Callable[[], Awaitable[None]] | None = None, on_back: Callable[[], None] | None = None,
                 reconnect_base: float = 0.1,
                 logger: logging.Logger | None = None, idle: float = 1.0, answer_timeout: float = 0.5,
                 lost_after: float = 2.0) -> None:
        self._client = redis_client(url, feature=feature, retry="never")
        self._url = url
        self._on_message = on_message
        self._on_up = on_up
        self._on_back = on_back
        self._cause: str | None = None  # the refusal last logged while reconnecting
        self._error: BaseException | None = None  # the last failure of a try to connect and subscribe
        self._feature = feature
        self._base = reconnect_base
        self._log = logger or logging.getLogger("pyxle")
        self._channels: set[bytes] = set()
        self._internal: set[bytes] = set()  # of _channels, those of Pyxle's own: not counted in the log
        self._pending: dict[bytes, asyncio.Future[None]] = {}
        self._control = b"pyxle:__subscription__:" + os.urandom(8).hex().encode()
        self._pubsub: Any = None
        self._task: asyncio.Task[None] | None = None
        self._connected: asyncio.Future[None] | None = None
        self._idle = idle
        self._answer_timeout = answer_timeout
        self._lost_after = lost_after
        self._heard = 0.0  # loop time Redis last said anything on the connection
        self._asked: float | None = None  # loop time of the oldest request it has not answered yet
        self.up = False

    async def start(self, timeout: float = 5.0) -> None:
        """Connect now; ``RedisUnavailable`` naming the URL when Redis does not answer in ``timeout``,
        and why when it answered with a refusal (``NOPERM`` for a channel, its client limit)."""
        self._connected = asyncio.get_running_loop().create_future()
        self._task = asyncio.ensure_future(self._run())
        try:
            await asyncio.wait_for(asyncio.shield(self._connected), timeout)
        except asyncio.TimeoutError:
            await self.aclose()
            self._connected = None
            raise _unreachable(self._url, self._feature, self._error) from None

    def start_soon(self) -> None:
        """Connect in the background, without waiting: "is back" is logged once it has."""
        self._task = asyncio.ensure_future(self._run())

    async def add(self, channel: bytes, *, internal: bool = False, wait: bool = True) -> bool:
        """Subscribe; whether Redis confirmed within ``answer_timeout`` (not ``wait``: at once, the
        caller has just seen Redis leave a request unanswered). While it is down, False at
        once (reconnecting subscribes). Unconfirmed by then, it still is once Redis answers; one that
        does not answer for ``lost_after`` is taken as lost, and reconnecting subscribes again.
        ``internal``: a channel of Pyxle's own, left out of the count the "is back" line gives."""
        self._channels.add(channel)
        if internal:
            self._internal.add(channel)
        if not self.up:
            return False
        waiter = self._pending.get(channel)
        if waiter is None:
            waiter = self._pending[channel] = asyncio.get_running_loop().create_future()
            # Before the send: the listener may read the confirmation while it is under way, and an
            # answer marked as awaited after it came would be waited for, and Redis taken as lost.
            self._awaiting()
            try:
                await self._pubsub.subscribe(channel)
            except Exception:  # noqa: BLE001  (the listener sees the outage and resubscribes later)
                self._pending.pop(channel, None)
                return False
        if wait:
            await asyncio.wait({waiter}, timeout=self._answer_timeout)
        return waiter.done() and self.up

    def suspect(self) -> None:
        """A command on another connection got no answer: the listener checks this one at once."""
        self._heard = -math.inf

    async def remove(self, channel: bytes) -> None:
        self._channels.discard(channel)
        self._internal.discard(channel)
        if self.up:
            with contextlib.suppress(Exception):  # gone with the connection anyway
                await self._pubsub.unsubscribe(channel)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._reset()

    async def _run(self) -> None:
        from redis.exceptions import RedisError

        delays = backoff(self._base)
        loop = asyncio.get_running_loop()
        while True:
            try:
                self._pubsub = self._client.pubsub()
                await self._pubsub.subscribe(self._control, *self._channels)
                self._heard = self._asked = loop.time()  # the subscriptions are asked for: answered soon
                while True:
                    message = await self._pubsub.get_message(timeout=min(self._idle, self._answer_timeout) / 2)
                    if message is None:
                        await self._watch(loop.time())
                    elif await self._handle(message):
                        delays = backoff(self._base)
            except (RedisError, OSError) as exc:
                self._error = exc
                if self.up:
                    self._log.warning("%s: lost Redis at %s (%s); reconnecting", self._feature,
                                      masked_url(self._url), type(exc).__name__)
                self._say_why(exc)
                await self._lost()
                await asyncio.sleep(next(delays))
            except Exception:  # noqa: BLE001  (a bug here must not end delivery unseen: start over)
                self._log.exception("%s: the listener on Redis at %s failed; reconnecting", self._feature,
                                    masked_url(self._url))
                await self._lost()
                await asyncio.sleep(next(delays))

    def _say_why(self, exc: BaseException) -> None:
        """A Redis that refuses the URL's password (restarted with another), the user's channels
        (``NOPERM``) or a connection (its client limit) is no outage to wait out unsaid: logged as at
        start-up, once each time the cause changes, not on every try."""
        from redis.exceptions import AuthenticationError, MaxClientsReachedError, NoPermissionError

        said = (AuthenticationError, MaxClientsReachedError, NoPermissionError)
        cause = str(_unreachable(self._url, self._feature, exc)).splitlines()[0] if isinstance(exc, said) else None
        starting = self._connected is not None and not self._connected.done()  # start() raises with it
        if cause is not None and cause != self._cause and not starting:
            self._log.warning("%s; reconnecting", cause)
        self._cause = cause

    async def _handle(self, message: dict[str, Any]) -> bool:
        """One message from Redis (which answers in order: what it was asked after this is still
        to come); True when it confirmed a subscription."""
        self._heard = asyncio.get_running_loop().time()
        confirmed = message["type"] == "subscribe"
        if message["type"] == "message":
            await self._on_message(message["channel"], message["data"])
        elif confirmed:
            await self._confirmed(message["channel"])
        self._asked = asyncio.get_running_loop().time() if self._pending else None
        return confirmed

    def _awaiting(self) -> None:
        """A request went to Redis: unanswered after ``lost_after``, Redis is taken as lost."""
        if self._asked is None:
            self._asked = asyncio.get_running_loop().time()

    async def _watch(self, now: float) -> None:
        """Nothing came: a request left unanswered is an outage; a long silence is asked about."""
        from redis.exceptions import TimeoutError

        if self._asked is not None:
            if now - self._asked > self._lost_after:
                raise TimeoutError(f"no answer in {self._lost_after:g} s")
        elif now - self._heard > self._idle:
            self._asked = now
            await self._pubsub.ping()

    async def _lost(self) -> None:
        """The connection is gone (or no longer trusted): nothing waits on it, ``up`` says so, and
        the next connection subscribes to every channel again."""
        self.up = False
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_result(None)
        self._pending.clear()
        await self._reset()

    async def _confirmed(self, channel: bytes) -> None:
        waiter = self._pending.pop(channel, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if channel != self._control:
            return
        if self._connected is not None and not self._connected.done():
            self._connected.set_result(None)
        elif not self.up:
            if self._on_back is not None:
                self._on_back()
            count = len(self._channels - self._internal)
            self._log.warning("%s: Redis at %s is back; %d channel%s subscribed again", self._feature,
                              masked_url(self._url), count, "" if count == 1 else "s")
        self.up = True
        self._cause = self._error = None
        if self._on_up is not None:
            asyncio.ensure_future(self._on_up())

    async def _reset(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):  # its connection is already broken
                await pubsub.aclose()
