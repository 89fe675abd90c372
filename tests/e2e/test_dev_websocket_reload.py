"""pyxle dev and open WebSockets: an edit to the Python a socket's route runs closes the socket with
1012 (service restart), so its client reconnects to the new handler; sockets of other routes stay."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import websockets

from tests.conftest import PageWatch
from tests.docs._blocks import cites

DOC = "docs/realtime.md"
WAIT = 30  # seconds for an edit to be applied and the close to arrive: generous, for a loaded machine

ECHO = '''
async def websocket(ws):
    await ws.accept()
    while True:
        await ws.send_text("VERSION:" + await ws.receive_text())
'''

# A handler that uses a module of the project, not a route's own file.
WORDED = '''
import words


async def websocket(ws):
    await ws.accept()
    while True:
        await ws.send_text(words.PREFIX + ":" + await ws.receive_text())
'''


def echo(version: str) -> str:
    return ECHO.replace("VERSION", version)


def ws_url(server, path: str) -> str:  # type: ignore[no-untyped-def]
    return server.url.replace("http://", "ws://") + path


async def answer(ws: websockets.ClientConnection, text: str) -> str:
    await ws.send(text)
    return str(await asyncio.wait_for(ws.recv(), WAIT))


async def closed(ws: websockets.ClientConnection) -> tuple[int | None, str | None]:
    """The close code and reason ``ws`` got, waiting for them (a socket left open fails the wait)."""
    await asyncio.wait_for(ws.wait_closed(), WAIT)
    return ws.close_code, ws.close_reason


@cites(DOC, "`pyxle dev` closes the sockets of a route whose Python an edit changed with `1012` "
            "(service restart) and the reason `code changed`")
@cites(DOC, "An edit to the route's own file closes that route's sockets only")
def test_an_edit_to_a_route_closes_its_sockets_with_1012_and_new_ones_reach_the_new_handler(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/echo.py": echo("v1"), "pages/api/other.py": echo("other")})
    server = start_server(project, "dev")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/api/echo")) as old, \
                websockets.connect(ws_url(server, "/api/other")) as other:
            assert await answer(old, "a") == "v1:a"
            assert await answer(other, "a") == "other:a"
            (project / "pages" / "api" / "echo.py").write_text(echo("v2"))
            assert await closed(old) == (1012, "code changed")
            assert await answer(other, "b") == "other:b"  # its route's code did not change: still open
            assert other.close_code is None
            async with websockets.connect(ws_url(server, "/api/echo")) as new:
                assert await answer(new, "c") == "v2:c"

    asyncio.run(run())
    assert "Traceback" not in server.output(), server.output()


@cites(DOC, "an edit to any other Python\nmodule of the project")
def test_an_edit_to_a_module_of_the_project_closes_every_socket(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"words.py": 'PREFIX = "one"\n', "pages/api/worded.py": WORDED,
                            "pages/api/echo.py": echo("v1")})
    server = start_server(project, "dev")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/api/worded")) as worded, \
                websockets.connect(ws_url(server, "/api/echo")) as plain:
            assert await answer(worded, "a") == "one:a"
            (project / "words.py").write_text('PREFIX = "two"\n')
            assert await closed(worded) == (1012, "code changed")
            assert await closed(plain) == (1012, "code changed")  # any handler may use the module
            async with websockets.connect(ws_url(server, "/api/worded")) as new:
                assert await answer(new, "b") == "two:b"

    asyncio.run(run())


# A handler that imports a module of the project as it runs, after the build: the edit must reach it too.
LAZY = '''
async def websocket(ws):
    await ws.accept()
    import words
    while True:
        await ws.send_text(words.PREFIX + ":" + await ws.receive_text())
'''


@cites(DOC, "an edit to any other Python\nmodule of the project (one a handler imports as it runs too)")
def test_an_edit_to_a_module_a_handler_imported_as_it_ran_closes_every_socket(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"words.py": 'PREFIX = "one"\n', "pages/api/lazy.py": LAZY, "pages/api/echo.py": echo("v1")})
    server = start_server(project, "dev")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/api/lazy")) as lazy, \
                websockets.connect(ws_url(server, "/api/echo")) as plain:
            assert await answer(lazy, "a") == "one:a"  # words is imported now, after the build
            (project / "words.py").write_text('PREFIX = "two"\n')
            assert await closed(lazy) == (1012, "code changed")  # (it said "one:" on before the fix)
            assert await closed(plain) == (1012, "code changed")
            async with websockets.connect(ws_url(server, "/api/lazy")) as new:
                assert await answer(new, "b") == "two:b"

    asyncio.run(run())


# A value read as the module loads: the open socket's handler keeps the one read before the edit.
GREETER = '''
import os

GREETING = os.environ["GREETING"]


async def websocket(ws):
    await ws.accept()
    while True:
        await ws.send_text(GREETING + ":" + await ws.receive_text())
'''


@cites(DOC, "or to a `.env` file, closes every socket")
def test_an_edit_to_a_dotenv_file_closes_every_socket(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/greeter.py": GREETER, ".env": "GREETING=one\n"})
    server = start_server(project, "dev")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/api/greeter")) as old:
            assert await answer(old, "a") == "one:a"
            (project / ".env").write_text("GREETING=two\n")
            assert await closed(old) == (1012, "code changed")
            async with websockets.connect(ws_url(server, "/api/greeter")) as new:
                assert await answer(new, "b") == "two:b"

    asyncio.run(run())


@cites(DOC, "An edit applied in a new worker (to `pyxle.config.json`, say) closes them with `1012` "
            "as the old worker stops")
def test_a_config_edit_closes_sockets_with_1012_as_the_old_worker_stops(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/echo.py": echo("v1"), "pyxle.config.json": '{"name": "one"}\n'})
    server = start_server(project, "dev")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/api/echo")) as old:
            assert await answer(old, "a") == "v1:a"
            (project / "pyxle.config.json").write_text('{"name": "two"}\n')
            assert await closed(old) == (1012, "server restarting")
            async with websockets.connect(ws_url(server, "/api/echo")) as new:
                assert await answer(new, "b") == "v1:b"

    asyncio.run(run())


# Python that compiles and runs, but whose syntax tree is deeper than the interpreter's recursion
# limit lets ``ast.dump`` walk (a long chain of `+`, as generated code has).
LONG_CHAIN = "TOTAL = " + " + ".join(["1"] * 1200) + "\n"


def test_a_route_too_deep_to_compare_by_its_syntax_tree_does_not_stop_the_reloads(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Its code is compared by its text instead: the watcher failed on it before every reload, so an
    edit was never applied (the log said the file watcher failed, again and again)."""
    project = make_project({"pages/api/echo.py": echo("v1") + LONG_CHAIN})
    server = start_server(project, "dev")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/api/echo")) as old:
            assert await answer(old, "a") == "v1:a"
            (project / "pages" / "api" / "echo.py").write_text(echo("v2") + LONG_CHAIN)
            assert await closed(old) == (1012, "code changed")
            async with websockets.connect(ws_url(server, "/api/echo")) as new:
                assert await answer(new, "b") == "v2:b"

    asyncio.run(run())
    assert "file watcher failed" not in server.output(), server.output()


LIVE = '''
async def websocket(ws):
    await ws.accept()
    while True:
        await ws.send_json({"reply": "VERSION " + await ws.receive_text()})


import { useState } from 'react'
import { useWebSocket } from 'pyxle/client'

export default function Live() {
  const [n, setN] = useState(0)
  const socket = useWebSocket('/live', {
    onOpen: () => { window.__opens = (window.__opens || 0) + 1 },
    onClose: (event) => { (window.__closes ||= []).push([event.code, event.reason]) },
  })
  return (
    <main>
      <h1 data-testid="label">LABEL</h1>
      <button data-testid="counter" onClick={() => setN(n + 1)}>{n}</button>
      <button data-testid="send" onClick={() => socket.send('ping')}>send</button>
      <p data-testid="status">{socket.status}</p>
      <p data-testid="reply">{socket.lastMessage ? socket.lastMessage.reply : ''}</p>
    </main>
  )
}
'''


def live(path: Path, version: str, label: str) -> None:
    path.write_text(LIVE.replace("VERSION", version).replace("LABEL", label).lstrip("\n"))


@cites(DOC, "(an edit to a page's JSX alone closes none")
def test_an_edit_to_a_pages_jsx_alone_leaves_its_sockets_open(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/echo.py": echo("v1")}, node=True)
    live(project / "pages" / "live.pyxl", "v1", "first")
    server = start_server(project, "dev", "--ssr-workers", "1")

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/live")) as page_socket, \
                websockets.connect(ws_url(server, "/api/echo")) as route_socket:
            assert json.loads(await answer(page_socket, "a")) == {"reply": "v1 a"}
            live(project / "pages" / "live.pyxl", "v1", "second")  # the JSX alone
            # An edit after it, whose close comes after any the JSX edit would have caused
            (project / "pages" / "api" / "echo.py").write_text(echo("v2"))
            assert await closed(route_socket) == (1012, "code changed")
            assert json.loads(await answer(page_socket, "b")) == {"reply": "v1 b"}
            assert page_socket.close_code is None

    asyncio.run(run())
    reloads = [line for line in server.output().splitlines() if "reloaded routes after change to" in line]
    assert any("pages/live.pyxl" in line for line in reloads), server.output()  # (alone, or with echo.py)


# JavaScript first, then the Python, then the JSX: the compiled Python keeps the .pyxl's line
# numbers, so an edit to the JavaScript that adds lines moves the Python's lines without changing it.
SHIFTED = '''
import { useState } from 'react'

async def websocket(ws):
    await ws.accept()
    while True:
        await ws.send_text("kept:" + await ws.receive_text())

export default function Shifted() {
  return <main><h1>LABEL</h1></main>
}
'''


@cites(DOC, "(an edit to a page's JSX alone closes none, one adding lines too)")
def test_an_edit_to_a_pages_javascript_that_adds_lines_leaves_its_sockets_open(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/echo.py": echo("v1"), "pages/shifted.pyxl": SHIFTED}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    file = project / "pages" / "shifted.pyxl"

    async def run() -> None:
        async with websockets.connect(ws_url(server, "/shifted")) as page_socket, \
                websockets.connect(ws_url(server, "/api/echo")) as route_socket:
            assert await answer(page_socket, "a") == "kept:a"
            file.write_text(SHIFTED.replace("import { useState } from 'react'",
                                            "import { useState } from 'react'\nimport { useEffect } from 'react'\n")
                            .replace("<h1>LABEL</h1>", "<h1>LABEL</h1>\n      <p>a line more</p>\n"))
            # An edit after it, whose close comes after any the first edit would have caused
            (project / "pages" / "api" / "echo.py").write_text(echo("v2"))
            assert await closed(route_socket) == (1012, "code changed")
            assert await answer(page_socket, "b") == "kept:b"  # (closed with 1012 before the fix)
            assert page_socket.close_code is None

    asyncio.run(run())
    reloads = [line for line in server.output().splitlines() if "reloaded routes after change to" in line]
    assert any("pages/shifted.pyxl" in line for line in reloads), server.output()


@cites(DOC, "`useWebSocket` reconnects at its first try, to the new handler, and the page keeps its state")
def test_use_websocket_reaches_the_edited_handler_of_its_page_without_a_reload(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = make_project({}, node=True)
    file = project / "pages" / "live.pyxl"
    live(file, "v1", "first")
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/live")
    page.hydrated()
    page.page.wait_for_function("window.__opens === 1", timeout=WAIT * 1000)
    counter = page.page.get_by_test_id("counter")
    counter.click()
    counter.click()
    page.page.evaluate("window.__marker = 'kept'")
    page.page.get_by_test_id("send").click()
    page.page.get_by_test_id("reply").filter(has_text="v1 ping").wait_for(timeout=WAIT * 1000)

    live(file, "v2", "first")  # the handler alone: the page's JavaScript is as it was
    page.page.wait_for_function("window.__opens === 2", timeout=WAIT * 1000)
    page.page.get_by_test_id("send").click()
    page.page.get_by_test_id("reply").filter(has_text="v2 ping").wait_for(timeout=WAIT * 1000)

    assert page.page.evaluate("window.__closes") == [[1012, "code changed"]]
    assert page.page.evaluate("window.__opens") == 2  # reopened at the first try
    assert counter.text_content() == "2"  # React state kept
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert not page.problems(), page.problems()

