"""useWebSocket in Chromium under `pyxle dev`: quick saves of a handler reconnect at once each time
(a 1012 close is not a failed try), a Fast Refresh of the component keeps its open socket,
and a client navigation away closes it, as the server sees."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import PageWatch
from tests.docs._blocks import cites

REALTIME = "docs/realtime.md"
CLIENT = "docs/client.md"
WAIT = 30  # seconds for an edit to be applied or a socket to end: generous, for a loaded machine
# Seconds from a 1012 close to the next open (at most 0.25 s and a handshake): generous for a loaded
# machine; before the fix the delays grew to 2.6 s by the 4th save, and `retries` with them.
RECONNECT = 2.0

# Logs each connection and its end to a file outside the project (so the log is no edit), and
# answers each text with the handler's version and the connection's number.
FEED = '''
from pathlib import Path

LOG = Path(LOGFILE)


async def websocket(ws):
    await ws.accept()
    with LOG.open("a") as log:
        log.write("open\\n")
    number = len(LOG.read_text().split("open")) - 1
    try:
        await ws.send_json({"reply": "VERSION hello", "conn": number})
        while True:
            await ws.send_json({"reply": "VERSION " + await ws.receive_text(), "conn": number})
    finally:
        with LOG.open("a") as log:
            log.write("end\\n")
'''

# A component in a file of its own, imported by the page only.
CHAT = '''
import { useWebSocket } from 'pyxle/client'

export default function Chat() {
  const socket = useWebSocket('/api/feed', {
    onOpen: () => (window.__opens ||= []).push(performance.now()),
    onClose: (event) => (window.__closes ||= []).push([event.code, performance.now()]),
  })
  return (
    <section>
      <button data-testid="send" onClick={() => socket.send('ping')}>send</button>
      <p data-testid="reply">{socket.lastMessage ? `${socket.lastMessage.reply} #${socket.lastMessage.conn}` : ''}</p>
      <p data-testid="retries">{socket.retries}</p>
      <p data-testid="chat-label">CHAT_LABEL</p>
    </section>
  )
}
'''

ROOM = '''
import { Link } from 'pyxle/client'
import Chat from '../components/Chat.jsx'

export default function Room() {
  return (
    <main>
      <h1 data-testid="label">LABEL</h1>
      <Chat />
      <Link href="/other" data-testid="away">away</Link>
    </main>
  )
}
'''

OTHER = '''
export default function Other() {
  return <main><h1 data-testid="other">other page</h1></main>
}
'''


def feed(log: Path, version: str) -> str:
    return FEED.replace("LOGFILE", repr(str(log))).replace("VERSION", version)


def chat(label: str) -> str:
    return CHAT.replace("CHAT_LABEL", label)


def room(label: str) -> str:
    return ROOM.replace("LABEL", label)


def start(make_project, start_server, tmp_path: Path, page: PageWatch):  # type: ignore[no-untyped-def]
    """The project under `pyxle dev`, /room open with its socket open: (project, server, log file)."""
    log = tmp_path / "connections.log"
    project = make_project({"pages/api/feed.py": feed(log, "v0"), "components/Chat.jsx": chat("first"),
                            "pages/room.pyxl": room("first"), "pages/other.pyxl": OTHER}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/room")
    page.hydrated()
    page.page.get_by_test_id("reply").filter(has_text="v0 hello #1").wait_for(timeout=WAIT * 1000)
    return project, server, log


def events(log: Path) -> list[str]:
    return log.read_text().split()


@cites(REALTIME, "`useWebSocket` reconnects at its first try, to the new handler")
@cites(REALTIME, "does not count it in `retries`, however often it comes")
def test_quick_saves_of_a_handler_each_reconnect_at_once(make_project, start_server, tmp_path,
                                                         page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project, _server, log = start(make_project, start_server, tmp_path, page)
    handler = project / "pages" / "api" / "feed.py"
    for save in range(1, 5):  # saves 1.5 s apart, each once the last one's socket reopened
        began = time.monotonic()
        handler.write_text(feed(log, f"v{save}"))
        page.page.wait_for_function(f"(window.__closes || []).length === {save}", timeout=WAIT * 1000)
        page.page.wait_for_function(f"window.__opens.length === {save + 1}", timeout=WAIT * 1000)
        time.sleep(max(0.0, 1.5 - (time.monotonic() - began)))

    closes = page.page.evaluate("window.__closes")
    opens = page.page.evaluate("window.__opens")
    assert [code for code, _at in closes] == [1012] * 4
    gaps = [(opened - closed) / 1000 for (_code, closed), opened in zip(closes, opens[1:], strict=True)]
    assert all(gap < RECONNECT for gap in gaps), gaps  # (0.5, 0.7, 1.3, 2.6 s before the fix)
    assert page.page.get_by_test_id("retries").text_content() == "0"
    page.page.get_by_test_id("send").click()
    page.page.get_by_test_id("reply").filter(has_text="v4 ping #5").wait_for(timeout=WAIT * 1000)
    assert not page.problems(), page.problems()


@cites(CLIENT, "`useWebSocket` keeps its open socket even where its component's effects run again")
def test_an_edit_to_the_component_keeps_its_socket_open(make_project, start_server, tmp_path,
                                                         page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project, _server, log = start(make_project, start_server, tmp_path, page)
    page.page.evaluate("window.__marker = 'kept'")
    (project / "components" / "Chat.jsx").write_text(chat("second"))  # Fast Refresh runs its effects again
    page.page.get_by_test_id("chat-label").filter(has_text="second").wait_for(timeout=WAIT * 1000)
    time.sleep(1)  # for a close, or a new socket, to show
    page.page.get_by_test_id("send").click()
    page.page.get_by_test_id("reply").filter(has_text="v0 ping #1").wait_for(timeout=WAIT * 1000)

    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.page.evaluate("window.__opens.length") == 1  # (2 before the fix: a new socket)
    assert page.page.evaluate("window.__closes") is None
    assert events(log) == ["open"], events(log)  # the server saw one connection, still open
    assert not page.problems(), page.problems()


@cites(REALTIME, "An unmount closes the socket at once")
def test_a_navigation_away_closes_the_socket(make_project, start_server, tmp_path,
                                             page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    _project, _server, log = start(make_project, start_server, tmp_path, page)
    page.page.get_by_test_id("away").click()
    page.page.get_by_test_id("other").wait_for(timeout=WAIT * 1000)
    deadline = time.monotonic() + 5  # the handler ends as soon as the close reaches the server
    while events(log) != ["open", "end"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert events(log) == ["open", "end"], events(log)
    assert not page.problems(), page.problems()

