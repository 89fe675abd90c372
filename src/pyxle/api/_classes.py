"""Serving a user's HTTPEndpoint subclass as method functions are served: per method, an endpoint
``request -> Response`` that route hooks wrap, and the answers a method gets: the short forms of a
return, a page error's status (caught where a function's is)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response

from pyxle.api._answers import to_response
from pyxle.api._handlers import is_async
from pyxle.api._typed import Typed, run_typed
from pyxle.hooks import Endpoint


def class_calls(cls: type[HTTPEndpoint], allowed: Sequence[str], source: PurePath | str = "",
                typed: Mapping[str, Typed | None] | None = None) -> dict[str, Endpoint]:
    """Per method ``cls`` serves (``allowed``, less an ``OPTIONS`` it has no method for), the endpoint
    running it: a new instance per request, as Starlette makes one, its method called with the
    request the hooks pass on. HEAD is served by ``get`` unless the class defines ``head`` (written
    out here: Starlette's HEAD handling differs between 1.x releases). ``source``: the route file,
    named with the method (``Users.get() in api/users.py``) when it returns something that is not an answer.
    ``typed``: per upper-case method name, the binder and output of a method with typed parameters."""
    calls: dict[str, Endpoint] = {}
    for method in allowed:
        name = "get" if method == "HEAD" and getattr(cls, "head", None) is None else method.lower()
        if getattr(cls, name, None) is not None:
            calls[method] = _method_call(cls, name, allowed, f"{cls.__qualname__}.{name}() in {source}",
                                         (typed or {}).get(name.upper()))
    return calls


def not_allowed(cls: type[HTTPEndpoint], allowed: Sequence[str], source: PurePath | str = "") -> Endpoint:
    """The class's own ``method_not_allowed`` (Starlette's raises a 405 listing ``allowed``)."""
    return _method_call(cls, "method_not_allowed", allowed, f"{cls.__qualname__}.method_not_allowed() in {source}")


def _method_call(cls: type[HTTPEndpoint], name: str, allowed: Sequence[str], where: str,
                 typed: Typed | None = None) -> Endpoint:
    allow = list(allowed)

    async def call(request: Request) -> Response:
        endpoint = cls(request.scope, request.receive, request._send)
        endpoint._allowed_methods = allow  # what method_not_allowed lists: OPTIONS included, as a function route's
        handler = getattr(endpoint, name, None) or endpoint.method_not_allowed  # looked up per instance, as Starlette does
        if typed is not None:
            return await run_typed(handler, request, where, *typed)
        result = await handler(request) if is_async(handler) else await run_in_threadpool(handler, request)
        return to_response(result, where)

    return call
