"""``public/`` at ``/``, behind every route, and the build's hashed assets under ``/_pyxle/``;
anything unmatched ends in a JSON 404. Both send a whole file for a ``Range`` they cannot read."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle.app._compress import negotiate

# One byte range of RFC 9110: "first-last", "first-" or the suffix "-length".
_BYTE_RANGE = re.compile(rb"\s*(?:(\d+)-(\d*)|-\d+)\s*")
# Precompressed siblings of a built file, in the order we prefer them on a tie.
_PRECOMPRESSED = {b"br": ".br", b"gzip": ".gz"}


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
            scope = _without_bad_range(scope)
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
        scope = _without_bad_range(scope)
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        accept = next((value for name, value in scope["headers"] if name == b"accept-encoding"), b"")
        if accept:
            built = {coding: variant for coding, suffix in _PRECOMPRESSED.items()
                     if (variant := path.with_name(path.name + suffix)).is_file()}
            coding = negotiate(accept, built) if built else None  # never one the client gave q=0
            if coding is not None:
                headers["Content-Encoding"] = coding.decode()
                path = built[coding]
        await FileResponse(path, headers=headers, media_type=media_type)(scope, receive, send)

    return serve


def _without_bad_range(scope: Scope) -> Scope:
    """The scope without its ``Range`` header when that is not a valid byte range: the whole file
    is sent, as RFC 9110 allows and nginx does (Starlette would answer a plain-text 400). A valid
    range beyond the end of the file still gets its 416."""
    for name, value in scope["headers"]:
        if name == b"range" and not _valid_range(value):
            return {**scope, "headers": [header for header in scope["headers"] if header[0] != b"range"]}
    return scope


def _valid_range(value: bytes) -> bool:
    unit, equals, ranges = value.partition(b"=")
    if not equals or unit.strip().lower() != b"bytes":
        return False
    specs = [spec for spec in ranges.split(b",") if spec.strip()]  # empty list elements do not count
    for spec in specs:
        match = _BYTE_RANGE.fullmatch(spec)
        if match is None:
            return False
        first, last = match.group(1), match.group(2)
        if first is not None and last and int(last) < int(first):
            return False
    return bool(specs)
