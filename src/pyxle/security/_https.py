"""Whether a request reached the site over HTTPS, for the ``Secure`` flag of the cookies it gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def over_https(scope: Mapping[str, Any]) -> bool:
    """The request's scheme (a trusted proxy's ``X-Forwarded-Proto`` is in it already:
    ``pyxle._forwarded``), or the first ``X-Forwarded-Proto`` from any other peer (a proxy that
    terminates TLS but is not in ``forwardedAllowIps``; the client's own leg comes first). Read
    for this alone: the header can only add ``Secure``, so a client that sends it itself only
    makes its own cookies ``Secure``."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            return value.split(b",", 1)[0].strip().lower() == b"https"
    return False
