"""Pyxle's body errors (413 for a streamed body over ``maxBodySize``, 408 for one too slow, 499 for a
client gone) through a Starlette ``BaseHTTPMiddleware``, which reads the body inside an anyio task
group and so hands them on wrapped in an ``ExceptionGroup``. Real ``pyxle serve``, raw sockets."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from tests.conftest import Server
from tests.docs._blocks import cites

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
FILES = {
    "app_middleware.py": """
        from starlette.middleware.base import BaseHTTPMiddleware

        class Tag(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                response.headers["x-tag"] = "1"
                return response
        """,
    "pages/api/echo.py": """
        async def post(request):
            return {"len": len(await request.body())}
        """,
    "pages/index.pyxl": """
        @action
        async def save(request):
            return {"len": len(await request.body())}

        export default function Page() {
          return <p>form</p>
        }
        """,
    "hooks.py": """
        class Seen:
            def on_error(self, request, context, exc):
                print("on_error saw", type(exc).__name__, flush=True)
        """,
    "pyxle.config.json": '{"middleware": ["app_middleware:Tag"], "maxBodySize": 1000, "csrf": false, '
                         '"routeMiddleware": {"apis": ["hooks:Seen"]}}',
}


@pytest.fixture
def server(make_project, start_server) -> Server:
    return start_server(make_project(FILES), "serve", "--body-timeout", "2", env=KEY)


def _address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def _chunked(size: int):  # a generator: httpx sends it without a length, chunked
    for _ in range(size // 500):
        yield b" " * 500


def _clean(out: str) -> None:
    assert "Traceback" not in out and " ERROR " not in out and "ExceptionGroup" not in out, out


@cites("docs/middleware.md", "a\nstreamed body that crosses the limit is found as the app reads it, so that 413 passes through it")
def test_a_chunked_body_over_the_limit_is_a_413_through_a_base_http_middleware(server: Server) -> None:
    answer = httpx.post(server.url + "/api/echo", content=_chunked(5000))
    assert answer.status_code == 413, answer.text
    assert answer.json() == {"error": "Request body is larger than the limit of 1000 bytes"}
    assert answer.headers.get("x-tag") == "1"  # it passed through the middleware
    server.wait_for_output('"POST /api/echo" 413')
    _clean(server.output())
    assert "on_error saw BodyTooLarge" in server.output()  # a route hook's on_error gets the refusal, unwrapped


def test_a_chunked_action_body_over_the_limit_is_a_413_through_a_base_http_middleware(server: Server) -> None:
    answer = httpx.post(server.url + "/api/__actions/index/save", content=_chunked(5000),
                        headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert answer.json()["ok"] is False
    _clean(server.wait_for_output('"POST /api/__actions/index/save" 413'))


def test_a_stalled_body_is_a_408_through_a_base_http_middleware(server: Server) -> None:
    with socket.create_connection(_address(server), timeout=15) as sock:
        sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n0123456789")
        started = time.monotonic()
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert 1.5 < time.monotonic() - started < 6
    assert json.loads(answer.partition(b"\r\n\r\n")[2]) == {"error": "Request body was not received within 2s"}
    _clean(server.wait_for_output('"POST /api/echo" 408'))


def test_a_client_leaving_mid_body_is_a_499_and_one_info_line_through_a_base_http_middleware(server: Server) -> None:
    with socket.create_connection(_address(server), timeout=15) as sock:
        sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n0123456789")
        time.sleep(0.5)
    out = server.wait_for_output('"POST /api/echo" 499')
    assert "POST /api/echo: client disconnected before sending the whole body (499)" in out
    _clean(out)
