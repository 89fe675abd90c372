"""Errors as JSON: HTTPException keeps its status; anything else is a logged, generic 500."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException, WebSocketException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from pyxle._refused import ServiceUnavailable, body_refusal, log_unavailable
from pyxle.api._handlers import is_async
from pyxle.pages import ACTIONS_PREFIX
from pyxle.pages._errors import error_json
from pyxle.runtime import ActionCookies


def error_response(exc: HTTPException, path: str = "") -> Response:
    """``HTTPException(status, detail)`` -> ``{"error": detail}`` with its status and headers; at a
    server action's ``path`` ``{"ok": false, "error": detail}``, as every action answer has ``ok``
    (a malformed JSON body's 400, the 405, a body too large)."""
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    body = {"ok": False, "error": exc.detail} if path.startswith(ACTIONS_PREFIX) else {"error": exc.detail}
    return error_json(body, exc.status_code, exc.headers)  # a detail with a lone surrogate: its escape


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc, request.scope.get("path", ""))


async def _websocket_exception(websocket: WebSocket, exc: Exception) -> None:
    assert isinstance(exc, WebSocketException)
    await websocket.close(code=exc.code, reason=exc.reason)


def server_error(exc: BaseException, *, expose: bool, path: str = "") -> dict[str, Any]:
    """The body of a 500: generic, unless ``expose`` (``pyxle dev``, ``debug``) adds the exception
    text and traceback; the production server never does. With ``"ok": false`` at an action's ``path``."""
    body: dict[str, Any] = {"ok": False} if path.startswith(ACTIONS_PREFIX) else {}
    body["error"] = "Internal Server Error"
    if expose:
        body["exception"] = f"{type(exc).__name__}: {exc}"
        body["traceback"] = traceback.format_exception(exc)
    return body


def _with_cookies(response: Any, scope: Scope) -> None:
    """An ``HTTPException`` a loader or an action raised on purpose (a redirect to log in, a 403)
    is its answer: the cookies it set before (``request.state.cookies``: a logout's deletion) go on it.
    A refusal of Pyxle's at an action URL (a body the action could not read) is answered by the
    actions endpoint (an ASGI app, not a ``Response``): not the action's answer, it carries none."""
    cookies = scope.get("state", {}).get("cookies")
    if isinstance(cookies, ActionCookies) and cookies and isinstance(response, Response):
        cookies.apply(response)


def handle_exceptions(app: ASGIApp, handlers: Mapping[Any, Callable[..., Any]]) -> ASGIApp:
    """Answer what the routes raise with the app's exception handlers (``add_exception_handler``:
    by class, along the exception's MRO, or by HTTP status); what none handles goes on up.

    Starlette's ``ExceptionMiddleware`` semantics, without building a ``Request`` for every
    request: one is made only when a handler runs.
    """
    by_class: dict[Any, Callable[..., Any]] = {HTTPException: http_exception_handler,
                                               WebSocketException: _websocket_exception}
    by_status: dict[int, Callable[..., Any]] = {}
    for key, handler in handlers.items():
        (by_status if isinstance(key, int) else by_class)[key] = handler
    registered = (by_class, by_status)  # Starlette's own routes (a plugin's) look for them in the scope

    def lookup(exc: Exception) -> Callable[..., Any] | None:
        if isinstance(exc, HTTPException) and exc.status_code in by_status:
            return by_status[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in by_class:
                return by_class[cls]
        return None

    async def handled(scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await app(scope, receive, send)
            return
        scope["starlette.exception_handlers"] = registered
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, receive, sender)
        except Exception as caught:
            exc = body_refusal(caught) or caught  # a body's refusal a task group wrapped (BaseHTTPMiddleware)
            handler = lookup(exc)
            if exc is not caught and handler is None:
                raise exc from None
            if handler is None or (kind == "websocket" and isinstance(exc, HTTPException)):
                raise  # a socket's HTTPException is no HTTP answer (after the upgrade): the realtime guard closes it
            if isinstance(exc, ServiceUnavailable) and kind == "http":
                log_unavailable(exc, scope)  # whichever handler answers it (the app's own: a 503)
            if started:
                raise RuntimeError("Caught handled exception, but response already started.") from exc
            conn = Request(scope, receive, send) if kind == "http" else WebSocket(scope, receive, send)
            if is_async(handler):
                response = await handler(conn, exc)
            else:
                response = await run_in_threadpool(handler, conn, exc)
            if response is not None:
                if isinstance(exc, HTTPException):
                    _with_cookies(response, scope)
                await response(scope, receive, sender)
            exc.__traceback__ = None  # a reused exception instance would collect tracebacks

    return handled
