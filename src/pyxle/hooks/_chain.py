"""Composing hooks around an endpoint, and loading them from ``"module.path:attr"`` strings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from pyxle._loading import import_string
from pyxle.hooks._context import RouteContext, RouteHook

Endpoint = Callable[[Request], Awaitable[Response]]
Hook = Callable[[RouteContext, Request, Endpoint], Awaitable[Response]]


class HookLoadError(Exception):
    """A configured hook that cannot be imported or is not a hook."""


def wrap_endpoint(endpoint: Endpoint, hooks: Sequence[Hook], context: RouteContext) -> Endpoint:
    """The first hook is the outermost; each sees ``call_next`` leading to the rest and the endpoint."""
    for hook in reversed(hooks):
        endpoint = partial(_call_hook, hook, context, endpoint)
    return endpoint


async def _call_hook(hook: Hook, context: RouteContext, call_next: Endpoint, request: Request) -> Response:
    response = await hook(context, request, call_next)
    if not isinstance(response, Response):
        raise TypeError(f"route hook {_name(hook)} returned {type(response).__name__}, expected a Response")
    return response


def load_hooks(specs: Sequence[str], *, setting: str) -> list[Hook]:
    """Import each ``"module.path:attr"``: a function, a ``RouteHook`` subclass or a ``RouteHook`` instance."""
    hooks: list[Hook] = []
    for index, spec in enumerate(specs):
        where = f"{setting}[{index}] {spec!r}"
        try:
            target = import_string(spec, where)
        except ImportError as exc:
            raise HookLoadError(str(exc)) from exc
        if isinstance(target, type) and issubclass(target, RouteHook):
            target = target()
        if not callable(target):
            raise HookLoadError(f"{where} is not callable; expected async def hook(context, request, call_next)")
        hooks.append(target)
    return hooks


def _name(hook: Hook) -> str:
    return getattr(hook, "__qualname__", None) or type(hook).__qualname__
