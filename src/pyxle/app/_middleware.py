"""The project's own Starlette middleware, from ``"module.path:name"`` entries in the config."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence

from starlette.middleware import Middleware

from pyxle._loading import binds, import_string, located, signature_of

_SHAPES = ("expected an ASGI middleware class (its __init__ takes the app first), a starlette Middleware(cls, "
           "**options), a (cls, {options}) pair, or a function of no arguments returning one of these")


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
            raise MiddlewareLoadError(str(exc)) from exc
        loaded.append(_as_middleware(target, where, entry))
    return loaded


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
