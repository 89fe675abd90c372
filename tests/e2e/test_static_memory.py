"""Small files of ``public/`` are answered from memory (``pyxle.app._memfiles``) and looked up with one
stat (``pyxle.app._static._finder``): against a real ``pyxle serve``, what changes on disk reaches the
next request, a symlink that comes to lead outside ``public/`` stops being served, and ranges, HEAD
and files over the memory limit are answered as before."""

from __future__ import annotations

import asyncio
import gzip
import os
from pathlib import Path

import brotli
import httpx
import pytest

from pyxle.app._compress import Compressor
from pyxle.app._edge import HttpEdge
from pyxle.app._memfiles import MAX_FILE, SmallFiles
from pyxle.app._static import public_files
from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("memfiles") / "app", {
        "pages/api/ping.py": "async def get(request):\n    return {'ok': True}\n",
        "public/note.txt": "first version\n",
        "outside.txt": "a secret outside public/\n",
    }, None)
    (root / "public" / "inside.txt").write_text("served from inside\n")
    (root / "public" / "big.bin").write_bytes(os.urandom(MAX_FILE + 4096))
    (root / "public" / "site.css").write_text(styles(1))
    with serving(root, env={"PYXLE_SECRET_KEY": "m" * 40}) as server:
        server.root = root  # type: ignore[attr-defined]
        yield server


def styles(version: int) -> str:
    """A stylesheet of ~25 KB: compressible text, the same length for each version."""
    return "".join(f".card-{i} {{ margin: {i}px; color: #{version}{i:05d}; }}\n" for i in range(600))


def get(server: Server, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(server.url + path, **kwargs)  # type: ignore[arg-type]


@cites("docs/deployment.md", "read again as soon as it changes on disk, so an edited or replaced file is served at once")
def test_a_file_written_again_is_served_as_it_is_now(site: Server) -> None:
    note = site.root / "public" / "note.txt"  # type: ignore[attr-defined]
    assert get(site, "/note.txt").text == "first version\n"
    note.write_text("second version, longer\n")  # in place: same inode, new size and time
    assert get(site, "/note.txt").text == "second version, longer\n"
    note.write_text("third version, longer\n")  # the same size as the second
    os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns + 1_000_000))
    assert get(site, "/note.txt").text == "third version, longer\n"
    replacement = note.with_name("note.tmp")
    replacement.write_text("fourth, put in place by a rename\n")
    replacement.replace(note)  # a deploy's atomic swap: a new inode
    answer = get(site, "/note.txt")
    assert answer.text == "fourth, put in place by a rename\n"
    assert answer.headers["content-length"] == str(len(answer.content))
    note.unlink()
    assert get(site, "/note.txt").status_code == 404


@cites("docs/deployment.md", "one rewritten in place with the same size and modification time (`cp -p`) too")
def test_a_file_rewritten_in_place_with_its_size_and_time_kept_is_served_as_it_is_now(site: Server) -> None:
    """``cp -p`` over a file keeps its inode, and a same-size file its size and mtime (reproducible
    builds set every mtime alike): only its ctime says it changed. It was served from memory as it was."""
    version = site.root / "public" / "version.json"  # type: ignore[attr-defined]
    version.write_text('{"version":"1.0.1"}\n')
    os.utime(version, (1577836800, 1577836800))
    assert get(site, "/version.json").text == '{"version":"1.0.1"}\n'
    inode = version.stat().st_ino
    version.write_text('{"version":"1.0.2"}\n')  # what cp -p does: the same file written, then its times set back
    os.utime(version, (1577836800, 1577836800))
    assert version.stat().st_ino == inode
    assert get(site, "/version.json").text == '{"version":"1.0.2"}\n'


@cites("docs/deployment.md", "Files of\n  `public/` are sent with `Cache-Control: public, max-age=0`, an `ETag` and `Last-Modified`")
@cites("docs/deployment.md", "browsers ask again each time and get `304` while a file is unchanged")
@cites("docs/migrating.md", "browsers revalidate them, so a deploy's new `logo.png` is seen at once")
def test_public_files_are_revalidated_by_browsers(site: Server) -> None:
    """Without a Cache-Control they were fresh to a browser for a tenth of the file's age (RFC 9111
    heuristics): a replaced image stayed old in Chromium for days without a request."""
    first = get(site, "/inside.txt")
    assert first.headers["cache-control"] == "public, max-age=0"
    assert first.headers["etag"] and first.headers["last-modified"]
    again = get(site, "/inside.txt", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "public, max-age=0"
    part = get(site, "/big.bin", headers={"range": "bytes=0-9"})
    assert part.status_code == 206 and part.headers["cache-control"] == "public, max-age=0"
    assert "cache-control" not in get(site, "/nothing-here.txt").headers


@cites("docs/deployment.md", "A file's `Content-Type` comes from its name, the\n  same on every machine")
@cites("docs/deployment.md", "`.js` and `.mjs` are `text/javascript; charset=utf-8`, `.map`\n  `application/json`, "
                             "`.woff2` `font/woff2`, `.webp` `image/webp`, a name it does not know\n  `application/octet-stream`")
def test_public_file_types_come_from_the_name_not_the_hosts_mime_types(site: Server) -> None:
    """This host's /etc/mime.types made a `.ts` a Qt file; a slim image, without one, sent fonts,
    `.webp` and source maps as octet-stream (a source map then went uncompressed)."""
    files = site.root / "public"  # type: ignore[attr-defined]
    expected = {"a.js": "text/javascript; charset=utf-8", "a.mjs": "text/javascript; charset=utf-8",
                "a.js.map": "application/json", "a.woff2": "font/woff2", "a.webp": "image/webp",
                "a.md": "text/markdown; charset=utf-8",
                "a.unknownkind": "application/octet-stream", "a.css": "text/css; charset=utf-8",
                "a.json.gz": "application/gzip"}
    for name in expected:
        (files / name).write_bytes(b"{}" * 600)
    assert {name: get(site, "/" + name).headers["content-type"] for name in expected} == expected
    assert get(site, "/a.js.map", headers={"accept-encoding": "br"}).headers.get("content-encoding") == "br"


@cites("docs/deployment.md", "`.rss` `application/rss+xml`, `.atom` `application/atom+xml`")
@cites("docs/deployment.md", "`.webmanifest` `application/manifest+json`, `.avif` `image/avif`, `.wasm` `application/wasm`")
def test_feeds_and_other_web_files_are_sent_with_their_web_type(site: Server) -> None:
    """A feed in ``public/`` was octet-stream: browsers downloaded it and feed validators complained.
    The types are the web's (mime-db, as Next.js sends them), pinned here rather than left to the
    Python version's table (3.10 lacks ``.avif``, 3.13 renamed ``.wav``'s)."""
    files = site.root / "public"  # type: ignore[attr-defined]
    expected = {"feed.rss": "application/rss+xml", "feed.atom": "application/atom+xml",
                "site.webmanifest": "application/manifest+json", "a.avif": "image/avif",
                "a.mjs": "text/javascript; charset=utf-8", "a.wasm": "application/wasm",
                "a.ics": "text/calendar; charset=utf-8", "a.jxl": "image/jxl", "a.weba": "audio/webm",
                "a.webm": "video/webm", "a.wav": "audio/wav", "a.xhtml": "application/xhtml+xml",
                "a.geojson": "application/geo+json", "a.mpd": "application/dash+xml",
                "a.usdz": "model/vnd.usdz+zip", "a.vcf": "text/vcard; charset=utf-8",
                "a.markdown": "text/markdown; charset=utf-8", "a.xslt": "application/xslt+xml",
                "a.heic": "image/heic", "a.heif": "image/heif"}
    for name in expected:
        (files / name).write_bytes(b"<x/>")
    assert {name: get(site, "/" + name).headers["content-type"] for name in expected} == expected
    feed = get(site, "/feed.rss", headers={"accept-encoding": "gzip"})
    assert feed.status_code == 200 and feed.text == "<x/>"


@cites("docs/deployment.md", "A symlink in `public/` is served only while it leads to a file inside it.")
def test_a_symlink_that_comes_to_lead_outside_public_is_not_followed(site: Server) -> None:
    root: Path = site.root  # type: ignore[attr-defined]
    link = root / "public" / "link.txt"
    link.symlink_to(root / "public" / "inside.txt")
    assert get(site, "/link.txt").text == "served from inside\n"
    link.unlink()
    link.symlink_to(root / "outside.txt")  # the same name, now leading out of public/
    answer = get(site, "/link.txt")
    assert answer.status_code == 404
    assert "secret" not in answer.text
    link.unlink()
    link.symlink_to(root / "public" / "inside.txt")
    assert get(site, "/link.txt").text == "served from inside\n"


@cites("docs/deployment.md", "a larger one is sent from disk each time")
def test_head_ranges_and_a_file_over_the_memory_limit_answer_as_before(site: Server) -> None:
    whole = get(site, "/inside.txt")
    head = httpx.head(site.url + "/inside.txt")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(whole.content))
    assert head.headers["etag"] == whole.headers["etag"]
    part = get(site, "/inside.txt", headers={"Range": "bytes=7-10"})
    assert part.status_code == 206 and part.content == b"from"
    assert part.headers["content-range"] == f"bytes 7-10/{len(whole.content)}"
    big = get(site, "/big.bin")
    assert big.status_code == 200
    assert big.content == (site.root / "public" / "big.bin").read_bytes()  # type: ignore[attr-defined]
    assert get(site, "/inside.txt", headers={"If-None-Match": whole.headers["etag"]}).status_code == 304


@cites("docs/deployment.md", "A file of up to 256 KiB is kept in memory after its first request (at most 32 MiB each for `public/` and the assets, per worker; past that the oldest go first)")
def test_the_files_kept_stay_within_their_byte_budget(tmp_path: Path) -> None:
    """The memory is bounded: past ``max_total`` the oldest files are let go, and a file over
    ``max_file`` is never kept. The defaults are the documented 256 KiB and 32 MiB."""
    defaults = SmallFiles()
    assert (defaults.max_file, defaults.max_total) == (256 * 1024, 32 * 1024 * 1024)
    small = SmallFiles(max_file=100, max_total=250)

    def read(name: str) -> bytes | None:
        path = tmp_path / name
        return asyncio.run(small._bytes(str(path), path.stat()))

    for name in "abcd":
        (tmp_path / name).write_bytes(name.encode() * 100)
        assert read(name) == name.encode() * 100
    assert list(small._files) == [str(tmp_path / "c"), str(tmp_path / "d")]
    assert small._total == 200
    (tmp_path / "e").write_bytes(b"e" * 101)
    assert read("e") is None
    assert small._total == 200


@cites("docs/deployment.md", "A text file kept in memory is compressed once for each encoding clients ask for")
def test_a_kept_text_file_is_sent_compressed_as_it_is_now(site: Server) -> None:
    """The compressed copy kept beside a file is the file's as it is on disk now: an edit (the same
    size, a later time) is what the next brotli and gzip answers decode to."""
    css: Path = site.root / "public" / "site.css"  # type: ignore[attr-defined]
    for version in (1, 2, 3):
        if version > 1:
            css.write_text(styles(version))  # in place, the same length
            os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + version * 1_000_000))
        for coding, decode in ((b"br", brotli.decompress), (b"gzip", gzip.decompress)):
            for _ in range(2):  # the first request compresses, the second is sent the copy
                with httpx.stream("GET", site.url + "/site.css", headers={"Accept-Encoding": coding.decode()}) as answer:
                    raw = b"".join(answer.iter_raw())
                assert answer.headers["content-encoding"] == coding.decode()
                assert answer.headers["content-length"] == str(len(raw)) and len(raw) < len(css.read_bytes()) // 3
                assert decode(raw) == css.read_bytes()
    assert get(site, "/site.css", headers={"Accept-Encoding": "identity"}).content == css.read_bytes()


def test_a_kept_file_is_compressed_once_for_each_coding(tmp_path: Path) -> None:
    """Through the app's outer layer with the real codecs: three brotli answers and two gzip ones
    of an unchanged file cost one compression each; the file written again costs one more."""
    public = tmp_path / "public"
    public.mkdir()
    css = public / "site.css"
    css.write_text(styles(1))
    compressor = Compressor()
    runs: list[bytes] = []
    for coding, codec in compressor.encoders.items():
        codec.whole = lambda data, whole=codec.whole, coding=coding: runs.append(coding) or whole(data)
    edge = HttpEdge(public_files(public), add_headers=None, compressor=compressor, max_body_size=1 << 20,
                    body_timeout=30)

    async def fetch(coding: str) -> bytes:
        sent: list[dict] = []  # type: ignore[type-arg]
        scope = {"type": "http", "method": "GET", "path": "/site.css", "raw_path": b"/site.css", "root_path": "",
                 "query_string": b"", "headers": [(b"accept-encoding", coding.encode())]}

        async def receive() -> dict:  # type: ignore[type-arg]
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:  # type: ignore[type-arg]
            sent.append(message)

        await edge(scope, receive, send)
        return b"".join(message.get("body", b"") for message in sent[1:])

    async def scenario() -> None:
        for _ in range(3):
            assert brotli.decompress(await fetch("br")) == css.read_bytes()
        for _ in range(2):
            assert gzip.decompress(await fetch("gzip")) == css.read_bytes()
        assert runs == [b"br", b"gzip"]
        css.write_text(styles(2))
        os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000))
        assert brotli.decompress(await fetch("br")) == css.read_bytes()
        assert brotli.decompress(await fetch("br")) == css.read_bytes()
        assert runs == [b"br", b"gzip", b"br"]

    asyncio.run(scenario())
