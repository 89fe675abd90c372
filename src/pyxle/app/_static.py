"""``public/`` at ``/``, behind every route; anything unmatched ends in a JSON 404."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The end of the line: HTTP 404 (rendered as JSON by the error handler), WebSocket refused."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008, reason="Not Found")(scope, receive, send)
        return
    raise HTTPException(404)


def public_files(directory: Path, fallback: ASGIApp = not_found) -> ASGIApp:
    """Starlette's StaticFiles (ETag, Last-Modified, 304, HEAD, symlinks kept inside) for GET/HEAD;
    anything it does not have goes to ``fallback``."""
    if not directory.is_dir():
        return fallback
    files = StaticFiles(directory=directory)

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            try:
                response = await files.get_response(files.get_path(scope), scope)
            except HTTPException as exc:
                if exc.status_code != 404:
                    raise
            else:
                await response(scope, receive, send)
                return
        await fallback(scope, receive, send)

    return serve


def build_assets(directory: Path) -> ASGIApp:
    """Hashed bundle files under ``/_pyxle/``: cached for a year, brotli or gzip when precompressed."""
    root = directory.resolve()

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await not_found(scope, receive, send)
            return
        path = (root / scope["path_params"]["asset"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            await not_found(scope, receive, send)
            return
        accepted = ""
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accepted = value.decode("latin-1")
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            variant = path.with_name(path.name + suffix)
            if encoding in accepted and variant.is_file():
                headers["Content-Encoding"] = encoding
                path = variant
                break
        await FileResponse(path, headers=headers, media_type=media_type)(scope, receive, send)

    return serve
