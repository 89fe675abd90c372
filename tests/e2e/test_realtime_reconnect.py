"""When useWebSocket reconnects, in Chromium against a real `pyxle serve`: not after the server
closes with 1000, after a 1001 at shutdown, and with growing delays up to `maxRetries` after a
refused handshake or a server that closes with 1011 (or 1013, try again later) right after accepting."""

from __future__ import annotations

import itertools
import os
import signal

import pytest

from tests.conftest import PageWatch, Server, free_port
from tests.docs._blocks import cites, project_files

DOC = "docs/realtime.md"

# The socket's path and maxRetries (4 unless `tries` says) come from the query, so one page serves
# every test. Each close is kept with its code and the time it arrived (window.__closes), and the
# hook's state is shown.
WATCH = '''
import { useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Watch() {
  const [query] = useState(() => new URLSearchParams(typeof location === 'undefined' ? '' : location.search))
  const socket = useWebSocket(query.get('to'), {
    minDelay: 200, maxDelay: 1600, maxRetries: Number(query.get('tries') || 4), onClose: (event) => {
    (window.__closes ||= []).push({ code: event.code, at: performance.now() })
  } })
  return (
    <main>
      <p data-testid="status">{socket.status}</p>
      <p data-testid="retries">{socket.retries}</p>
      <p data-testid="last">{socket.lastMessage ? socket.lastMessage.hello : ''}</p>
    </main>
  )
}
'''

HANDLERS = {
    # Answers and ends the socket normally (code 1000), as docs/realtime.md's whoami example does.
    "pages/api/hello.py": '''
async def websocket(ws):
    await ws.accept()
    await ws.send_json({"hello": "world"})
    await ws.close()
''',
    # Refuses the handshake: a close before accept() is answered 403, which a browser sees as 1006.
    "pages/api/refused.py": '''
async def websocket(ws):
    await ws.close(code=1008)
''',
    # Accepts, then fails at once (1011): open for a moment every time.
    "pages/api/failing.py": '''
async def websocket(ws):
    await ws.accept()
    await ws.close(code=1011)
''',
    # Accepts, then asks to try again later (1013), as a handler does whose Redis broker is away.
    "pages/api/busy.py": '''
async def websocket(ws):
    await ws.accept()
    await ws.close(code=1013)
''',
    # Stays open until the peer leaves.
    "pages/api/live.py": '''
async def websocket(ws):
    await ws.accept()
    await ws.send_json({"hello": "live"})
    while True:
        await ws.receive_text()
''',
}


def project(make_project):  # type: ignore[no-untyped-def]
    # docs/realtime.md's pages/api/members.py as written: no pyxle-auth here, so nobody is signed in.
    members = project_files("realtime-auth")["pages/api/members.py"]
    return make_project({"pages/watch.pyxl": WATCH, "pages/api/members.py": members, **HANDLERS}, node=True)


def handshakes(server: Server, path: str, status: int) -> int:
    """How many upgrades to ``path`` the access log shows answered with ``status``."""
    return server.output().count(f'"WS {path}" {status}')


def closes(page: PageWatch) -> list[dict]:
    return page.page.evaluate("window.__closes || []")


def gaps(page: PageWatch) -> list[float]:
    times = [close["at"] for close in closes(page)]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


@cites(DOC, "A close with 1000 from the server ends the socket")
def test_a_socket_the_server_closes_with_1000_is_not_reopened(make_project, start_server,  # type: ignore[no-untyped-def]
                                                             page: PageWatch) -> None:
    server = start_server(project(make_project))
    page.page.goto(server.url + "/watch?to=/api/hello")
    page.page.get_by_test_id("last").filter(has_text="world").wait_for()
    page.page.wait_for_function("(window.__closes || []).length >= 1")
    page.page.wait_for_timeout(3000)  # 15 times the first retry's delay
    assert [close["code"] for close in closes(page)] == [1000]
    assert handshakes(server, "/api/hello", 101) == 1, server.output()
    assert page.page.get_by_test_id("status").inner_text() == "closed"
    assert page.page.get_by_test_id("retries").inner_text() == "0"
    assert not page.problems(), page.problems()


@cites(DOC, "`1001` (a server shutting down)")
def test_a_socket_closed_with_1001_at_shutdown_is_reopened_when_the_server_is_back(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    app = project(make_project)
    port = str(free_port())
    server = start_server(app, "serve", "--port", port)
    page.page.goto(server.url + "/watch?to=/api/live&tries=40")  # a minute to come back: a loaded machine is slow
    page.page.get_by_test_id("last").filter(has_text="live").wait_for()
    os.killpg(server.proc.pid, signal.SIGTERM)  # closes every socket with 1001, then stops
    assert server.wait_exit() == 0
    page.page.wait_for_function("(window.__closes || []).length >= 1")
    assert closes(page)[0]["code"] == 1001
    page.page.evaluate("window.__closes = []")
    again = start_server(app, "serve", "--port", port, "--skip-build")
    page.page.get_by_test_id("status").filter(has_text="open").wait_for(timeout=20000)
    assert all(close["code"] == 1006 for close in closes(page))  # only failed tries while it was down
    page.page.close()  # the access log writes a socket's line when it ends
    again.wait_for_output('"WS /api/live" 101')


@cites(DOC, "A handshake the server refuses (a close before `accept()`, answered `403`) reaches a browser as `1006`")
@cites(DOC, "so it is retried like a drop, up to `maxRetries` times")
def test_a_refused_handshake_is_retried_with_growing_delays_until_max_retries(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    server = start_server(project(make_project))
    page.page.goto(server.url + "/watch?to=/api/refused")
    page.page.wait_for_function("(window.__closes || []).length === 5", timeout=10000)  # 1 + maxRetries 4
    page.page.wait_for_timeout(2500)  # longer than a fifth try's delay (<= maxDelay 1.6 s) would be
    assert [close["code"] for close in closes(page)] == [1006] * 5  # the browser never sees the 403
    assert handshakes(server, "/api/refused", 403) == 5, server.output()
    assert page.page.get_by_test_id("retries").inner_text() == "4"
    assert page.page.get_by_test_id("status").inner_text() == "closed"
    waited = gaps(page)
    # Try n waits between half and all of min(maxDelay, minDelay * 2**n): 100-200, 200-400, 400-800, 800-1600 ms.
    assert all(gap >= 100 * 2 ** n - 15 for n, gap in enumerate(waited)), waited
    assert waited[3] > waited[0] and waited[2] > waited[0], waited


@pytest.mark.parametrize(("path", "code"), [("/api/failing", 1011), ("/api/busy", 1013)])
@cites(DOC, "a socket that closes within 5 seconds of opening counts as a failed try")
@cites(DOC, "`retries` counts the reconnects\ntried since a socket last stayed open for 5 seconds")
@cites(DOC, "`useWebSocket` reconnects after it with its backoff")
def test_a_server_that_accepts_and_closes_with_1011_at_once_gets_growing_delays_until_max_retries(
        make_project, start_server, page: PageWatch, path: str, code: int) -> None:  # type: ignore[no-untyped-def]
    server = start_server(project(make_project))
    page.page.goto(server.url + "/watch?to=" + path)
    page.page.wait_for_function("(window.__closes || []).length === 5", timeout=10000)
    page.page.wait_for_timeout(2500)
    assert [close["code"] for close in closes(page)] == [code] * 5
    assert handshakes(server, path, 101) == 5, server.output()
    assert page.page.get_by_test_id("retries").inner_text() == "4"
    waited = gaps(page)
    assert all(gap >= 100 * 2 ** n - 15 for n, gap in enumerate(waited)), waited


@cites(DOC, "To make a browser stop at once,\naccept and then close with `1008`")
def test_a_handler_that_accepts_and_closes_with_1008_stops_the_browser_at_once(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    server = start_server(project(make_project))
    page.page.goto(server.url + "/watch?to=/api/members")
    page.page.wait_for_function("(window.__closes || []).length >= 1")
    page.page.wait_for_timeout(2500)  # ten times the first retry's delay
    assert [close["code"] for close in closes(page)] == [1008]
    assert handshakes(server, "/api/members", 101) + handshakes(server, "/api/members", 403) == 1, server.output()
    assert page.page.get_by_test_id("retries").inner_text() == "0"
