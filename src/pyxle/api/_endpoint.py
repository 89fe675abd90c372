"""One API module served at one URL: HTTP by method, WebSocket by protocol."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle._client import AppWebSocket
from pyxle._fileanswer import file_answer, held_answer
from pyxle.api._answers import error_response, to_response
from pyxle.api._classes import class_calls, not_allowed
from pyxle.api._handlers import ApiHandlers, is_async
from pyxle.api._head import headers_only, respond
from pyxle.api._request import ApiRequest
from pyxle.api._typed import Typed, run_typed
from pyxle.hooks import Endpoint, Hook, RouteContext, attach, wrap_endpoint
from pyxle.runtime import ActionError, LoaderError

_READS = frozenset({"GET", "HEAD"})  # the methods a FileResponse is answered for as a file (pyxle._fileanswer)


class ApiEndpoint:
    """The ASGI app for one route file; everything per-route is decided here, at load time."""

    def __init__(self, handlers: ApiHandlers, context: RouteContext, hooks: Sequence[Hook],
                 typed: Mapping[str, Typed | None] | None = None, bare: tuple[str, RouteContext] | None = None,
                 shown_as: str = "") -> None:
        """``typed``: per method (``"*"`` for ``endpoint``), the binder and output of a typed handler.
        ``shown_as``: the file as errors name it, from the project root (``pages/api/users.py``, as a
        page's errors name ``pages/...``); the route's path under the pages folder without it.
        ``bare``: for an optional catch-all, its parameter and the context of a URL without it (0.9's
        second route, ``/api/docs``): both chains are made here, and a request picks one."""
        self.handlers = handlers
        self.context = context
        self._route = context.as_dict()
        self.allowed_methods = handlers.allowed_methods
        self._allow = {"Allow": ", ".join(self.allowed_methods)}
        self._shown = shown_as or str(context.source_relative_path)
        self._ends = self._endpoints(handlers, context, typed or {})
        self._calls = self._wrapped(hooks, context)
        self._bare = None if bare is None else (bare[0], bare[1].as_dict(), self._wrapped(hooks, bare[1]))
        self._not_allowed: Endpoint | None = None
        if handlers.endpoint_class is not None:
            self._not_allowed = not_allowed(handlers.endpoint_class, self.allowed_methods, self._shown)

    def route_at(self, path: str) -> dict[str, Any]:
        """The route facts a request for ``path`` carries (``pyxle.hooks.attach``), for an answer given
        before the route ran: the rate limiter's 429 is counted and logged under the route."""
        return self._route

    @property
    def accepts_websockets(self) -> bool:
        """Whether the route has a ``websocket`` handler (``pyxle routes``, the start-up note on workers)."""
        return self.handlers.websocket is not None

    def _endpoints(self, handlers: ApiHandlers, context: RouteContext,
                   typed: Mapping[str, Typed | None]) -> dict[str, Endpoint]:
        """Per method, the handler as a ``request -> Response`` endpoint, before hooks."""
        ends: dict[str, Endpoint] = {method: _adapt(fn, self._shown, typed.get(method)) for method, fn in handlers.methods.items()}
        if "GET" in ends:
            ends.setdefault("HEAD", ends["GET"])
        if handlers.endpoint is not None:  # every method the router serves, as 0.9's did (not TRACE)
            ends = dict.fromkeys(self.allowed_methods, _adapt(handlers.endpoint, self._shown, typed.get("*")))
        if handlers.endpoint_class is not None:  # hooks wrap its methods as they wrap functions
            ends = class_calls(handlers.endpoint_class, self.allowed_methods, self._shown, typed)
        return ends

    def _wrapped(self, hooks: Sequence[Hook], context: RouteContext) -> dict[str, Endpoint]:
        """The endpoints inside the hooks, which receive ``context``; one chain per endpoint."""
        chains: dict[int, Endpoint] = {}
        for end in self._ends.values():
            if id(end) not in chains:
                chains[id(end)] = wrap_endpoint(end, hooks, context)
        return {method: chains[id(end)] for method, end in self._ends.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        calls, route = self._calls, self._route
        if self._bare is not None and self._bare[0] not in scope.get("path_params", ()):
            _, route, calls = self._bare
        attach(scope, route)
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            send = headers_only(send)
        call = calls.get(scope["method"])
        if call is None and scope["method"] != "OPTIONS":
            call = self._not_allowed  # an HTTPEndpoint class's own 405, outside the hooks as a function route's is
        if call is None:
            response = self._no_handler(scope["method"])
        else:
            try:
                response = await call(ApiRequest(scope, receive, send))
            except (ActionError, LoaderError) as exc:
                response = error_response(exc)
        if response.status_code == 200 and scope["method"] in _READS:
            if isinstance(response, FileResponse):
                response, scope = await file_answer(response, scope)  # 304, 412 and Range as public/ answers them
            else:
                response = held_answer(response, scope)  # a 304 for what the client holds: a stream is never begun
        await respond(response, scope, receive, send)

    def _no_handler(self, method: str) -> Response:
        if not self.handlers.has_http:
            raise HTTPException(
                426, "This route accepts WebSocket connections only",
                headers={"Upgrade": "websocket", "Connection": "Upgrade"},
            )
        if method == "OPTIONS":
            return Response(status_code=204, headers=self._allow)
        raise HTTPException(405, headers=self._allow)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers.websocket
        if handler is None:  # HTTP-only route: refuse the upgrade (the server answers 403)
            await WebSocketClose(code=1008, reason="This route does not accept WebSocket connections")(
                scope, receive, send
            )
        elif isinstance(handler, type):
            await handler(scope, receive, send)
        else:
            await handler(AppWebSocket(scope, receive, send))


def _adapt(fn: Callable[..., Any], shown_as: str, typed: Typed | None = None) -> Endpoint:
    """An async ``request -> Response`` from the user's function (plain ones go to the threadpool)."""
    where = f"{fn.__name__}() in {shown_as}"
    if typed is not None:
        return _adapt_typed(fn, where, *typed)
    if is_async(fn):

        async def call(request: ApiRequest) -> Response:
            return to_response(await fn(request), where)

    else:

        async def call(request: ApiRequest) -> Response:
            return to_response(await run_in_threadpool(fn, request), where)

    return call  # type: ignore[return-value]


def _adapt_typed(fn: Callable[..., Any], where: str, binder: Any, output: Any) -> Endpoint:
    """A handler with typed parameters: bound (or a 422) before it runs; a model return as JSON."""

    run_async = is_async(fn)

    async def call(request: ApiRequest) -> Response:
        return await run_typed(fn, request, where, binder, output, run_async)

    return call  # type: ignore[return-value]
