"""Compressed copies of bodies sent again unchanged: a small file from memory, a stored page.

The compression layer (``pyxle.app._compress``) compresses each answer as it goes out. A sender
whose body is the same bytes from one request to the next sends it through ``Copies.send``, which
puts in the message, under ``ENCODED``, where that layer finds and keeps what it made of the body
(``get(codec)``, ``[codec] = bytes``): each body is compressed once per codec, not on every request
(brotli takes ~110 µs of CPU for a 20 KB stylesheet, ~25 µs for a 1.3 KB page). The body is looked
up (hashed: a stored page read from Redis is new bytes on every hit) only when that layer asks, so
an answer sent as it is (no encoding asked for, too small, not text) costs nothing here.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import Send

ENCODED = "pyxle.encoded"  # the key of an ``http.response.body`` message: the body's copies, by codec
MAX_BYTES = 16 * 1024 * 1024  # each (public/, the build's assets, stored pages), bodies counted too


class Copies:
    """The compressed copies of the bodies sent through it, by body; the least recently sent go
    first beyond ``max_bytes``. Only a body that was compressed is kept, with its copies."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[bytes, dict[Any, bytes]] = OrderedDict()
        self.bytes = 0

    async def send(self, send: Send, body: bytes) -> None:
        """Send ``body`` as the whole body of an answer whose start has gone out."""
        await send({"type": "http.response.body", "body": body, ENCODED: _Sent(self, body)})

    def get(self, body: bytes, codec: Any) -> bytes | None:
        """The copy of ``body`` made with ``codec``, if it is kept (the body is then the most recent)."""
        copies = self._kept.get(body)
        if copies is None:
            return None
        self._kept.move_to_end(body)
        return copies.get(codec)

    def add(self, body: bytes, codec: Any, data: bytes) -> None:
        """Keep ``data``, the copy of ``body`` that ``codec`` made, beside its others."""
        self._keep(body, {**self._kept.get(body, {}), codec: data})

    def _keep(self, body: bytes, copies: dict[Any, bytes]) -> None:
        old = self._kept.pop(body, None)
        if old is not None:
            self.bytes -= _size(body, old)
        size = _size(body, copies)
        if size > self.max_bytes:
            return
        while self._kept and self.bytes + size > self.max_bytes:
            dropped, its_copies = self._kept.popitem(last=False)
            self.bytes -= _size(dropped, its_copies)
        self._kept[body] = copies
        self.bytes += size


def _size(body: bytes, copies: dict[Any, bytes]) -> int:
    return len(body) + sum(map(len, copies.values()))


class _Sent:
    """One body sent through ``Copies``, as the compression layer sees its copies (``get``, ``[codec]
    = data``): looked up only when that layer compresses it."""

    __slots__ = ("body", "copies")

    def __init__(self, copies: Copies, body: bytes) -> None:
        self.copies = copies
        self.body = body

    def get(self, codec: Any) -> bytes | None:
        return self.copies.get(self.body, codec)

    def __setitem__(self, codec: Any, data: bytes) -> None:
        self.copies.add(self.body, codec, data)
