"""The broker that spans workers and machines: Redis pub/sub for messages, a hash for presence.

Each process subscribes once per channel that has a local socket and fans out to them itself,
so a message costs one Redis delivery per process, not per socket. A publisher's own process
gets its messages back through Redis like every other: each socket receives each message once.

What Redis holds for a channel (this process's subscription and its field in the presence hash)
follows the local sockets through one task per channel (``_settle``): sockets that join and leave
while a Redis round trip is under way never leave it subscribed to nothing, or counted wrongly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from starlette.websockets import WebSocket

from pyxle._loggable import Sparse
from pyxle._redis import (
    SOCKET_TIMEOUT,
    RedisUnavailable,
    Subscription,
    Turns,
    _unreachable,
    check_reachable,
    redis_client,
    turns,
    wait_limit,
    wait_turn,
    within,
)
from pyxle._refused import outage_over
from pyxle.config import masked_url
from pyxle.realtime._broker import MAX_PUBLISH, BrokerUnavailable, LocalSubscribers, checked_name, pace
from pyxle.realtime._frames import Message, from_wire, to_wire

logger = logging.getLogger("pyxle.realtime")
HEARTBEAT = 5.0  # seconds between this process's "still here" marks; three missed and it is gone
PRESENCE_TTL = int(HEARTBEAT * 3)  # a presence hash no live process refreshes is gone after this
# Seconds publish, count and a presence write wait for Redis. It answers in well under a
# millisecond; one that holds the connection open without answering (a stopped process, a
# stalled host) must not hold a handler for the client's 5-second socket timeout. A URL's
# ?socket_timeout= replaces it (see pyxle._redis.wait_limit).
COMMAND_TIMEOUT = 0.5
# Seconds a worker started while the server runs (a reload, one in place of a crashed one) waits for
# Redis's PING: granian stops the old workers a few seconds after spawning their successors, so a
# start held by a hung Redis would leave none serving.
LATE_START_TIMEOUT = 1.0
# The Redis channel (under the channel prefix) that carries broadcast(); pyxle-framework 0.9.4's
# name. The NUL keeps it apart from every channel an app names (``checked_name`` refuses a NUL).
BROADCAST = "\x00broadcast"
T = TypeVar("T")

# The sum of the counts of the processes still alive; fields of dead ones are dropped on the way.
_COUNT = """
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if redis.call('EXISTS', ARGV[1] .. fields[i]) == 1 then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
return total
"""


class RedisBroker(LocalSubscribers):
    """Channels across processes through Redis (``pip install "pyxle-framework[redis]"``)."""

    def __init__(self, url: str | None = None, *, client: Any | None = None, channel_prefix: str = "pyxle:rt:",
                 reconnect_delay: float = 0.5, connect_timeout: float = 5.0,
                 command_timeout: float | None = None, max_publish: int = MAX_PUBLISH) -> None:
        super().__init__(max_publish=max_publish)
        self.url = url or "redis://localhost:6379"
        self.prefix = channel_prefix
        self._prefix_bytes = channel_prefix.encode()
        self._client = client
        self._reconnect_delay = reconnect_delay
        self._timeout = connect_timeout
        self._command_timeout = wait_limit(self.url, COMMAND_TIMEOUT) if command_timeout is None else command_timeout
        self._id = os.urandom(6).hex()  # this process, in the presence hashes
        self._subscription: Subscription | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._count: Any = None
        self._subscribed: set[str] = set()  # channels handed to the Subscription (kept across reconnects)
        self._written: dict[str, int] = {}  # this process's presence counts as last sent to Redis
        self._unsure: set[str] = set()  # channels whose last presence write failed: the heartbeat redoes it
        self._settling: dict[str, asyncio.Task[None]] = {}
        self._broadcast_key = self._prefix_bytes + BROADCAST.encode()
        self._undecodable_lines = Sparse(60)  # the line for a message that is no frame
        self._refused_lines = Sparse(60)  # the line for a presence write Redis refused

    async def start(self, *, required: bool = True) -> None:
        """Connect and subscribe; ``RedisUnavailable`` (naming the URL and a fix) if Redis does not answer.

        Not ``required`` (a worker started while the server runs): a Redis that does not answer within
        ``LATE_START_TIMEOUT`` is logged and the broker starts reconnecting, as one that went away while
        running does.
        """
        if self._client is None:
            self._client = redis_client(self.url, feature="realtime")
        reachable = True
        try:
            await check_reachable(self._client, self.url, feature="realtime",
                                  timeout=self._timeout if required else self._late_start_timeout())
        except RedisUnavailable as exc:
            if required:
                raise
            reachable = False
            logger.warning("%s; messages are not delivered until it answers (reconnecting)", str(exc).splitlines()[0])
        self._count = self._client.register_script(_COUNT)
        self._subscription = Subscription(self.url, self._dispatch, feature="realtime", on_up=self._reassert,
                                          on_back=outage_over, reconnect_base=self._reconnect_delay, logger=logger,
                                          answer_timeout=self._command_timeout,
                                          lost_after=max(2.0, 2 * self._command_timeout))
        await self._subscription.add(self._broadcast_key, internal=True)  # not up yet: subscribed on connecting
        if reachable:
            reachable = await self._subscribe_now(required)
        if not reachable:  # its first connection logs that Redis is back and writes this process's presence (on_up)
            self._subscription.start_soon()
        self._heartbeat = asyncio.ensure_future(self._beat())

    async def _subscribe_now(self, required: bool) -> bool:
        """Mark this process alive and subscribe; whether the subscription is up. A Redis that refuses
        the write (full, a read-only replica) is logged, and the heartbeat writes it later (``_reassert``);
        one that refuses the subscription (its client limit, an ACL gap) stops a ``required`` start, and
        otherwise is logged and retried, as an outage is: a worker started later must never exit on it
        (the server's crash-loop guard would stop the healthy workers too)."""
        from redis.exceptions import NoPermissionError, ResponseError

        try:
            await self._client.set(self._worker_key(), b"1", ex=PRESENCE_TTL)
        except ResponseError as exc:
            if required and isinstance(exc, NoPermissionError):
                raise _unreachable(self.url, "realtime", exc) from None
            self._refused(exc)
        except Exception as exc:  # noqa: BLE001  (gone since the PING: the subscription's reconnects say so)
            logger.debug("realtime: this process's presence not written yet (%r)", exc)
        try:
            await self._subscription.start(self._timeout)
        except RedisUnavailable as exc:
            if required:
                raise
            logger.warning("%s; messages are not delivered until it takes the subscription (reconnecting)", str(exc).splitlines()[0])
            return False
        return True

    def _refused(self, exc: BaseException) -> None:
        """Redis answered a presence write with an error (full, read-only, an ACL gap): counts drift
        to 0 as the hashes expire, so say so, at most once a minute (the cache and rate limit's way)."""
        if self._refused_lines.due() is not None:
            logger.warning("realtime: Redis at %s refused a presence write (%s: %s); counts are stale until it takes "
                           "them again (logged at most once a minute)", masked_url(self.url), type(exc).__name__,
                           str(exc).split(" script:")[0])

    def _failed_write(self, exc: BaseException, what: str) -> None:
        """A presence write that failed: refused (said, see ``_refused``), or Redis away (its outage is said)."""
        from redis.exceptions import ResponseError

        if isinstance(exc, ResponseError):
            self._refused(exc)
        else:
            logger.debug("realtime: %s not written (%r)", what, exc)

    async def aclose(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        settling = list(self._settling.values())
        for task in settling:
            task.cancel()
        await asyncio.gather(*settling, return_exceptions=True)
        if self._subscription is not None:
            await self._subscription.aclose()
        channels = {*self._channels, *self._written, *self._unsure}
        if self._client is not None and channels and self._reachable():
            with contextlib.suppress(Exception):  # Redis is gone: the marks expire by themselves
                async with self._client.pipeline(transaction=False) as pipe:
                    for channel in channels:
                        pipe.hdel(self._presence(channel), self._id)
                    pipe.delete(self._worker_key())
                    async with self._turn() as gate:
                        await within(pipe.execute, self._command_timeout, gate)
        self._channels.clear()
        self._written.clear()
        self._unsure.clear()

    async def subscribe(self, channel: str, ws: WebSocket) -> None:
        """Returns once Redis has this process subscribed (a message published next reaches ``ws``),
        or at once while Redis is away (the subscription is made when it answers again)."""
        self._add(checked_name(channel), ws)
        await self._settled_soon(channel)

    async def unsubscribe(self, channel: str, ws: WebSocket) -> None:
        self._remove(channel, ws)
        await self._settled_soon(channel)

    async def _settled_soon(self, channel: str) -> None:
        """Wait for ``_settle``. Neither a cancelled handler cancels it (Redis is still set right), nor
        does its failure or cancellation (at shutdown) reach the handler: ``_settled`` logs a failure."""
        await asyncio.wait({self._settle(channel)})

    async def publish(self, channel: str, message: Message) -> None:
        """Send to every subscriber on every process; ``BrokerUnavailable`` at once while Redis is
        down, and after ``command_timeout`` when it does not answer. In that case the command may
        already sit in Redis's socket: a Redis that was only paused still delivers it on resuming
        (closing or even resetting a connection does not take back what the kernel has received)."""
        key = self._prefix_bytes + checked_name(channel).encode()
        await self._send(key, message, f"cannot publish to {channel!r}")

    async def broadcast(self, message: Message) -> None:
        """Send ``message`` once to every socket in any channel, on every process; raises as ``publish``."""
        await self._send(self._broadcast_key, message, "cannot broadcast")

    async def _send(self, key: bytes, message: Message, what: str) -> None:
        data = to_wire(self._frame(message))  # a bad message or one too big raises before Redis is touched
        await self._ask(lambda: self._client.publish(key, data), what)

    async def count(self, channel: str) -> int:
        """Sockets subscribed to ``channel`` on every live process."""
        checked_name(channel)
        if self._count is None:
            return self._local_count(channel)
        return int(await self._ask(lambda: self._count(keys=[self._presence(channel)],
                                                       args=[self.prefix + "worker:"]), f"cannot count {channel!r}"))

    async def _ask(self, command: Callable[[], Awaitable[T]], what: str) -> T:
        """``await command()`` in a turn to a connection, with ``command_timeout`` for Redis to answer;
        Redis's failures as ``BrokerUnavailable`` (at once while it is known to be away)."""
        if not self._reachable():
            raise self._unavailable(what)
        try:
            async with self._turn(what) as gate:
                if not self._reachable():  # it went away while this waited
                    raise self._unavailable(what)
                return await within(command, self._command_timeout, gate)
        except (OSError, asyncio.TimeoutError) as exc:
            raise self._unavailable(what, exc) from None
        except Exception as exc:  # noqa: BLE001  (re-raised: Redis's errors as BrokerUnavailable)
            raise self._unavailable(what, exc) if _is_redis_error(exc) else exc from None

    @contextlib.asynccontextmanager
    async def _turn(self, what: str = "write presence") -> AsyncIterator[Turns]:
        """Hold a turn to one of the client's connections: a crowd of publishes waits for it (up to
        the socket timeout), and only a command's time on its connection counts as Redis's."""
        gate = turns(self._client)
        try:
            await wait_turn(gate, SOCKET_TIMEOUT)
        except asyncio.TimeoutError:
            raise BrokerUnavailable(f"realtime: {what}: every connection to Redis at {masked_url(self.url)} "
                                    f"stayed busy for {SOCKET_TIMEOUT:g} s") from None
        try:
            yield gate
        finally:
            gate.release()

    # -- inside ------------------------------------------------------------------------------

    async def _dispatch(self, channel: bytes, data: bytes) -> None:
        if not channel.startswith(self._prefix_bytes):
            return
        try:
            frame = from_wire(data)
        except UnicodeDecodeError:  # not sent by Pyxle (any Redis client can publish): dropped
            self._undecodable(channel, "is not valid UTF-8 text")
            return
        except ValueError as exc:  # untagged: its first byte would have been eaten as the tag
            self._undecodable(channel, str(exc))
            return
        if channel == self._broadcast_key:
            busy = self._fanout_all(frame)
        else:
            busy = self._fanout(channel[len(self._prefix_bytes):].decode(), frame)
        if busy:
            await pace(*busy)

    def _undecodable(self, channel: bytes, why: str) -> None:
        if self._undecodable_lines.due() is not None:
            logger.warning("realtime: dropped a message on Redis channel %r that %s "
                           "(not published by Pyxle?); logged at most once a minute",
                           channel.decode(errors="backslashreplace"), why)

    def _left(self, channel: str) -> None:
        """An evicted socket: presence and the subscription follow without holding up the fan-out."""
        self._settle(channel)

    def _settle(self, channel: str) -> asyncio.Task[None]:
        """The task bringing Redis in line with this process's sockets on ``channel``: one at a time.

        Every change to a channel's sockets ends here. A change made while the task waits for
        Redis is picked up by that same task when the wait ends (it looks again after each one),
        and its caller waits for it; so a socket that joins while the last one is leaving is
        never left on a channel this process has unsubscribed from.
        """
        task = self._settling.get(channel)
        if task is None or task.done():
            task = self._settling[channel] = asyncio.ensure_future(self._align(channel))
            task.add_done_callback(lambda done: self._settled(channel, done))
        return task

    def _settled(self, channel: str, task: asyncio.Task[None]) -> None:
        if self._settling.get(channel) is task:
            del self._settling[channel]
        if not task.cancelled() and task.exception() is not None:
            logger.warning("realtime: channel %r not brought in line with Redis (%r)", channel, task.exception())

    async def _align(self, channel: str) -> None:
        """Subscribe before counting a socket in; uncount before unsubscribing; look again after each await.

        Once Redis has left one request of this run unanswered, the later ones do not wait for it: a
        socket joining while the last one leaves (its presence write waiting on a hung Redis) waits
        one ``command_timeout`` in all, not one per step.
        """
        key = self._prefix_bytes + channel.encode()
        answering = True  # False: Redis left a request of this run unanswered (the next would wait too)
        while True:
            here = self._local_count(channel)
            subscribed = channel in self._subscribed
            if here and not subscribed:
                self._subscribed.add(channel)
                if self._subscription is not None:
                    answering = await self._subscription.add(key, wait=answering) and answering
            elif here != self._written.get(channel, 0):
                answering = await self._write_presence(channel, here, ask=answering) and answering
            elif not here and subscribed:
                self._subscribed.discard(channel)
                if self._subscription is not None:
                    await self._subscription.remove(key)
            else:
                return

    async def _write_presence(self, channel: str, here: int, *, ask: bool = True) -> bool:
        """This process's field in the channel's hash: ``here``, or gone at 0 (and with the last
        field, the hash); whether Redis took it. The hash expires unless a process with sockets in
        it refreshes it. While Redis is away, or not to be asked now (``ask``), it is left to
        ``_reassert``, which writes every count when Redis is back and on each heartbeat."""
        if here:
            self._written[channel] = here
        else:
            self._written.pop(channel, None)
        if not ask or not self._reachable():
            self._unsure.add(channel)
            return False
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                if here:
                    pipe.hset(self._presence(channel), self._id, here)
                    pipe.expire(self._presence(channel), PRESENCE_TTL)
                else:
                    pipe.hdel(self._presence(channel), self._id)
                async with self._turn() as gate:
                    await within(pipe.execute, self._command_timeout, gate)
        except Exception as exc:  # noqa: BLE001  (down, slow or full: the heartbeat writes it when Redis takes it)
            self._failed_write(exc, f"presence of {channel!r}")
            self._unsure.add(channel)
            return False
        self._unsure.discard(channel)
        return True

    def _presence(self, channel: str) -> str:
        return f"{self.prefix}presence:{channel}"

    def _late_start_timeout(self) -> float:
        """The PING wait of a worker started while the server runs: a connection and a round trip to a
        Redis the URL says is far (``?socket_timeout=``), and no more than the few seconds granian
        gives the old workers."""
        return max(LATE_START_TIMEOUT, min(2 * self._command_timeout, 3.0))

    def _worker_key(self) -> str:
        return f"{self.prefix}worker:{self._id}"

    async def _reassert(self) -> None:
        """After (re)connecting and on each heartbeat: this process is alive, its counts as they
        are (Redis may have restarted empty), the expiry of its channels' hashes pushed back."""
        for attempt in range(3):  # the first try may meet a pooled connection Redis already closed
            unsure = set(self._unsure)
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    pipe.set(self._worker_key(), b"1", ex=PRESENCE_TTL)
                    for channel in list(self._channels):
                        pipe.hset(self._presence(channel), self._id, self._local_count(channel))
                        pipe.expire(self._presence(channel), PRESENCE_TTL)
                    for channel in unsure.difference(self._channels):
                        pipe.hdel(self._presence(channel), self._id)
                    async with self._turn() as gate:
                        await within(pipe.execute, self._timeout, gate)
                self._unsure -= unsure
                return
            except Exception as exc:  # noqa: BLE001  (the next heartbeat tries again)
                self._failed_write(exc, "presence")
                if _answered(exc):
                    return  # Redis answered with a refusal: trying again at once gets the same
                await asyncio.sleep(0.05 * (attempt + 1))

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            if self._subscription is not None and self._subscription.up:
                await self._reassert()

    def _reachable(self) -> bool:
        """Whether the subscription is connected (when it is not, it is reconnecting)."""
        return self._subscription is not None and self._subscription.up

    def _unavailable(self, what: str, exc: BaseException | None = None) -> BrokerUnavailable:
        """The error for ``what``: Redis did not answer in time (the listener is told, to check its
        own connection now), failed the command, or is being reconnected to."""
        where = f"realtime: {what}: Redis at {masked_url(self.url)}"
        if exc is None:
            return BrokerUnavailable(f"{where} is unreachable; the broker is reconnecting")
        if isinstance(exc, asyncio.TimeoutError):
            if self._subscription is not None:
                self._subscription.suspect()
            return BrokerUnavailable(f"{where} is unreachable (no answer in {self._command_timeout:g} s)")
        return BrokerUnavailable(f"{where} is unreachable ({type(exc).__name__})")


def _answered(exc: BaseException) -> bool:
    """Whether ``exc`` is Redis's answer (an error reply), not a lost or silent connection."""
    from redis.exceptions import ResponseError

    return isinstance(exc, ResponseError)


def _is_redis_error(exc: BaseException) -> bool:
    from redis.exceptions import RedisError

    return isinstance(exc, (RedisError, RedisUnavailable))
