"""``pyxle._copies``: what is sent again unchanged (a kept file, a stored page) is compressed once
per codec by the app's outer layer, and the copies stay within their byte budget."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import brotli

from pyxle._copies import ENCODED, MAX_BYTES, Copies
from pyxle.app._compress import Compressor
from pyxle.app._edge import HttpEdge
from pyxle.app._memfiles import SmallFiles
from pyxle.cache import Entry, etag
from pyxle.pages._cached import HTML, serve
from tests.docs._blocks import cites

PAGE = b"<!doctype html><html><body>" + b"".join(b"<li>item %d of a stored page</li>" % i for i in range(200)) + b"</body></html>"


def counting(compressor: Compressor) -> list[bytes]:
    """The codings the compressor's codecs are run for, in order (the codecs themselves are real)."""
    runs: list[bytes] = []
    for coding, codec in compressor.encoders.items():
        codec.whole = lambda data, whole=codec.whole, coding=coding: runs.append(coding) or whole(data)
    return runs


async def fetch(app: Any, coding: str, path: str = "/") -> tuple[dict[str, Any], bytes]:
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": [(b"accept-encoding", coding.encode())]}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return dict(sent[0]["headers"]), b"".join(message.get("body", b"") for message in sent[1:])


@cites("docs/configuration.md", "a page served from the page cache that is the same for every visitor (one that shows no visitor's CSRF token)")
def test_a_stored_page_the_same_for_everyone_is_compressed_once_per_codec() -> None:
    compressor = Compressor()
    runs = counting(compressor)
    copies = Copies()
    entry = Entry(PAGE, 200, etag(PAGE), 0.0, 60.0, 0.0, "public, s-maxage=60")

    async def stored(scope: Any, receive: Any, send: Any) -> None:
        await serve(entry, scope, "HIT", HTML, copies=copies)(scope, receive, send)

    edge = HttpEdge(stored, add_headers=None, compressor=compressor, max_body_size=1 << 20, body_timeout=30)

    async def scenario() -> None:
        for _ in range(3):
            headers, body = await fetch(edge, "br")
            assert headers[b"content-encoding"] == b"br" and brotli.decompress(body) == PAGE
            assert headers[b"etag"] == b"W/" + entry.etag.encode()
        headers, body = await fetch(edge, "gzip")
        assert gzip.decompress(body) == PAGE
        assert (await fetch(edge, "identity"))[1] == PAGE
        assert runs == [b"br", b"gzip"]

    asyncio.run(scenario())


def test_a_stored_page_holding_a_visitors_token_is_compressed_for_each_answer() -> None:
    """Such a body differs per visitor: nothing of it is kept."""
    compressor = Compressor()
    runs = counting(compressor)
    copies = Copies()
    mark = "pyxle-csrf-standin0000000000000000"
    body = PAGE.replace(b"<body>", b'<body><input name="csrf" value="%s">' % mark.encode())
    entry = Entry(body, 200, etag(body), 0.0, 60.0, 0.0, "public, s-maxage=60", mark)

    async def stored(scope: Any, receive: Any, send: Any) -> None:
        scope["pyxle"] = {"csrf_token": "token-of-this-visitor"}
        await serve(entry, scope, "HIT", HTML, copies=copies)(scope, receive, send)

    edge = HttpEdge(stored, add_headers=None, compressor=compressor, max_body_size=1 << 20, body_timeout=30)

    async def scenario() -> None:
        for _ in range(2):
            assert b"token-of-this-visitor" in brotli.decompress((await fetch(edge, "br"))[1])
        assert runs == [b"br", b"br"] and copies.bytes == 0

    asyncio.run(scenario())


@cites("docs/configuration.md", "up to 16 MiB each for `public/`, the build's assets and stored pages, the least recently sent\ngoing first")
def test_copies_stay_within_their_byte_budget_the_least_recently_sent_going_first() -> None:
    assert Copies().max_bytes == MAX_BYTES == 16 * 1024 * 1024
    assert SmallFiles().copies.max_bytes == MAX_BYTES
    copies = Copies(max_bytes=900)

    async def compressing(message: dict[str, Any]) -> None:  # the compression layer's part: a copy of 100 bytes
        kept = message[ENCODED]
        if kept.get("codec") is None:
            kept["codec"] = b"c" * 100

    async def plain(message: dict[str, Any]) -> None:  # a client that takes no encoding
        pass

    async def scenario() -> None:
        for name in b"abc":
            await copies.send(compressing, bytes([name]) * 200)
        assert copies.bytes == 900 and list(copies._kept) == [b"a" * 200, b"b" * 200, b"c" * 200]
        await copies.send(plain, b"x" * 200)  # never compressed: not kept
        assert copies.bytes == 900 and b"x" * 200 not in copies._kept
        await copies.send(compressing, b"a" * 200)  # sent again: the most recent now
        await copies.send(compressing, b"d" * 200)  # the least recently sent ("b") goes
        assert list(copies._kept) == [b"c" * 200, b"a" * 200, b"d" * 200] and copies.bytes == 900
        await copies.send(compressing, b"e" * 850)  # with its copy, larger than the whole budget: not kept
        assert b"e" * 850 not in copies._kept and copies.bytes == 900

    asyncio.run(scenario())


@cites("docs/configuration.md", "with the bodies they are of\nwhen those are under 1 MiB (a larger page is known by its digest, so a page of any size keeps its copies)")
def test_stored_pages_larger_than_the_budget_keep_their_copies() -> None:
    """A large stored page's copies fit where its bytes would not: one of 17 MB (over the 16 MiB) is
    compressed once, not on every hit, and two of 10 MB sent in turn keep both their copies (they
    pushed each other's out). It is kept by its digest: a Redis hit (new bytes, the same page) finds it."""
    compressor = Compressor()
    runs = counting(compressor)
    copies = Copies()
    rows = b"".join(b"<li>row %d of a large stored page</li>" % i for i in range(460_000))
    pages = [b"<!doctype html><html><body>%s</body></html>" % part for part in (rows, rows[:10_000_000], rows[-10_000_000:])]
    assert len(pages[0]) > MAX_BYTES and all(8 << 20 < len(page) < MAX_BYTES for page in pages[1:])

    def app_for(page: bytes) -> Any:
        entry = Entry(page, 200, etag(page), 0.0, 60.0, 0.0, "public, s-maxage=60")

        async def stored(scope: Any, receive: Any, send: Any) -> None:
            await serve(entry, scope, "HIT", HTML, copies=copies)(scope, receive, send)

        return HttpEdge(stored, add_headers=None, compressor=compressor, max_body_size=1 << 20, body_timeout=30)

    async def scenario() -> None:
        big = app_for(pages[0])
        for _ in range(3):
            body = (await fetch(big, "br"))[1]
        assert brotli.decompress(body) == pages[0] and runs == [b"br"]
        again = app_for(bytes(bytearray(pages[0])))  # the same page as new bytes, as read from Redis
        assert brotli.decompress((await fetch(again, "br"))[1]) == pages[0] and runs == [b"br"]
        runs.clear()
        one, two = app_for(pages[1]), app_for(pages[2])
        for _ in range(3):
            assert brotli.decompress((await fetch(one, "br"))[1]) == pages[1]
            assert brotli.decompress((await fetch(two, "br"))[1]) == pages[2]
        assert runs == [b"br", b"br"] and copies.bytes < 2 << 20

    asyncio.run(scenario())


class Counted(bytes):
    """A body that counts how often it is hashed (a dict lookup hashes its key)."""

    hashed = 0

    def __hash__(self) -> int:
        Counted.hashed += 1
        return super().__hash__()


def test_a_stored_page_sent_as_it_is_is_never_hashed() -> None:
    """A stored page read from Redis is new bytes on every hit: looking its copies up hashes all of
    it. That is done only for an answer the compression layer compresses, never for one it sends
    as it is (no encoding asked for, or a body under ``minimumSize``)."""
    compressor = Compressor()
    copies = Copies()
    small = PAGE[:500]

    async def stored(scope: Any, receive: Any, send: Any) -> None:
        body = Counted(small if scope["path"] == "/small" else PAGE)  # as read from Redis: new bytes each hit
        entry = Entry(body, 200, etag(body), 0.0, 60.0, 0.0, "public, s-maxage=60")
        await serve(entry, scope, "HIT", HTML, copies=copies)(scope, receive, send)

    edge = HttpEdge(stored, add_headers=None, compressor=compressor, max_body_size=1 << 20, body_timeout=30)

    async def scenario() -> None:
        Counted.hashed = 0
        for coding, path in (("identity", "/"), ("", "/"), ("br;q=0, gzip;q=0", "/"), ("br", "/small")):
            headers, body = await fetch(edge, coding, path)
            assert b"content-encoding" not in headers and body == (small if path == "/small" else PAGE)
        assert Counted.hashed == 0 and copies.bytes == 0
        for _ in range(2):
            headers, body = await fetch(edge, "br")
            assert headers[b"content-encoding"] == b"br" and brotli.decompress(body) == PAGE
        assert Counted.hashed > 0 and copies.bytes > len(PAGE)  # compressed: its copy looked up and kept

    asyncio.run(scenario())


def test_a_second_codecs_copy_is_counted_in_the_budget() -> None:
    copies = Copies()

    def compressing(codec: str) -> Any:
        """The compression layer's part, for ``codec``: a copy of 100 bytes."""
        async def send(message: dict[str, Any]) -> None:
            kept = message[ENCODED]
            if kept.get(codec) is None:
                kept[codec] = b"c" * 100
        return send

    async def scenario() -> None:
        for codec in ("br", "gzip", "gzip"):  # the second gzip finds its copy: nothing added
            await copies.send(compressing(codec), b"a" * 200)
        assert copies.bytes == 400 and list(copies._kept[b"a" * 200]) == ["br", "gzip"]

    asyncio.run(scenario())
