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

import hashlib
from collections import OrderedDict
from typing import Any

from starlette.types import Send

ENCODED = "pyxle.encoded"  # the key of an ``http.response.body`` message: the body's copies, by codec
MAX_BYTES = 16 * 1024 * 1024  # each (public/, the build's assets, stored pages), bodies counted too
# A body from this size on is kept by its digest, not its bytes: the copies of a large stored page
# (a 17 MB page is ~300 KB of brotli) then fit, where its own bytes alone would fill the budget and
# it would be compressed on every hit. Hashing it costs ~1% of compressing it; a smaller body (a
# file of public/, the same bytes object each time) is its own key, whose hash Python keeps.
DIGESTED_FROM = 1024 * 1024
Key = bytes | tuple[int, bytes]  # a body, or its length and digest (see key_of)


class Copies:
    """The compressed copies of the bodies sent through it, by body; the least recently sent go
    first beyond ``max_bytes``. Only a body that was compressed is kept, with its copies."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Key, dict[Any, bytes]] = OrderedDict()
        self.bytes = 0

    async def send(self, send: Send, body: bytes) -> None:
        """Send ``body`` as the whole body of an answer whose start has gone out."""
        await send({"type": "http.response.body", "body": body, ENCODED: _Sent(self, body)})

    def get(self, key: Key, codec: Any) -> bytes | None:
        """The copy made with ``codec`` of the body ``key`` names (``key_of``), if it is kept (the
        body is then the most recent)."""
        copies = self._kept.get(key)
        if copies is None:
            return None
        self._kept.move_to_end(key)
        return copies.get(codec)

    def add(self, key: Key, codec: Any, data: bytes) -> None:
        """Keep ``data``, the copy that ``codec`` made of the body ``key`` names, beside its others."""
        self._keep(key, {**self._kept.get(key, {}), codec: data})

    def _keep(self, key: Key, copies: dict[Any, bytes]) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self.bytes -= _size(key, old)
        size = _size(key, copies)
        if size > self.max_bytes:
            return
        while self._kept and self.bytes + size > self.max_bytes:
            dropped, its_copies = self._kept.popitem(last=False)
            self.bytes -= _size(dropped, its_copies)
        self._kept[key] = copies
        self.bytes += size


def key_of(body: bytes) -> Key:
    """What ``body``'s copies are kept under: itself, or (its length, its digest) from
    ``DIGESTED_FROM`` bytes on (a tuple never equals a body)."""
    if len(body) < DIGESTED_FROM:
        return body
    return len(body), hashlib.blake2b(body, digest_size=32).digest()


def _size(key: Key, copies: dict[Any, bytes]) -> int:
    """The bytes kept: the copies, and the body when it is its own key."""
    return (len(key) if isinstance(key, bytes) else 64) + sum(map(len, copies.values()))


class _Sent:
    """One body sent through ``Copies``, as the compression layer sees its copies (``get``, ``[codec]
    = data``): looked up only when that layer compresses it."""

    __slots__ = ("_key", "body", "copies")

    def __init__(self, copies: Copies, body: bytes) -> None:
        self.copies = copies
        self.body = body
        self._key: Key | None = None

    def key(self) -> Key:
        if self._key is None:
            self._key = key_of(self.body)
        return self._key

    def get(self, codec: Any) -> bytes | None:
        return self.copies.get(self.key(), codec)

    def __setitem__(self, codec: Any, data: bytes) -> None:
        self.copies.add(self.key(), codec, data)
