"""Origins for the subdomains of a host in ``cors.origins`` ("https://*.example.com").

The ``*.`` (which config allows only at the start of the host) stands for one or more labels:
https://a.example.com and https://a.b.example.com match, https://example.com itself does not, nor
https://evil-example.com or https://example.com.evil.com. The scheme and the port are the ones
written (none: the scheme's default, which browsers leave out of ``Origin``). Hosts compare
case-blind, as browsers send them lower case anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WILDCARD = "://*."
_LABELS = r"(?:[a-z0-9_-]+\.)+"  # one or more labels, each ended by its dot


def exact_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """The origins compared whole (``"*"`` among them): those that are not for subdomains."""
    return tuple(origin for origin in origins if _WILDCARD not in origin)


def origin_pattern(origins: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern an ``Origin`` must match whole (``fullmatch``) to be one of the subdomain
    origins in ``origins``; None when there are none. Built once, when the app is."""
    alternatives = []
    for origin in origins:
        if _WILDCARD in origin:
            scheme, rest = origin.split(_WILDCARD, 1)
            alternatives.append(f"{re.escape(scheme)}://{_LABELS}{re.escape(rest)}")
    return re.compile("(?i:" + "|".join(alternatives) + ")") if alternatives else None
