"""One access-log line per request to stdout (text or JSON), written after the response.

Lines are formatted directly and written in batches (flushed within 100 ms and at exit): going
through ``logging`` with a flush per record halved the throughput of a JSON route
(docs/benchmarks.md). Errors still go through ``logging`` to stderr. The request's
``observability.Observer`` calls ``AccessLog.record`` with the status and duration it measured.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import json
import sys
import time
from typing import Any, TextIO

import orjson
from starlette.types import Scope

from pyxle._loggable import loggable
from pyxle.app._printed import unprinted
from pyxle.observability import route_of

FLUSH_SECONDS = 0.1
_NONE: dict[str, Any] = {}  # a scope's "pyxle" where it has none (never written)


class AccessLog:
    """``record(scope, status, seconds)``: text ``time client "METHOD path" status 1.2ms [id]``, or
    one JSON object with the request id, route pattern, status, duration and user agent."""

    def __init__(self, *, json_format: bool = False, stream: TextIO | None = None) -> None:
        self.json_format = json_format
        self.stream = stream or unprinted(sys.stdout)  # its lines are JSON already, not printed text
        self._pending: list[str] = []
        self._scheduled = False
        self._second = -1
        self._stamp = ""
        self._closed = False
        atexit.register(self.flush)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "WS")
        client = scope.get("client")
        host = client[0] if client else "-"
        extra = scope.get("pyxle", _NONE)
        request_id = extra.get("request_id")
        ms = seconds * 1000
        if self.json_format:
            agent = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"user-agent"), None)
            entry = {"time": self._now(), "level": "info", "logger": "pyxle.access", "request_id": request_id,
                     "method": method, "path": scope["path"], "route": route_of(scope), "status": status,
                     "duration_ms": round(ms, 2), "client": host, "user_agent": agent}
            if "cut" in extra:  # still running at the shutdown deadline (HttpEdge.cut)
                entry["cut"] = True
            line = json_line(entry)
        else:
            line = f'{self._now()} {host} "{method} {loggable(scope["path"])}" {status} {ms:.1f}ms'
            if request_id is not None:
                line += f" {request_id}"
            if "cut" in extra:
                line += " cut"
        self._pending.append(line + "\n")
        if self._closed:  # the server is stopping: a batch might never be written
            self.flush()
        elif not self._scheduled:
            try:
                # the batch is the worker's: its flush runs outside the request that started it
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush, context=contextvars.Context())
                self._scheduled = True
            except RuntimeError:  # no loop (shutdown): write now
                self.flush()

    def close(self) -> None:
        """The app is stopping: write what is batched, and each line at once from now on (a worker
        that stops gracefully exits without running ``atexit``, before the batch's timer fires)."""
        self._closed = True
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


def json_line(entry: dict[str, Any]) -> str:
    """``entry`` as one line of compact ASCII JSON. orjson writes it in 0.3 µs where ``json.dumps``
    takes 3.2; the standard library writes the rare line orjson cannot (a path or agent with
    non-ASCII characters, which it escapes, or with a lone surrogate, which orjson refuses)."""
    try:
        line: str | None = orjson.dumps(entry).decode()
    except TypeError:
        line = None
    if line is None or not line.isascii():
        line = json.dumps(entry, separators=(",", ":"))
    return line
