"""The request a page's loaders get: it notes when they obtain something of their visitor's.

A page the cache stores is served to everyone. Loaders that read a cookie the visitor sent (a
theme, a locale, a token) or their ``Authorization`` make an answer that is theirs alone, so the
page is not stored (``Watch.personal``), as one whose loader sets a cookie is not. So do loaders
that read any other header the visitor sent (``Watch.heard``: an auth proxy's ``X-Forwarded-User``,
an ``X-API-Key``, their ``Accept-Language``), unless the route says it varies on nothing
(``"shared": true``). ``Host`` is not one: it is part of the stored page's key. What counts is what
was obtained: ``request.cookies.get("session")`` for a visitor without that cookie gets what any
anonymous visitor gets (their analytics or CSRF cookie was not read), and such a page is stored;
so does ``request.headers.get("x-forwarded-user")`` for a request without that header. What they
looked for and did not find is noted by name (``Watch.missed_headers``, ``Watch.missed_cookies``):
the page stored from such a request is not served to one that carries it.
Only reads while the route's hooks and the loaders run count (``watching``): a hook may hand the
loaders what it read (a cookie's user in ``request.state``); Pyxle's own reads between and
around them say nothing about the page.

A loader, or a helper it calls, may also read the request's scope itself: a ``Request`` or an
``HTTPConnection`` of its own, a loop over ``scope["headers"]``. While the loaders of a page that
may be stored run, the scope's header values (but ``Host``'s) are ``_Sent`` bytes, which tell
when read (``over_scope``); those readers have no finer rule, so decoding the ``Cookie`` header
reads every cookie in it.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, ValuesView
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request, cookie_parser, empty_receive, empty_send
from starlette.types import Receive, Scope, Send

from pyxle._client import IntPortClient

_NAMES = frozenset({"cookie", "authorization"})
_RAW_NAMES = (b"cookie", b"authorization")
_KEYED, _RAW_KEYED = "host", b"host"  # part of the stored page's key: every request given it sent the same


def carries_credentials(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a request's raw ``headers`` hold a cookie or ``Authorization``: something of its visitor's."""
    return any(name in _RAW_NAMES for name, _ in headers)


class Watch:
    """Whether the loaders are running (``watching``), and whether they have read a cookie or the
    ``Authorization`` this request carries (``personal``) or another header it carries (``heard``;
    a ``"shared": true`` route stores such a page). Held by the request and by its headers
    and cookies, which hold no reference to the request: a cycle per request would be left to the
    garbage collector (5 µs a page, measured)."""

    __slots__ = ("heard", "missed_cookies", "missed_headers", "personal", "watching")

    def __init__(self) -> None:
        self.watching = False
        self.personal = False
        self.heard = False
        # What they looked for and the request did not carry, by name (None: nothing): header names
        # lowercase ("*": every header, of a request with none but Host), and cookie names.
        self.missed_headers: set[str] | None = None
        self.missed_cookies: set[str] | None = None

    def obtained(self) -> None:
        """The loaders got something the visitor sent."""
        if self.watching:
            self.personal = True

    def missed_header(self, name: str) -> None:
        if self.missed_headers is None:
            self.missed_headers = set()
        self.missed_headers.add(name)

    def missed_cookie(self, name: str) -> None:
        if self.missed_cookies is None:
            self.missed_cookies = set()
        self.missed_cookies.add(name)


class PageRequest(IntPortClient, Request):
    """Starlette's ``Request``, which tells (``watch``) whether the loaders obtained the visitor's
    cookies or credentials."""

    def __init__(self, scope: Scope, receive: Receive = empty_receive, send: Send = empty_send) -> None:
        super().__init__(scope, receive, send)
        self.watch = Watch()

    @property
    def headers(self) -> Headers:
        if not hasattr(self, "_headers"):
            self._headers = _WatchedHeaders(self.scope, self.watch)
        return self._headers

    @property
    def cookies(self) -> dict[str, str]:
        if not hasattr(self, "_cookies"):  # Starlette's own attribute: anything reading it gets these
            parsed: dict[str, str] = {}
            for name, value in self.scope["headers"]:
                if name == b"cookie":  # bytes.decode: parsing them all reads none (a _Sent value would tell)
                    parsed.update(cookie_parser(bytes.decode(value, "latin-1")))
            self._cookies = _WatchedCookies(parsed, self.watch)
        return self._cookies


class _WatchedCookies(dict[str, str]):
    """The visitor's cookies: reading one they sent, or all of them, tells the request."""

    def __init__(self, cookies: dict[str, str], watch: Watch) -> None:
        super().__init__(cookies)
        self._watch = watch

    def _reads(self, key: Any) -> None:
        if dict.__contains__(self, key):
            self._watch.obtained()
        elif self._watch.watching and isinstance(key, str):
            self._watch.missed_cookie(key)

    def _reads_all(self) -> None:
        if self:
            self._watch.obtained()
        elif self._watch.watching:  # any cookie would have been read
            self._watch.missed_header("cookie")

    def __getitem__(self, key: str) -> str:
        self._reads(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._reads(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._reads(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._reads_all()
        return super().__iter__()

    def keys(self) -> KeysView[str]:
        self._reads_all()
        return super().keys()

    def values(self) -> ValuesView[str]:
        self._reads_all()
        return super().values()

    def items(self) -> ItemsView[str, str]:
        self._reads_all()
        return super().items()

    def copy(self) -> dict[str, str]:
        self._reads_all()
        return dict(super().items())

    def __repr__(self) -> str:  # str() and f-strings too
        self._reads_all()
        return super().__repr__()

    def __reduce__(self) -> tuple[Any, ...]:  # copy.copy, copy.deepcopy, pickle: a plain dict, all read
        self._reads_all()
        return dict, (dict(super().items()),)


class _WatchedHeaders(Headers):
    """The request's headers: reading one it carries (but ``Host``), or all of them, tells the request."""

    def __init__(self, scope: Scope, watch: Watch) -> None:
        super().__init__(scope=scope)
        self._watch = watch

    def _reads(self, key: Any) -> None:
        """(Called while the loaders run.)"""
        if not isinstance(key, str):
            return
        name = key.lower()
        if not Headers.__contains__(self, key):
            if name != _KEYED:
                self._watch.missed_header(name)
        elif name in _NAMES:
            self._watch.personal = True
        elif name != _KEYED:
            self._watch.heard = True

    def _reads_all(self) -> None:
        if self._watch.watching:
            if carries_credentials(self._list):
                self._watch.personal = True
            if any(name != _RAW_KEYED for name, _ in self._list):
                self._watch.heard = True
            else:  # a request with any other header would have been read
                self._watch.missed_header("*")

    def __getitem__(self, key: str) -> str:
        if self._watch.watching:  # (most reads are Pyxle's own, outside the loaders: they pay one test)
            self._reads(key)
        return Headers.__getitem__(self, key)

    def __contains__(self, key: Any) -> bool:
        if self._watch.watching:
            self._reads(key)
        return Headers.__contains__(self, key)

    def getlist(self, key: str) -> list[str]:
        if self._watch.watching:
            self._reads(key)
        return Headers.getlist(self, key)

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        self._reads_all()
        return super().raw

    def keys(self) -> list[str]:  # type: ignore[override]  # iteration and dict() too
        self._reads_all()
        return super().keys()

    def values(self) -> list[str]:  # type: ignore[override]
        self._reads_all()
        return super().values()

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        self._reads_all()
        return super().items()

    def mutablecopy(self) -> MutableHeaders:
        self._reads_all()
        return super().mutablecopy()

    def __reduce__(self) -> tuple[Any, ...]:
        """copy.copy, copy.deepcopy, pickle: plain ``Headers``, all read (a copy with a watch of its own
        would tell nobody)."""
        self._reads_all()
        return Headers, (None, [(bytes(name), bytes(value)) for name, value in self._list])


class _Sent(bytes):
    """A header value the visitor sent, in the scope while the loaders run: whoever reads it
    (decodes, splits, compares, iterates it...) tells the request's watch that the loaders heard
    it. (A ``bytes`` subclass cannot have ``__slots__``: the watch is in the instance's dict.)"""

    _watch: Watch

    def _tell(self) -> None:
        watch = self._watch
        if watch.watching:
            watch.heard = True

    def __radd__(self, other: Any) -> Any:  # b"..." + value: told, then bytes' own concatenation
        self._tell()
        return NotImplemented

    def __rmod__(self, other: Any) -> Any:  # b"%s" % value
        self._tell()
        return NotImplemented

    def __bytes__(self) -> bytes:  # bytes(value) (bytes has no __bytes__ of its own before Python 3.11)
        self._tell()
        return bytes.__getitem__(self, slice(None))


class _Credential(_Sent):
    """The ``Cookie`` or ``Authorization`` header's value: reading it makes the answer the visitor's."""

    def _tell(self) -> None:
        self._watch.obtained()


def _telling(name: str) -> Callable[..., Any]:
    """``bytes``' method ``name``, telling first."""
    read = getattr(bytes, name)

    def method(self: _Sent, *args: Any, **kwargs: Any) -> Any:
        self._tell()
        return read(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


# Every way Python code reads a bytes value's content (its length and hash too); what C code reads
# without a method (str(value, "latin-1"), b"".join, re, memoryview, int) is not seen.
_READS = ("decode", "split", "rsplit", "splitlines", "partition", "rpartition", "strip", "lstrip", "rstrip",
          "find", "rfind", "index", "rindex", "count", "startswith", "endswith", "replace", "removeprefix",
          "removesuffix", "lower", "upper", "capitalize", "swapcase", "title", "center", "ljust", "rjust",
          "zfill", "expandtabs", "translate", "hex", "join", "isalnum", "isalpha", "isascii", "isdigit",
          "islower", "isspace", "istitle", "isupper", "__getitem__", "__iter__", "__contains__", "__len__",
          "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__add__", "__mul__",
          "__rmul__", "__mod__", "__repr__", "__str__", "__getnewargs__")
for _name in _READS:
    setattr(_Sent, _name, _telling(_name))


def over_scope(headers: Iterable[tuple[bytes, bytes]], watch: Watch) -> list[tuple[bytes, bytes]]:
    """``headers`` whose values (but ``Host``'s, part of the stored page's key) tell ``watch`` when
    read: what the scope holds while the loaders run, so that what reads it rather than the
    request they were given is seen too."""
    told = []
    for name, value in headers:
        if name == _RAW_KEYED:
            told.append((name, value))
            continue
        sent = (_Credential if name in _RAW_NAMES else _Sent)(value)
        sent._watch = watch
        told.append((name, sent))
    return told
