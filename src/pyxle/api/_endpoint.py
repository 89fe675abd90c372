"""One API module served at one URL: HTTP by method, WebSocket by protocol."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle._client import AppWebSocket
from pyxle.api._answers import JsonAnswer, error_response, is_pair, to_response
from pyxle.api._classes import class_calls, not_allowed
from pyxle.api._handlers import ApiHandlers, is_async
from pyxle.api._head import headers_only, respond
from pyxle.api._request import ApiRequest
from pyxle.api._typed import Typed, invalid_input
from pyxle.hooks import Endpoint, Hook, RouteContext, attach, wrap_endpoint
from pyxle.runtime import ActionError, LoaderError


class ApiEndpoint:
    """The ASGI app for one route file; everything per-route is decided here, at load time."""

    def __init__(self, handlers: ApiHandlers, context: RouteContext, hooks: Sequence[Hook],
                 typed: Mapping[str, Typed | None] | None = None) -> None:
        """``typed``: per method (``"*"`` for ``endpoint``), the binder and output of a typed handler."""
        self.handlers = handlers
        self.context = context
        self._route = context.as_dict()
        self.allowed_methods = handlers.allowed_methods
        self._allow = {"Allow": ", ".join(self.allowed_methods)}
        typed = typed or {}
        self._calls: dict[str, Endpoint] = {
            method: wrap_endpoint(_adapt(fn, context, typed.get(method)), hooks, context)
            for method, fn in handlers.methods.items()
        }
        if "GET" in self._calls:
            self._calls.setdefault("HEAD", self._calls["GET"])
        if handlers.endpoint is not None:  # every method the router serves, as 0.9's did (not TRACE)
            every = wrap_endpoint(_adapt(handlers.endpoint, context, typed.get("*")), hooks, context)
            self._calls = dict.fromkeys(self.allowed_methods, every)
        self._not_allowed: Endpoint | None = None
        if handlers.endpoint_class is not None:  # hooks wrap its methods as they wrap functions
            cls, source = handlers.endpoint_class, context.source_relative_path
            self._calls = {method: wrap_endpoint(call, hooks, context)
                           for method, call in class_calls(cls, self.allowed_methods, source).items()}
            self._not_allowed = not_allowed(cls, self.allowed_methods, source)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        attach(scope, self._route)
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            send = headers_only(send)
        call = self._calls.get(scope["method"])
        if call is None and scope["method"] != "OPTIONS":
            call = self._not_allowed  # an HTTPEndpoint class's own 405, outside the hooks as a function route's is
        if call is None:
            response = self._no_handler(scope["method"])
        else:
            try:
                response = await call(ApiRequest(scope, receive, send))
            except (ActionError, LoaderError) as exc:
                response = error_response(exc)
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


def _adapt(fn: Callable[..., Any], context: RouteContext, typed: Typed | None = None) -> Endpoint:
    """An async ``request -> Response`` from the user's function (plain ones go to the threadpool)."""
    where = f"{fn.__name__}() in {context.source_relative_path}"
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
    from pyxle.validation import InvalidInput

    run_async = is_async(fn)

    async def call(request: ApiRequest) -> Response:
        kwargs: dict[str, Any] = {}
        if binder is not None:
            try:
                kwargs = await binder(request)
            except InvalidInput as exc:
                return invalid_input(exc.fields, exc.message)
        result = await fn(request, **kwargs) if run_async else await run_in_threadpool(fn, request, **kwargs)
        return to_response(result, where) if output is None else _typed_response(output, result, where)

    return call  # type: ignore[return-value]


def _typed_response(output: Any, result: Any, where: str) -> Response:
    """The result dumped through the return annotation, the body of ``(body, status)`` too: sent as it
    was, that body carried what a bare return leaves out (a password hash the model excludes)."""
    if isinstance(result, Response):
        return result
    if is_pair(result) and not isinstance(result[0], Response):
        return JsonAnswer(output.dump(result[0]), result[1])
    if isinstance(result, tuple):
        return to_response(result, where)  # a Response with a status, or the error naming what is allowed
    return JsonAnswer(output.dump(result))
