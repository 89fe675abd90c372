"""``RequestRefused``: the ``HTTPException`` Pyxle raises itself when a request cannot be read as
asked (a malformed or unreadable body, one too large or too slow), wherever that happens, in a
handler's own ``await request.json()`` too. Code that answers a refusal differently from what a
handler chose to raise (a no-JavaScript form post's refusal is a page) tells the two apart by it.
Also the routes' own last answers (``not_found``, ``bad_path``), which the app and the pages'
error answers share, and ``ServiceUnavailable``: neither the request's fault nor the app's bug."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle._loggable import Sampled, loggable

logger = logging.getLogger("pyxle.error")  # where HTTP's unhandled errors go (pyxle.app._edge)
socket_logger = logging.getLogger("pyxle.realtime")  # where sockets' closes are logged (pyxle.realtime._guard)


if sys.version_info >= (3, 11):
    _Group = BaseExceptionGroup  # noqa: F821 - a builtin since 3.11
else:  # pragma: no cover - anyio's backport, which it installs on 3.10
    from exceptiongroup import BaseExceptionGroup as _Group


class RequestRefused(HTTPException):
    """The request's fault, found by Pyxle: answered as any ``HTTPException`` is."""


class BodyRefused(RequestRefused):
    """A refusal raised as the request's body is read (``receive``: too large, too slow, its client
    gone): code that reads it inside a task group (Starlette's ``BaseHTTPMiddleware``) hands it on
    wrapped in an exception group, which ``body_refusal`` unwraps."""


def body_refusal(exc: BaseException) -> BodyRefused | None:
    """The ``BodyRefused`` an exception group stands for: its only kind of exception, or the one
    the others were raised because of (their cause or context); else None. Called only where an
    exception is already being handled, so the hot path pays nothing for it."""
    if not isinstance(exc, _Group):
        return None
    leaves = list(_leaves(exc))
    first = next((leaf for leaf in leaves if isinstance(leaf, BodyRefused)), None)
    if first is None or not all(isinstance(leaf, BodyRefused) or _caused_by(leaf, first) for leaf in leaves):
        return None
    return first


def _leaves(group: BaseException) -> Iterator[BaseException]:
    """The exceptions a (nested) exception group holds."""
    for exc in group.exceptions:  # type: ignore[attr-defined]
        if isinstance(exc, _Group):
            yield from _leaves(exc)
        else:
            yield exc


def _caused_by(exc: BaseException | None, cause: BaseException) -> bool:
    """Whether ``cause`` is in ``exc``'s chain of causes and contexts."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if exc is cause:
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class ServiceUnavailable(HTTPException):
    """A service the app relies on is down (the realtime broker's Redis): an outage, not a bug. Let
    escape, it answers 503 with ``Retry-After`` and ``detail``, which names no host (the message,
    with the masked URL, goes to the log only), logged with no traceback (``log_unavailable``); a
    socket handler's closes its socket with 1013 (try again later) and ``reason``."""

    def __init__(self, message: str, detail: str, retry_after: int, reason: str) -> None:
        super().__init__(503, detail, {"Retry-After": str(retry_after)})
        self.message = message
        self.reason = reason  # for the close frame

    def __str__(self) -> str:
        return self.message


_outage_lines = Sampled(10)  # seconds: how often a worker logs the answers an outage costs


def log_unavailable(exc: ServiceUnavailable, scope: Scope) -> None:
    """The line an outage that reached an answer gets (a 503, or a socket's 1013): the route and
    the error, no traceback. The first at once, then at most one every ten seconds per worker,
    saying how many answers it stands for: a line per request would bury the log under load."""
    path = loggable(scope.get("path", ""))
    if scope["type"] == "websocket":
        _outage_lines.write(lambda more: socket_logger.warning("closing a WebSocket on %s: %s (1013)%s", path, exc, more))
    else:
        method = scope.get("method")
        _outage_lines.write(lambda more: logger.warning("%d for %s %s: %s%s", exc.status_code, method, path, exc, more))


def outage_over() -> None:
    """The service is back (the broker's Redis): the answers held back are logged now, under this outage."""
    _outage_lines.ended()


UNROUTED = "unrouted"  # scope["pyxle"] flag: ``not_found`` answers (CSRF gives its JSON no token cookie)


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The end of the line: HTTP 404 (rendered as JSON by the error handler), WebSocket refused."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008, reason="Not Found")(scope, receive, send)
        return
    raise unrouted(scope)


def unrouted(scope: Scope, headers: Mapping[str, str] | None = None) -> HTTPException:
    """The 404 of a URL nothing here answers, marked so in the scope (CSRF gives its JSON no token cookie)."""
    scope.setdefault("pyxle", {})[UNROUTED] = True
    return HTTPException(404, headers=headers)


BAD_PATH = "Invalid path: it holds a control character"


async def bad_path(scope: Scope, receive: Receive, send: Send) -> None:
    """A path holding a control character (``PyxleRouter``): HTTP 400 (JSON, or a no-JS form's
    page at an action URL, as the other refusals), WebSocket refused."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008, reason="Bad Request")(scope, receive, send)
        return
    raise RequestRefused(400, BAD_PATH)
