"""``RequestRefused``: the ``HTTPException`` Pyxle raises itself when a request cannot be read as
asked (a malformed or unreadable body, one too large or too slow), wherever that happens, in a
handler's own ``await request.json()`` too. Code that answers a refusal differently from what a
handler chose to raise (a no-JavaScript form post's refusal is a page) tells the two apart by it.
Also the routes' own last answers (``not_found``, ``bad_path``), which the app and the pages'
error answers share."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose


class RequestRefused(HTTPException):
    """The request's fault, found by Pyxle: answered as any ``HTTPException`` is."""


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The end of the line: HTTP 404 (rendered as JSON by the error handler), WebSocket refused."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008, reason="Not Found")(scope, receive, send)
        return
    raise HTTPException(404)


BAD_PATH = "Invalid path: it holds a control character"


async def bad_path(scope: Scope, receive: Receive, send: Send) -> None:
    """A path holding a control character (``PyxleRouter``): HTTP 400 (JSON, or a no-JS form's
    page at an action URL, as the other refusals), WebSocket refused."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008, reason="Bad Request")(scope, receive, send)
        return
    raise RequestRefused(400, BAD_PATH)
