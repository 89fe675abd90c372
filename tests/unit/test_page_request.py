"""What a page's loaders obtain of their visitor (``PageRequest.watch``): a page made from it is
never stored for everyone (from a header other than a cookie or ``Authorization``, unless its route
is shared), and a page that only looked for what the visitor did not send is."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.requests import HTTPConnection, Request

from pyxle.pages._watched import PageRequest, Watch, over_scope

HEADERS = [(b"host", b"example.com"), (b"user-agent", b"test"), (b"cookie", b"theme=dark; _ga=GA1.1")]


def request(headers: list[tuple[bytes, bytes]] = HEADERS, *, watching: bool = True) -> PageRequest:
    made = PageRequest({"type": "http", "method": "GET", "path": "/", "headers": list(headers), "query_string": b""})
    made.watch.watching = watching
    return made


PERSONAL: dict[str, Callable[[PageRequest], Any]] = {
    "a cookie sent, by get": lambda r: r.cookies.get("theme"),
    "a cookie sent, by index": lambda r: r.cookies["theme"],
    "a cookie sent, by in": lambda r: "theme" in r.cookies,
    "every cookie, as JSON": lambda r: json.dumps(r.cookies),
    "every cookie, as a dict": lambda r: dict(r.cookies),
    "every cookie, unpacked": lambda r: {**r.cookies},
    "every cookie, by items": lambda r: list(r.cookies.items()),
    "every cookie, by iteration": lambda r: [name for name in r.cookies],
    "every cookie, as text": lambda r: f"{r.cookies}",
    "the Cookie header": lambda r: r.headers.get("Cookie"),
    "the Cookie header, by getlist": lambda r: r.headers.getlist("cookie"),
    "every header": lambda r: dict(r.headers),
    "every header, raw": lambda r: r.headers.raw,
}


@pytest.mark.parametrize("read", PERSONAL.values(), ids=PERSONAL.keys())
def test_reading_what_the_visitor_sent_makes_the_answer_theirs(read: Callable[[PageRequest], Any]) -> None:
    watched = request()
    read(watched)
    assert watched.watch.personal


HEARD: dict[str, Callable[[PageRequest], Any]] = {
    "another header, by get": lambda r: r.headers.get("User-Agent"),
    "another header, by index": lambda r: r.headers["user-agent"],
    "another header, by in": lambda r: "user-agent" in r.headers,
    "another header, by getlist": lambda r: r.headers.getlist("user-agent"),
    "every header, by iteration": lambda r: [name for name in r.headers],
    "every header, by keys": lambda r: r.headers.keys(),
    "every header, by items": lambda r: r.headers.items(),
}


@pytest.mark.parametrize("read", HEARD.values(), ids=HEARD.keys())
def test_reading_another_header_the_visitor_sent_is_heard(read: Callable[[PageRequest], Any]) -> None:
    """Theirs alone unless the route is shared: an auth proxy's X-Forwarded-User is such a header."""
    watched = request([(b"host", b"example.com"), (b"user-agent", b"test")])
    read(watched)
    assert watched.watch.heard and not watched.watch.personal


ANYONES: dict[str, Callable[[PageRequest], Any]] = {
    "a cookie not sent": lambda r: r.cookies.get("session"),
    "a cookie not sent, by in": lambda r: "session" in r.cookies,
    "another header, not sent": lambda r: r.headers.get("x-forwarded-user"),
    "another header, not sent, by getlist": lambda r: r.headers.getlist("x-forwarded-user"),
    "Authorization, not sent": lambda r: r.headers.get("authorization"),
    "Host, part of the stored page's key": lambda r: r.headers["host"],
}


@pytest.mark.parametrize("read", ANYONES.values(), ids=ANYONES.keys())
def test_looking_for_what_the_visitor_did_not_send_is_anyones_answer(read: Callable[[PageRequest], Any]) -> None:
    watched = request()
    read(watched)
    assert not watched.watch.personal and not watched.watch.heard


def test_every_header_of_a_request_with_only_a_host_is_anyones() -> None:
    watched = request([(b"host", b"example.com")])
    assert watched.headers.items() == [("host", "example.com")]
    assert not watched.watch.personal and not watched.watch.heard
    assert watched.watch.missed_headers == {"*"}  # a request with any other header would have been read


MISSED: dict[str, tuple[Callable[[PageRequest], Any], set[str], set[str]]] = {
    "a cookie not sent": (lambda r: r.cookies.get("session"), set(), {"session"}),
    "a cookie not sent, by index": (lambda r: r.cookies.get("lang") or r.cookies["lang"], set(), {"lang"}),
    "a cookie not sent, by in": (lambda r: "session" in r.cookies, set(), {"session"}),
    "another header, not sent": (lambda r: r.headers.get("Accept-Language"), {"accept-language"}, set()),
    "another header, not sent, by in": (lambda r: "x-forwarded-user" in r.headers, {"x-forwarded-user"}, set()),
    "another header, not sent, by getlist": (lambda r: r.headers.getlist("x-forwarded-user"), {"x-forwarded-user"},
                                             set()),
    "Authorization, not sent": (lambda r: r.headers.get("authorization"), {"authorization"}, set()),
    "Host, part of the stored page's key": (lambda r: r.headers["host"], set(), set()),
    "a cookie sent": (lambda r: r.cookies.get("theme"), set(), set()),
}


@pytest.mark.parametrize(("read", "headers", "cookies"), MISSED.values(), ids=MISSED.keys())
def test_what_the_loaders_looked_for_and_did_not_find_is_noted_by_name(
        read: Callable[[PageRequest], Any], headers: set[str], cookies: set[str]) -> None:
    """A request that carries one of them is not served the page stored from this one."""
    watched = request()
    try:
        read(watched)
    except KeyError:
        pass
    assert (watched.watch.missed_headers or set(), watched.watch.missed_cookies or set()) == (headers, cookies)


def test_every_cookie_of_a_request_without_any_notes_the_cookie_header() -> None:
    watched = request([(b"host", b"example.com")])
    assert dict(watched.cookies) == {} and watched.watch.missed_headers == {"cookie"}


def test_looking_outside_the_loaders_notes_nothing() -> None:
    watched = request(watching=False)
    watched.headers.get("accept-language")
    watched.cookies.get("session")
    assert watched.watch.missed_headers is None and watched.watch.missed_cookies is None


def test_authorization_sent_and_read_is_theirs() -> None:
    watched = request([(b"authorization", b"Bearer ada")])
    assert watched.headers["Authorization"] == "Bearer ada"
    assert watched.watch.personal


def test_reads_outside_the_loaders_do_not_count_and_are_not_hidden_from_them() -> None:
    watched = request(watching=False)
    assert watched.cookies["theme"] == "dark"  # a hook reading it first: Starlette keeps what it parsed
    assert watched.headers["user-agent"] == "test" and dict(watched.headers)  # Pyxle's own reads
    assert not watched.watch.personal and not watched.watch.heard
    watched.watch.watching = True
    assert watched.cookies.get("theme") == "dark"
    assert watched.watch.personal


def over(headers: list[tuple[bytes, bytes]] = HEADERS, *, watching: bool = True) -> tuple[Watch, dict[bytes, bytes]]:
    """A watch, and the scope's header values while the loaders it watches run (``over_scope``)."""
    watch = Watch()
    watch.watching = watching
    return watch, dict(over_scope(headers, watch))


SCOPE_READS: dict[str, Callable[[bytes], Any]] = {
    "decode": lambda v: v.decode("latin-1"),
    "split": lambda v: v.split(b";"),
    "partition": lambda v: v.partition(b"="),
    "strip": lambda v: v.strip(),
    "find": lambda v: v.find(b"x"),
    "startswith": lambda v: v.startswith(b"Bearer "),
    "lower": lambda v: v.lower(),
    "indexing": lambda v: v[0],
    "slicing": lambda v: v[:3],
    "iteration": lambda v: list(v),
    "in": lambda v: b"dark" in v,
    "==": lambda v: v == b"test",
    "in a tuple": lambda v: v in (b"test",),
    "as a dict key": lambda v: {v: 1},
    "len": lambda v: len(v),
    "bytes()": lambda v: bytes(v),
    "str()": lambda v: str(v),
    "concatenated, after": lambda v: v + b"!",
    "concatenated, before": lambda v: b"!" + v,
    "formatted": lambda v: b"%s" % v,
    "json.loads": lambda v: json.loads(b'"' + v + b'"'),
}


@pytest.mark.parametrize("read", SCOPE_READS.values(), ids=SCOPE_READS.keys())
def test_a_value_read_from_the_scope_tells_the_watch(read: Callable[[bytes], Any]) -> None:
    """A Request of the loader's own over the scope, or a loop over its headers, reads these values."""
    watch, values = over()
    read(values[b"user-agent"])
    assert watch.heard and not watch.personal
    watch, values = over()
    read(values[b"cookie"])
    assert watch.personal


UNSEEN: dict[str, Callable[[bytes], Any]] = {
    "str(value, encoding)": lambda v: str(v, "latin-1"),
    "b''.join": lambda v: b"".join([v]),
    "re": lambda v: re.search(rb"dark", v),
    "memoryview": lambda v: memoryview(v).tobytes(),
    "hmac.compare_digest": lambda v: hmac.compare_digest(v, b"test"),
}


@pytest.mark.parametrize("read", UNSEEN.values(), ids=UNSEEN.keys())
def test_c_code_taking_the_bytes_without_a_method_is_not_seen(read: Callable[[bytes], Any]) -> None:
    """What docs/pages.md says stays unseen."""
    watch, values = over()
    read(values[b"cookie"])
    assert not watch.personal and not watch.heard


def test_the_host_value_and_reads_outside_the_loaders_tell_nothing() -> None:
    watch, values = over()
    assert values[b"host"].decode() == "example.com" and type(values[b"host"]) is bytes
    watch, values = over(watching=False)
    assert values[b"cookie"].decode() == "theme=dark; _ga=GA1.1" and values[b"user-agent"] == b"test"
    assert not watch.personal and not watch.heard


def test_the_request_of_the_loaders_keeps_its_own_rules_over_the_told_scope() -> None:
    """Its cookies are parsed from the values as sent: a cookie not sent, read by name, is anyone's answer."""
    watch, _ = over()
    scope = {"type": "http", "method": "GET", "path": "/", "headers": over_scope(HEADERS, watch), "query_string": b""}
    watched = PageRequest(scope)
    watched.watch = watch
    assert watched.cookies.get("session") is None and watched.headers.get("x-forwarded-user") is None
    assert not watch.personal and not watch.heard
    assert watched.cookies.get("theme") == "dark" and watch.personal


def test_a_request_of_its_own_over_the_scope_tells_what_it_reads() -> None:
    watch, _ = over()
    scope = {"type": "http", "method": "GET", "path": "/", "headers": over_scope(HEADERS, watch), "query_string": b""}
    assert str(Request(scope).url) == "http://example.com/" and Request(scope).headers.get("x-absent") is None
    assert not watch.personal and not watch.heard
    assert HTTPConnection(scope).headers["user-agent"] == "test" and watch.heard and not watch.personal
    assert Request(scope).cookies.get("session") is None and watch.personal  # it decodes the whole Cookie header
