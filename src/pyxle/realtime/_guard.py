"""The ASGI layer every WebSocket passes: Origin policy, a Connection per socket, and the list
of open sockets that shutdown closes with 1001."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Callable, Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose, WebSocketDisconnect

from pyxle._loggable import loggable
from pyxle._refused import ServiceUnavailable, log_unavailable
from pyxle.realtime._broker import ChannelRefused
from pyxle.realtime._connection import CLOSE_TIMEOUT, FLUSH_TIMEOUT, Connection
from pyxle.realtime._frames import close_reason
from pyxle.realtime._origin import same_site
from pyxle.routing import api_like, canonical, under

logger = logging.getLogger("pyxle.realtime")
error_logger = logging.getLogger("pyxle.error")  # where HTTP's unhandled errors go (pyxle.app._edge)
_open: weakref.WeakSet[Connection] = weakref.WeakSet()  # every socket this process is serving
HANDLER_GRACE = 1.0  # seconds a handler has after the shutdown close to return by itself; then it is cancelled


class WebSocketGuard:
    """Passes HTTP through untouched; checks and tracks WebSockets (decided at load time)."""

    def __init__(self, app: ASGIApp, *, max_message: int, queue_limit: int, origins: tuple[str, ...],
                 api_routes: bool | tuple[str, ...] | None, api_route: Callable[[str], bool] | None = None,
                 origins_like: re.Pattern[str] | None = None, takes_socket: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.max_message = max_message
        self.queue_limit = queue_limit
        self.origins = origins  # CORS origins: allowed besides the app's own
        self.origins_like = origins_like  # CORS origins for subdomains ("https://*.example.com"), one pattern
        # pages always get the Origin check; API routes only when they opted in, by whole
        # segments as csrf.apiRoutes: /api/rooms covers /api/rooms/a, not /api/roomsx
        self.api_checked: tuple[str, ...] = ("/",) if api_routes is True else tuple(api_routes or ())
        # whether an API route answers a path (a page may have an ``api`` segment: /docs/api);
        # without it, every path under /api/ and no other is taken for an API route's
        self.api_route = api_route or (lambda path: path.startswith("/api/"))
        # whether a handler may serve a socket at the path: where none can, an upgrade is refused
        # (403) whatever its Origin, as one from the app's own pages is
        self.takes_socket = takes_socket or (lambda path: True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        checked = not (api_like(path) and self.api_route(path)) or any(under(canonical(path), p) for p in self.api_checked)
        if checked and not same_site(scope, self.origins, self.origins_like):
            if not self.takes_socket(path):
                await WebSocketClose()(scope, receive, send)  # before accept: the handshake's 403
                return
            logger.warning("refused a cross-site WebSocket to %s (1008)", loggable(path))
            await _refuse(scope, receive, send)
            return
        conn = Connection(scope, receive, send, max_message=self.max_message, queue_limit=self.queue_limit)
        scope.setdefault("pyxle", {})["connection"] = conn
        _open.add(conn)
        try:
            await _serve(self.app, scope, conn)
        except asyncio.CancelledError:
            if not conn.aborted:
                raise
            task = asyncio.current_task()
            if task is not None and hasattr(task, "uncancel"):
                task.uncancel()
        finally:
            await conn.wait_closed()
            conn.finish()
            _open.discard(conn)


async def _serve(app: ASGIApp, scope: Scope, conn: Connection) -> None:
    """Run the handler; an exception it raises is logged here and ends the socket with 1011 (an
    ``HTTPException`` raised on purpose: 1008 below 500, with its detail as the reason; an outage,
    ``ServiceUnavailable``: 1013, try again later, with a warning), and one
    that returns with its socket open (accepted, not closed) ends it with 1000: it finished.

    Left to the server, the error would be logged without the request id (this runs inside the
    request's observation), and either end would reach the peer with no close code (1005), which
    ``useWebSocket`` retries as a drop; granian sometimes sent it only 20 s later. Before
    ``accept()`` the close refuses the handshake (403), which the access log then records. The
    traceback never reaches the peer.
    """
    try:
        await app(scope, conn.receive, conn.send)
    except WebSocketDisconnect:
        pass  # the peer left while the handler read or wrote: the normal end of a socket
    except ChannelRefused as exc:  # a channel name (or message) from the peer: its fault, no traceback
        logger.warning("closing a WebSocket on %s: %s (%d)", loggable(scope["path"]), exc, exc.code)
        await conn.close(exc.code, exc.reason)
    except ServiceUnavailable as exc:  # an outage (Redis for the broker): try again later, no traceback
        log_unavailable(exc, scope)
        await conn.close(1013, exc.reason)
    except HTTPException as exc:  # raised on purpose (401 to sign in first): a close saying so, no traceback
        code = 1008 if exc.status_code < 500 else 1011
        logger.warning("closing a WebSocket on %s: HTTP %d %s (%d)", loggable(scope["path"]), exc.status_code,
                       exc.detail, code)
        await conn.close(code, close_reason(str(exc.detail)))
    except Exception as exc:
        error_logger.error("Unhandled error in WS %s", loggable(scope["path"]), exc_info=exc)
        await conn.close(1011, "internal error")
    if conn.accepted and not conn.closed:  # it returned, leaving the socket open
        await conn.flush()  # what it was sent goes out first
        await conn.close(1000)


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    """Accept, then close with 1008 at once: the page's script sees why, and no handler runs."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await WebSocketClose(code=1008, reason="origin not allowed")(scope, receive, send)


def open_sockets() -> list[Connection]:
    """Every socket this process is serving now (``pyxle dev`` picks those an edit concerns)."""
    return [conn for conn in _open if not conn.closed]


async def close_all(code: int = 1001, reason: str = "server shutting down",
                    among: Iterable[Connection] | None = None) -> tuple[int, int]:
    """Close every open socket (or those ``among``), each once the channel messages queued for it
    have gone out (``FLUSH_TIMEOUT`` at most: publish() accepted them, and a client a little behind
    would lose them), then after the frame it is sending: how many got the close frame, and how many
    did not within ``CLOSE_TIMEOUT`` (peers that stopped reading), which are cut off."""
    sockets = [conn for conn in (_open if among is None else among) if not conn.closed]
    if not sockets:
        return 0, 0
    closing = {asyncio.ensure_future(_flushed_close(conn, code, reason)): conn for conn in sockets}
    done, pending = await asyncio.wait(closing, timeout=CLOSE_TIMEOUT)
    for task in pending:
        task.cancel()
        closing[task].cut()
    sent = sum(1 for task in done if not task.cancelled() and task.exception() is None and task.result())
    return sent, len(sockets) - sent


async def _flushed_close(conn: Connection, code: int, reason: str) -> bool:
    await conn.flush()
    return await conn.close(code, reason)


async def end_handlers(grace: float = HANDLER_GRACE, timeout: float = FLUSH_TIMEOUT,
                       among: Iterable[Connection] | None = None) -> None:
    """After ``close_all`` at shutdown: handlers still running get ``grace`` seconds to take the
    disconnect, then are cancelled and waited for (``timeout`` at most). The server would stop
    the worker with them pending: their ``finally`` blocks never ran, nor their access log lines.
    (``among``: only those sockets' handlers, as ``close_all``'s.)"""
    sockets = list(_open if among is None else among)
    running = {conn.handler: conn for conn in sockets if conn.handler is not None and not conn.handler.done()}
    if not running:
        return
    _, left = await asyncio.wait(running, timeout=grace)
    for task in left:
        running[task].abort()
    if left:
        await asyncio.wait(left, timeout=timeout)


def open_count() -> int:
    return len(_open)
