"""How a `pyxle serve` worker stops with streamed answers open, and how a streamed answer's generator
ends when its client leaves: event streams end at SIGTERM, the rest is cancelled at the shutdown
deadline, and in every case the generator's `finally` and the worker's lifespan shutdown run."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server
from tests.docs._blocks import cites

NOTE = '''
import os

def note(what):
    """One line per event, with the worker's pid, in the file the test reads."""
    with open(os.environ["NOTES"], "a") as notes:
        notes.write(f"{os.getpid()} {what}\\n")
'''

# Every lifespan message the worker's app receives, noted: a worker killed at the deadline never
# gets "lifespan.shutdown".
LIFESPAN = '''
from notes import note

class Lifespan:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)

        async def noted():
            message = await receive()
            note(message["type"])
            return message

        await self.app(scope, noted, send)
'''

EVENTS = '''
import asyncio
import os
from starlette.responses import StreamingResponse
from notes import note

async def get(request):
    async def stream():
        try:
            yield f"retry: 200\\ndata: {os.getpid()}\\n\\n"
            while True:
                await asyncio.sleep(0.3)
                yield f"data: {os.getpid()}\\n\\n"
        except asyncio.CancelledError:
            note("events cancelled")
            raise
        finally:
            note("events finally")
    return StreamingResponse(stream(), media_type="text/event-stream")
'''

# A `def` generator: Starlette runs it in a thread and never closes it.
TICKS = '''
import os
import time
from starlette.responses import StreamingResponse
from notes import note

def get(request):
    def stream():
        try:
            while True:
                yield f"data: {os.getpid()}\\n\\n"
                time.sleep(0.2)
        finally:
            note("ticks finally")
    return StreamingResponse(stream(), media_type="text/event-stream")
'''

# Not an event stream: a plain text body that never ends, which no client may take for whole.
FEED = '''
import asyncio
from starlette.responses import StreamingResponse
from notes import note

async def get(request):
    async def stream():
        try:
            yield "first line\\n"
            await asyncio.Event().wait()
        finally:
            note("feed finally")
    return StreamingResponse(stream(), media_type="text/plain")
'''

HANG = '''
import asyncio
from notes import note

async def get(request):
    try:
        note("hang waiting")
        await asyncio.Event().wait()
    finally:
        note("hang finally")
'''


# A `def` handler runs in a thread, which no cancellation interrupts.
SLEEPS = '''
import time

def get(request):
    time.sleep(60)
    return {"slept": True}
'''


def streams_project(make_project) -> Path:  # type: ignore[no-untyped-def]
    return make_project({  # type: ignore[no-any-return]
        "notes.py": NOTE, "lifespan_notes.py": LIFESPAN,
        "pyxle.config.json": json.dumps({"middleware": ["lifespan_notes:Lifespan"]}),
        "pages/api/events.py": EVENTS, "pages/api/ticks.py": TICKS, "pages/api/feed.py": FEED,
        "pages/api/hang.py": HANG, "pages/api/sleeps.py": SLEEPS,
    })


def notes(path: Path) -> list[tuple[int, str]]:
    """The (pid, event) lines the app wrote."""
    if not path.exists():
        return []
    return [(int(pid), what) for pid, what in (line.split(" ", 1) for line in path.read_text().splitlines())]


def assert_every_app_shut_down(seen: list[tuple[int, str]], workers: int) -> None:
    """Each process whose app started (the workers, and the server's own check of the project) ran
    its lifespan shutdown too: a worker killed at the deadline never does."""
    started = {pid for pid, what in seen if what == "lifespan.startup"}
    assert len(started) >= workers and started == {pid for pid, what in seen if what == "lifespan.shutdown"}, seen
    served = {pid for pid, what in seen if what.endswith("finally")}
    assert served and served <= started, seen


class Reader(threading.Thread):
    """A client reading ``path`` line by line until the answer ends (``error`` None: it ended whole)
    or the connection is cut (``error``: what httpx raised)."""

    def __init__(self, url: str, *, encoding: str = "identity") -> None:
        super().__init__(daemon=True)
        self.url, self.encoding = url, encoding
        self.lines: list[str] = []
        self.status = 0
        self.error: Exception | None = None
        self.opened = threading.Event()

    def run(self) -> None:
        try:
            with httpx.stream("GET", self.url, headers={"accept-encoding": self.encoding}, timeout=30) as response:
                self.status = response.status_code
                for line in response.iter_lines():
                    self.lines.append(line)
                    self.opened.set()
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self.opened.set()


def open_readers(server: Server, paths: list[tuple[str, str]]) -> list[Reader]:
    readers = [Reader(server.url + path, encoding=encoding) for path, encoding in paths]
    for reader in readers:
        reader.start()
    for reader in readers:
        assert reader.opened.wait(10) and reader.lines, (reader.url, reader.error)
    return readers


def stop(server: Server) -> float:
    """SIGTERM to the server; the seconds until it exited."""
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.wait_exit(30) == 0, server.output()
    return time.monotonic() - started


def wait_until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.05)


@cites("docs/deployment.md", "An event stream (`text/event-stream`) is ended at once, as a WebSocket gets its `1001`")
@cites("docs/deployment.md", "its body ends whole, so the browser's `EventSource` reconnects by itself, to a server that is "
       "running, and its generator is cancelled, so its `finally` runs")
@cites("docs/deployment.md", "`ended 2 event streams before stopping`; open event streams do not hold a deploy")
@cites("docs/observability.md", "An event stream is not among them: it ends at SIGTERM")
@cites("docs/api-routes.md", "SIGTERM ends it at once, properly: its generator is cancelled (`CancelledError` where it waits, "
       "`GeneratorExit` at a `yield`) and its body ends whole")
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_ends_open_event_streams_at_once_with_their_finally_and_the_lifespan_shutdown(
        make_project, start_server, tmp_path: Path, workers: int) -> None:  # type: ignore[no-untyped-def]
    """An endless event stream held every stop until the worker was killed at the deadline: its
    generator's `finally` never ran, nor the worker's lifespan shutdown, and the client saw a body
    cut short. Now the streams end at SIGTERM, whole (gzip's end included), so EventSource
    reconnects elsewhere; the generators (async or `def`) are cancelled, and the worker stops long
    before the deadline."""
    path = tmp_path / "notes.txt"
    server = start_server(streams_project(make_project), "serve", "--workers", str(workers),
                          "--shutdown-timeout", "10", env={**SHARED_SECRET, "NOTES": str(path)})
    readers = open_readers(server, [("/api/events", "identity"), ("/api/events", "gzip"), ("/api/events", "br"),
                                    ("/api/ticks", "identity"), ("/api/ticks", "gzip")])
    elapsed = stop(server)
    for reader in readers:
        reader.join(10)
        assert not reader.is_alive() and reader.error is None, (reader.url, reader.encoding, reader.error)
    assert elapsed < 4, (elapsed, server.output())
    seen = notes(path)
    assert sum(what == "events finally" for _, what in seen) == 3, seen
    assert sum(what == "ticks finally" for _, what in seen) == 2, seen
    assert_every_app_shut_down(seen, workers)
    out = server.output()
    assert "Killing" not in out and "cut off" not in out and " cut\n" not in out, out
    assert "Traceback" not in out, out
    ended = [int(n) for n in re.findall(r"ended (\d+) event streams? before stopping", out)]
    assert sum(ended) == 5 and len(ended) <= workers, out  # one line per worker that had some
    assert out.count('"GET /api/events" 200 ') == 3 and out.count('"GET /api/ticks" 200 ') == 2, out


@cites("docs/deployment.md", "a request still running then is cancelled, so its `finally` blocks run, and the worker's "
       "lifespan shutdown (the middleware's and plugins') runs before it exits")
@cites("docs/deployment.md", "a body still being streamed is cut short, so its client sees it unfinished, never whole")
@cites("docs/api-routes.md", "Another streamed answer still running at the shutdown deadline is cancelled too, and its body cut short")
@cites("docs/observability.md", "(`503` if it had not started: that is what it gets)")
@pytest.mark.parametrize("workers", [1, 2])
def test_a_request_that_never_ends_is_cancelled_at_the_deadline_and_the_lifespan_shutdown_still_runs(
        make_project, start_server, tmp_path: Path, workers: int) -> None:  # type: ignore[no-untyped-def]
    """A streamed text body that never ends and a handler that never answers held the stop to the
    deadline, then the worker was killed: neither `finally` ran, nor the lifespan shutdown. At the
    deadline they are cancelled (the stream is cut, not ended: a text body cut short must not pass
    for whole), and the worker stops by itself."""
    path = tmp_path / "notes.txt"
    server = start_server(streams_project(make_project), "serve", "--workers", str(workers),
                          "--shutdown-timeout", "2", env={**SHARED_SECRET, "NOTES": str(path)})
    [feed] = open_readers(server, [("/api/feed", "identity")])
    hung = Reader(server.url + "/api/hang")  # never answered: the deadline's 503
    hung.start()
    wait_until(lambda: "hang waiting" in {what for _, what in notes(path)}, 5)
    elapsed = stop(server)
    feed.join(10)
    hung.join(10)
    assert isinstance(feed.error, httpx.RemoteProtocolError), feed.error  # cut, not ended
    assert hung.status == 503 and hung.lines == ['{"error":"The server is shutting down"}'], hung.lines
    assert 1.4 < elapsed < 4, elapsed
    seen = notes(path)
    assert sorted(what for _, what in seen if "finally" in what) == ["feed finally", "hang finally"], seen
    assert_every_app_shut_down(seen, workers)
    out = server.output()
    assert "Killing" not in out and "Traceback" not in out, out
    assert re.search(r'"GET /api/hang" 503 [\d.]+ms \w+ cut\n', out), out
    warned = " ".join(line for line in out.splitlines() if "the shutdown deadline (2s) passed with" in line)
    assert "GET /api/feed" in warned and "GET /api/hang" in warned, out  # (one warning per worker)


@cites("docs/deployment.md", "Only a worker that does not stop then (code that blocks its event loop, or runs in a thread, "
       "which no cancellation stops) is killed.")
def test_a_worker_whose_request_runs_in_a_thread_is_killed_after_the_deadline(make_project, start_server,
                                                                             tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A `def` handler sleeping in its thread cannot be cancelled: its worker is killed when the
    shutdown timeout is over, as before, and the server still exits then."""
    server = start_server(streams_project(make_project), "serve", "--shutdown-timeout", "2",
                          env={"NOTES": str(tmp_path / "notes.txt")})
    sleeper = Reader(server.url + "/api/sleeps")
    sleeper.start()
    time.sleep(0.5)  # its thread sleeps
    elapsed = stop(server)
    assert 1.5 < elapsed < 5, elapsed
    out = server.output()
    assert "cut off: GET /api/sleeps" in out and "Killing worker-1 after it refused to gracefully stop" in out, out


@cites("docs/api-routes.md", "the client leaves (an `async` generator gets `CancelledError` where it waits)")
@cites("docs/api-routes.md", "here a plain `def` generator is closed when its client leaves, once the chunk it is making is done")
@pytest.mark.parametrize("route", ["ticks", "events"])
def test_a_stream_s_generator_is_closed_as_soon_as_its_client_leaves(make_project, start_server, tmp_path: Path,
                                                                     route: str) -> None:  # type: ignore[no-untyped-def]
    """Starlette runs a `def` generator (`ticks`) in a thread and never closes it: its `finally` ran
    only at a later garbage collection, minutes later on a quiet server. It runs when the client
    leaves, as an `async` generator's (`events`, cancelled where it waits) always did."""
    path = tmp_path / "notes.txt"
    server = start_server(streams_project(make_project), "serve", env={"NOTES": str(path)})
    with httpx.stream("GET", server.url + f"/api/{route}", timeout=10) as response:
        lines = response.iter_lines()
        assert next(lines).startswith(("data: ", "retry: "))
    wait_until(lambda: f"{route} finally" in {what for _, what in notes(path)}, 3)
    if route == "events":
        assert (notes(path)[-2][1], notes(path)[-1][1]) == ("events cancelled", "events finally")


PAGE_EVENTS = """() => {
    window.seen = [];
    const source = new EventSource('/api/events');
    source.onopen = () => window.seen.push(['open', performance.now()]);
    source.onerror = () => window.seen.push(['error', performance.now()]);
    source.onmessage = (message) => window.seen.push(['data', performance.now(), Number(message.data)]);
}"""


@cites("docs/api-routes.md", "so the browser's `EventSource` reconnects by\nitself, to a server that is running "
       "(a `retry: 1000` line in the stream says how soon, in milliseconds)")
def test_an_event_source_moves_to_the_new_worker_at_once_when_a_reload_replaces_its_worker(
        make_project, start_server, tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    """A deploy (SIGHUP) replaced the worker only once its open event stream had held it for the
    whole shutdown timeout, then cut it. The stream now ends whole as the old worker stops, and
    Chromium's EventSource reconnects by itself, after the stream's `retry: 200`, to the new worker;
    the old one's generator and lifespan shutdown ran."""
    path = tmp_path / "notes.txt"
    server = start_server(streams_project(make_project), "serve", "--shutdown-timeout", "10",
                          env={**SHARED_SECRET, "NOTES": str(path)})
    page.page.goto(server.url + "/healthz")
    page.page.evaluate(PAGE_EVENTS)
    page.page.wait_for_function("window.seen.some(([kind]) => kind === 'data')", timeout=10000)
    [old] = {entry[2] for entry in page.page.evaluate("window.seen") if entry[0] == "data"}
    sent = time.monotonic()
    server.proc.send_signal(signal.SIGHUP)
    page.page.wait_for_function(f"window.seen.some(([kind, at, pid]) => kind === 'data' && pid !== {old})",
                                timeout=30000)
    assert time.monotonic() - sent < 8  # not the shutdown timeout
    seen = page.page.evaluate("window.seen")
    error = next(i for i, entry in enumerate(seen) if entry[0] == "error")
    reopened = next(entry for entry in seen[error:] if entry[0] == "open")
    assert reopened[1] - seen[error][1] < 1500, seen  # the stream's retry (200 ms), not the browser's 3 s
    assert {entry[2] for entry in seen[error:] if entry[0] == "data"} - {old}, seen
    wait_until(lambda: (old, "lifespan.shutdown") in notes(path), 10)
    assert (old, "events finally") in notes(path)
    assert "Killing" not in server.output()
