"""Channels as an app uses them: ``channel(ws, name)`` in a socket handler, ``publish(name, msg)``
anywhere on the server, and the broker they share."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from starlette.websockets import WebSocket

from pyxle.realtime._broker import MAX_PUBLISH, Broker
from pyxle.realtime._frames import Message
from pyxle.realtime._memory import InProcessBroker

_process: dict[str, Broker] = {}  # "app": the running app's broker; "fallback": for sockets with no app


class ChannelHandle:
    """A socket's membership of one channel: publish to it, count who is in it."""

    __slots__ = ("_broker", "name")

    def __init__(self, broker: Broker, name: str) -> None:
        self._broker = broker
        self.name = name

    async def publish(self, message: Message) -> None:
        """To every socket in the channel, this one included, on every worker."""
        await self._broker.publish(self.name, message)

    async def count(self) -> int:
        """Sockets in the channel across all workers (presence)."""
        return await self._broker.count(self.name)


@asynccontextmanager
async def channel(ws: WebSocket, name: str, *, broker: Broker | None = None) -> AsyncIterator[ChannelHandle]:
    """Subscribe ``ws`` to ``name`` for the ``async with`` block; leaving it (or disconnecting) unsubscribes."""
    broker = broker or broker_for(ws)
    await broker.subscribe(name, ws)
    try:
        yield ChannelHandle(broker, name)
    finally:
        await broker.unsubscribe(name, ws)


def broker_for(ws: WebSocket) -> Broker:
    """The broker of the app serving ``ws`` (``app.state.pyxle_broker``), else one for this process."""
    app = ws.scope.get("app")
    broker = getattr(getattr(app, "state", None), "pyxle_broker", None)
    return broker if broker is not None else _fallback()


async def publish(name: str, message: Message) -> None:
    """Publish from anywhere on the server (an action, a loader, an API route) to channel ``name``."""
    await current_broker().publish(name, message)


async def count(name: str) -> int:
    """Sockets in channel ``name`` across all workers, from anywhere on the server."""
    return await current_broker().count(name)


def current_broker() -> Broker:
    return _process.get("app") or _fallback()


def set_current(broker: Broker | None) -> Broker | None:
    """Make ``broker`` the one ``publish`` and ``count`` reach; the one they reached before."""
    before = _process.pop("app", None)
    if broker is not None:
        _process["app"] = broker
    return before


def _fallback() -> Broker:
    broker = _process.get("fallback")
    if broker is None:
        broker = _process["fallback"] = InProcessBroker()
    return broker


def build_broker(env: Mapping[str, str] | None = None) -> Broker:
    """The broker ``PYXLE_REALTIME_BROKER`` names (``memory``, the default, or ``redis``), from ``env``
    (default ``os.environ``); ``PYXLE_REALTIME_REDIS_URL`` and ``PYXLE_REALTIME_CHANNEL_PREFIX`` apply."""
    env = os.environ if env is None else env
    kind = (env.get("PYXLE_REALTIME_BROKER") or "memory").strip().lower()
    return broker_from_settings(kind, env.get("PYXLE_REALTIME_REDIS_URL") or None,
                                env.get("PYXLE_REALTIME_CHANNEL_PREFIX") or None)


# "inprocess" and "in-process": what pyxle-framework 0.9 also took for the in-process broker
MEMORY_NAMES = frozenset({"memory", "inprocess", "in-process"})


def broker_from_settings(kind: str, url: str | None, prefix: str | None, max_publish: int = MAX_PUBLISH) -> Broker:
    if kind in MEMORY_NAMES:
        return InProcessBroker(max_publish=max_publish)
    if kind == "redis":
        from pyxle.realtime._redis_broker import RedisBroker

        options: dict[str, Any] = {"channel_prefix": prefix} if prefix else {}
        return RedisBroker(url, max_publish=max_publish, **options)
    raise ValueError(f"PYXLE_REALTIME_BROKER is {kind!r}: use 'memory' (one process) or 'redis' (several)")
