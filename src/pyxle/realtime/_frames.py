"""Messages as WebSocket frames: encoded once per publish, whatever the number of subscribers."""

from __future__ import annotations

from typing import Any

import orjson

from pyxle._jsonable import non_finite

Message = str | bytes | Any  # str -> text frame, bytes -> binary frame, anything else -> JSON text
Frame = dict[str, Any]  # the ASGI "websocket.send" message, shared by every subscriber


class ChannelRefused(ValueError):
    """A channel name or a message no broker takes. It often comes from what a peer sent (a room
    named in the URL), so escaping a socket handler it closes that socket with ``code`` and a
    warning, not 1011 and an error with a traceback."""

    def __init__(self, message: str, code: int, reason: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason  # for the close frame


def not_utf8(what: str) -> ChannelRefused:
    """Text no frame can carry (a lone surrogate): granian sent it as an empty frame, Redis refused it."""
    return ChannelRefused(f"realtime: a message is not UTF-8 text: {what}", 1007, "message not UTF-8")


def check_text(text: str) -> None:
    """``ChannelRefused`` (1007) for ``text`` holding a lone surrogate; encoding it is what finds one.
    Callers skip ASCII text first (``isascii`` reads a flag: the hot path pays nothing)."""
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        shown = text if len(text) <= 60 else text[max(exc.start - 30, 0):exc.start + 30]
        raise not_utf8(f"{shown!r} holds a lone surrogate at {exc.start}") from None


def encode(message: Message) -> Frame:
    """The frame for ``message``; a value orjson cannot write as JSON raises ``TypeError`` before
    anything is sent, and so does a NaN or an infinity, which orjson would write as ``null``; text
    that is not UTF-8 raises ``ChannelRefused``, a ``ValueError`` (Redis could not carry it either)."""
    if isinstance(message, str):
        if not message.isascii():
            check_text(message)
        return {"type": "websocket.send", "text": message}
    if isinstance(message, (bytes, bytearray, memoryview)):
        return {"type": "websocket.send", "bytes": bytes(message)}
    try:
        data = orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS)  # {7: 1} -> {"7": 1}, as 0.9.4 sent it
    except orjson.JSONEncodeError as exc:
        if "not valid UTF-8" in str(exc):  # orjson does not say which str
            raise not_utf8("a str in it holds a lone surrogate") from None
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


def close_reason(text: str) -> str:
    """``text`` as a close frame's reason, which holds 123 bytes of UTF-8 at most (RFC 6455 5.5: a
    longer one is a protocol error to the peer, and a browser reports the close as 1006)."""
    return text.encode()[:123].decode(errors="ignore")


def check_close_code(code: int) -> None:
    """``ValueError`` naming ``code`` when a close frame may not carry it: 1004 to 1006 and 1015 are
    reserved (RFC 6455 7.4.1), 1016 to 2999 unassigned and others outside 1000 to 4999 invalid. Sent
    as they were, a browser saw 1006 (a drop), which ``useWebSocket`` retries for ever."""
    if not (1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999):
        raise ValueError(f"a WebSocket close code {code} may not be sent (RFC 6455 7.4); use 1000 to 1003, "
                         "1007 to 1014 (1008: refused, 1011: an error), or 3000 to 4999 for codes of your own")
