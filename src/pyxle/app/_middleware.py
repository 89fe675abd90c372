"""The project's own Starlette middleware, from ``"module.path:ClassName"`` entries in the config."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware

from pyxle._loading import import_string


class MiddlewareLoadError(Exception):
    """A configured middleware entry that cannot be imported or is not a class."""


def load_middleware(entries: Sequence[str]) -> list[Middleware]:
    """Import each entry; the first listed becomes the outermost."""
    loaded = []
    for index, entry in enumerate(entries):
        where = f"middleware[{index}] {entry!r}"
        try:
            cls = import_string(entry, where)
        except ImportError as exc:
            raise MiddlewareLoadError(str(exc)) from exc
        if not callable(cls):
            raise MiddlewareLoadError(f"{where} is not a middleware class (it must take the ASGI app as first argument)")
        loaded.append(Middleware(cls))
    return loaded
