"""A WebSocket handler that returns without `ws.close()` (the docs' pages/api/members.py shape), on
a real `pyxle serve`: the server closes the socket with 1000 at once, and `useWebSocket` in
Chromium does not reopen it. The socket reached the client with no close code (1005), about half
the time 20 seconds late, and the hook reopened it forever."""

from __future__ import annotations

import asyncio
import time

import websockets

from tests.conftest import PageWatch
from tests.docs._blocks import cites

HANDLERS = {
    # Answers and returns: the shape of the docs' members.py for a signed-in visitor.
    "pages/api/done.py": '''
async def websocket(ws):
    await ws.accept()
    await ws.send_json({"hi": 1})
''',
    # The same inside a channel: the message published before returning goes out before the close.
    "pages/api/said.py": '''
from pyxle.realtime import channel

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "said-" + str(id(ws))) as room:
        await room.publish({"said": 1})
''',
}

# Opens the socket the query names; each socket made and each close code is kept on window.
HOOK = '''
import { useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Hook() {
  const [to] = useState(() => typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('to'))
  const socket = useWebSocket(to, { enabled: to !== null, minDelay: 50, maxDelay: 100, onClose: (event) => {
    (window.__closes ||= []).push(event.code)
  } })
  return <p data-testid="status">{socket.status}</p>
}
'''

RECORD_OPENS = '''
const Native = window.WebSocket
window.__opened = 0
window.WebSocket = class extends Native {
  constructor(...args) { super(...args); window.__opened += 1 }
}
'''


@cites("docs/realtime.md", "once the messages queued for its socket are out, the server closes it with 1000 at once")
def test_a_handler_that_returns_without_closing_ends_its_socket_with_1000_at_once(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project(HANDLERS), "serve")

    async def visit(path: str) -> tuple[str, int | None, float]:
        async with websockets.connect(server.ws_url + path) as ws:
            first = str(await asyncio.wait_for(ws.recv(), 5))
            started = time.monotonic()
            try:
                await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd is not None, "closed with no close frame"
                return first, closed.rcvd.code, time.monotonic() - started
            raise AssertionError("a second message came")

    async def visits() -> list[tuple[str, int | None, float]]:
        return list(await asyncio.gather(*(visit(path) for path in ["/api/done", "/api/said"] * 6)))

    for first, code, waited in asyncio.run(visits()):
        assert first in ('{"hi":1}', '{"said":1}')
        assert code == 1000  # not 1005: the handler finished
        assert waited < 2, waited  # at once, not 20 s later


@cites("docs/realtime.md", "A close with 1000 from the server ends the socket (its handler finished")
def test_use_websocket_does_not_reopen_a_socket_whose_handler_returned(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project({**HANDLERS, "pages/hook.pyxl": HOOK}, node=True), "serve")
    page.page.add_init_script(RECORD_OPENS)
    page.page.goto(server.url + "/hook?to=/api/done")
    page.page.get_by_test_id("status").filter(has_text="closed").wait_for(timeout=10000)
    page.page.wait_for_timeout(1500)  # the hook reopened within 100 ms, over and over
    assert page.page.evaluate("[window.__opened, window.__closes]") == [1, [1000]]
