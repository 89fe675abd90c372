"""Whether a request reached the site over HTTPS, for the ``Secure`` flag of the cookies it gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def over_https(scope: Mapping[str, Any]) -> bool:
    """The request's scheme, or the first ``X-Forwarded-Proto`` (what a proxy that terminates TLS
    adds; the client's own leg comes first). Trusted for this alone: a client that sends the header
    itself only makes its own cookies ``Secure``."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            return value.split(b",", 1)[0].strip().lower() == b"https"
    return False
