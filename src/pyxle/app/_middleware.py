"""The project's own Starlette middleware, from ``"module.path:name"`` entries in the config,
and its failures as a worker starts: made with the app it wraps (``make``), then handed the
lifespan scope (``LifespanGuard``). Either one stops the server, naming the entry and the line."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping, Sequence

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyxle._loading import SourceError, binds, entry_error, import_string, located, signature_of, user_frame
from pyxle._loggable import loggable
from pyxle.config import CONFIG_FILENAME

_SHAPES = ("expected an ASGI middleware class (its __init__ takes the app first), a starlette Middleware(cls, "
           "**options), a (cls, {options}) pair, or a function of no arguments returning one of these")


NAMED = ('a middleware is named "module.path:attr" or "module.path.attr", its module imported from the project '
         'root (where pyxle.config.json is)')


class MiddlewareLoadError(Exception):
    """A configured middleware entry that cannot be imported or is not a middleware."""


def load_middleware(entries: Sequence[str]) -> list[Middleware]:
    """Import each entry; the first listed becomes the outermost. An entry is what pyxle-framework
    0.9 accepted: a class, a ``Middleware(cls, **options)``, a ``(cls, {options})`` pair, or a
    function of no arguments returning one of those (called once, here)."""
    loaded = []
    for index, entry in enumerate(entries):
        where = f"middleware[{index}] {entry!r}"
        try:
            target = import_string(entry, where)
        except ImportError as exc:
            raise MiddlewareLoadError(not_imported(str(exc), where)) from exc
        loaded.append(_as_middleware(target, where, entry))
    return loaded


def not_imported(message: str, where: str) -> str:
    """An entry that cannot be imported, said as a ``routeMiddleware`` one is (``pyxle check`` too)."""
    return entry_error(message, where, CONFIG_FILENAME, NAMED)


def _as_middleware(target: object, where: str, entry: str, factory: object = None) -> Middleware:
    if isinstance(target, Middleware):
        return target
    if isinstance(target, tuple) and len(target) == 2 and callable(target[0]) and isinstance(target[1], Mapping):
        return Middleware(target[0], **target[1])
    if callable(target) and binds(target, 1, unknown=True):
        return Middleware(target)
    if factory is None and inspect.isfunction(target) and binds(target, 0, unknown=False):
        try:
            made = target()
        except Exception as exc:
            raise MiddlewareLoadError(located(target, f"{where}: {target.__qualname__}() raised {type(exc).__name__}: {exc}",
                                              f"Pyxle calls {target.__qualname__}() once at start-up; fix what it raised")) from exc
        return _as_middleware(made, where, entry, factory=target)
    if factory is not None:
        problem = f"{where}: {factory.__qualname__}() returned an object of type {type(target).__name__}, not a middleware"  # type: ignore[attr-defined]
        raise MiddlewareLoadError(located(factory, problem, _SHAPES))
    if callable(target):
        shown = target if inspect.isfunction(target) or isinstance(target, type) else type(target)
        raise MiddlewareLoadError(located(shown, f"{where} takes {signature_of(target)}, not the app", _SHAPES, entry))
    raise MiddlewareLoadError(located(type(target), f"{where} is not a middleware: it is an object of type "
                                                    f"{type(target).__name__}", _SHAPES, entry))


PASS_ON = ('a middleware must pass what is not HTTP (scope["type"] "lifespan" and "websocket") to the app it '
           'wraps untouched, e.g. if scope["type"] != "http": return await self.app(scope, receive, send)')
logger = logging.getLogger("pyxle")


def make(label: str, cls: object, app: ASGIApp, args: Sequence[object], kwargs: Mapping[str, object]) -> ASGIApp:
    """``cls(app, *args, **kwargs)``; what it raises is a ``MiddlewareLoadError`` naming ``label``
    (``middleware[0] 'audit:Audit'``) and the project's line that raised."""
    try:
        made = cls(app, *args, **kwargs)  # type: ignore[operator]
    except Exception as exc:
        name = getattr(cls, "__qualname__", type(cls).__qualname__)
        hint = (f"Pyxle makes each middleware once as a worker starts, as {name}(app"
                f"{', ...' if args or kwargs else ''}): the app it wraps first, then the options its entry gives")
        raise MiddlewareLoadError(_failure(f"{label} failed as it was made", exc, hint)) from exc
    if not callable(made):  # a class whose __init__ took the app as something else (`header`), say
        problem = (f"{label} is a class without __call__(self, scope, receive, send): what it makes is not a middleware"
                   if isinstance(cls, type) else f"{label} returned an object of type {type(made).__name__}, "
                                                 "not a middleware")
        raise MiddlewareLoadError(located(cls, problem, _SHAPES))
    return made  # type: ignore[no-any-return]


class LifespanGuard:
    """Serves the lifespan scope through the middleware (``app``): when one of ``layers`` (label,
    instance) raises before the app's start-up has said anything, the start-up fails naming it.
    A server would go on without a lifespan (granian says only "ASGI Lifespan errored"), so
    Pyxle's own start-up never ran and every page answered 503 "starting" for ever."""

    def __init__(self, app: ASGIApp, layers: Sequence[tuple[str, object]]) -> None:
        self.app = app
        self.layers = list(layers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = await self.serve(scope, receive, send)
        if problem is not None:
            await fail_start(send, problem)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> str | None:
        """Serve the lifespan; what to say when a layer raised before the start-up said anything."""
        said = received = False

        async def send_seen(message: Message) -> None:
            nonlocal said
            said = said or message["type"].startswith("lifespan.startup.")
            await send(message)

        async def receive_seen() -> Message:
            nonlocal received
            received = True
            return await receive()

        try:
            await self.app(scope, receive_seen, send_seen)
        except Exception as exc:
            if said:  # the start-up's own failure (Starlette said so), or one at shutdown
                raise
            label = self._raised_in(exc) or "the project's middleware"
            # One that read the start-up event handles the lifespan on purpose (its own start-up failed).
            hint = "fix what it raised: the app it wraps never started" if received else PASS_ON
            return _failure(f"{label} raised on the lifespan scope (the server's start-up)", exc, hint)
        return None

    def _raised_in(self, exc: BaseException) -> str | None:
        return raised_in(exc, self.layers)


def raised_in(exc: BaseException, layers: Sequence[tuple[str, object]]) -> str | None:
    """The label of the innermost of ``layers`` whose code is in ``exc``'s traceback."""
    found, tb = None, exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        owner = frame.f_locals.get("self")
        for label, layer in layers:
            if owner is layer or frame.f_code is getattr(layer, "__code__", None):
                found = label
        tb = tb.tb_next
    return found


_SERVER_ERROR = b'{"error":"Internal Server Error"}'
error_logger = logging.getLogger("pyxle.error")


class SocketGuard:
    """Serves WebSockets through the middleware (``app``): one of ``layers`` (label, instance)
    raising before the handshake is answered (one written for HTTP only, reading ``scope["method"]``)
    is logged as Pyxle's error, with the request id, the entry, its line and a hint, and answered
    500 where the server takes ASGI's denial responses (granian does), else closed (the server's
    403). It reached granian, which logged it without any of those, and the access log said 101."""

    def __init__(self, app: ASGIApp, layers: Sequence[tuple[str, object]]) -> None:
        self.app = app
        self.layers = list(layers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        answered = False

        async def send_seen(message: Message) -> None:
            nonlocal answered
            answered = True
            await send(message)

        try:
            await self.app(scope, receive, send_seen)
        except Exception as exc:
            if answered:  # after the handshake: the socket's own business, as before
                raise
            label = raised_in(exc, self.layers) or "the project's middleware"
            where = f"WS {loggable(scope.get('path', ''))}"
            error_logger.error("%s", _failure(f"{label} raised on a WebSocket handshake ({where})", exc, PASS_ON),
                               exc_info=exc)
            await _refuse_handshake(scope, send)


async def _refuse_handshake(scope: Scope, send: Send) -> None:
    """A 500 for a handshake the app failed, where the server takes it; else a close before accept."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1011})
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(_SERVER_ERROR)).encode())]
    await send({"type": "websocket.http.response.start", "status": 500, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": _SERVER_ERROR})


def try_middleware(configured: Sequence[tuple[str, Middleware]], app: object = None) -> None:
    """Make the ``configured`` middleware (label, entry) around a stand-in for the app and send
    them one lifespan start-up and shutdown, as a worker would: ``pyxle serve`` and a reload's
    check do, so a middleware failing either is one error, before any worker (each worker would
    fail, be started again, and fail again). Raises ``MiddlewareLoadError``."""
    import asyncio

    async def run() -> str | None:
        inner: ASGIApp = _lifespan_only
        layers = []
        for label, (cls, args, kwargs) in reversed(configured):
            inner = make(label, cls, inner, args, kwargs)
            layers.append((label, inner))
        events = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

        async def receive() -> Message:
            return next(events, {"type": "lifespan.shutdown"})

        async def send(message: Message) -> None:
            pass

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.3"}, "state": {}, "app": app}
        try:
            return await asyncio.wait_for(LifespanGuard(inner, layers).serve(scope, receive, send), 10)
        except Exception as exc:  # noqa: BLE001 - raised once started (at shutdown), or slow: the workers' business, as before
            logger.debug("the middleware's lifespan, tried before the workers start: %r", exc)
            return None

    if configured:
        problem = asyncio.run(run())
        if problem is not None:
            raise MiddlewareLoadError(problem)


async def _lifespan_only(scope: Scope, receive: Receive, send: Send) -> None:
    """The app's stand-in for ``try_middleware``: a lifespan that starts and stops."""
    await receive()
    await send({"type": "lifespan.startup.complete"})
    await receive()
    await send({"type": "lifespan.shutdown.complete"})


class FailedStart:
    """In place of a middleware stack that could not be made: the lifespan's start-up fails
    with ``message`` (the worker stops); anything else raises it."""

    def __init__(self, message: str) -> None:
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            raise RuntimeError(self.message)
        await receive()  # lifespan.startup
        await fail_start(send, self.message)


async def fail_start(send: Send, message: str) -> None:
    """Log ``message`` once, in Pyxle's words, and fail the lifespan's start-up (no text for the
    server to log again); then raise it, as Starlette does: granian stops quietly on it, and
    Starlette's TestClient raises only then (otherwise it waits for ever for the shutdown)."""
    logger.error("%s", message)
    await send({"type": "lifespan.startup.failed", "message": ""})
    raise MiddlewareLoadError(message)


def _failure(message: str, exc: BaseException, hint: str) -> str:
    """``message: Error: text`` at the project's innermost line in ``exc``'s traceback, when one is."""
    message = f"{message}: {type(exc).__name__}" + (f": {exc}" if str(exc) else "")  # a bare assert says nothing
    found = user_frame(exc)
    if found is None:
        return f"{message}\n    hint: {hint}"
    file, line, text = found
    return SourceError(file, line, message, hint, text).format()
