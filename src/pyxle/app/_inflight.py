"""The HTTP requests a worker has in progress, and what its stop does with those that never end.

``HttpEdge`` keeps one entry per request (a list, for speed on the hot path):
``[scope, status, began, task, headers, state]``: the status its answer started with (None before),
``perf_counter()`` when it began, the task that serves it, the headers its answer started with, and
where its answer is (``IDLE`` ... ``CUT`` below).

At SIGTERM an event stream (``text/event-stream``) is ended: it never ends by itself, and
EventSource reconnects by itself, to a worker that is running, once its answer ends whole. The
request's task is cancelled, so the stream's generator gets ``CancelledError`` where it waits (or is
closed at its ``yield``; its ``finally`` runs), and the edge then ends the chunked body properly
(``end_event_streams``), as a WebSocket gets its 1001. At the shutdown deadline every request still
in progress is cancelled (``cancel``): its ``finally`` runs, and the worker's lifespan shutdown runs
after it; a body being streamed is cut, never ended, and one not answered yet gets a 503.

A task is never cancelled while it is handing a chunk to the server (``SENDING``): the chunk could be
lost halfway through, a compressed stream left unreadable. It is cancelled once that chunk has gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from pyxle._loggable import loggable

SCOPE, STATUS, BEGAN, TASK, HEADERS, STATE = range(6)
# Where an answer is: IDLE (between chunks, or not started), SENDING (a message is going out), DONE
# (its last body message went out), END_PENDING (asked to end while SENDING), ENDED (its task was
# cancelled to end it: the edge sends its last chunk), CUT (cancelled at the deadline: cut short).
IDLE, SENDING, DONE, END_PENDING, ENDED, CUT = range(6)
_EVENT_STREAM = b"text/event-stream"


def is_event_stream(headers: Iterable[tuple[bytes, bytes]] | None) -> bool:
    """Whether the answer that started with ``headers`` is an event stream (SSE)."""
    for name, value in headers or ():
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == _EVENT_STREAM
    return False


def end_event_streams(entries: Iterable[list[Any]]) -> int:
    """End every event stream in progress among ``entries``: its task is cancelled now, or once the
    chunk it is sending has gone (``END_PENDING``; ``HttpEdge`` then cancels it). Returns how many."""
    ended = 0
    for entry in entries:
        state = entry[STATE]
        if state > SENDING or entry[TASK] is None or not is_event_stream(entry[HEADERS]):
            continue  # finished, already ending, or served outside a task
        ended += 1
        if state == SENDING:
            entry[STATE] = END_PENDING
        else:
            entry[STATE] = ENDED
            entry[TASK].cancel()
    return ended


def cancel(entries: Iterable[list[Any]]) -> list[asyncio.Task[Any]]:
    """Cancel the tasks of ``entries`` (at the shutdown deadline): their answers are cut, never
    ended. Returns the tasks, to wait for."""
    tasks = []
    for entry in entries:
        entry[STATE] = CUT
        task = entry[TASK]
        if task is not None and not task.done():
            task.cancel()
            tasks.append(task)
    return tasks


def named(entry: list[Any]) -> str:
    """``METHOD path`` of the request, as the deadline's warning names it."""
    scope = entry[SCOPE]
    return f"{scope['method']} {loggable(scope['path'])}"
