"""What a broker is: the protocol, its outage error, and the local fan-out both brokers share."""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

from starlette.websockets import WebSocket

from pyxle._refused import RequestRefused, ServiceUnavailable
from pyxle.realtime._connection import Connection, connection_for, message_size, text_size
from pyxle.realtime._frames import ChannelRefused, Frame, Message, encode

PACE_LIMIT = 0.5  # seconds one publish may wait for readers to catch up
# The largest message a publish takes (bytes; ``realtime.maxPublishSize``). Redis cuts off a
# subscriber whose unread messages pass 8 MiB for a minute or 32 MiB at once (its default
# ``client-output-buffer-limit pubsub``): one big message lost every socket of a worker that way.
MAX_PUBLISH = 1024 * 1024
# The ``Retry-After`` of a 503 for an outage (seconds): the longest a worker waits between two tries
# to reconnect (``pyxle._redis.backoff``'s cap), so a client retrying then finds every worker back
# once Redis is, and a short outage (a restart) costs it no more than that.
RETRY_AFTER = 5


class BrokerUnavailable(ServiceUnavailable):
    """The broker cannot carry a message now (Redis is down or unreachable); catch it to degrade.
    Let escape, it is an outage, not a bug: 503 with ``Retry-After`` over HTTP, 1013 on a socket."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "the realtime broker is unavailable; try again shortly", RETRY_AFTER,
                         "broker unavailable")


class ChannelNameRefused(ChannelRefused, RequestRefused):
    """A channel name no broker takes. Its name mostly comes from the request (a room in the URL),
    so it is the request's fault either way: a socket handler's closes with 1008, an HTTP handler's
    (an API route or an action publishing to it) answers 400 with the reason."""

    def __init__(self, message: str) -> None:
        ChannelRefused.__init__(self, message, 1008, "channel name refused")
        RequestRefused.__init__(self, 400, message)

    def __str__(self) -> str:
        return self.detail


def checked_name(name: str) -> str:
    """``name``, unless it may not name a channel: ``ChannelNameRefused`` then.

    A NUL is refused: the broadcast is the Redis channel ``<prefix>\\x00broadcast``, so a room
    named from a URL (``/api/rooms/%00broadcast``) would reach every socket in every channel. So
    is a name that is not UTF-8 (a lone surrogate): Redis could not carry it. Both brokers check,
    so an app refuses in development what it refuses across workers. (Only the broadcast shares the
    prefix's channels; presence and worker marks are Redis keys, another namespace, and channels
    are subscribed by name, never by pattern.)
    """
    if isinstance(name, str):
        if "\x00" in name:
            raise ChannelNameRefused(f"realtime: channel name {name!r} is refused: it holds a NUL character, "
                                     "reserved for the broadcast")
        try:
            name.encode()
        except UnicodeEncodeError:
            raise ChannelNameRefused(f"realtime: channel name {name!r} is refused: it is not valid UTF-8") from None
    return name


@runtime_checkable
class Broker(Protocol):
    """Carries channel messages to subscribed sockets: in this process, or across processes."""

    async def subscribe(self, channel: str, ws: WebSocket) -> None: ...

    async def unsubscribe(self, channel: str, ws: WebSocket) -> None: ...

    async def publish(self, channel: str, message: Message) -> None: ...

    async def count(self, channel: str) -> int: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


async def pace(busy: list[Connection], delivered: int) -> None:
    """Pause the publisher while the ``busy`` sockets catch up, for as long as most of the
    ``delivered`` sockets need and at most as long again for the rest (never over ``PACE_LIMIT``).

    A burst published without a pause would fill the queues of fast readers too and close them
    as if they had stopped reading. A socket that reads much slower than the others is waited
    for only briefly: its queue fills and it is closed with 1013, so it cannot hold up the others.
    """
    if len(busy) * 2 <= delivered:
        return  # most sockets keep up: the few behind are on their own
    loop = asyncio.get_running_loop()
    began = loop.time()
    deadline = began + PACE_LIMIT
    most_done = False
    while busy:
        await asyncio.sleep(0.001)
        now = loop.time()
        busy = [conn for conn in busy if conn.behind(now)]
        if not most_done and len(busy) * 2 <= delivered:
            most_done = True
            deadline = min(deadline, now + (now - began))
        if now > deadline:
            return


class LocalSubscribers:
    """This process's sockets per channel. A socket in a channel twice still gets each message once."""

    def __init__(self, *, max_publish: int = MAX_PUBLISH) -> None:
        self._channels: dict[str, dict[Connection, int]] = {}
        self.max_publish = max_publish

    def _frame(self, message: Message) -> Frame:
        """``message`` encoded, or ``ChannelRefused`` (1009) when it is over ``max_publish``: refused
        here, by both brokers alike, before Redis cuts off the subscribers it would not fit."""
        frame = encode(message)
        data = frame.get("bytes")
        size = len(data) if data is not None else text_size(frame["text"], self.max_publish)
        if size > self.max_publish:
            raise ChannelRefused(f"realtime: a {size}-byte message is over the {self.max_publish}-byte limit "
                                 "of published messages (realtime.maxPublishSize)", 1009, "message too big")
        return frame

    def _add(self, channel: str, ws: WebSocket) -> bool:
        """Add ``ws``; True when it is the channel's first socket here."""
        members = self._channels.get(channel)
        first = members is None
        if members is None:
            members = self._channels[channel] = {}
        conn = connection_for(ws)
        members[conn] = members.get(conn, 0) + 1
        conn.when_closed(self._evict)  # a socket that closes leaves at once, whatever its handler does
        return first

    def _remove(self, channel: str, ws: WebSocket) -> bool:
        """Remove ``ws``; True when the channel has no socket left here."""
        members = self._channels.get(channel)
        if members is None:
            return False
        conn = connection_for(ws)
        left = members.get(conn, 0) - 1
        if left > 0:
            members[conn] = left
        else:
            members.pop(conn, None)
        if members:
            return False
        del self._channels[channel]
        return True

    def _fanout(self, channel: str, frame: Frame) -> None | tuple[list[Connection], int]:
        """Queue ``frame`` for each local socket; when queues are filling up, those sockets and how
        many got the frame (for ``pace``). A socket found closed leaves every channel here."""
        members = self._channels.get(channel)
        if not members:
            return None
        busy = closed = None
        size = message_size(frame)  # once per frame, not per socket
        for conn in list(members):
            if conn.deliver(frame, size):
                busy = [conn] if busy is None else [*busy, conn]
            elif conn.closed:
                closed = [conn] if closed is None else [*closed, conn]
        for conn in closed or ():
            self._evict(conn)
        return None if busy is None else (busy, len(members))

    def _evict(self, conn: Connection) -> None:
        """Drop a closed socket from all its channels now, not when its handler ends.

        A socket closed for not reading keeps its handler for up to a minute while its close frame
        waits to be read; counted meanwhile, it would make ``pace`` think most sockets keep up and
        stop pausing for the ones that do, and ``count()`` would include it. Scanning every channel
        is fine here: closes are rare, messages are not.
        """
        for channel, members in list(self._channels.items()):
            if members.pop(conn, None) is not None:
                if not members:
                    del self._channels[channel]
                self._left(channel)

    def _left(self, channel: str) -> None:
        """A closed socket was dropped from ``channel`` by ``_evict``; the Redis broker tells Redis."""

    def _local_count(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    def channel_count(self) -> int:
        """Channels with at least one socket in this process."""
        return len(self._channels)

    async def broadcast(self, message: Message) -> None:
        """Send ``message`` once to every socket in any channel of this broker."""
        busy = self._fanout_all(self._frame(message))
        if busy:
            await pace(*busy)

    def _fanout_all(self, frame: Frame) -> None | tuple[list[Connection], int]:
        """``_fanout`` to every socket in any channel here, once each (a broadcast)."""
        everyone = dict.fromkeys(conn for members in self._channels.values() for conn in members)
        if not everyone:
            return None
        size = message_size(frame)
        busy = [conn for conn in everyone if conn.deliver(frame, size)]
        for conn in [conn for conn in everyone if conn.closed]:
            self._evict(conn)
        return (busy, len(everyone)) if busy else None
