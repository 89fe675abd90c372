"""Streaming SSR on a real `pyxle serve`, measured on the socket: the shell first, the slow part later
in the same response; loading.pyxl as a folder's fallback; statuses before the first byte; errors
before and after the shell; bots; compression; and in Chromium, hydration without a warning."""

from __future__ import annotations

import json
import re
import socket
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import brotli
import httpx
import pytest

from tests.conftest import PageWatch, Server, link_node_modules, server_env, serving, write_project
from tests.docs._blocks import cites, doc_block

DOC = "docs/pages.md"

SLOW = '''
HEAD = "<title>Streaming</title>"
from starlette.responses import RedirectResponse

@server
async def load(request):
    if request.query_params.get("missing"):
        raise LoaderError("No such report", status_code=404)
    if request.query_params.get("go"):
        return RedirectResponse("/fast", status_code=307)
    return {"delay": 1000, "explode": bool(request.query_params.get("explode"))}

import React, { Suspense, use } from 'react'
import './slow.css'

const waits = new WeakMap()  // one wait per render (the props object), so the shell never waits
function Slow({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('the slow part'), data.delay)))
  return <p id="slow">{use(promise)}</p>
}

function Explode({ data }) {
  if (data.explode) throw new Error('secret shell detail')
  return null
}

export default function Page({ data }) {
  return (
    <main>
      <h1 id="shell">The shell</h1>
      <Explode data={data} />
      <Suspense fallback={<p id="fallback">loading the slow part</p>}><Slow data={data} /></Suspense>
    </main>
  )
}
'''
BROKEN = '''
import React, { Suspense, use } from 'react'

const waits = new WeakMap()
function Fails({ data }) {
  if (typeof window === 'undefined') {
    let promise = waits.get(data)
    if (!promise) waits.set(data, promise = new Promise((_, reject) => setTimeout(() => reject(new Error('secret boundary detail')), 300)))
    use(promise)
  }
  return <p id="late">rendered in the browser</p>
}

export default function Page({ data }) {
  return <main><h1>Broken part</h1><Suspense fallback={<p id="fallback">loading</p>}><Fails data={data} /></Suspense></main>
}
'''
FOLDER_PAGE = '''
import React, { use } from 'react'
const waits = new WeakMap()
export default function Report({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('the report'), 600)))
  return <p id="report">{use(promise)}</p>
}
'''
REPORTS_LAYOUT = '''
export default function Layout({ children }) { return <section id="reports-layout">{children}</section> }
'''
LATE_HEAD = '''
HEAD = "<title>Early title</title>"

import React, { Suspense, use } from 'react'
import { Head } from 'pyxle/client'
const waits = new WeakMap()
function Late({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, 300)))
  use(promise)
  return <><Head><title>Late title</title></Head><p id="late">late</p></>
}
export default function Page({ data }) {
  return <main><Suspense fallback={<p>wait</p>}><Late data={data} /></Suspense></main>
}
'''
NEVER = '''
import React, { Suspense, use } from 'react'
const never = new Promise(() => {})
function Hangs() { return <p>{use(never)}</p> }
export default function Page() { return <main><Suspense fallback={<p id="fallback">waiting</p>}><Hangs /></Suspense></main> }
'''
NEVER_STORED = '''
@server
async def load(request):
    return {"data": {"stored": "asked to be"}, "revalidate": 60}

import React, { Suspense, use } from 'react'
const never = new Promise(() => {})
function Hangs() { return <p>{use(never)}</p> }
export default function Page({ data }) {
  return <main><h1 id="shell">{data.stored}</h1><Suspense fallback={<p id="fallback">waiting</p>}><Hangs /></Suspense></main>
}
'''
DIES = '''
import React, { Suspense, use } from 'react'
const waits = new WeakMap()
function Dies({ data }) {
  if (typeof window === 'undefined') {  // the SSR worker running it exits while the page streams
    let promise = waits.get(data)
    if (!promise) waits.set(data, promise = new Promise(() => setTimeout(() => process.exit(3), 300)))
    use(promise)
  }
  return <p id="late">rendered in the browser</p>
}
export default function Page({ data }) {
  return <main><h1 id="shell">Dies</h1><Suspense fallback={<p id="fallback">loading</p>}><Dies data={data} /></Suspense></main>
}
'''
CHATTY = '''
import React, { Suspense, use } from 'react'
const waits = new WeakMap()
function Chatty({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, 200)))
  use(promise)
  if (typeof window === 'undefined') console.log('said after the shell')
  return <p id="late">late</p>
}
export default function Page({ data }) {
  return <main><Suspense fallback={<p>wait</p>}><Chatty data={data} /></Suspense></main>
}
'''
SLOW_PART = '<p id="slow">the slow part</p>'
FAST = '''
@server
async def load(request):
    return {"n": 1}

export default function Page({ data }) { return <p id="fast">fast {data.n}</p> }
'''


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("streaming") / "app"
    files = {"pages/index.pyxl": SLOW, "pages/slow.css": "#shell { color: rebeccapurple }", "pages/broken.pyxl": BROKEN,
             "pages/reports/index.pyxl": FOLDER_PAGE, "pages/reports/loading.pyxl": doc_block(DOC, "streaming-loading"),
             "pages/reports/layout.pyxl": REPORTS_LAYOUT, "pages/doc.pyxl": doc_block(DOC, "streaming-page"),
             "pages/late-head.pyxl": LATE_HEAD, "pages/never.pyxl": NEVER, "pages/hang.pyxl": NEVER, "pages/dies.pyxl": DIES,
             "pages/never-stored.pyxl": NEVER_STORED, "pages/fast.pyxl": FAST,
             "pages/chatty.pyxl": CHATTY, "pages/reports/quick.pyxl": FAST}
    with serving(write_project(root, files), "--ssr-timeout", "2") as server:
        for path in ("/", "/broken", "/reports", "/doc", "/late-head"):  # every SSR worker learns that these suspend
            for _ in range(4):
                httpx.get(server.url + path, timeout=30)
        yield server


class Arrivals:
    """A response read off a raw socket: its head, and each piece of its body with its arrival time."""

    def __init__(self, server: Server, path: str, headers: dict[str, str] | None = None) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        lines = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.pieces: list[tuple[float, bytes]] = []
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            began = time.monotonic()
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{lines}Connection: close\r\n\r\n".encode())
            raw = b""
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                raw += data
                self.pieces.append((time.monotonic() - began, data))
        self.head, _, _ = raw.partition(b"\r\n\r\n")
        self.status = int(self.head.split(b" ", 2)[1])
        self.headers = {k.lower(): v for k, _, v in (line.decode().partition(": ") for line in self.head.split(b"\r\n")[1:])}
        self.body_pieces = self._body_pieces()

    def _body_pieces(self) -> list[tuple[float, bytes]]:
        """(arrival, payload) of each HTTP chunk (or the whole body when it has a length)."""
        out, pending = [], b""
        start = True
        for at, data in self.pieces:
            if start:
                data = data.partition(b"\r\n\r\n")[2]
                start = False
            if "transfer-encoding" not in self.headers:
                out.append((at, data))
                continue
            pending += data
            while True:
                size_line, sep, rest = pending.partition(b"\r\n")
                if not sep:
                    break
                size = int(size_line, 16)
                if len(rest) < size + 2:
                    break
                if size:
                    out.append((at, rest[:size]))
                pending = rest[size + 2:]
        return out

    def text(self) -> str:
        return b"".join(piece for _, piece in self.body_pieces).decode()


@cites(DOC, "A streamed answer has `Transfer-Encoding: chunked` and `X-Accel-Buffering: no`")
def test_the_shell_leaves_within_100_ms_and_the_slow_part_follows_in_the_same_response(app: Server) -> None:
    # The best of three: a shell held for the slow part (1 s) misses every time; a busy machine
    # (CI met 215 ms with other work on both cores) delays one answer, not three.
    answers = [Arrivals(app, "/") for _ in range(3)]
    answer = min(answers, key=lambda arrivals: arrivals.body_pieces[0][0])
    assert answer.status == 200 and answer.headers["transfer-encoding"] == "chunked"
    assert answer.headers["x-accel-buffering"] == "no"
    first_at, first = answer.body_pieces[0]
    assert first_at < 0.1, f"the shell took {first_at * 1000:.0f} ms"
    shell = first.decode()
    assert "<title>Streaming</title>" in shell and 'rel="stylesheet"' in shell and 'rel="modulepreload"' in shell
    assert 'id="shell"' in shell and "loading the slow part" in shell and SLOW_PART not in shell
    assert 'id="pyxle-props"' in shell and '<script type="module" async src=' in shell
    rest = [(at, piece) for at, piece in answer.body_pieces[1:] if SLOW_PART.encode() in piece]
    assert rest and rest[0][0] >= 0.9, "the slow part came later, in the same response"
    assert answer.text().endswith("</body></html>")


def test_the_docs_example_streams_its_shell_then_the_slow_part(app: Server) -> None:
    answer = Arrivals(app, "/doc")
    first_at, first = answer.body_pieces[0]
    assert first_at < 0.5 and b"loading the slow part" in first and SLOW_PART.encode() not in first
    assert next(at for at, piece in answer.body_pieces if SLOW_PART.encode() in piece) >= 0.9


@cites(DOC, "A folder's `loading.pyxl` is the Suspense fallback of everything the folder holds (its pages, and\n"
            "the folders below with their layouts), inside the folder's own layout and template")
def test_a_folders_loading_pyxl_is_the_fallback_of_its_pages_inside_its_layout(app: Server) -> None:
    answer = Arrivals(app, "/reports")
    first_at, first = answer.body_pieces[0]
    assert first_at < 0.5 and b"the report</p>" not in first
    assert b'<section id="reports-layout"><!--$?--><template id="B:0"></template><p id="loading">the report is loading' in first
    assert "the report</p>" in answer.text() and "data-pyxle-reached" not in answer.text()  # the server's own markers


@cites(DOC, "`<Head>` inside a boundary that is still loading when the shell goes out is not in the document's\n  head")
def test_a_head_inside_a_boundary_that_is_still_loading_is_not_in_the_head(app: Server) -> None:
    answer = Arrivals(app, "/late-head")
    assert "transfer-encoding" in answer.headers and '<p id="late">late</p>' in answer.text()
    assert "<title>Early title</title>" in answer.text() and "Late title" not in answer.text()


@cites(DOC, "a `LoaderError`,\n  a redirect or a not-found keeps its status and its error page")
def test_statuses_and_redirects_of_loaders_are_kept(app: Server) -> None:
    missing = httpx.get(app.url + "/?missing=1")
    assert missing.status_code == 404 and "No such report" in missing.text and "transfer-encoding" not in missing.headers
    moved = httpx.get(app.url + "/?go=1", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/fast"
    assert httpx.get(app.url + "/nothing-here").status_code == 404


@cites(DOC, "A render error before the shell is ready (outside every boundary) is the error page with 500.")
def test_a_render_error_before_the_shell_is_the_500_error_page(app: Server) -> None:
    answer = httpx.get(app.url + "/?explode=1")
    assert answer.status_code == 500 and "secret shell detail" not in answer.text
    assert "Internal Server Error" in answer.text
    app.wait_for_output("secret shell detail")  # in the server's log only (it may reach the test after the answer)


@cites(DOC, "the\n  answer carries only a digest (`pyxle-` and 8 characters), the error and its stack go to the\n"
            "  server's log with that digest")
def test_an_error_inside_a_boundary_after_the_shell_is_logged_and_left_to_the_browser(app: Server) -> None:
    answer = Arrivals(app, "/broken")
    assert answer.status == 200
    body = answer.text()
    assert "secret boundary detail" not in body and body.endswith("</body></html>")
    digests = re.findall(r'\$RX\("B:\d+","(pyxle-[0-9a-f]{8})"', body)
    assert digests, body
    deadline = time.monotonic() + 5
    while f"(digest {digests[0]})" not in app.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    logged = [line for line in app.output().splitlines() if f"(digest {digests[0]})" in line]
    assert logged and "secret boundary detail" in app.output()


def test_console_output_from_a_part_rendered_after_the_shell_is_tagged_with_its_page(app: Server) -> None:
    """The worker tagged output with the page only while the first pass ran; a boundary resolving
    later was logged as from 'the SSR worker'."""
    answer = Arrivals(app, "/chatty")
    assert answer.status == 200 and '<p id="late">late</p>' in answer.text()
    assert "console output from page 'chatty': said after the shell" in app.wait_for_output("said after the shell")


@cites(DOC, "Navigation JSON is the same for a page that streams")
def test_navigation_json_of_a_streaming_page_is_unchanged(app: Server) -> None:
    nav = httpx.get(app.url + "/", headers={"x-pyxle-navigation": "1"})
    assert nav.status_code == 200 and "transfer-encoding" not in nav.headers
    body = nav.json()
    assert body["props"] == {"data": {"delay": 1000, "explode": False}, "layoutData": {}}
    assert body["headMarkup"] == "<title>Streaming</title>" and body["page"]["id"] == "index"


@cites(DOC, "Crawlers and link previews (a `User-Agent` such as Googlebot's, bingbot's, Slackbot's,\n"
            "  facebookexternalhit's) get the whole document in one piece, with a `Content-Length` and no\n  fallbacks")
@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
])
def test_bots_get_the_whole_document_in_one_piece(app: Server, agent: str) -> None:
    answer = Arrivals(app, "/", {"User-Agent": agent})
    assert "transfer-encoding" not in answer.headers and int(answer.headers["content-length"]) > 0
    text = answer.text()
    assert SLOW_PART in text and "loading the slow part" not in text
    assert "$RC" not in text and '<script type="module" src=' in text


@cites(DOC, "Those agents are the\n  ones Next.js serves so (its `HTML_LIMITED_BOT_UA_RE`")
@cites(DOC, "the link previews of Mastodon, Bluesky and\n  Iframely")
@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)",
    "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
    "Tumblr/14.0.835.186",
    "facebookcatalog/1.0",
    "Mozilla/5.0 (compatible; GoogleOther)",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
])
def test_link_previews_beyond_the_usual_bots_get_the_whole_document_too(app: Server, agent: str) -> None:
    """These were streamed: a ``<Head>`` inside a boundary reached them after the layout's title."""
    answer = Arrivals(app, "/", {"User-Agent": agent})
    assert "transfer-encoding" not in answer.headers and int(answer.headers["content-length"]) > 0
    assert SLOW_PART in answer.text()


def test_a_browser_is_not_taken_for_a_bot(app: Server) -> None:
    chrome = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
    assert "transfer-encoding" in Arrivals(app, "/", {"User-Agent": chrome}).headers


@cites(DOC, "A page that does not suspend is rendered with `renderToString` in one piece, as before, with its\n"
            "  `Content-Length` and `ETag`.")
def test_a_page_without_suspense_keeps_the_fast_path(app: Server) -> None:
    answer = Arrivals(app, "/fast")
    assert "transfer-encoding" not in answer.headers and "etag" in answer.headers
    assert int(answer.headers["content-length"]) == len(answer.text().encode())
    assert '<div id="pyxle-root"><p id="fast">fast <!-- -->1</p></div>' in answer.text()
    assert '<script type="module" src=' in answer.text()


@cites(DOC, "`ETag` on the navigation JSON and the HTML document Pyxle renders for a page (`200`), stored or\n"
            "  not, except a [streamed](#streaming) document (`Transfer-Encoding: chunked`: a page that\n"
            "  suspends, or one under a `loading.pyxl`, still waiting when its shell is ready), whose headers\n"
            "  go before its body is rendered; its navigation JSON has one.")
@pytest.mark.parametrize("path", ["/", "/reports"], ids=["suspends", "loading-pyxl"])
def test_a_streamed_document_has_no_etag_while_its_navigation_json_has_one(app: Server, path: str) -> None:
    """pages.md said "`ETag` on every HTML document and navigation JSON": a streamed document's
    headers go before its body exists, so it has none (and never answers 304)."""
    streamed = Arrivals(app, path)
    assert streamed.status == 200 and streamed.headers.get("transfer-encoding") == "chunked"
    assert "etag" not in streamed.headers, streamed.headers
    navigation = httpx.get(app.url + path, headers={"x-pyxle-navigation": "1"}, timeout=30)
    assert navigation.status_code == 200 and navigation.json()["ok"] is True
    tag = navigation.headers["etag"]
    again = httpx.get(app.url + path, headers={"x-pyxle-navigation": "1", "If-None-Match": tag}, timeout=30)
    assert again.status_code == 304 and again.headers["etag"] == tag


@cites(DOC, "Such a page whose every part was\n  ready with the shell is answered whole, with its `ETag`.")
def test_a_page_under_loading_pyxl_ready_with_its_shell_is_answered_whole_with_its_etag(app: Server) -> None:
    answer = Arrivals(app, "/reports/quick")
    assert answer.status == 200 and "transfer-encoding" not in answer.headers, answer.headers
    assert int(answer.headers["content-length"]) == len(answer.text().encode()) and "etag" in answer.headers
    assert 'id="fast">fast <!-- -->1</p>' in answer.text()


@cites(DOC, "What is still loading after the render timeout (`--ssr-timeout`, 10 s by default) is left to the\n"
            "  browser in the same way, and the answer ends.")
def test_what_never_loads_is_left_to_the_browser_after_the_render_timeout(app: Server) -> None:
    answer = Arrivals(app, "/never")
    assert answer.status == 200 and answer.text().endswith("</body></html>")
    ended = answer.body_pieces[-1][0]
    assert 1.5 < ended < 10, f"ended after {ended:.1f} s (--ssr-timeout 2)"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@cites(DOC, "with compression on, each chunk is compressed and flushed on its own")
def test_a_compressed_stream_still_streams(app: Server, encoding: str) -> None:
    answer = Arrivals(app, "/", {"Accept-Encoding": encoding})
    assert answer.headers["content-encoding"] == encoding
    inflate = brotli.Decompressor() if encoding == "br" else zlib.decompressobj(31)
    shown = []
    for at, piece in answer.body_pieces:
        out = inflate.process(piece) if encoding == "br" else inflate.decompress(piece)
        shown.append((at, out.decode()))
    assert shown[0][0] < 0.5 and "loading the slow part" in shown[0][1], shown[0]
    later = [at for at, text in shown if SLOW_PART in text]
    assert later and later[0] >= 0.9
    assert "".join(text for _, text in shown).endswith("</body></html>")


def test_streamed_pages_hydrate_without_a_warning(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.wait_for_selector("#slow", timeout=15000)
    assert page.page.inner_text("#slow") == "the slow part"
    assert page.page.locator("#fallback").count() == 0
    page.page.goto(app.url + "/reports")
    page.hydrated()
    page.page.wait_for_selector("#report", timeout=15000)
    assert page.page.locator("#loading").count() == 0
    assert page.problems() == []


@cites(DOC, "the browser's console says `a part of this page was rendered\n  in the browser (digest ...)`, not a hydration error")
def test_a_boundary_that_failed_on_the_server_is_rendered_by_the_browser(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/broken")
    page.hydrated()
    page.page.wait_for_selector("#late", timeout=15000)
    assert page.page.inner_text("#late") == "rendered in the browser"
    assert page.problems() == []
    notes = [text for kind, text, _ in page.messages if kind == "info" and "rendered in the browser" in text]
    assert notes and "secret boundary detail" not in json.dumps(page.messages)


def test_a_streamed_page_navigates_client_side(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/fast")
    page.hydrated()
    page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/')")
    page.page.wait_for_selector("#slow", timeout=15000)
    assert page.page.title() == "Streaming" and page.problems() == []


@cites(DOC, "so does a page being stored by the [page cache](#caching-pages)")
def test_a_page_that_streams_can_be_stored_and_is_stored_whole(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "index.pyxl").write_text(SLOW.replace('return {"delay": 1000, ', 'return {"data": {"delay": 300, ')
                                               .replace('bool(request.query_params.get("explode"))}',
                                                        'False}, "revalidate": 60}'))
    (root / "pages" / "slow.css").write_text("")
    link_node_modules(root)
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env())
    server.wait_ready(60)
    try:
        first = httpx.get(server.url + "/")
        again = httpx.get(server.url + "/")
        assert first.headers["x-pyxle-cache"] == "MISS" and again.headers["x-pyxle-cache"] == "HIT"
        for answer in (first, again):
            assert '<p id="slow">the slow part</p>' in answer.text and "loading the slow part" not in answer.text
            assert "transfer-encoding" not in answer.headers
    finally:
        server.stop()


@cites(DOC, "A page whose boundary failed or timed out in that render is answered as it is, but not stored.")
@cites(DOC, "visitor of a page that asks to be stored, and has a part slower than the render timeout, waits\n"
            "  the whole timeout for a page with that part's fallback")
def test_a_page_for_the_store_whose_boundary_is_still_loading_at_the_render_timeout_is_not_stored(
        app: Server) -> None:
    """Stored, it was served with its fallback to everyone until due. The pool also expired such a
    render (answered whole) at the very timeout the worker ends it at, so the first render on a new
    worker was often killed and answered 500."""
    for _ in range(2):
        began = time.monotonic()
        answer = httpx.get(app.url + "/never-stored", timeout=30)
        assert time.monotonic() - began >= 1.9  # each visitor waits the whole --ssr-timeout 2
        assert answer.status_code == 200 and "x-pyxle-cache" not in answer.headers, answer.headers
        assert answer.headers["cache-control"] == "private, no-cache"
        assert 'id="fallback"' in answer.text and "asked to be" in answer.text


@cites(DOC, "A client that goes away while its page streams stops\n  the render at once.")
def test_a_client_that_goes_away_stops_its_render(app: Server) -> None:
    """The worker aborts the render at once: it never reaches the render timeout, which logs (as
    the test of /never, the same page, shows)."""
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"GET /hang HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        received = b""
        while b'id="fallback"' not in received:  # the head and the shell may arrive in separate reads
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
    time.sleep(3.5)  # past --ssr-timeout 2
    assert not [line for line in app.output().splitlines() if "'hang'" in line and "still loading after" in line]
    assert httpx.get(app.url + "/fast").status_code == 200


def test_a_worker_that_dies_while_streaming_ends_the_page_and_is_replaced(app: Server) -> None:
    answer = Arrivals(app, "/dies")
    assert answer.status == 200 and 'id="shell"' in answer.text() and answer.text().endswith("</body></html>")
    deadline = time.monotonic() + 10
    while "streaming page 'dies' stopped" not in app.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "streaming page 'dies' stopped: the SSR worker stopped while streaming the page\n" in app.output()
    for _ in range(4):
        assert httpx.get(app.url + "/fast", timeout=30).status_code == 200
