"""Serving a user's HTTPEndpoint subclass with Pyxle's request type (malformed JSON -> 400), and the
answers a method function gets: the short forms of a return, a page error's status."""

from __future__ import annotations

from pathlib import PurePath

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.types import Receive, Scope, Send

from pyxle.api._answers import error_response, to_response
from pyxle.api._handlers import is_async
from pyxle.api._head import respond
from pyxle.api._request import ApiRequest
from pyxle.runtime import ActionError, LoaderError

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def served_endpoint_class(cls: type[HTTPEndpoint], source: PurePath | str = "") -> type[HTTPEndpoint]:
    """A subclass of ``cls`` whose dispatch builds an ``ApiRequest``; 405 handling stays the class's own.
    ``source``: the route file, named with the method (``Users.get() in api/users.py``) when it
    returns something that is not an answer.

    The dispatch is written out here rather than borrowed from Starlette, whose HEAD handling
    differs between 1.x releases: HEAD is served by ``get`` unless the class defines ``head``.
    """
    wheres = {name: f"{cls.__qualname__}.{name}() in {source}" for name in map(str.lower, _METHODS)}

    def __init__(self: HTTPEndpoint, scope: Scope, receive: Receive, send: Send) -> None:
        cls.__init__(self, scope, receive, send)
        served = {m for m in _METHODS if getattr(self, m.lower(), None) is not None}
        if "GET" in served:
            served.add("HEAD")
        self._allowed_methods = [m for m in _METHODS if m in served]  # what method_not_allowed lists

    async def dispatch(self: HTTPEndpoint) -> None:
        request = ApiRequest(self.scope, receive=self.receive, send=self.send)
        name = "get" if request.method == "HEAD" and getattr(self, "head", None) is None else request.method.lower()
        handler = getattr(self, name, None) if request.method in _METHODS else None
        if handler is None:
            handler = self.method_not_allowed
        try:
            result = await handler(request) if is_async(handler) else await run_in_threadpool(handler, request)
            response = to_response(result, wheres.get(name, name))
        except (ActionError, LoaderError) as exc:
            response = error_response(exc)
        await respond(response, self.scope, self.receive, self.send)

    attributes = {"__init__": __init__, "dispatch": dispatch, "__module__": cls.__module__,
                  "__qualname__": cls.__qualname__}
    return type(cls.__name__, (cls,), attributes)
