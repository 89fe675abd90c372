"""While ``realtime.apiRoutes`` is unset, start-up names the API routes that take WebSockets from
any site's pages (a browser opens them with the visitor's cookies: cross-site WebSocket hijacking),
as the CSRF note names unchecked POST routes. Before, nothing said so: the probe of hostile
WebSocket clients opened the docs' own chat route from another site and read the victim's cookie."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.docs._blocks import cites

ROOM = """
from starlette.websockets import WebSocket


async def websocket(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_text(ws.cookies.get("session", "none"))
    await ws.close()
"""
FILES = {"pages/api/rooms/[room].py": ROOM, "pages/api/echo.py": ROOM,
         "pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n"}
NOTE = ("realtime: pages/api/echo.py, pages/api/rooms/[room].py take WebSockets from any site's pages, with the "
        "visitor's cookies: the Origin of an API route's socket is checked only when realtime.apiRoutes says so")


def opened(url: str) -> str | int:
    """What another site's page gets from ``url``: the socket's first message, or the close code."""
    async def run() -> str | int:
        async with websockets.connect(url, origin="https://evil.example",
                                      additional_headers={"Cookie": "session=victim"}) as ws:
            try:
                return await ws.recv()
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else 1006
    return asyncio.run(run())


@cites("docs/realtime.md", "while `apiRoutes` is unset, start-up names the API routes that take WebSockets from any\n"
                           "  site")
def test_api_routes_taking_websockets_from_any_site_are_named_once_at_start_up(make_project, start_server) -> None:
    server = start_server(make_project(FILES), "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert server.output().count(NOTE) == 1, server.output()
    assert opened(server.url.replace("http", "ws") + "/api/rooms/a") == "victim"  # what the note warns of


@cites("docs/realtime.md", "`false` accepts them without that note")
@pytest.mark.parametrize("setting", [False, True, ["/api/rooms"]])
def test_a_set_realtime_api_routes_silences_the_note(make_project, start_server, setting: object) -> None:
    files = {**FILES, "pyxle.config.json": json.dumps({"realtime": {"apiRoutes": setting}})}
    server = start_server(make_project(files), "serve", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert "take WebSockets from any site" not in server.output() and "takes WebSockets" not in server.output()
    expected = "victim" if setting is False else 1008
    assert opened(server.url.replace("http", "ws") + "/api/rooms/a") == expected
