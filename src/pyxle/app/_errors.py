"""Errors as JSON: HTTPException keeps its status; anything else is a logged, generic 500."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("pyxle.error")


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """``HTTPException(status, detail)`` -> ``{"error": detail}`` with its status and headers."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


class ServerErrorMiddleware:
    """Outermost net: an unhandled exception is logged with its traceback and answered with a 500.

    Only ``expose`` (``pyxle dev``) puts the exception text and traceback in the response; the
    production server never does.
    """

    def __init__(self, app: ASGIApp, *, expose: bool = False) -> None:
        self.app = app
        self.expose = expose

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            logger.error("Unhandled error in %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            if not started:
                await JSONResponse(self.body(exc), status_code=500)(scope, receive, send)

    def body(self, exc: Exception) -> dict[str, Any]:
        body: dict[str, Any] = {"error": "Internal Server Error"}
        if self.expose:
            body["exception"] = f"{type(exc).__name__}: {exc}"
            body["traceback"] = traceback.format_exception(exc)
        return body
