"""Messages as WebSocket frames: encoded once per publish, whatever the number of subscribers."""

from __future__ import annotations

from typing import Any

import orjson

Message = str | bytes | Any  # str -> text frame, bytes -> binary frame, anything else -> JSON text
Frame = dict[str, Any]  # the ASGI "websocket.send" message, shared by every subscriber


def encode(message: Message) -> Frame:
    """The frame for ``message``; a value JSON cannot hold raises ``TypeError`` before anything is sent."""
    if isinstance(message, str):
        return {"type": "websocket.send", "text": message}
    if isinstance(message, (bytes, bytearray, memoryview)):
        return {"type": "websocket.send", "bytes": bytes(message)}
    try:
        return {"type": "websocket.send", "text": orjson.dumps(message).decode()}
    except orjson.JSONEncodeError as exc:
        raise TypeError(f"a realtime message must be str, bytes or JSON-able: {exc}") from None


def to_wire(frame: Frame) -> bytes:
    """One byte for the kind (``t`` text, ``b`` binary), then the payload: what crosses Redis."""
    text = frame.get("text")
    return b"t" + text.encode() if text is not None else b"b" + frame["bytes"]


def from_wire(data: bytes) -> Frame:
    if data[:1] == b"b":
        return {"type": "websocket.send", "bytes": data[1:]}
    return {"type": "websocket.send", "text": data[1:].decode()}
