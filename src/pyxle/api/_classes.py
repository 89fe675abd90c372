"""Serving a user's HTTPEndpoint subclass with Pyxle's request type (malformed JSON -> 400)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint

from pyxle.api._handlers import is_async
from pyxle.api._request import ApiRequest


def served_endpoint_class(cls: type[HTTPEndpoint]) -> type[HTTPEndpoint]:
    """A subclass of ``cls`` whose dispatch builds an ``ApiRequest``; 405 handling stays the class's own."""

    async def dispatch(self: HTTPEndpoint) -> None:
        request = ApiRequest(self.scope, receive=self.receive, send=self.send)
        name = "get" if request.method == "HEAD" and not hasattr(self, "head") else request.method.lower()
        handler = getattr(self, name) if request.method in self._allowed_methods else self.method_not_allowed
        if is_async(handler):
            response = await handler(request)
        else:
            response = await run_in_threadpool(handler, request)
        await response(self.scope, self.receive, self.send)

    return type(cls.__name__, (cls,), {"dispatch": dispatch, "__module__": cls.__module__, "__qualname__": cls.__qualname__})
