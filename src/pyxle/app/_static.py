"""``public/`` at ``/``, behind every route; anything unmatched ends in a JSON 404."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The end of the line: HTTP 404 (rendered as JSON by the error handler), WebSocket refused."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008, reason="Not Found")(scope, receive, send)
        return
    raise HTTPException(404)


def public_files(directory: Path) -> ASGIApp:
    """Starlette's StaticFiles (ETag, Last-Modified, 304, HEAD, symlinks kept inside) for GET/HEAD."""
    if not directory.is_dir():
        return not_found
    files = StaticFiles(directory=directory)

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            await files(scope, receive, send)
        else:
            await not_found(scope, receive, send)

    return serve
