"""Realtime: channels over WebSockets, in one process or across many through Redis.

Public names:

- ``channel(ws, name)``: async context manager subscribing a socket; its ``ChannelHandle`` has
  ``publish(message)`` and ``count()`` (presence across workers)
- ``publish(name, message)``, ``count(name)``: the same from actions, loaders and API routes
- ``Broker`` (the protocol), ``InProcessBroker`` (default), ``RedisBroker`` (``[redis]`` extra),
  ``build_broker(env)``, ``broker_for(ws)``, ``BrokerUnavailable`` (publishing while Redis is down)
- ``authenticate_websocket(ws)``, ``origin_allowed(ws, origins)``
- ``Message``: str (text frame), bytes (binary frame) or any JSON-able value

Depends on ``pyxle._redis`` (only when the Redis broker is chosen) and Starlette's WebSocket;
the app wires in ``WebSocketGuard`` and ``serving`` (``pyxle.realtime._guard``, ``_lifecycle``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyxle.realtime._auth import authenticate_websocket
from pyxle.realtime._broker import Broker, BrokerUnavailable
from pyxle.realtime._channel import ChannelHandle, broker_for, build_broker, channel, count, publish
from pyxle.realtime._frames import Message
from pyxle.realtime._memory import InProcessBroker
from pyxle.realtime._origin import origin_allowed

if TYPE_CHECKING:
    from pyxle.realtime._redis_broker import RedisBroker

__all__ = [
    "Broker", "BrokerUnavailable", "ChannelHandle", "InProcessBroker", "Message", "RedisBroker",
    "authenticate_websocket", "broker_for", "build_broker", "channel", "count", "origin_allowed", "publish",
]


def __getattr__(name: str) -> Any:
    if name == "RedisBroker":  # its module imports the Redis client code only when named
        from pyxle.realtime._redis_broker import RedisBroker

        return RedisBroker
    raise AttributeError(f"module 'pyxle.realtime' has no attribute {name!r}")
