"""Conditional requests and the request line's Host on a real `pyxle serve`: a 304 carries the
ETag and Vary its 200 would, `If-Match` and `If-Unmodified-Since` on files answer 412, and an
HTTP/1.1 request without exactly one Host is a 400 before anything is routed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_server import raw_request

PAGE = '''
@server
async def load(request):
    return {"items": [f"item number {i}" for i in range(100)]}

export default function Page({ data }) { return <ul>{data.items.map((i) => <li key={i}>{i}</li>)}</ul> }
'''
URL_PAGE = '''
@server
async def load(request):
    return {"url": str(request.url)}

export default function Page({ data }) { return <p id="url">{data.url}</p> }
'''
API = '''
import json
from starlette.responses import Response

BODIES = {"big": json.dumps({"rows": [f"row {i}" for i in range(200)]}).encode(), "small": b'{"ok":true}'}

async def get(request):
    body = BODIES[request.query_params.get("size", "big")]
    held = request.headers.get("if-none-match", "")
    if held == "*" or '"v1"' in held:  # the 304 names the type and length of the 200 it stands for
        return Response(status_code=304, headers={"ETag": '"v1"', "Content-Type": "application/json",
                                                  "Content-Length": str(len(body))})
    return Response(body, headers={"ETag": '"v1"'}, media_type="application/json")
'''
LOGO_PAGE = '''
import logo from '../components/logo.png'

export default function Logo() { return <img src={logo} alt="" /> }
'''
SOCKET = '''
async def websocket(ws):
    await ws.accept()
    await ws.send_text("hello")
    await ws.close()
'''
BIG = "a line of text\n" * 400


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("conditional") / "app", {
        "pages/index.pyxl": PAGE, "pages/stored.pyxl": PAGE, "pages/url.pyxl": URL_PAGE, "pages/api/rows.py": API,
        "pages/api/ws.py": SOCKET, "pages/logo.pyxl": LOGO_PAGE,
        "public/big.txt": BIG, "public/big.js": "let x = 1;\n" * 400,
        "pyxle.config.json": json.dumps({"cache": {"/stored": 60}}),
    })
    (root / "public" / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4000))
    (root / "components").mkdir(exist_ok=True)
    (root / "components" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4000))
    (root / "public" / "font.woff2").write_bytes(b"wOF2" + bytes(4000))
    with serving(root, "--no-access-log") as server:
        yield server


def raw(server: Server, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    return raw_request(server.url, data)


def asset(server: Server) -> str:
    """The URL of the page's hashed script under /_pyxle/."""
    found = re.search(r'"(/_pyxle/[^"]+\.js)"', httpx.get(server.url + "/").text)
    assert found is not None
    return found.group(1)


def strong(tag: str) -> str:
    return tag.removeprefix("W/")


@cites("docs/configuration.md", "A `304` carries the `ETag` and `Vary` the `200` would have carried for the same "
       "request: the weak tag where that `200` would be compressed, whatever form of the tag (or `*`) the client sent, "
       "and no `Vary` where it would not depend on `Accept-Encoding` (an image, a font). A `304` that an API handler "
       "returns itself gets `Vary: Accept-Encoding`, and the weak tag when the client sent that; give it the "
       "`Content-Type` and `Content-Length` of the `200` it stands for and it gets exactly that `200`'s, and those "
       "two are not sent.")
def test_a_304_carries_the_etag_and_vary_its_200_would(app: Server) -> None:
    kinds = [("/", {}), ("/stored", {}), ("/", {"x-pyxle-navigation": "1"}), ("/stored", {"x-pyxle-navigation": "1"}),
             ("/big.js", {}), ("/big.txt", {}), ("/img.png", {}), ("/font.woff2", {}), ("/api/rows", {}),
             ("/api/rows?size=small", {}), (asset(app), {})]
    checked = 0
    with httpx.Client(base_url=app.url) as client:
        client.get("/")  # its CSRF cookie: a client without one gets the page in full
        for path, extra in kinds:
            for encoding in ("identity", "br", "gzip"):
                full = client.get(path, headers={"Accept-Encoding": encoding, **extra})
                assert full.status_code == 200, (path, encoding)
                tag = full.headers["etag"]
                for held in (tag, strong(tag), "W/" + strong(tag), "*", f'"other", {tag}'):
                    answer = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": held, **extra})
                    assert answer.status_code == 304, (path, encoding, held)
                    seen = (answer.headers.get("etag"), answer.headers.get("vary"), answer.headers.get("cache-control"))
                    assert seen == (tag, full.headers.get("vary"), full.headers.get("cache-control")), (path, encoding, held)
                    assert "content-type" not in answer.headers and "content-encoding" not in answer.headers
                    checked += 1
    assert checked == len(kinds) * 3 * 5
    png = httpx.get(app.url + "/img.png", headers={"Accept-Encoding": "br", "If-None-Match": "*"})
    assert png.status_code == 304 and "vary" not in png.headers  # an image is never encoded: nothing varies


def built_image(server: Server) -> str:
    """The URL of the image ``/logo`` imports, built under /_pyxle/assets/."""
    found = re.search(r'src="(/_pyxle/assets/logo-[^"]+\.png)"', httpx.get(server.url + "/logo").text)
    assert found is not None
    return found.group(1)


@cites("docs/configuration.md", "and no `Vary` where it would not depend on `Accept-Encoding` (an image, a\nfont)")
def test_a_built_image_carries_no_vary_on_its_200_or_its_304(app: Server) -> None:
    """The build compresses no image and the server encodes none, so its answer never depends on
    Accept-Encoding: a Vary made a CDN keep one copy per distinct Accept-Encoding."""
    image, script = built_image(app), asset(app)
    for encoding in ("identity", "br, gzip"):
        full = httpx.get(app.url + image, headers={"Accept-Encoding": encoding})
        assert full.status_code == 200 and "vary" not in full.headers, full.headers
        held = httpx.get(app.url + image, headers={"Accept-Encoding": encoding, "If-None-Match": full.headers["etag"]})
        assert held.status_code == 304 and "vary" not in held.headers, held.headers
        text = httpx.get(app.url + script, headers={"Accept-Encoding": encoding})  # a script's coding does depend on it
        assert text.headers["vary"] == "Accept-Encoding"
    assert httpx.get(app.url + script, headers={"Accept-Encoding": ""}).headers["vary"] == "Accept-Encoding"


@cites("docs/deployment.md", "Preconditions are read in the order of RFC 9110 (13.2.2), for `public/` and `/_pyxle/` "
       "files alike: `If-Match` (compared strongly, `*` matching any file) or, without it, an `If-Unmodified-Since` "
       "older than the file answers `412 Precondition Failed` (`{\"error\": \"Precondition Failed\"}`), before "
       "`If-None-Match` or a `Range` is read; an unreadable date is ignored.")
@cites("docs/security.md", "Their `If-Match` and `If-Unmodified-Since` are honoured (`412`), so a resumed download "
       "never splices two versions of a file")
def test_if_match_and_if_unmodified_since_guard_files(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        for path in ("/big.txt", asset(app)):
            full = client.get(path, headers={"Accept-Encoding": "identity"})
            tag, modified = full.headers["etag"], full.headers["last-modified"]
            for method in ("GET", "HEAD"):
                for headers in ({"If-Match": '"nomatch"'}, {"If-Match": '"nomatch"', "Range": "bytes=0-3"},
                                {"If-Match": "W/" + tag}, {"If-Unmodified-Since": "Sun, 06 Dec 2020 10:00:00 GMT"},
                                {"If-Unmodified-Since": "Sun, 06 Dec 2020 10:00:00 GMT", "If-None-Match": tag}):
                    refused = client.request(method, path, headers={"Accept-Encoding": "identity", **headers})
                    assert refused.status_code == 412, (path, method, headers)
                    assert refused.headers["x-content-type-options"] == "nosniff"
                    if method == "GET":
                        assert refused.json() == {"error": "Precondition Failed"}
            for headers, status in (({"If-Match": tag}, 200), ({"If-Match": "*"}, 200),
                                    ({"If-Match": f'"x", {tag}'}, 200), ({"If-Match": tag, "Range": "bytes=0-3"}, 206),
                                    ({"If-Unmodified-Since": modified}, 200),
                                    ({"If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 200),
                                    ({"If-Unmodified-Since": "not a date"}, 200),
                                    ({"If-Match": tag, "If-Unmodified-Since": "Sun, 06 Dec 2020 10:00:00 GMT"}, 200),
                                    ({"If-Match": tag, "If-None-Match": tag}, 304)):
                answer = client.get(path, headers={"Accept-Encoding": "identity", **headers})
                assert answer.status_code == status, (path, headers)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@cites("docs/security.md", "An HTTP/1.1 request with no `Host` header, or with more than one, is answered `400` "
       "(`{\"error\": \"Missing Host header\"}`, an empty `Host` too, or `\"More than one Host header\"`, with "
       "these headers, and the connection closed) before anything else sees it: no route, middleware or page cache "
       "runs, so no `request.url` is built on a `Host` a proxy did not check.")
def test_an_http11_request_without_exactly_one_host_is_refused_before_routing(app: Server) -> None:
    host = app.url.removeprefix("http://").encode()
    for head in (b"", b"Host: \r\n", b"Host: evil.example\r\nHost: " + host + b"\r\n",
                 b"Host: " + host + b"\r\nHost: " + host + b"\r\n"):
        for path in (b"/url", b"/stored", b"/api/rows", b"/big.txt"):
            answer = raw(app, b"GET " + path + b" HTTP/1.1\r\n" + head + b"Connection: close\r\n\r\n")
            headers, _, body = answer.partition(b"\r\n\r\n")
            assert status_of(answer) == 400, (path, head, answer[:300])
            assert b"x-content-type-options: nosniff" in headers.lower()
            assert b"x-pyxle-cache" not in headers.lower()  # the page cache never saw it
            assert "Host header" in json.loads(body)["error"]
    fine = raw(app, b"GET /url HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    assert status_of(fine) == 200 and b"http://" + host + b"/url" in fine
    old = raw(app, b"GET /url HTTP/1.0\r\n\r\n")  # HTTP/1.0 had no Host
    assert status_of(old) == 200


@cites("docs/security.md", "A WebSocket handshake is refused alike; HTTP/1.0 needs no `Host`, and HTTP/2 names "
       "the host in `:authority`.")
def test_a_websocket_handshake_without_exactly_one_host_is_refused(app: Server) -> None:
    host = app.url.removeprefix("http://").encode()
    handshake = (b"GET /api/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
    assert status_of(raw(app, handshake + b"Host: " + host + b"\r\n\r\n")[:40]) == 101
    for head in (b"", b"Host: evil.example\r\nHost: " + host + b"\r\n"):
        answer = raw(app, handshake + head + b"\r\n")
        assert status_of(answer) == 400, answer[:300]
        assert b"x-content-type-options: nosniff" in answer.lower()
