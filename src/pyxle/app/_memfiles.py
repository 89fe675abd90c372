"""Small static files answered from memory while they are unchanged on disk.

Starlette's ``FileResponse`` hands a file to the server to read (``http.response.pathsend``, or
reads in a worker thread): about 200 to 290 µs of CPU for a 3 KB file here, against about 35 µs
for the same bytes from memory (docs/benchmarks.md). The caller still stats the file on every
request, so an edited or replaced file is read again at once; only its bytes are kept, and what
the compression layer made of them (``ENCODED``): a text file is compressed once per coding, not
on every request (brotli takes ~110 µs of CPU for a 20 KB stylesheet).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import anyio
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from pyxle.app._compress import ENCODED

MAX_FILE = 256 * 1024  # bundles and stylesheets fit; a video is streamed as before
MAX_TOTAL = 32 * 1024 * 1024  # each (public/, the build's assets), compressed copies included: the oldest go first

Stamp = tuple[int, int, int]  # inode, modification time, size: a file written again differs in one


@dataclass(slots=True)
class _File:
    stamp: Stamp
    data: bytes
    encoded: dict[bytes, bytes]  # the compression layer's copies of ``data``, by coding
    size: int  # of ``data`` and its copies


class SmallFiles:
    """The bytes of the small files answered so far, each with the stamp of the stat it was read under."""

    def __init__(self, max_file: int = MAX_FILE, max_total: int = MAX_TOTAL) -> None:
        self.max_file = max_file
        self.max_total = max_total
        self._files: dict[str, _File] = {}
        self._total = 0

    async def answer(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        """Send ``response``; a whole small file (no ``Range`` asked) goes from memory in one piece."""
        if not isinstance(response, FileResponse) or response.status_code != 200 or _ranged(scope):
            await response(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            await send({"type": "http.response.start", "status": 200, "headers": response.raw_headers})
            await send({"type": "http.response.body", "body": b""})
            return
        path = str(response.path)
        kept = await self._file(path, response.stat_result)
        if kept is None:
            await response(scope, receive, send)
            return
        copies = len(kept.encoded)
        await send({"type": "http.response.start", "status": 200, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": kept.data, ENCODED: kept.encoded})
        if len(kept.encoded) != copies and self._files.get(path) is kept:
            self._resize(path, kept)

    async def _file(self, path: str, stat: os.stat_result | None) -> _File | None:
        if stat is None or stat.st_size > self.max_file:
            return None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        kept = self._files.get(path)
        if kept is not None and kept.stamp == stamp:
            return kept
        try:
            data = await anyio.Path(path).read_bytes()
        except OSError:
            return None  # gone or unreadable since its stat: FileResponse says so as it always has
        if len(data) != stat.st_size:
            return None  # written to as it was read: not kept, and the next request reads it again
        kept = _File(stamp, data, {}, 0)
        self._resize(path, kept)
        return kept

    def _resize(self, path: str, kept: _File) -> None:
        """Count ``kept`` (new, or with a copy more) at its size now, and make room for it."""
        old = self._files.pop(path, None)
        if old is not None:
            self._total -= old.size
        kept.size = len(kept.data) + sum(map(len, kept.encoded.values()))
        while self._files and self._total + kept.size > self.max_total:
            oldest = next(iter(self._files))
            self._total -= self._files.pop(oldest).size
        self._files[path] = kept
        self._total += kept.size


def _ranged(scope: Scope) -> bool:
    return any(name == b"range" for name, _ in scope["headers"])
