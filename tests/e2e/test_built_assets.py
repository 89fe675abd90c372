"""The build's hashed assets under ``/_pyxle/`` on a real `pyxle serve`: odd paths are JSON 404s,
conditional requests answer 304 for the variant the client holds, and the ``.br``/``.gz`` twins
are reached only through ``Accept-Encoding`` on the plain URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

PAGE = '''
export default function Page() { return <main><h1>Assets</h1><p>{"padding ".repeat(50)}</p></main> }
'''


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("assets") / "app",
                         {"pages/index.pyxl": PAGE, "public/robots.txt": "User-agent: *\n"})
    with serving(root) as server:
        yield server


@pytest.fixture(scope="module")
def script(app: Server) -> str:
    """The page's module script: a built asset with both twins."""
    html = httpx.get(app.url + "/").text
    found = re.search(r'<script type="module" src="(/_pyxle/[^"]+\.js)"', html)
    assert found, html
    built = built_file(app, found.group(1))
    assert built.with_name(built.name + ".br").is_file() and built.with_name(built.name + ".gz").is_file()
    return found.group(1)


def built_file(app: Server, url: str) -> Path:
    return Path(app.args[1]) / "dist" / "public" / url.lstrip("/")


def fetch(app: Server, path: str, encoding: str = "identity", method: str = "GET", **headers: str) -> httpx.Response:
    """One request with the path sent as written (``%00`` stays ``%00``) and the body as it came."""
    with httpx.Client(base_url=app.url) as client:
        request = client.build_request(method, path, headers={"Accept-Encoding": encoding, **headers})
        response = client.send(request, stream=True)
        response.raw_body = b"".join(response.iter_raw())  # type: ignore[attr-defined]
        response.close()
        return response


@cites("docs/pages.md", "as is a path the OS refuses (a name\n  too long) or a folder; a NUL byte in a path is a 400")
def test_asset_paths_the_os_refuses_or_that_are_folders_are_json_404s_without_a_traceback(app: Server,
                                                                                         script: str) -> None:
    paths = ["/_pyxle/" + "a" * 300 + ".js", "/_pyxle/" + "a/" * 2100 + "x.js", "/_pyxle/chunks", "/_pyxle/chunks/",
             script + "/"]
    for path in paths:
        for method in ("GET", "HEAD"):
            answer = fetch(app, path, method=method)
            assert answer.status_code == 404, (method, path[:80])
            if method == "GET":
                assert json.loads(answer.raw_body) == {"error": "Not Found"}, path[:80]  # type: ignore[attr-defined]
    # A NUL, which no file name holds, is refused before any file is looked up: the router's 400.
    for path in ("/_pyxle/x%00.js", "/_pyxle/%00", script + "%00", "/robots%00.txt"):
        assert fetch(app, path).status_code == 400, path
    assert fetch(app, script).status_code == 200
    output = app.output()
    assert "Traceback" not in output and "embedded null byte" not in output, output[-3000:]


@cites("docs/pages.md", "a matching `If-None-Match`")
def test_a_matching_if_none_match_answers_304_for_each_encoding_on_get_and_head(app: Server, script: str) -> None:
    for encoding in ("identity", "br", "gzip"):
        first = fetch(app, script, encoding)
        assert first.status_code == 200 and first.raw_body  # type: ignore[attr-defined]
        tag = first.headers["etag"]
        for held in (tag, "W/" + tag, f'"stale", {tag}', f'W/"stale" ,W/{tag}', "*"):
            for method in ("GET", "HEAD"):
                again = fetch(app, script, encoding, method, **{"If-None-Match": held})
                assert again.status_code == 304, (encoding, held, method)
                assert again.raw_body == b""  # type: ignore[attr-defined]
                assert again.headers["etag"].removeprefix("W/") == tag
                assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
                assert "accept-encoding" in again.headers["vary"].lower()
        missed = fetch(app, script, encoding, **{"If-None-Match": '"stale", W/"other"'})
        assert missed.status_code == 200 and missed.raw_body == first.raw_body  # type: ignore[attr-defined]


@cites("docs/pages.md", "Each encoding of an asset has its own `ETag`")
def test_each_encoding_of_an_asset_carries_its_own_etag_so_a_304_never_revalidates_another(app: Server,
                                                                                         script: str) -> None:
    tags = {encoding: fetch(app, script, encoding).headers["etag"] for encoding in ("identity", "br", "gzip")}
    assert len(set(tags.values())) == 3, tags
    plain = built_file(app, script).read_bytes()
    for held, encoding in (("br", "identity"), ("br", "gzip"), ("gzip", "br"), ("identity", "br")):
        answer = fetch(app, script, encoding, **{"If-None-Match": tags[held]})
        assert answer.status_code == 200, (held, encoding)
        assert answer.headers["etag"] == tags[encoding]
        assert answer.headers.get("content-encoding") == (None if encoding == "identity" else encoding)
    whole = fetch(app, script, "identity", **{"If-None-Match": tags["br"]})
    assert whole.raw_body == plain  # type: ignore[attr-defined]


@cites("docs/pages.md", "(or, without one,\n  an `If-Modified-Since` no older than the file) answers `304 Not Modified`")
def test_if_modified_since_answers_304_unless_the_file_is_newer_and_if_none_match_wins(app: Server,
                                                                                     script: str) -> None:
    for encoding in ("identity", "br"):
        first = fetch(app, script, encoding)
        modified = first.headers["last-modified"]
        stamp = parsedate_to_datetime(modified).timestamp()
        later, earlier = formatdate(stamp + 3600, usegmt=True), formatdate(stamp - 3600, usegmt=True)
        asctime = parsedate_to_datetime(modified).strftime("%a %b %d %H:%M:%S %Y")
        for since in (modified, later, asctime):
            for method in ("GET", "HEAD"):
                again = fetch(app, script, encoding, method, **{"If-Modified-Since": since})
                assert again.status_code == 304 and again.raw_body == b"", (encoding, since, method)  # type: ignore[attr-defined]
                assert again.headers["etag"] == first.headers["etag"]
        for since in (earlier, "yesterday", ""):
            answer = fetch(app, script, encoding, **{"If-Modified-Since": since})
            assert answer.status_code == 200 and answer.raw_body == first.raw_body, since  # type: ignore[attr-defined]
        stale = fetch(app, script, encoding, **{"If-None-Match": '"stale"', "If-Modified-Since": later})
        assert stale.status_code == 200
        held = fetch(app, script, encoding, **{"If-None-Match": first.headers["etag"], "If-Modified-Since": earlier})
        assert held.status_code == 304


@cites("docs/pages.md", "The `.br`/`.gz` twins\n  have no URL of their own: requesting one directly is a 404")
def test_the_precompressed_twins_have_no_url_of_their_own(app: Server, script: str) -> None:
    for suffix in (".br", ".gz"):
        for encoding in ("identity", "br, gzip"):
            twin = fetch(app, script + suffix, encoding)
            assert twin.status_code == 404, (suffix, encoding)
            assert json.loads(twin.raw_body) == {"error": "Not Found"}  # type: ignore[attr-defined]
    assert fetch(app, script, "br").headers["content-encoding"] == "br"
    assert fetch(app, script, "gzip").headers["content-encoding"] == "gzip"


@cites("docs/pages.md", "A 404 under `/_pyxle/` carries `Cache-Control: no-store`, so no browser or CDN keeps it")
def test_a_missing_build_file_is_a_404_nothing_keeps(app: Server, script: str) -> None:
    """A chunk asked for before its build was deployed here (a rolling deploy) had no Cache-Control:
    a CDN that stores 404s by default kept answering it after the file came."""
    for path in ("/_pyxle/page_later-NOTBUILT.js", script + ".br", "/_pyxle/chunks/"):
        missing = fetch(app, path, "identity")
        assert missing.status_code == 404, path
        assert missing.headers["cache-control"] == "no-store", path
        assert json.loads(missing.raw_body) == {"error": "Not Found"}  # type: ignore[attr-defined]
    assert fetch(app, script, "identity").headers["cache-control"] == "public, max-age=31536000, immutable"


@cites("docs/deployment.md", "Other methods at a file's URL (in `public/` or under `/_pyxle/`)\n  are answered as at a "
       "page's: `OPTIONS` with `204` and `Allow: GET, HEAD, OPTIONS`, any other\n  with `405` and that `Allow`")
@cites("docs/deployment.md", "which refuses an unsafe method\n  without its token with `403` at every URL); a URL with no "
       "file behind it stays a 404")
def test_other_methods_at_a_files_url_are_405_and_options_204_as_at_a_page(app: Server, script: str) -> None:
    """They got the 404 of a URL with nothing there (an HTML page for public/'s); StaticFiles and
    nginx answer 405. With the CSRF token, as the CSRF check answers 403 first (at a page too)."""
    with httpx.Client(base_url=app.url) as client:
        client.get("/")
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        at_page = client.post("/", headers=token)
        assert at_page.status_code == 405 and client.options("/").status_code == 204
        for path in ("/robots.txt", script):
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                refused = client.request(method, path, headers=token)
                assert refused.status_code == 405, (method, path)
                assert refused.headers["allow"] == at_page.headers["allow"] == "GET, HEAD, OPTIONS"
                assert refused.json() == at_page.json() == {"error": "Method Not Allowed"}
            options = client.options(path)
            assert (options.status_code, options.headers["allow"], options.content) == (204, "GET, HEAD, OPTIONS", b"")
            assert client.post(path).status_code == 403  # no token: the CSRF check, before any route
        for path in ("/nothing.txt", "/robots.txt/", "/_pyxle/nothing.js", script + ".br"):
            for method in ("POST", "OPTIONS"):
                assert client.request(method, path, headers=token).status_code == 404, (method, path)
        assert client.get("/robots.txt").text == "User-agent: *\n"


@cites("docs/security.md", "Of several ranges in one request, those\n  that start past the end are left out and the others answered (`206`)")
@cites("docs/security.md", "only when none can be\n  satisfied is it a `416`")
@pytest.mark.parametrize("where", ["public", "asset"])
def test_a_multi_range_request_gets_the_ranges_that_can_be_satisfied(app: Server, script: str, where: str) -> None:
    """A 416 is for a request none of whose ranges can be satisfied (RFC 9110 §15.5.17): one that
    also asked for a part past the end was refused whole."""
    path = "/robots.txt" if where == "public" else script
    whole = fetch(app, path).raw_body  # type: ignore[attr-defined]
    size = len(whole)
    one = fetch(app, path, range=f"bytes=0-4,{size + 5000}-{size + 6000}")
    assert one.status_code == 206 and one.raw_body == whole[:5]  # type: ignore[attr-defined]
    assert one.headers["content-range"] == f"bytes 0-4/{size}"
    two = fetch(app, path, range=f"bytes=0-1,{size}-,3-4,-0")
    assert two.status_code == 206 and two.headers["content-type"].startswith("multipart/byteranges")
    assert whole[:2] in two.raw_body and whole[3:5] in two.raw_body  # type: ignore[attr-defined]
    assert f"bytes 0-1/{size}".encode() in two.raw_body and f"bytes 3-4/{size}".encode() in two.raw_body  # type: ignore[attr-defined]
    none = fetch(app, path, range=f"bytes={size}-,{size + 10}-{size + 20}")
    assert none.status_code == 416 and none.headers["content-range"] == f"bytes */{size}"
