"""The Origin check that keeps other sites from opening sockets with a visitor's cookies.

Browsers send ``Origin`` on every WebSocket upgrade and, unlike ``fetch``, let any site make one:
checking it is what CSRF protection is for forms.
"""

from __future__ import annotations

import re
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


def same_site(scope: Scope, extra: tuple[str, ...], extra_like: re.Pattern[str] | None = None) -> bool:
    """The default policy: an ``Origin`` naming the host the upgrade was sent to, one of ``extra``,
    or one ``extra_like`` matches whole (CORS origins for subdomains, "https://*.example.com").

    Host and port are compared with ``Host``, the scheme is not (as gorilla/websocket and Phoenix
    do): behind a proxy that terminates TLS the page is ``https`` while the upgrade reaches Pyxle
    as ``ws`` unless the proxy is in ``forwardedAllowIps``. Another site cannot name this host.
    """
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    host = _header(scope, b"host")
    if host is not None and _same_authority(origin, host):
        return True
    if extra_like is not None and extra_like.fullmatch(origin.rstrip("/")):
        return True
    return bool(extra) and _allowed(origin, extra)


_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _same_authority(origin: str, host: str) -> bool:
    """Whether an origin names the ``Host``: the same name, and the same port where the port is
    written or is its scheme's default (``https://example.com`` is ``example.com:443``, as a proxy
    that passes ``$host:$server_port`` writes it). A ``Host`` without a port takes either default."""
    scheme, _, authority = origin.partition("://")
    name, port = _split(authority.rstrip("/").lower())
    host_name, host_port = _split(host.lower())
    if name != host_name:
        return False
    port = port or _DEFAULT_PORTS.get(scheme.lower(), "")
    if host_port is None:
        return port in ("", "80", "443")
    return port == host_port


def _split(authority: str) -> tuple[str, str | None]:
    """``host[:port]`` -> (host, port or None); an IPv6 literal keeps its brackets."""
    name, colon, port = authority.rpartition(":")
    if not colon or "]" in port:  # no port, or the last colon was inside [::1]
        return authority, None
    return name, port


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
