"""A handler's own ``ws.close(code, reason)`` on a real ``pyxle serve``: a reason over 123 bytes
went on the wire whole (a protocol error to the peer: Chromium reported 1006, so ``useWebSocket``
retried for ever, though the docs say a close with 1008 stops it), and a code no close frame may
carry (1005) was sent as it was. The reason is cut at 123 bytes on a character boundary; the code
raises at the handler's line, and the socket ends with 1011 as after any error."""

from __future__ import annotations

import asyncio

import websockets

from tests.docs._blocks import cites

CLOSES = """
from starlette.websockets import WebSocket


async def websocket(ws: WebSocket) -> None:
    await ws.accept()
    code = int(ws.query_params["code"])
    await ws.close(code, "é" * 200 if "long" in ws.query_params else "bye")
"""


def closed_with(url: str) -> tuple[int, str]:
    async def run() -> tuple[int, str]:
        async with websockets.connect(url) as ws:
            try:
                await ws.recv()
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd is not None, closed  # a close frame the client could read
                return closed.rcvd.code, closed.rcvd.reason
        raise AssertionError("no close")
    return asyncio.run(run())


@cites("docs/realtime.md", "keeps the first 123 bytes of its reason")
def test_a_long_close_reason_is_cut_to_what_a_close_frame_holds(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/closes.py": CLOSES}), "serve")
    code, reason = closed_with(server.url.replace("http", "ws") + "/api/closes?code=1008&long=1")
    assert code == 1008 and reason == "é" * 61 and len(reason.encode()) == 122  # whole characters only


@cites("docs/realtime.md", "a code no\n  close frame may carry (1004 to 1006, 1015, 1016 to 2999, or outside 1000 to 4999) raises a\n"
                           "  `ValueError` at that line, which ends the socket with `1011`")
def test_a_close_code_no_frame_may_carry_raises_at_the_handlers_line(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/closes.py": CLOSES}), "serve")
    base = server.url.replace("http", "ws") + "/api/closes?code="
    for bad in (1005, 1006, 2000, 999, 5000):
        assert closed_with(base + str(bad)) == (1011, "internal error"), bad
    assert closed_with(base + "4001") == (4001, "bye")
    out = server.wait_for_output("a WebSocket close code 5000 may not be sent")
    assert "Unhandled error in WS /api/closes" in out and 'pages/api/closes.py", line 7' in out
