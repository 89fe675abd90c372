"""useWebSocket in Chromium: no socket during SSR, JSON both ways, reconnect after a restart or a
rate-limited handshake."""

from __future__ import annotations

import json

import websockets.sync.client

from tests.conftest import PageWatch, free_port

LIVE = '''
async def websocket(ws):
    await ws.accept()
    while True:
        message = await ws.receive_json()
        await ws.send_json({"echo": message["text"]})


import { useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Live() {
  const [log, setLog] = useState([])
  // Retries every <= 0.4 s for up to a minute: a restart on a loaded machine takes seconds.
  const live = useWebSocket('/live', { minDelay: 100, maxDelay: 400, maxRetries: 150,
                                       onMessage: (m) => setLog((all) => [...all, m.echo]) })
  return (
    <main>
      <p data-testid="status">{live.status}</p>
      <p data-testid="last">{live.lastMessage ? live.lastMessage.echo : ''}</p>
      <button onClick={() => live.send({ text: 'ping' + log.length })}>send</button>
    </main>
  )
}
'''


def test_use_websocket_reconnects_after_the_server_restarts(make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/live.pyxl": LIVE}, node=True)
    port = str(free_port())
    server = start_server(project, "serve", "--port", port)
    html = __import__("httpx").get(server.url + "/live").text
    assert 'data-testid="status">connecting<' in html  # SSR rendered it without opening a socket

    page.page.goto(server.url + "/live")
    status = page.page.get_by_test_id("status")
    status.filter(has_text="open").wait_for()
    page.page.get_by_role("button", name="send").click()
    page.page.get_by_test_id("last").filter(has_text="ping0").wait_for()

    server.stop()
    status.filter(has_text="closed").wait_for(timeout=10000)
    start_server(project, "serve", "--port", port, "--skip-build")
    status.filter(has_text="open").wait_for(timeout=20000)  # reconnected by itself
    page.page.get_by_role("button", name="send").click()
    page.page.get_by_test_id("last").filter(has_text="ping1").wait_for()
    assert not [p for p in page.problems() if "WebSocket" not in p[1]], page.problems()


LIMITED = '''
import { useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Limited() {
  const [codes, setCodes] = useState([])
  const room = useWebSocket('/api/rooms/r', { minDelay: 100, maxDelay: 200, maxRetries: 50,
                                              onClose: (event) => setCodes((all) => [...all, event.code]) })
  return <p data-testid="codes">{room.retries} {codes.join(',')}</p>
}
'''

ROOM = '''
from pyxle.realtime import channel

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "r"):
        await ws.receive_text()
'''


def test_a_browser_sees_a_rate_limited_handshake_fail_with_1006_and_use_websocket_retries(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    config = {"rateLimit": {"requests": 1, "window": 3600, "exemptPaths": ["/limited", "/_pyxle"]}}
    project = make_project({"pages/limited.pyxl": LIMITED, "pages/api/rooms/r.py": ROOM,
                            "pyxle.config.json": json.dumps(config)}, node=True)
    server = start_server(project)
    with websockets.sync.client.connect(server.ws_url + "/api/rooms/r"):  # takes this address's only token
        page.page.goto(server.url + "/limited")
        page.page.get_by_test_id("codes").filter(has_text="1006,1006,1006").wait_for(timeout=15000)
    retries = int(page.page.get_by_test_id("codes").inner_text().split()[0])
    assert retries >= 2  # it keeps trying, with backoff, as after any drop


COUNT_SOCKETS = """(() => {
  const Native = window.WebSocket
  window.__sockets = []
  window.WebSocket = function (url, protocols) {
    window.__sockets.push(url)
    return new Native(url, protocols)
  }
  window.WebSocket.prototype = Native.prototype
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 })
})()"""

PROTOCOLS = '''
import asyncio

async def websocket(ws):
    await ws.accept(subprotocol="chat")
    for i in range(5):
        await ws.send_json({"tick": i, "room": ws.query_params.get("room", "")})
        await asyncio.sleep(0.2)
    await ws.receive_text()


import { useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Chat() {
  const [room, setRoom] = useState('a')
  const [ticks, setTicks] = useState([])
  const chat = useWebSocket('/chat?room=' + room, { protocols: ['chat'],
                                                   onMessage: (m) => setTicks((all) => [...all, m.room + m.tick]) })
  if (typeof window !== 'undefined') (window.__statuses ||= []).push(chat.status)
  return (
    <main>
      <p data-testid="status">{chat.status}</p>
      <p data-testid="ticks">{ticks.join(' ')}</p>
      <button onClick={() => { window.__statuses = []; setRoom('b') }}>room b</button>
    </main>
  )
}
'''


def test_use_websocket_with_inline_protocols_opens_one_socket_and_a_new_url_never_shows_closed(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project({"pages/chat.pyxl": PROTOCOLS}, node=True))
    page.page.add_init_script(COUNT_SOCKETS)
    page.page.goto(server.url + "/chat")
    page.page.get_by_test_id("ticks").filter(has_text="a4").wait_for()
    assert page.page.get_by_test_id("status").inner_text() == "open"
    assert page.page.get_by_test_id("ticks").inner_text() == "a0 a1 a2 a3 a4"
    assert page.page.evaluate("window.__sockets.length") == 1  # a new array each render is the same protocols

    page.page.get_by_role("button", name="room b").click()
    page.page.get_by_test_id("ticks").filter(has_text="b4").wait_for()
    page.page.wait_for_timeout(300)  # the old socket's close has long arrived
    assert page.page.evaluate("window.__sockets.length") == 2
    statuses = page.page.evaluate("window.__statuses")
    assert "closed" not in statuses and statuses[-1] == "open", statuses  # the replaced socket's close is not shown
    assert not page.problems(), page.problems()
