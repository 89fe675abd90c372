"""One access-log line per request to stdout: method, path, status, duration (text or JSON).

Lines are formatted directly and written in batches (flushed within 100 ms and at exit): going
through ``logging`` with a flush per record halved the throughput of a JSON route
(docs/benchmarks.md). Errors still go through ``logging`` to stderr.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import sys
import time
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FLUSH_SECONDS = 0.1


class AccessLogMiddleware:
    """Outermost, so the status and duration include every other layer (and 500s)."""

    def __init__(self, app: ASGIApp, *, json_format: bool = False, stream: TextIO | None = None) -> None:
        self.app = app
        self.json_format = json_format
        self.stream = stream or sys.stdout
        self._pending: list[str] = []
        self._scheduled = False
        self._second = -1
        self._stamp = ""
        atexit.register(self.flush)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 101 if scope["type"] == "websocket" else 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "websocket.close" and status == 101:
                status = 403  # refused before accept
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.record(scope, status, (time.perf_counter() - start) * 1000)

    def record(self, scope: Scope, status: int, ms: float) -> None:
        method = scope.get("method", "WS")
        client = scope.get("client")
        host = client[0] if client else "-"
        if self.json_format:
            line = json.dumps({"time": self._now(), "method": method, "path": scope["path"], "status": status,
                               "duration_ms": round(ms, 2), "client": host})
        else:
            line = f'{self._now()} {host} "{method} {scope["path"]}" {status} {ms:.1f}ms'
        self._pending.append(line + "\n")
        if not self._scheduled:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
                self._scheduled = True
            except RuntimeError:  # no loop (shutdown): write now
                self.flush()

    def flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        data = "".join(self._pending)
        self._pending.clear()
        try:
            self.stream.write(data)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # stdout closed: nothing useful to do with an access line

    def _now(self) -> str:
        """ISO-8601 UTC to the second, formatted once per second."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return self._stamp
