"""One access-log line per request: method, path, status, duration (text or JSON)."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("pyxle.access")


class AccessLogMiddleware:
    """Outermost, so the status and duration include every other layer (and 500s)."""

    def __init__(self, app: ASGIApp, *, json_format: bool = False) -> None:
        self.app = app
        self.json_format = json_format

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
            self.log(scope, status, (time.perf_counter() - start) * 1000)

    def log(self, scope: Scope, status: int, ms: float) -> None:
        method = scope.get("method", "WS")
        path = scope["path"]
        client = scope.get("client")
        host = client[0] if client else "-"
        if self.json_format:
            logger.info(json.dumps({
                "method": method, "path": path, "status": status, "duration_ms": round(ms, 2), "client": host,
            }))
        else:
            logger.info('%s "%s %s" %d %.1fms', host, method, path, status, ms)
