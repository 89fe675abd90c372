"""Which requests may use the cache, and which configured route covers a URL.

Both are decided from plain values: the ``cache`` routes of the configuration (patterns as
pyxle-framework 0.9 wrote them) and the request's headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol
from urllib.parse import unquote

_PARAM = re.compile(r"^\[[^\[\].]+\]$")
_REST = re.compile(r"^\[\.\.\.[^\[\]]+\]$")
_OPTIONAL_REST = re.compile(r"^\[\[\.\.\.[^\[\]]+\]\]$")


class Route(Protocol):
    """A configured route (``pyxle.config.CacheRoute``)."""

    pattern: str
    s_maxage: int
    stale_while_revalidate: int
    shared: bool


def is_pattern(path: str) -> bool:
    """Whether ``path`` is a route pattern (a segment ``*``, ``[id]``, ``[...rest]`` or ``[[...rest]]``)
    rather than one page's path."""
    return any(_wild(part) for part in path.split("/"))


def _wild(part: str) -> bool:
    return part == "*" or bool(_PARAM.match(part) or _REST.match(part) or _OPTIONAL_REST.match(part))


class PathPattern:
    """``/about`` (that path), ``/docs/*`` (``/docs`` and everything below it), ``/a/*/b`` or
    ``/posts/[id]`` (one segment), ``/files/[...path]`` (one or more), ``[[...path]]`` (any).
    ``decode``: the literal segments are percent-decoded, as the paths pages are stored under are."""

    def __init__(self, pattern: str, *, decode: bool = False) -> None:
        parts = [p for p in pattern.split("/") if p]
        self.rest = 0  # trailing segments: 0 exactly; 1 one or more; 2 any number
        if parts and (parts[-1] == "*" or _OPTIONAL_REST.match(parts[-1])):
            parts.pop()
            self.rest = 2
        elif parts and _REST.match(parts[-1]):
            parts.pop()
            self.rest = 1
        # None: any one segment
        self.parts = [None if p == "*" or _PARAM.match(p) else unquote(p) if decode else p for p in parts]
        # Most specific first: more literal segments, then a fixed length.
        self.rank = (sum(p is not None for p in self.parts), len(self.parts), self.rest == 0)
        fixed = []
        for part in self.parts:
            if part is None:
                break
            fixed.append(part)
        self.prefix = "/" + "/".join(fixed)  # what every path it matches starts with

    def matches(self, path: str) -> bool:
        segments = [s for s in path.split("/") if s]
        fixed = len(self.parts)
        if len(segments) < fixed or (self.rest == 0 and len(segments) != fixed) or \
                (self.rest == 1 and len(segments) == fixed):
            return False
        return all(p is None or p == s for p, s in zip(self.parts, segments, strict=False))


class RoutePattern(PathPattern):
    """A configured route's pattern."""

    def __init__(self, route: Route) -> None:
        super().__init__(route.pattern)
        self.route = route


class RouteRules:
    """The configured routes, most specific first; ``find(path)`` is the one covering a URL."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.patterns = sorted((RoutePattern(r) for r in routes), key=lambda p: p.rank, reverse=True)

    def find(self, path: str) -> Route | None:
        for pattern in self.patterns:
            if pattern.matches(path):
                return pattern.route
        return None

    def __bool__(self) -> bool:
        return bool(self.patterns)


def cache_control(fresh: float, stale: float) -> str:
    """What a shared cache (a CDN) in front may do with the answer, in whole seconds."""
    return f"public, s-maxage={_seconds(fresh)}, stale-while-revalidate={_seconds(stale)}"


# RFC 9111 (1.2.2): no delta-seconds above 2^31; a cache reads a larger one as 2^31 anyway. A
# longer window (``CACHE = {"revalidate": 1e308}``) is kept as long as that: stored and sent.
LONGEST = 2**31


def _seconds(value: float) -> int:
    if value >= LONGEST:  # (int() of an infinite stale window would raise)
        return LONGEST
    whole = int(value)
    return whole if whole == value else whole + 1


PRIVATE = "private, no-cache"  # for one visitor's browser only, checked with the server each time


class Session(NamedTuple):
    """What makes a request a signed-in visitor's: a cookie of ``cookies``, a header of ``headers``
    (lowercase, as ASGI gives them; ``authorization`` always among them)."""

    cookies: frozenset[bytes]
    headers: frozenset[bytes]


def signed_in_vary(headers: Iterable[str] = ()) -> str:
    """The ``Vary`` of a page stored for anonymous visitors that signed-in ones get their own of:
    every request header that makes a visitor signed in (``headers``: ``cache.sessionHeaders``), so a
    shared cache in front never gives them the anonymous copy."""
    names = ["x-pyxle-navigation", "Cookie", "Authorization"]
    for name in headers:
        if name.lower() not in {known.lower() for known in names}:
            names.append(name)
    return ", ".join(names)


def session_markers(cookies: Iterable[str], headers: Iterable[str] = ()) -> Session:
    return Session(frozenset(name.encode("latin-1") for name in cookies),
                   frozenset({b"authorization", *(name.lower().encode("latin-1") for name in headers)}))


def _names_cookie(value: bytes, names: frozenset[bytes]) -> bool:
    """Whether a ``Cookie`` header holds one of ``names``, read as Starlette reads it: the name
    before the first ``=``, with the spaces around it stripped (``session =x`` is ``session``)."""
    if not any(name in value for name in names):
        return False  # the common case: none of the names appears at all
    for chunk in value.decode("latin-1").split(";"):
        name, equals, _ = chunk.partition("=")
        if equals and name.strip().encode("latin-1") in names:
            return True
    return False


def carries(headers: Iterable[tuple[bytes, bytes]], names: frozenset[bytes], cookies: frozenset[bytes]) -> bool:
    """Whether a request's raw ``headers`` hold one of the header ``names`` (``*``: any but
    ``Host``) or one of the ``cookies``: what the loaders of a stored page looked for and did not find."""
    every = b"*" in names
    for name, value in headers:
        if name in names or (every and name != b"host"):
            return True
        if cookies and name == b"cookie" and _names_cookie(value, cookies):
            return True
    return False


def anonymous(scope: Any, session: Session) -> bool:
    """No ``Authorization`` or other session header, no session cookie, no user the auth plugin
    recognised: a request whose answer could be anyone's. (A false alarm only costs a render.)"""
    auth = scope.get("pyxle.auth")  # pyxle-auth's seed, {"user": ..., "endpoints": ...} on every request, or a user
    if auth is not None and (auth.get("user", auth) if isinstance(auth, dict) else auth):
        return False
    for name, value in scope["headers"]:
        if name in session.headers:
            return False
        if name == b"cookie" and _names_cookie(value, session.cookies):
            return False
    return True
