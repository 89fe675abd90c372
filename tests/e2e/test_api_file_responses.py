"""A `FileResponse` an API route returns is answered as a file of `public/` is, on a real `pyxle
serve`: Starlette's own answered `Range: items=0-4` and `bytes=5-2` with a plain-text 400 (RFC 9110
says an unknown unit is ignored), refused a multi-range request whole when one range was past the
end, and sent the whole file again to a client holding its `ETag` (100 MB each time)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from email.utils import formatdate

import httpx
import pytest

from tests.conftest import Server, serving, until, write_project
from tests.docs._blocks import cites

DOWNLOAD = '''
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.responses import FileResponse

BLOB = Path(__file__).resolve().parents[2] / "blob.bin"


def done():
    with open(BLOB.with_name("done.log"), "a") as log:
        log.write("sent\\n")


async def get(request):
    if request.query_params.get("background"):
        return FileResponse(BLOB, background=BackgroundTask(done))
    if request.query_params.get("missing"):
        return FileResponse(BLOB.with_name("nothing.bin"))
    return FileResponse(BLOB, filename="blob.bin")
'''
OWN_TAG = '''
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.responses import JSONResponse, StreamingResponse

LOG = Path(__file__).resolve().parents[2] / "stream.log"


async def get(request):
    if request.query_params.get("checks") and request.headers.get("if-none-match") == '"v1"':
        return {}, 304
    if request.query_params.get("background"):
        def done():
            LOG.with_name("own-done.log").write_text("ran\\n")
        return JSONResponse({"rows": []}, headers={"ETag": '"b1"'}, background=BackgroundTask(done))
    if request.query_params.get("dated"):
        return JSONResponse({"rows": [1]}, headers={"Last-Modified": request.query_params["dated"]})
    if request.query_params.get("stream"):
        async def rows():
            try:
                LOG.write_text("started\\n")
                yield b"[1, 2, 3]"
            finally:
                with LOG.open("a") as log:
                    log.write("closed\\n")
        return StreamingResponse(rows(), media_type="application/json", headers={"ETag": '"s1"'})
    return JSONResponse({"rows": [1, 2, 3], "padding": "x" * 2000}, headers={"ETag": '"v1"'})
'''
SIZE = 100_000


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("file-responses") / "app",
                         {"pages/api/download.py": DOWNLOAD, "pages/api/own.py": OWN_TAG}, None)
    (root / "blob.bin").write_bytes(os.urandom(SIZE))
    with serving(root) as server:
        server.blob = (root / "blob.bin").read_bytes()  # type: ignore[attr-defined]
        server.root = root  # type: ignore[attr-defined]
        yield server


def get(app: Server, **headers: str) -> httpx.Response:
    return httpx.get(app.url + "/api/download", headers={"Accept-Encoding": "identity", **headers}, timeout=30)


@cites("docs/api-routes.md", "a `Range` header that is not a valid byte range (another unit such as\n`items=0-4`, "
       "`bytes=5-2`, `bytes=abc`) gets the whole file (`200`)")
@pytest.mark.parametrize("value", ["items=0-4", "bytes=5-2", "bytes=abc", "bytes=", "bytes=0-1,x"])
def test_a_range_that_is_not_a_valid_byte_range_gets_the_whole_file(app: Server, value: str) -> None:
    answer = get(app, range=value)
    assert answer.status_code == 200 and answer.content == app.blob, (value, answer.text[:100])  # type: ignore[attr-defined]
    assert answer.headers["content-disposition"] == 'attachment; filename="blob.bin"'


def test_a_valid_range_is_still_its_part_and_one_past_the_end_416(app: Server) -> None:
    part = get(app, range="bytes=10-19")
    assert part.status_code == 206 and part.content == app.blob[10:20]  # type: ignore[attr-defined]
    assert part.headers["content-range"] == f"bytes 10-19/{SIZE}"
    beyond = get(app, range=f"bytes={SIZE}-")
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{SIZE}"


@cites("docs/api-routes.md", "of several ranges, those that start past the end are\nleft out (`206` with the others")
def test_a_multi_range_request_gets_the_ranges_that_can_be_satisfied(app: Server) -> None:
    answer = get(app, range=f"bytes=0-4,{SIZE + 10}-{SIZE + 20}")
    assert answer.status_code == 206 and answer.content == app.blob[:5]  # type: ignore[attr-defined]
    assert answer.headers["content-range"] == f"bytes 0-4/{SIZE}"


@cites("docs/api-routes.md", "A Starlette `FileResponse` returned for `GET` or `HEAD` is answered as a file of `public/` is\n"
       "([security](security.md#errors-and-files)): its `ETag` and `Last-Modified` (Starlette's, made from the file's size\n"
       "and time) answer a matching `If-None-Match`, or an `If-Modified-Since` no older than the file,\nwith `304`")
def test_a_client_holding_the_file_gets_304(app: Server) -> None:
    first = get(app)
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    for method in ("GET", "HEAD"):
        for held in ({"if-none-match": tag}, {"if-none-match": f'"other", W/{tag}'}, {"if-none-match": "*"},
                     {"if-modified-since": modified}):
            answer = httpx.request(method, app.url + "/api/download", headers={"Accept-Encoding": "identity", **held})
            assert answer.status_code == 304 and answer.content == b"", (method, held)
            assert answer.headers["etag"] == tag and "content-length" not in answer.headers
    assert get(app, **{"if-none-match": '"other"'}).content == app.blob  # type: ignore[attr-defined]
    older = formatdate(0, usegmt=True)
    assert get(app, **{"if-modified-since": older}).status_code == 200


@cites("docs/api-routes.md", "a failed `If-Match` or `If-Unmodified-Since` is a `412`")
def test_a_failed_if_match_is_412_before_the_range_is_read(app: Server) -> None:
    refused = get(app, **{"if-match": '"other"', "range": "bytes=0-4"})
    assert (refused.status_code, refused.json()) == (412, {"error": "Precondition Failed"})
    resumed = get(app, **{"if-match": get(app).headers["etag"], "range": "bytes=0-4"})
    assert resumed.status_code == 206 and resumed.content == app.blob[:5]  # type: ignore[attr-defined]
    stale = get(app, **{"if-unmodified-since": formatdate(0, usegmt=True)})
    assert stale.status_code == 412


def test_a_304_still_runs_the_responses_background_task(app: Server) -> None:
    log = app.root / "done.log"  # type: ignore[attr-defined]
    tag = get(app).headers["etag"]
    held = httpx.get(app.url + "/api/download?background=1", headers={"if-none-match": tag})
    assert held.status_code == 304
    for _ in range(50):  # it runs once the answer is sent
        if log.is_file():
            break
        time.sleep(0.1)
    assert log.read_text() == "sent\n"


def test_a_file_that_is_not_there_is_the_server_error_it_was(app: Server) -> None:
    answer = httpx.get(app.url + "/api/download?missing=1", headers={"if-none-match": "*"})
    assert (answer.status_code, answer.json()) == (500, {"error": "Internal Server Error"})


@cites("docs/api-routes.md", "Any other answer to `GET` or `HEAD` whose handler\ngave it an `ETag` or a "
       "`Last-Modified` gets its `304` the same way")
def test_another_answer_with_its_own_etag_gets_304_when_the_client_holds_it(app: Server) -> None:
    plain = {"Accept-Encoding": "identity"}
    for method in ("GET", "HEAD"):
        for held in ('"v1"', 'W/"v1"', '"other", "v1"', "*"):
            answer = httpx.request(method, app.url + "/api/own", headers={**plain, "if-none-match": held})
            assert (answer.status_code, answer.content) == (304, b""), (method, held)
            assert answer.headers["etag"] == '"v1"' and "content-length" not in answer.headers
    assert httpx.get(app.url + "/api/own", headers={**plain, "if-none-match": '"v2"'}).json()["rows"] == [1, 2, 3]
    checked = httpx.get(app.url + "/api/own?checks=1", headers={"if-none-match": '"v1"'})  # as it did before
    assert checked.status_code == 304 and checked.content == b""


def test_a_compressed_answer_with_its_own_etag_gets_304_for_its_weak_tag(app: Server) -> None:
    first = httpx.get(app.url + "/api/own", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip" and first.headers["etag"] == 'W/"v1"'
    again = httpx.get(app.url + "/api/own", headers={"Accept-Encoding": "gzip", "if-none-match": 'W/"v1"'})
    assert again.status_code == 304 and again.headers["etag"] == 'W/"v1"'


def test_an_answer_with_its_own_last_modified_answers_if_modified_since(app: Server) -> None:
    dated = formatdate(1_700_000_000, usegmt=True)
    url = app.url + "/api/own?dated=" + dated
    assert httpx.get(url, headers={"if-modified-since": dated}).status_code == 304
    assert httpx.get(url, headers={"if-modified-since": formatdate(1_800_000_000, usegmt=True)}).status_code == 304
    assert httpx.get(url, headers={"if-modified-since": formatdate(0, usegmt=True)}).status_code == 200
    assert httpx.get(url, headers={"if-modified-since": "yesterday"}).status_code == 200  # unreadable: ignored
    unreadable = app.url + "/api/own?dated=whenever"
    assert httpx.get(unreadable, headers={"if-modified-since": dated}).status_code == 200


@cites("docs/api-routes.md", "The `304` keeps the `ETag`, `Cache-Control` and `Vary` and runs the\nanswer's background task")
def test_a_304_of_an_answer_with_its_own_etag_runs_its_background_task(app: Server) -> None:
    log = app.root / "own-done.log"  # type: ignore[attr-defined]
    held = httpx.get(app.url + "/api/own?background=1", headers={"if-none-match": '"b1"'})
    assert held.status_code == 304 and "accept-encoding" in held.headers["vary"].lower()
    until(log.is_file, timeout=10)
    assert log.read_text() == "ran\n"


def test_a_held_stream_is_never_begun(app: Server) -> None:
    log = app.root / "stream.log"  # type: ignore[attr-defined]
    assert httpx.get(app.url + "/api/own?stream=1").content == b"[1, 2, 3]"
    log.unlink()
    held = httpx.get(app.url + "/api/own?stream=1", headers={"if-none-match": '"s1"'})
    assert (held.status_code, held.content) == (304, b"")
    time.sleep(0.5)
    assert not log.exists()  # the generator never began: no chunk was made for nobody
