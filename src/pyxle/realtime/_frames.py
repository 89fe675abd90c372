"""Messages as WebSocket frames: encoded once per publish, whatever the number of subscribers."""

from __future__ import annotations

from typing import Any

import orjson

from pyxle._jsonable import non_finite

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
        data = orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS)  # {7: 1} -> {"7": 1}, as 0.9.4 sent it
    except orjson.JSONEncodeError as exc:
        raise TypeError(f"a realtime message must be str, bytes or JSON-able: {exc}") from None
    if b"null" in data and non_finite(message):  # only then can one hide in it: no walk otherwise
        raise TypeError("a realtime message must be str, bytes or JSON-able: NaN and infinities are not JSON")
    return {"type": "websocket.send", "text": data.decode()}


def to_wire(frame: Frame) -> bytes:
    """One byte for the kind (``t`` text, ``b`` binary), then the payload: what crosses Redis."""
    text = frame.get("text")
    return b"t" + text.encode() if text is not None else b"b" + frame["bytes"]


def from_wire(data: bytes) -> Frame:
    """The frame ``to_wire`` made; ``ValueError`` for what it cannot have made (another Redis
    client published it): no ``t`` or ``b`` first, or text that is not UTF-8 (``UnicodeDecodeError``)."""
    tag = data[:1]
    if tag == b"b":
        return {"type": "websocket.send", "bytes": data[1:]}
    if tag == b"t":
        return {"type": "websocket.send", "text": data[1:].decode()}
    raise ValueError("does not start with t (text) or b (binary)")
