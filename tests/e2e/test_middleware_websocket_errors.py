"""The project's middleware raising on a WebSocket handshake (one written for HTTP only, reading
``scope["method"]``): the error is Pyxle's, logged as ``pyxle.error`` with the request id, the
entry, its line and a hint, and the access line says what the client got. Real ``pyxle serve``."""

from __future__ import annotations

import asyncio
import re

import pytest
import websockets

from tests.conftest import Server
from tests.docs._blocks import cites

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
FILES = {
    "mw.py": """
        class Naive:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                if scope["type"] == "lifespan":
                    return await self.app(scope, receive, send)
                scope["method"]  # a KeyError on a WebSocket scope
                await self.app(scope, receive, send)
        """,
    "pages/api/echo.py": """
        async def websocket(ws):
            await ws.accept()
            await ws.send_text("echo:" + await ws.receive_text())
            await ws.close()
        """,
    "pyxle.config.json": '{"middleware": ["mw:Naive"]}',
}


async def _handshake(url: str) -> int:
    try:
        async with websockets.connect(url, open_timeout=10):
            return 101
    except websockets.InvalidStatus as exc:
        return exc.response.status_code


@pytest.fixture
def server(make_project, start_server) -> Server:
    return start_server(make_project(FILES), "serve", env=KEY)


@cites("docs/middleware.md", "fails that handshake with a 500, logged as `pyxle.error` with the request id and the same hint")
@cites("docs/middleware.md", "`mw.py:8: middleware[0] 'mw:Naive' raised on a WebSocket handshake (WS /api/echo): KeyError: 'method'`")
def test_a_middleware_raising_on_a_websocket_is_a_pyxle_error_naming_it_with_the_request_id(server: Server) -> None:
    status = asyncio.run(_handshake(server.ws_url + "/api/echo"))
    out = server.wait_for_output('"WS /api/echo"')
    [access] = [line for line in out.splitlines() if '"WS /api/echo"' in line]
    assert f'"WS /api/echo" {status} ' in access, (status, access)  # what the client got, not a 101
    assert status == 500
    rid = access.split()[-1]
    assert re.fullmatch(r"[0-9a-f]{32}", rid), access
    [error] = [line for line in out.splitlines() if " ERROR " in line]
    assert f"pyxle.error [{rid}]: " in error, out
    assert "mw.py:8: middleware[0] 'mw:Naive' raised on a WebSocket handshake (WS /api/echo): KeyError: 'method'" \
           in error, out
    assert 'hint: a middleware must pass what is not HTTP (scope["type"] "lifespan" and "websocket")' in out, out
    assert "Application callable raised" not in out and "_granian" not in error, out
