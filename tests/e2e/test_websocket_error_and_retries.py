"""useWebSocket's `error` and its retries as 0.9.4 documented them, in Chromium against a real
`pyxle serve`: `error` says what failed and clears once a socket opens, and the hook keeps
reconnecting (past 10 tries, backoff capped at 30 s) unless the app sets `maxRetries`; 0.9.4's
doc example, which destructures `error`, passes `pyxle typecheck`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PageWatch, server_env
from tests.docs._blocks import cites

DOC = "docs/realtime.md"

# The socket's path comes from the query; `fast` shortens the backoff (minDelay 20 ms, maxDelay
# 100 ms), without it the hook runs on its defaults. `error` is rendered as it is (0.9.4's apps
# do so), and every value it takes is kept in window.__errors, each close code in window.__closes.
WATCH = '''
import { useEffect, useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Watch() {
  const [query] = useState(() => new URLSearchParams(typeof location === 'undefined' ? '' : location.search))
  const fast = query.has('fast') ? { minDelay: 20, maxDelay: 100 } : {}
  const socket = useWebSocket(query.get('to'), { ...fast, onClose: (event) => {
    (window.__closes ||= []).push(event.code)
  } })
  useEffect(() => { (window.__errors ||= []).push(socket.error) }, [socket.error])
  return (
    <main>
      <p data-testid="status">{socket.status}</p>
      <p data-testid="retries">{socket.retries}</p>
      <p data-testid="error">{socket.error === null ? 'none' : socket.error}</p>
    </main>
  )
}
'''

HANDLERS = {
    # Refuses every handshake: a close before accept() is answered 403, a browser sees 1006.
    "pages/api/refused.py": '''
async def websocket(ws):
    await ws.close(code=1008)
''',
    # Refuses the first three handshakes (a server still deploying), then accepts and stays open.
    "pages/api/flaky.py": '''
tries = 0


async def websocket(ws):
    global tries
    tries += 1
    if tries <= 3:
        await ws.close(code=1008)
        return
    await ws.accept()
    while True:
        await ws.receive_text()
''',
}

# When each socket the page makes is made and closes, at the page's clock (Playwright's fake clock in the defaults test).
RECORD_OPENS = '''
const Native = window.WebSocket
window.__opened = []
window.__closedAt = []
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args)
    window.__opened.push(Date.now())
    this.addEventListener('close', () => window.__closedAt.push(Date.now()))
  }
}
'''


def project(make_project):  # type: ignore[no-untyped-def]
    return make_project({"pages/watch.pyxl": WATCH, **HANDLERS}, node=True)


def closes(page: PageWatch) -> list[int]:
    return page.page.evaluate("window.__closes || []")


@cites(DOC, "`error` is `null` while all is well, and a message (a string, as in 0.9.4) after a\nsocket error or a close other than 1000")
@cites(DOC, "`maxRetries` (default\n`Infinity`) makes it give up after that many tries in a row")
def test_a_refused_socket_sets_error_and_is_retried_past_ten_tries(make_project, start_server,  # type: ignore[no-untyped-def]
                                                                   page: PageWatch) -> None:
    server = start_server(project(make_project))
    page.page.goto(server.url + "/watch?to=/api/refused&fast")
    page.page.wait_for_function("(window.__closes || []).length >= 14", timeout=20000)  # 0.9.4: no limit
    assert set(closes(page)) == {1006}
    shown = page.page.get_by_test_id("error").inner_text()
    assert shown.startswith("WebSocket ws://127.0.0.1:") and "/api/refused: connection failed or lost (1006)" in shown
    assert int(page.page.get_by_test_id("retries").inner_text()) >= 13
    deadline = time.monotonic() + 5  # the access log's line can reach us after the browser's close
    while server.output().count('"WS /api/refused" 403') < 14:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)


@cites(DOC, "it is `null` again once a socket opens")
def test_error_clears_once_a_socket_opens(make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    server = start_server(project(make_project))
    page.page.goto(server.url + "/watch?to=/api/flaky&fast")
    page.page.get_by_test_id("status").filter(has_text="open").wait_for(timeout=10000)
    assert page.page.get_by_test_id("error").inner_text() == "none"
    errors = page.page.evaluate("window.__errors")
    assert errors[0] is None and errors[-1] is None
    assert any(isinstance(e, str) and e.endswith("/api/flaky: connection failed or lost (1006)") for e in errors)
    assert closes(page) == [1006, 1006, 1006]
    assert all("/api/flaky" in text for _, text in page.problems()), page.problems()  # the refusals only


@cites(DOC, "`minDelay` 500 ms doubling up\nto `maxDelay` 30 s, each delay between half and all of that), for as long as the page is open")
def test_by_default_the_backoff_grows_to_30_seconds_and_never_gives_up(make_project, start_server,  # type: ignore[no-untyped-def]
                                                                       page: PageWatch) -> None:
    """On Playwright's clock: each step fires the waiting retry at once, and the page's own clock
    (Date.now() when a socket closes and when the next is made) shows the delays the hook chose."""
    server = start_server(project(make_project))
    page.page.clock.install()
    page.page.add_init_script(RECORD_OPENS)
    page.page.goto(server.url + "/watch?to=/api/refused")
    for _ in range(15):
        deadline = time.monotonic() + 10
        while page.page.evaluate("(window.__closes || []).length < window.__opened.length"):
            assert time.monotonic() < deadline, "a socket neither opened nor closed"
            time.sleep(0.02)
        page.page.clock.run_for(30_000)  # longer than any delay: the next try starts
    opened, closed = page.page.evaluate("[window.__opened, window.__closedAt]")
    assert len(opened) >= 14, opened  # 0.9.4 retried for ever; the old default stopped at 1 + 10
    waited = [opened[n + 1] - closed[n] for n in range(len(opened) - 1)]
    # Try n waits between half and all of min(30 s, 500 ms * 2**n).
    assert all(250 * 2 ** n <= wait <= 500 * 2 ** n for n, wait in enumerate(waited[:6])), waited
    assert all(15_000 <= wait <= 30_000 for wait in waited[6:]), waited


# 0.9.4's docs/reference/client-api.md example, as written, in a page of its own.
CHAT_094 = '''
import { useWebSocket } from 'pyxle/client';

function Chat({ room }) {
  const { status, send, lastMessage, error } = useWebSocket(`/chat/${room}`, {
    onMessage(data) { /* data is JSON-parsed when possible */ },
  });

  return (
    <button disabled={status !== 'open'} onClick={() => send({ text: 'hi' })}>
      {status === 'open' ? 'Send' : status}
    </button>
  );
}

export default function Page() {
  return <Chat room="lobby" />;
}
'''

# `error` is a string: a page shows it as it is (an Error object would be neither a ReactNode nor
# have `.length`).
SHOW_ERROR = '''
import { useWebSocket } from 'pyxle/client'

export default function Page() {
  const { error } = useWebSocket('/chat')
  return error === null ? <p>fine</p> : <p role="alert" title={error}>{error} ({error.length})</p>
}
'''


def typecheck(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


# The jsconfig.json 0.9.4's starter writes.
JSCONFIG_094 = '{"compilerOptions": {"paths": {"@/*": ["./*"]}}, "include": ["pages", "components", "lib"]}\n'


def test_the_0_9_4_doc_example_destructuring_error_typechecks(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"pages/chat.pyxl": CHAT_094, "pages/alert.pyxl": SHOW_ERROR, "jsconfig.json": JSCONFIG_094},
                        node=True)
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pyxle typecheck: no type errors (2 pages checked)" in done.stderr
