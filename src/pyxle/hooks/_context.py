"""What a hook knows about the route it wraps, and the class-style hook base."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from pyxle._refused import body_refusal
from pyxle.routing import RouteSpec, starlette_patterns


@dataclass(frozen=True)
class RouteContext:
    """Facts about one route, fixed when the route is loaded; hooks receive it as their first argument.

    ``request.scope["pyxle"]["route"]`` holds the same facts as a plain dict (``as_dict()``),
    which is what hooks written for earlier Pyxle releases read.

    ``path`` is the pattern as pyxle-framework 0.7 to 0.9 wrote it, which such hooks compare against
    (``/docs/{slug:path}``); ``pattern`` is Pyxle's own (``/docs/{slug...}``, what ``pyxle routes``
    prints), which labels the route in metrics and logs. Without one, ``pattern`` is ``path``.
    """

    target: Literal["page", "api", "action"]
    path: str
    source_relative_path: PurePosixPath
    source_absolute_path: Path
    module_key: str
    content_hash: str
    has_loader: bool = False
    head_elements: tuple[str, ...] = ()
    allowed_methods: tuple[str, ...] = ()
    pattern: str = ""

    def __post_init__(self) -> None:
        if not self.pattern:
            object.__setattr__(self, "pattern", self.path)

    def as_dict(self) -> dict[str, Any]:
        """The keys earlier releases put in the scope (``source``, ``module``, ``head``, ...), plus
        ``sourceAbsolutePath`` and ``pattern``; POSIX paths, ready for JSON or a log line."""
        return {
            "target": self.target,
            "path": self.path,
            "pattern": self.pattern,
            "source": PurePosixPath(self.source_relative_path).as_posix(),
            "sourceAbsolutePath": Path(self.source_absolute_path).as_posix(),
            "module": self.module_key,
            "contentHash": self.content_hash,
            "hasLoader": self.has_loader,
            "head": list(self.head_elements),
            "allowedMethods": list(self.allowed_methods),
        }


def route_contexts(spec: RouteSpec, **facts: Any) -> tuple[RouteContext, tuple[str, RouteContext] | None]:
    """The route's context, its ``path`` in 0.9's form (``/docs/{slug:path}``, not ``{slug...}``);
    and for an optional catch-all, its parameter with the context of a URL without it (0.9's
    second route, ``/shop``), else None. ``facts``: the rest of ``RouteContext``'s fields."""
    path, bare_path = starlette_patterns(spec)
    context = RouteContext(path=path, pattern=spec.pattern, source_relative_path=spec.file, **facts)
    return context, None if bare_path is None else (spec.optional_params[-1], replace(context, path=bare_path))


def attach(scope: MutableMapping[str, Any], route: Mapping[str, Any]) -> None:
    """Put a copy of ``route`` (a route's ``as_dict()``, made once at load time) at
    ``scope["pyxle"]["route"]``: a copy, so what one request writes there no other request sees."""
    pyxle = scope.get("pyxle")
    if pyxle is None:
        pyxle = scope["pyxle"] = {}
    pyxle["route"] = dict(route)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class RouteHook:
    """Class-style hook: override any of the three methods; returning a Response replaces the flow.

    ``on_pre_call`` returning a response short-circuits the handler; ``on_post_call`` may replace
    the response; ``on_error`` may turn an exception into a response (returning None re-raises).
    Methods may be ``async def`` or plain ``def``.
    """

    def on_pre_call(self, request: Request, context: RouteContext) -> Response | None | Awaitable[Response | None]:
        return None

    def on_post_call(
        self, request: Request, response: Response, context: RouteContext
    ) -> Response | None | Awaitable[Response | None]:
        return None

    def on_error(
        self, request: Request, context: RouteContext, exc: Exception
    ) -> Response | None | Awaitable[Response | None]:
        return None

    async def __call__(
        self, context: RouteContext, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        early = await _maybe_await(self.on_pre_call(request, context))
        if early is not None:
            return early
        try:
            response = await call_next(request)
        except Exception as caught:
            exc = body_refusal(caught) or caught  # a body's refusal a task group wrapped (BaseHTTPMiddleware)
            handled = await _maybe_await(self.on_error(request, context, exc))
            if handled is None:
                if exc is not caught:
                    raise exc from None
                raise
            return handled
        replaced = await _maybe_await(self.on_post_call(request, response, context))
        return response if replaced is None else replaced
