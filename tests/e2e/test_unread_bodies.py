"""An answer sent before its request's body was read (a CSRF refusal, a 405, a handler that ignores
the body) leaves a kept-alive connection fit for the next request: a small body is read and dropped
once the answer is sent; a large or chunked one is answered with ``Connection: close``, so the
client knows not to send another request on it. Before, the server sometimes closed such a
connection unannounced, and the client's next request on it failed ("Server disconnected")."""

from __future__ import annotations

import socket
import time

import pytest

from tests.conftest import Server
from tests.docs._blocks import cites

PAGE = '''
@action
async def save(request):
    return {"saved": True}

export default function Page() {
  return <p>form</p>
}
'''
BODY = b'{"id":1,"starred":true}'
ECHO = '''
from starlette.responses import StreamingResponse

async def post(request):
    async def sizes():
        async for chunk in request.stream():  # read while the answer streams, after it started
            yield f"{len(chunk)}\\n"
    return StreamingResponse(sizes(), media_type="text/plain")
'''


def _answer(sock: socket.socket) -> tuple[bytes, dict[bytes, bytes]]:
    """One answer's status line and headers, its body read by its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before an answer: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines)}
    while len(rest) < int(headers.get(b"content-length", b"0")):
        chunk = sock.recv(65536)
        assert chunk, "the connection closed mid-answer"
        rest += chunk
    return status, headers


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


@pytest.fixture
def server(make_project, start_server) -> Server:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": PAGE,
                            "pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n",
                            "pages/api/echo.py": ECHO})
    return start_server(project)


@cites("docs/deployment.md", "a body of\n  up to 64 KiB is read and dropped once the answer is sent")
@pytest.mark.parametrize("path", ["/api/hello", "/api/__actions/index/save"])  # a 405; a 403 (no CSRF token)
def test_a_refusal_sent_before_its_small_body_arrived_keeps_the_connection_for_the_next_request(
        server: Server, path: str) -> None:
    for delay in (0, 0.001, 0.005, 0.02, 0.05) * 4:
        with _connect(server) as sock:
            sock.sendall(b"POST %s HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                         b"content-length: %d\r\n\r\n" % (path.encode(), len(BODY)))
            time.sleep(delay)  # the answer may be ready before the body is there
            sock.sendall(BODY)
            status, headers = _answer(sock)
            assert status.split()[1] in (b"403", b"405") and headers.get(b"connection") != b"close"
            time.sleep(0.05)
            sock.sendall(b"GET /api/hello HTTP/1.1\r\nhost: x\r\n\r\n")
            status, _ = _answer(sock)  # the next request on the same connection is answered
            assert status.split()[1] == b"200", delay


@cites("docs/deployment.md", "a larger or chunked one is answered\n  with `Connection: close`")
@pytest.mark.parametrize("framing", [b"content-length: 1048576", b"transfer-encoding: chunked"])
def test_a_large_or_chunked_body_left_unread_is_answered_with_connection_close(server: Server, framing: bytes) -> None:
    with _connect(server) as sock:
        sock.sendall(b"POST /api/hello HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n%s\r\n\r\n" % framing)
        sock.sendall(b"10\r\n" + b"x" * 16 + b"\r\n" if b"chunked" in framing else b"x" * 1000)
        status, headers = _answer(sock)
        assert status.split()[1] == b"405" and headers[b"connection"] == b"close"
        sock.settimeout(5)
        assert sock.recv(65536) == b""  # and it is closed, as announced


def test_a_streamed_answer_that_reads_its_body_after_starting_is_not_held_up(server: Server) -> None:
    """The body is unread when the answer starts, and read by the time it ends: nothing is left
    to drain, so the answer ends as soon as the handler does (it waited 1 s for more, once)."""
    took = []
    for _ in range(3):
        began = time.monotonic()
        with _connect(server) as sock:
            sock.sendall(b"POST /api/echo HTTP/1.1\r\nhost: x\r\ncontent-length: 1024\r\nconnection: close\r\n\r\n"
                         + b"x" * 1024)
            while sock.recv(65536):
                pass
        took.append(time.monotonic() - began)
    assert min(took) < 0.5, took
