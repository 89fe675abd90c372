"""Refusing request bodies over the configured size (413, JSON), before the handler reads them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """A declared ``Content-Length`` over the limit is refused at once; a streamed body when it crosses it."""

    def __init__(self, app: ASGIApp, *, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.detail = f"Request body is larger than the limit of {max_body_size} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await JSONResponse({"error": "Invalid Content-Length header"}, 400)(scope, receive, send)
                    return
                if declared > self.max_body_size:
                    await JSONResponse({"error": self.detail}, 413, headers={"Connection": "close"})(
                        scope, receive, send
                    )
                    return
                await self.app(scope, receive, send)  # the server enforces the declared length
                return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        total = 0

        async def receive_counted() -> Message:
            nonlocal total
            message = await receive()
            total += len(message.get("body", b""))
            if total > self.max_body_size:
                raise HTTPException(413, self.detail)
            return message

        return receive_counted
