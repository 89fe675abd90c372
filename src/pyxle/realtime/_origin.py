"""The Origin check that keeps other sites from opening sockets with a visitor's cookies.

Browsers send ``Origin`` on every WebSocket upgrade and, unlike ``fetch``, let any site make one:
checking it is what CSRF protection is for forms.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Scope
from starlette.websockets import WebSocket


def origin_allowed(ws: WebSocket, allowed_origins: Iterable[str]) -> bool:
    """Whether ``ws``'s upgrade may proceed: no ``Origin`` (not a browser), an empty list (no
    restriction), ``"*"``, or an origin in the list (a trailing ``/`` does not matter)."""
    return _allowed(_header(ws.scope, b"origin"), tuple(allowed_origins))


def _allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    if origin is None or not allowed:
        return True
    origin = origin.rstrip("/")
    return any(item == "*" or item.rstrip("/") == origin for item in allowed)


def same_site(scope: Scope, extra: tuple[str, ...]) -> bool:
    """The default policy: the page's own origin (scheme and ``Host``) or one of ``extra``."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    host = _header(scope, b"host")
    if host is not None:
        scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        if origin.rstrip("/").lower() == f"{scheme}://{host}".lower():
            return True
    return bool(extra) and _allowed(origin, extra)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
