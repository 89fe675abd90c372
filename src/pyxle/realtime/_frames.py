"""Messages as WebSocket frames: encoded once per publish, whatever the number of subscribers."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import orjson

Message = str | bytes | Any  # str -> text frame, bytes -> binary frame, anything else -> JSON text
Frame = dict[str, Any]  # the ASGI "websocket.send" message, shared by every subscriber


def encode(message: Message) -> Frame:
    """The frame for ``message``; a value orjson cannot write as JSON raises ``TypeError`` before
    anything is sent, and so does a NaN or an infinity, which orjson would write as ``null``."""
    if isinstance(message, str):
        return {"type": "websocket.send", "text": message}
    if isinstance(message, (bytes, bytearray, memoryview)):
        return {"type": "websocket.send", "bytes": bytes(message)}
    try:
        data = orjson.dumps(message)
    except orjson.JSONEncodeError as exc:
        raise TypeError(f"a realtime message must be str, bytes or JSON-able: {exc}") from None
    if b"null" in data and _not_finite(message):  # only then can one hide in it: no walk otherwise
        raise TypeError("a realtime message must be str, bytes or JSON-able: NaN and infinities are not JSON")
    return {"type": "websocket.send", "text": data.decode()}


def _not_finite(value: Any) -> bool:
    """Whether a NaN or infinite float is in ``value``, where orjson would look for one."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_not_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_not_finite(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_not_finite(getattr(value, field.name)) for field in dataclasses.fields(value))
    return False


def to_wire(frame: Frame) -> bytes:
    """One byte for the kind (``t`` text, ``b`` binary), then the payload: what crosses Redis."""
    text = frame.get("text")
    return b"t" + text.encode() if text is not None else b"b" + frame["bytes"]


def from_wire(data: bytes) -> Frame:
    if data[:1] == b"b":
        return {"type": "websocket.send", "bytes": data[1:]}
    return {"type": "websocket.send", "text": data[1:].decode()}
