"""Entity tags: one per body, and ``If-None-Match`` answered with 304.

A tag is 96 bits of the body's SHA-1 (fast where the CPU has SHA instructions); it only has to
tell versions of one URL apart. A compressed copy is tagged weak (``W/"..."``) by the
compression layer, so comparisons here are weak, as RFC 9110 asks for ``If-None-Match``.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any


def etag(body: bytes) -> str:
    digest = hashlib.sha1(body).digest()[:12]
    return '"' + base64.urlsafe_b64encode(digest).decode("ascii") + '"'


def personal_etag(base: str, token: str) -> str:
    """The tag of a stored body once one visitor's CSRF token is in it: the body's tag and the token's."""
    return f'{base[:-1]}-{zlib.crc32(token.encode("ascii", "replace")):08x}"'


def if_none_match(scope: Any) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return value
    return None


def matches(header: bytes, tag: str) -> bool:
    """Whether ``If-None-Match: header`` names ``tag`` (weakly: ``W/"x"`` matches ``"x"``), or is ``*``."""
    text = header.decode("latin-1").strip()
    if text == "*":
        return True
    wanted = tag.removeprefix("W/")
    for candidate in text.split(","):
        candidate = candidate.strip()
        candidate = candidate.removeprefix("W/")
        if candidate == wanted:
            return True
    return False


def matches_strongly(header: bytes, tag: str) -> bool:
    """Whether ``If-Match: header`` names ``tag`` by the strong comparison (RFC 9110 §8.8.3.2: the
    same tag, neither weak), or is ``*``."""
    text = header.decode("latin-1").strip()
    if text == "*":
        return True
    return not tag.startswith("W/") and any(candidate.strip() == tag for candidate in text.split(","))
