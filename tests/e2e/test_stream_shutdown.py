"""How a streamed answer's generator ends on a real `pyxle serve`: its `finally` runs as soon as
its client leaves, a plain `def` generator's included."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.docs._blocks import cites

NOTE = '''
import os

def note(what):
    """One line per event, with the worker's pid, in the file the test reads."""
    with open(os.environ["NOTES"], "a") as notes:
        notes.write(f"{os.getpid()} {what}\\n")
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


def streams_project(make_project) -> Path:  # type: ignore[no-untyped-def]
    return make_project({  # type: ignore[no-any-return]
        "notes.py": NOTE, "pages/api/events.py": EVENTS, "pages/api/ticks.py": TICKS,
    })


def notes(path: Path) -> list[tuple[int, str]]:
    """The (pid, event) lines the app wrote."""
    if not path.exists():
        return []
    return [(int(pid), what) for pid, what in (line.split(" ", 1) for line in path.read_text().splitlines())]


def wait_until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.05)


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
