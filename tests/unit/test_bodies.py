"""A streamed answer's generator is closed however its answer ends (pyxle._bodies), called in-process:
Starlette never closes a `def` generator it runs in threads, and leaves an `async` one stopped at a
`yield` to the garbage collector. tests/e2e/test_stream_shutdown.py shows it on a real server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

from pyxle._bodies import send_response
from tests.unit._waiting import until

Message = dict[str, Any]


def ticks(notes: list[str]) -> Iterator[str]:
    """A `def` generator, which Starlette runs in threads."""
    try:
        while True:
            yield "data: tick\n\n"
            time.sleep(0.01)
    finally:
        notes.append("finally")


async def answer(make: Callable[[], Any], receive: Callable[[], Any], send: Callable[[Message], Any],
                 spec: str = "2.3") -> None:
    """``StreamingResponse(make())`` sent as the API routes and pages send it, under ASGI ``spec``."""
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b"",
             "asgi": {"version": "3.0", "spec_version": spec}}
    await send_response(StreamingResponse(make(), media_type="text/event-stream"), scope, receive, send)


async def stays() -> Message:
    await asyncio.Event().wait()  # the client stays
    return {"type": "http.disconnect"}


def test_a_def_generator_is_closed_when_its_answer_is_cancelled() -> None:
    notes: list[str] = []

    async def main() -> None:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        task = asyncio.create_task(answer(lambda: ticks(notes), stays, send))
        await until(lambda: len(sent) > 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert notes == ["finally"]

    asyncio.run(main())


def test_a_def_generator_is_closed_when_its_client_leaves() -> None:
    notes: list[str] = []

    async def main() -> None:
        sent: list[Message] = []
        left = asyncio.Event()

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            await left.wait()
            return {"type": "http.disconnect"}

        task = asyncio.create_task(answer(lambda: ticks(notes), receive, send))
        await until(lambda: len(sent) > 2)
        left.set()
        await asyncio.wait_for(task, 2)
        assert notes == ["finally"]

    asyncio.run(main())


def test_an_async_generator_stopped_at_a_yield_is_closed_when_sending_fails() -> None:
    """Under ASGI 2.4 Starlette learns of a client gone from a failed send, with the generator at its
    `yield`: nothing cancels it there, so its `finally` waited for the garbage collector."""
    notes: list[str] = []

    async def events() -> AsyncIterator[str]:
        try:
            while True:
                yield "data: tick\n\n"
        finally:
            notes.append("finally")

    async def main() -> None:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            if len(sent) == 3:
                raise OSError("the client has gone")
            sent.append(message)

        with pytest.raises(ClientDisconnect):
            await answer(events, stays, send, spec="2.4")
        assert notes == ["finally"]  # now, not when the loop shuts its generators down

    asyncio.run(main())
