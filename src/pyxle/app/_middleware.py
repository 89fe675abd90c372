"""The project's own Starlette middleware, from ``"module.path:ClassName"`` entries in the config."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from starlette.middleware import Middleware


class MiddlewareLoadError(Exception):
    """A configured middleware entry that cannot be imported or is not a class."""


def load_middleware(entries: Sequence[str]) -> list[Middleware]:
    """Import each entry; the first listed becomes the outermost."""
    loaded = []
    for index, entry in enumerate(entries):
        where = f"middleware[{index}] {entry!r}"
        module_name, _, attr = entry.partition(":")
        if not module_name or not attr:
            raise MiddlewareLoadError(f'{where}: expected "module.path:ClassName"')
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except Exception as exc:
            raise MiddlewareLoadError(f"{where} cannot be imported: {type(exc).__name__}: {exc}") from exc
        if not callable(cls):
            raise MiddlewareLoadError(f"{where} is not a middleware class (it must take the ASGI app as first argument)")
        loaded.append(Middleware(cls))
    return loaded
