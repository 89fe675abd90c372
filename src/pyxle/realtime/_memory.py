"""The default broker: channels live in this process; nothing to install, nothing to start."""

from __future__ import annotations

from starlette.websockets import WebSocket

from pyxle.realtime._broker import LocalSubscribers, checked_name, pace
from pyxle.realtime._frames import Message


class InProcessBroker(LocalSubscribers):
    """Right for ``pyxle dev`` and one worker; with several, use the Redis broker."""

    async def subscribe(self, channel: str, ws: WebSocket) -> None:
        self._add(checked_name(channel), ws)

    async def unsubscribe(self, channel: str, ws: WebSocket) -> None:
        self._remove(channel, ws)

    async def publish(self, channel: str, message: Message) -> None:
        busy = self._fanout(checked_name(channel), self._frame(message))
        if busy:
            await pace(*busy)

    async def count(self, channel: str) -> int:
        return self._local_count(checked_name(channel))

    async def start(self) -> None:
        pass

    async def aclose(self) -> None:
        self._channels.clear()
