"""Small static files answered from memory while they are unchanged on disk.

Starlette's ``FileResponse`` hands a file to the server to read (``http.response.pathsend``, or
reads in a worker thread): about 200 to 290 µs of CPU for a 3 KB file here, against about 35 µs
for the same bytes from memory (docs/benchmarks.md). The caller still stats the file on every
request, so an edited or replaced file is read again at once; only its bytes are kept, and its
compressed copies (``pyxle._copies``) while they are the bytes sent.
"""

from __future__ import annotations

import os

import anyio
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from pyxle._copies import Copies

MAX_FILE = 256 * 1024  # bundles and stylesheets fit; a video is streamed as before
MAX_TOTAL = 32 * 1024 * 1024  # each (public/, the build's assets): the oldest files go first beyond it

# inode, modification time, change time, size: a file written again differs in one. The change time
# catches a rewrite in place that keeps the size and sets the mtime back (`cp -p`, reproducible builds).
Stamp = tuple[int, int, int, int]


class SmallFiles:
    """The bytes of the small files answered so far, each with the stamp of the stat it was read under."""

    def __init__(self, max_file: int = MAX_FILE, max_total: int = MAX_TOTAL) -> None:
        self.max_file = max_file
        self.max_total = max_total
        self._files: dict[str, tuple[Stamp, bytes]] = {}
        self._total = 0
        self.copies = Copies()

    async def answer(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        """Send ``response``; a whole small file (no ``Range`` asked) goes from memory in one piece."""
        if not isinstance(response, FileResponse) or response.status_code != 200 or _ranged(scope):
            await response(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        body = b"" if head else await self._bytes(str(response.path), response.stat_result)
        if body is None:
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": response.raw_headers})
        if head:
            await send({"type": "http.response.body", "body": b""})
        else:
            await self.copies.send(send, body)

    async def _bytes(self, path: str, stat: os.stat_result | None) -> bytes | None:
        if stat is None or stat.st_size > self.max_file:
            return None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        kept = self._files.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            data = await anyio.Path(path).read_bytes()
        except OSError:
            return None  # gone or unreadable since its stat: FileResponse says so as it always has
        if len(data) != stat.st_size:
            return None  # written to as it was read: not kept, and the next request reads it again
        self._keep(path, stamp, data)
        return data

    def _keep(self, path: str, stamp: Stamp, data: bytes) -> None:
        old = self._files.pop(path, None)
        if old is not None:
            self._total -= len(old[1])
        while self._files and self._total + len(data) > self.max_total:
            oldest = next(iter(self._files))
            self._total -= len(self._files.pop(oldest)[1])
        self._files[path] = (stamp, data)
        self._total += len(data)


def _ranged(scope: Scope) -> bool:
    return any(name == b"range" for name, _ in scope["headers"])
