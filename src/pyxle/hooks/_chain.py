"""Composing hooks around an endpoint, and loading them from ``"module.path:attr"`` strings."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from pyxle._loading import binds, entry_error, import_string, located, signature_of
from pyxle.config import CONFIG_FILENAME
from pyxle.hooks._context import RouteContext, RouteHook

Endpoint = Callable[[Request], Awaitable[Response]]
Hook = Callable[[RouteContext, Request, Endpoint], Awaitable[Response]]
_LIFECYCLE = ("on_pre_call", "on_post_call", "on_error")
_NAMED = ('a hook is named "module.path:attr" or "module.path.attr", its module imported from the project root '
          '(where pyxle.config.json is)')
_SHAPES = ("expected async def hook(context, request, call_next), a RouteHook subclass, a class with "
           "on_pre_call/on_post_call/on_error methods or an async __call__(self, context, request, call_next), "
           "or a function of no arguments returning one")


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


def load_hooks(specs: Sequence[str], *, setting: str, besides: Sequence[str] = ()) -> list[Hook]:
    """Import each ``"module.path:attr"`` (or ``"module.path.attr"``, as middleware entries may be
    written) and make it a hook, once, at start-up; an entry naming nothing stops start-up naming
    ``pyxle.config.json``, the setting and the entry.

    Accepted, as pyxle-framework 0.9 accepted them: an async function; a class, made with no
    arguments (a ``RouteHook`` subclass, any class with ``on_pre_call``/``on_post_call``/``on_error``
    methods, which then behaves as a ``RouteHook``, or one with an async ``__call__``); or an
    instance of one. Anything else stops start-up naming the setting, the file and line, and what
    a hook looks like: found per request, it was a 500 on every route the hook wraps.

    ``besides``: the entries of hooks that already wrap these (the pages' around the actions'):
    an entry naming the same object as one of them, in either spelling, is left out (it runs once).
    """
    loaded = _targets(besides)
    hooks: list[Hook] = []
    for index, spec in enumerate(specs):
        where = f"{setting}[{index}] {spec!r}"
        try:
            target = import_string(spec, where)
        except ImportError as exc:
            raise HookLoadError(entry_error(str(exc), where, CONFIG_FILENAME, _NAMED)) from exc
        if not any(target is other for other in loaded):
            hooks.append(_as_hook(target, where, spec))
    return hooks


def _targets(specs: Sequence[str]) -> list[object]:
    """What ``specs`` name (those that name nothing are reported where they are loaded)."""
    targets = []
    for spec in specs:
        try:
            targets.append(import_string(spec, spec))
        except ImportError:
            continue
    return targets


def _as_hook(target: object, where: str, spec: str, factory: Callable[[], object] | None = None) -> Hook:
    if isinstance(target, type):
        target = _made(target, where)
    if isinstance(target, RouteHook):
        return target
    if any(callable(getattr(target, name, None)) for name in _LIFECYCLE):
        return _Adopted(target)
    if callable(target) and binds(target, 3, unknown=True):
        return target  # type: ignore[return-value]
    if factory is None and inspect.isfunction(target) and binds(target, 0, unknown=False):
        # A factory, as 0.9 accepted: called once at start-up, the hook is what it returns.
        return _as_hook(_made(target, where), where, spec, factory=target)
    if factory is not None:
        if inspect.iscoroutine(target):
            target.close()  # an async factory: never awaited, so no warning about it either
        problem = f"{factory.__qualname__}() returned an object of type {type(target).__name__}, not a hook"
        raise HookLoadError(located(factory, f"{where}: {problem}", _SHAPES))
    shown = target if inspect.isfunction(target) or inspect.ismethod(target) else type(target)
    problem = (f"takes {signature_of(target)}, not (context, request, call_next)" if callable(target)
               else f"is not a hook: it is an object of type {type(target).__name__}")
    raise HookLoadError(located(shown, f"{where} {problem}", _SHAPES, spec))


def _made(maker: Callable[[], object], where: str) -> object:
    """``maker()``, a hook class or a factory function: hooks are made once, with no arguments
    (settings come from the environment or class attributes)."""
    name = maker.__qualname__
    if not binds(maker, 0, unknown=True):
        raise HookLoadError(located(maker, f"{where}: class {name} cannot be made without arguments ({_unbound(maker)})",
                                    "give __init__ defaults for its parameters (Pyxle makes the hook once, as "
                                    f"{name}()), or list a module-level instance instead"))
    try:
        return maker()
    except Exception as exc:  # its __init__ (or the factory) raised: start-up stops, naming it
        raise HookLoadError(located(maker, f"{where}: {name}() raised {type(exc).__name__}: {exc}",
                                    f"Pyxle calls {name}() once at start-up; fix what it raised")) from exc


def _unbound(fn: object) -> str:
    """Why ``fn()`` does not bind, as Python says it (``missing a required argument: 'header'``)."""
    try:
        inspect.signature(fn).bind()  # type: ignore[arg-type]
    except TypeError as exc:
        return str(exc)
    return ""


class _Adopted(RouteHook):
    """A class written for pyxle-framework 0.9 without ``RouteHook`` as its base: its lifecycle
    methods, run as a ``RouteHook`` runs them (the ones it lacks do nothing)."""

    def __init__(self, hook: object) -> None:
        self.__qualname__ = type(hook).__qualname__  # the name errors show
        for name in _LIFECYCLE:
            method = getattr(hook, name, None)
            if callable(method):
                setattr(self, name, method)


def _name(hook: Hook) -> str:
    return getattr(hook, "__qualname__", None) or type(hook).__qualname__
