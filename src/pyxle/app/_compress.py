"""Compressing answers: brotli, zstd or gzip, as the client's ``Accept-Encoding`` prefers.

Text types only (HTML, JSON, JavaScript, CSS, SVG, SSE...); nothing under ``minimum_size``, nothing
already encoded (the build's precompressed assets keep theirs), nothing marked ``no-transform``.
A streamed answer (no ``Content-Length``: a streaming render, SSE) is flushed chunk by chunk, so
each chunk reaches the client as soon as it is written; so is a file over ``WHOLE_FILE``, read and
compressed a chunk at a time. ``Vary: Accept-Encoding`` goes on every answer whose encoding
depends on it. brotli and zstandard are imported here, when the app is
built, and only if installed; gzip is the standard library's.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, BinaryIO

import anyio
from starlette.types import Message, Receive, Scope, Send

from pyxle._copies import ENCODED
from pyxle._memo import remember

_TEXT_TYPES = frozenset({
    b"application/json", b"application/javascript", b"application/xml", b"application/xhtml+xml",
    b"application/manifest+json", b"application/wasm", b"image/svg+xml", b"application/x-javascript",
})
# Never encoded: no body, or a part of the plain file (its Content-Range counts the plain bytes;
# encoding the part would send what no range of an encoded file is).
_NEVER = frozenset({204, 206, 304})
# A file (``http.response.pathsend``) up to this size is compressed in one piece and sent with its
# length: files up to 256 KiB come from memory (``_memfiles``), so these are the few between, and a
# MiB costs ~0.1 s of CPU and ~1.4 MB of memory. A larger one is streamed through the codec.
WHOLE_FILE = 1024 * 1024
FILE_CHUNK = 64 * 1024  # what Starlette's FileResponse reads at a time


class _Gzip:
    def __init__(self, level: int) -> None:
        self.level = level

    def whole(self, data: bytes) -> bytes:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, 31)
        return compressor.compress(data) + compressor.flush()

    def stream(self, flush: bool) -> tuple[Callable[[bytes], bytes], Callable[[], bytes]]:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, 31)
        if not flush:
            return compressor.compress, compressor.flush
        return (lambda chunk: compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)), compressor.flush


class _Brotli:
    def __init__(self, quality: int) -> None:
        import brotli

        self.brotli = brotli
        self.quality = quality

    def whole(self, data: bytes) -> bytes:
        return self.brotli.compress(data, quality=self.quality)

    def stream(self, flush: bool) -> tuple[Callable[[bytes], bytes], Callable[[], bytes]]:
        compressor = self.brotli.Compressor(quality=self.quality)
        if not flush:
            return compressor.process, compressor.finish
        return (lambda chunk: compressor.process(chunk) + compressor.flush()), compressor.finish


class _Zstd:
    def __init__(self, level: int) -> None:
        import zstandard

        self.zstd = zstandard
        self.compressor = zstandard.ZstdCompressor(level=level)

    def whole(self, data: bytes) -> bytes:
        return self.compressor.compress(data)

    def stream(self, flush: bool) -> tuple[Callable[[bytes], bytes], Callable[[], bytes]]:
        compressor = self.compressor.compressobj()
        if not flush:
            return compressor.compress, compressor.flush
        block = self.zstd.COMPRESSOBJ_FLUSH_BLOCK
        return (lambda chunk: compressor.compress(chunk) + compressor.flush(block)), compressor.flush


def encoders(gzip_level: int, brotli_quality: int, zstd_level: int | None) -> dict[bytes, Any]:
    """The codecs this process can use, most preferred first (zstd only when asked for and installed)."""
    found: dict[bytes, Any] = {}
    try:
        found[b"br"] = _Brotli(brotli_quality)
    except ImportError:
        pass
    if zstd_level is not None:
        try:
            found[b"zstd"] = _Zstd(zstd_level)
        except ImportError:
            pass
    found[b"gzip"] = _Gzip(gzip_level)
    return found


def negotiate(accept: bytes, available: dict[bytes, Any]) -> bytes | None:
    """The coding to use for ``Accept-Encoding: accept``: the client's highest q-value, our order on
    ties. ``*`` stands for the codings the client did not name (RFC 9110 12.5.3), so ``br;q=0, *``
    never picks brotli."""
    listed: dict[bytes, float] = {}
    wildcard = 0.0
    for item in accept.lower().split(b","):
        name, _, params = item.strip().partition(b";")
        q = 1.0
        params = params.strip()
        if params.startswith(b"q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if name == b"*":
            wildcard = q
        else:
            listed[name] = q
    best, best_q = None, 0.0
    for name in available:  # our order: the first of equals wins
        q = listed.get(name, wildcard)
        if q > best_q:
            best, best_q = name, q
    return best


_KINDS: dict[bytes, bool] = {}  # Content-Type value -> compressible: an app answers with a handful


def compressible(content_type: bytes) -> bool:
    known = _KINDS.get(content_type)
    if known is None:
        kind = content_type.split(b";", 1)[0].strip().lower()
        text = kind.startswith(b"text/") or kind in _TEXT_TYPES or kind.endswith((b"+json", b"+xml"))
        known = remember(_KINDS, content_type, text, entries=256)
    return known


def _encodable(headers: list[tuple[bytes, bytes]]) -> tuple[bool, bytes | None]:
    """Whether an answer with ``headers`` may be encoded (a text type, not encoded already, not
    marked ``no-transform``), and its ``Content-Length`` when it has one."""
    content_type = sized = None
    for name, value in headers:
        if name == b"content-type":
            content_type = value
        elif name == b"content-encoding" or (name == b"cache-control" and b"no-transform" in value):
            return False, None
        elif name == b"content-length":
            sized = value
    return content_type is not None and compressible(content_type), sized


def vary(status: int, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """For an answer sent as it is (the client takes no encoding, or a HEAD): its headers with
    ``Vary: Accept-Encoding`` where another client would have got it encoded."""
    if status not in _NEVER and _encodable(headers)[0]:
        return _with_vary(headers)
    return headers


# What a 304 may bring of the 200 it stands for (its sender's, or a handler's), read here and not sent.
_OF_THE_200 = frozenset({b"content-type", b"content-length", b"content-encoding"})


def not_modified(headers: list[tuple[bytes, bytes]], scope: Scope, compressor: Compressor | None,
                 coding: bytes | None) -> list[tuple[bytes, bytes]]:
    """A 304's headers with the ETag and Vary its 200 would carry (RFC 9110 §15.4.5), so a cache
    that refreshes its copy from it keeps true ones: ``Vary`` where that 200 is text, its tag weak
    where ``coding`` would encode it. The 200's type and length, which our 304s bring for this, are
    dropped; a handler's 304 without them gets ``Vary`` and the tag as the client holds it."""
    if not any(name == b"content-type" for name, _ in headers):
        if compressor is None:
            return headers
        return _with_vary(headers if coding is None else _tag_as_held(headers, scope))
    encodable, sized = _encodable(headers)
    kept = [(name, value) for name, value in headers if name not in _OF_THE_200]
    if compressor is None or not encodable:
        return kept
    if coding is not None and not (sized is not None and sized.isdigit() and int(sized) < compressor.minimum_size):
        kept = [(name, _weak(value) if name == b"etag" else value) for name, value in kept]
    return _with_vary(kept)


class Compressor:
    """The configured codecs and the choice among them; the app's outer layer (``_edge``) asks it,
    per request, for the coding and for the ``send`` that encodes."""

    def __init__(self, *, minimum_size: int = 1024, gzip_level: int = 4, brotli_quality: int = 4,
                 zstd_level: int | None = None) -> None:
        self.minimum_size = minimum_size
        self.encoders = encoders(gzip_level, brotli_quality, zstd_level)
        self._chosen: dict[bytes, bytes | None] = {}  # Accept-Encoding value -> coding: browsers send a few

    def coding(self, accept: bytes) -> bytes | None:
        """The coding for ``Accept-Encoding: accept``, None for none we have."""
        chosen = self._chosen
        if accept in chosen:
            return chosen[accept]
        return remember(chosen, accept, negotiate(accept, self.encoders), entries=256)

    def encoding(self, send: Send, coding: bytes, scope: Scope, receive: Receive) -> Send:
        """A ``send`` that encodes a text answer to ``scope`` with ``coding`` on its way to ``send``
        (``receive`` tells it when the client has gone, while it streams a file itself)."""
        return _Responder(send, coding, self.encoders[coding], self.minimum_size, scope, receive).send


class _Responder:
    """One answer on its way out: its start held back until the first body says how to send it,
    unless it has no length (a live stream: the start leaves at once, encoded)."""

    __slots__ = ("codec", "coding", "finish", "length", "minimum", "process", "receive", "scope", "send_next",
                 "start", "state")

    def __init__(self, send: Send, coding: bytes, codec: Any, minimum: int, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.send_next = send
        self.coding = coding
        self.codec = codec
        self.minimum = minimum
        self.start: Message | None = None
        self.length: int | None = None  # its Content-Length, when it has one
        self.state = "start"  # then "plain" (sent as is), "held" (until the first body), or "stream"
        self.process: Callable[[bytes], bytes] | None = None
        self.finish: Callable[[], bytes] | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            await self._start(message)
        elif kind == "http.response.body" and self.state == "held":
            await self._first_body(message)
        elif kind == "http.response.body" and self.state == "stream":
            await self._stream(message)
        elif kind == "http.response.pathsend" and self.state == "held":  # a file the server would send itself
            await self._file(message["path"])
        else:
            await self.send_next(message)

    async def _start(self, message: Message) -> None:
        headers = message.get("headers") or []
        encodable, sized = _encodable(headers)
        status = message["status"]
        if not encodable or status in _NEVER:
            self.state = "plain"
            await self.send_next(message)
            return
        message["headers"] = _with_vary(headers)
        if sized is not None and sized.isdigit() and int(sized) < self.minimum:
            self.state = "plain"
            await self.send_next(message)
            return
        self.length = int(sized) if sized is not None and sized.isdigit() else None
        self.start = message
        if sized is None:  # a live stream (SSE, a streamed page): its first chunk may come much later
            await self._open(flush=True)
            return
        self.state = "held"

    async def _first_body(self, message: Message) -> None:
        start = self.start
        assert start is not None
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if not more and len(body) < self.minimum:
            self.state = "plain"
            await self.send_next(start)
            await self.send_next(message)
            return
        if not more:
            headers = self._encoded_headers(start)
            copies = message.get(ENCODED)  # a body sent again unchanged (``pyxle._copies``)
            data = copies.get(self.codec) if copies is not None else None
            if data is None:
                # a large body (a page of big data, its navigation JSON) in a worker thread: ~0.35 s of
                # gzip for 44 MB held every other request of the worker's event loop
                data = (self.codec.whole(body) if len(body) <= WHOLE_FILE
                        else await anyio.to_thread.run_sync(self.codec.whole, body))
                if copies is not None:
                    copies[self.codec] = data
            headers.append((b"content-length", str(len(data)).encode()))
            start["headers"] = headers
            await self.send_next(start)
            await self.send_next({"type": "http.response.body", "body": data, "more_body": False})
            return
        await self._open(flush=False)  # a body of known length sent in parts: a file, not a live stream
        await self._stream(message)

    async def _open(self, *, flush: bool) -> None:
        """Send the start for a body encoded as it goes out, ``flush``ed per chunk (unflushed,
        brotli holds megabytes of input before its first output)."""
        start = self.start
        assert start is not None
        start["headers"] = self._encoded_headers(start)
        self.state = "stream"
        self.process, self.finish = self.codec.stream(flush=flush)
        await self.send_next(start)

    def _encoded_headers(self, start: Message) -> list[tuple[bytes, bytes]]:
        """The start's headers for the encoded body: its length dropped, its tag weak, the coding named."""
        headers = [(n, _weak(v) if n == b"etag" else v) for n, v in start["headers"] if n != b"content-length"]
        headers.append((b"content-encoding", self.coding))
        return headers

    async def _file(self, path: str) -> None:
        """Up to ``WHOLE_FILE``, read and compressed in one piece (sent with its length); past it,
        read and compressed chunk by chunk in a worker thread as it goes out: the first bytes leave
        at once and a worker holds a chunk, not the file and its copy."""
        if self.length is not None and self.length <= WHOLE_FILE:
            body = await anyio.Path(path).read_bytes()
            await self._first_body({"type": "http.response.body", "body": body, "more_body": False})
            return
        file = await anyio.to_thread.run_sync(open, path, "rb")  # gone since its stat: the 500 it always was
        try:
            async with anyio.create_task_group() as group:  # the server keeps no watch on a file it was not given
                group.start_soon(self._until_gone, group.cancel_scope)
                await self._send_file(file)
                group.cancel_scope.cancel()
        finally:
            file.close()

    async def _send_file(self, file: BinaryIO) -> None:
        await self._open(flush=True)
        process, finish = self.process, self.finish
        assert process is not None and finish is not None
        more = True
        while more:
            data, more = await anyio.to_thread.run_sync(_next_chunk, file, process, finish)
            await self.send_next({"type": "http.response.body", "body": data, "more_body": more})

    async def _until_gone(self, scope: anyio.CancelScope) -> None:
        """Stop the file's stream when its client disconnects (the server's ``send`` says nothing)."""
        while (await self.receive())["type"] != "http.disconnect":
            pass
        scope.cancel()

    async def _stream(self, message: Message) -> None:
        body = message.get("body", b"")
        more = message.get("more_body", False)
        data = self.process(body) if body else b""  # type: ignore[misc]
        if not more:
            data += self.finish()  # type: ignore[misc]
        await self.send_next({"type": "http.response.body", "body": data, "more_body": more})


def _next_chunk(file: BinaryIO, process: Callable[[bytes], bytes],
                finish: Callable[[], bytes]) -> tuple[bytes, bool]:
    """The next chunk of ``file`` compressed, and whether more follow (run in a worker thread)."""
    chunk = file.read(FILE_CHUNK)
    return (process(chunk), True) if chunk else (finish(), False)


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            if b"accept-encoding" in value.lower() or value.strip() == b"*":
                return list(headers)
            out = list(headers)
            out[index] = (name, value + b", Accept-Encoding")
            return out
    return [*headers, (b"vary", b"Accept-Encoding")]


def _tag_as_held(headers: list[tuple[bytes, bytes]], scope: Scope) -> list[tuple[bytes, bytes]]:
    """A 304's ``ETag`` as the client holds it: weak when its ``If-None-Match`` names the weak form
    (it got a compressed copy, so a 200 now would carry ``W/`` too, as RFC 9110 asks of a 304)."""
    for index, (name, tag) in enumerate(headers):
        if name == b"etag":
            weak = _weak(tag)
            held = next((value for key, value in scope["headers"] if key == b"if-none-match"), b"")
            if weak != tag and weak in held:
                out = list(headers)
                out[index] = (name, weak)
                return out
            break
    return headers


def _weak(tag: bytes) -> bytes:
    """The compressed body is another representation: its tag is weak, so ``If-None-Match`` still matches."""
    return tag if tag.startswith(b"W/") else b"W/" + tag
