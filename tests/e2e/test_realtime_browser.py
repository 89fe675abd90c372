"""useWebSocket in Chromium: no socket during SSR, JSON both ways, reconnect after a restart."""

from __future__ import annotations

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
  const live = useWebSocket('/live', { minDelay: 100, maxDelay: 400, maxRetries: 1000,  // a slow restart is fine
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
