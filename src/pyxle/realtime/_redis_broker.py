"""The broker that spans workers and machines: Redis pub/sub for messages, a hash for presence.

Each process subscribes once per channel that has a local socket and fans out to them itself,
so a message costs one Redis delivery per process, not per socket. A publisher's own process
gets its messages back through Redis like every other: each socket receives each message once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any

from starlette.websockets import WebSocket

from pyxle._redis import RedisUnavailable, Subscription, check_reachable, redis_client, shown_url
from pyxle.realtime._broker import BrokerUnavailable, LocalSubscribers, pace
from pyxle.realtime._frames import Message, encode, from_wire, to_wire

logger = logging.getLogger("pyxle.realtime")
HEARTBEAT = 5.0  # seconds between this process's "still here" marks; three missed and it is gone

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
                 reconnect_delay: float = 0.5, connect_timeout: float = 5.0) -> None:
        super().__init__()
        self.url = url or "redis://localhost:6379"
        self.prefix = channel_prefix
        self._prefix_bytes = channel_prefix.encode()
        self._client = client
        self._reconnect_delay = reconnect_delay
        self._timeout = connect_timeout
        self._id = os.urandom(6).hex()  # this process, in the presence hashes
        self._subscription: Subscription | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._count: Any = None
        self._leaving: set[asyncio.Task[None]] = set()  # Redis updates for evicted sockets, under way

    async def start(self) -> None:
        """Connect and subscribe; ``RedisUnavailable`` (naming the URL and a fix) if Redis does not answer."""
        if self._client is None:
            self._client = redis_client(self.url, feature="realtime")
        await check_reachable(self._client, self.url, feature="realtime")
        self._count = self._client.register_script(_COUNT)
        await self._mark_alive()
        self._subscription = Subscription(self._client, self.url, self._dispatch, feature="realtime",
                                          on_up=self._reassert, reconnect_base=self._reconnect_delay, logger=logger)
        await self._subscription.start(self._timeout)
        self._heartbeat = asyncio.ensure_future(self._beat())

    async def aclose(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._subscription is not None:
            await self._subscription.aclose()
        if self._client is not None and self._channels:
            with contextlib.suppress(Exception):  # Redis is gone: the marks expire by themselves
                async with self._client.pipeline(transaction=False) as pipe:
                    for channel in self._channels:
                        pipe.hdel(self._presence(channel), self._id)
                    pipe.delete(self._worker_key())
                    await pipe.execute()
        self._channels.clear()

    async def subscribe(self, channel: str, ws: WebSocket) -> None:
        before = self._local_count(channel)
        first = self._add(channel, ws)
        if first and self._subscription is not None:
            await self._subscription.add(self._prefix_bytes + channel.encode())
        if self._local_count(channel) != before:
            await self._presence_add(channel, 1)

    async def unsubscribe(self, channel: str, ws: WebSocket) -> None:
        before = self._local_count(channel)
        last = self._remove(channel, ws)
        if self._local_count(channel) != before:
            await self._presence_add(channel, -1)
        if last and self._subscription is not None:
            await self._subscription.remove(self._prefix_bytes + channel.encode())

    async def publish(self, channel: str, message: Message) -> None:
        """Send to every subscriber on every process; ``BrokerUnavailable`` at once while Redis is down."""
        data = to_wire(encode(message))  # a TypeError for a bad message comes before Redis is touched
        if self._subscription is None or not self._subscription.up:
            raise self._unavailable(f"cannot publish to {channel!r}")
        try:
            await asyncio.wait_for(self._client.publish(self._prefix_bytes + channel.encode(), data), self._timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            raise self._unavailable(f"cannot publish to {channel!r}", exc) from None
        except Exception as exc:  # noqa: BLE001  (re-raised: Redis's errors as BrokerUnavailable)
            raise self._unavailable(f"cannot publish to {channel!r}", exc) if _is_redis_error(exc) else exc from None

    async def count(self, channel: str) -> int:
        """Sockets subscribed to ``channel`` on every live process."""
        if self._count is None:
            return self._local_count(channel)
        try:
            return int(await asyncio.wait_for(
                self._count(keys=[self._presence(channel)], args=[self.prefix + "worker:"]), self._timeout))
        except (OSError, asyncio.TimeoutError) as exc:
            raise self._unavailable(f"cannot count {channel!r}", exc) from None
        except Exception as exc:  # noqa: BLE001  (re-raised: Redis's errors as BrokerUnavailable)
            raise self._unavailable(f"cannot count {channel!r}", exc) if _is_redis_error(exc) else exc from None

    # -- inside ------------------------------------------------------------------------------

    async def _dispatch(self, channel: bytes, data: bytes) -> None:
        if channel.startswith(self._prefix_bytes):
            busy = self._fanout(channel[len(self._prefix_bytes):].decode(), from_wire(data))
            if busy:
                await pace(*busy)

    def _left(self, channel: str) -> None:
        """An evicted socket: presence and the subscription follow without holding up the fan-out."""
        task = asyncio.ensure_future(self._leave(channel))
        self._leaving.add(task)
        task.add_done_callback(self._leaving.discard)

    async def _leave(self, channel: str) -> None:
        await self._presence_add(channel, -1)
        if channel not in self._channels and self._subscription is not None:  # no socket rejoined meanwhile
            await self._subscription.remove(self._prefix_bytes + channel.encode())

    def _presence(self, channel: str) -> str:
        return f"{self.prefix}presence:{channel}"

    def _worker_key(self) -> str:
        return f"{self.prefix}worker:{self._id}"

    async def _presence_add(self, channel: str, delta: int) -> None:
        with contextlib.suppress(Exception):  # down: _reassert writes the true counts when it is back
            await self._client.hincrby(self._presence(channel), self._id, delta)

    async def _mark_alive(self) -> None:
        await self._client.set(self._worker_key(), b"1", ex=int(HEARTBEAT * 3))

    async def _reassert(self) -> None:
        """After (re)connecting: this process's counts as they are (Redis may have restarted empty)."""
        for attempt in range(3):  # the first try may meet a pooled connection Redis already closed
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    pipe.set(self._worker_key(), b"1", ex=int(HEARTBEAT * 3))
                    for channel in list(self._channels):
                        pipe.hset(self._presence(channel), self._id, self._local_count(channel))
                    await pipe.execute()
                return
            except Exception as exc:  # noqa: BLE001  (the next heartbeat tries again)
                logger.debug("realtime: presence not written yet (%s)", exc)
                await asyncio.sleep(0.05 * (attempt + 1))

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            if self._subscription is not None and self._subscription.up:
                await self._reassert()

    def _unavailable(self, what: str, exc: BaseException | None = None) -> BrokerUnavailable:
        why = f" ({type(exc).__name__})" if exc is not None else ""
        return BrokerUnavailable(f"realtime: {what}: Redis at {shown_url(self.url)} is unreachable{why}; "
                                 "the broker is reconnecting")


def _is_redis_error(exc: BaseException) -> bool:
    from redis.exceptions import RedisError

    return isinstance(exc, (RedisError, RedisUnavailable))
