"""What a worker's stop does to the answers in progress, through the app's outer layer (HttpEdge)
in-process: an event stream is ended whole at SIGTERM (never in the middle of a chunk), the rest is
cancelled at the deadline. tests/e2e/test_stream_shutdown.py shows the same on a real server."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from starlette.responses import StreamingResponse

from pyxle._bodies import send_response
from pyxle.app._inflight import is_event_stream
from tests.unit._waiting import until
from tests.unit.test_edge import edge

Message = dict[str, Any]
SCOPE = {"type": "http", "method": "GET", "path": "/x", "query_string": b"", "state": {}}


def streaming(make: Callable[[], Any], media_type: str = "text/event-stream") -> Any:
    """An app answering with ``StreamingResponse(make())``, sent as the API routes send it."""
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send_response(StreamingResponse(make(), media_type=media_type), scope, receive, send)

    return app


async def serve(app: Any, sent: list[Message], *, encoding: bytes = b"identity",
                send: Callable[[Message], Any] | None = None) -> asyncio.Task[None]:
    """``app`` behind the edge, answering a client that stays connected, in a task of its own (as
    granian runs each request)."""
    async def receive() -> Message:
        await asyncio.Event().wait()  # the client stays
        return {"type": "http.disconnect"}

    async def record(message: Message) -> None:
        sent.append(message)

    scope = {**SCOPE, "headers": [(b"accept-encoding", encoding), (b"host", b"x")]}
    task = asyncio.create_task(app(scope, receive, send or record))
    await asyncio.sleep(0)
    return task


def body(sent: list[Message]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def ended_whole(sent: list[Message]) -> bool:
    last = sent[-1]
    return last["type"] == "http.response.body" and not last.get("more_body", False)


@pytest.mark.parametrize("encoding", [b"identity", b"gzip"])
def test_an_event_stream_is_ended_whole_and_its_generator_cancelled(encoding: bytes) -> None:
    notes: list[str] = []

    async def events() -> AsyncIterator[str]:
        try:
            while True:
                yield "data: " + "x" * 2000 + "\n\n"  # over the compression minimum
                await asyncio.sleep(0.05)  # where the cancellation finds it
        except asyncio.CancelledError:
            notes.append("cancelled")
            raise
        finally:
            notes.append("finally")

    async def main() -> list[Message]:
        sent: list[Message] = []
        outer = edge(streaming(events))
        task = await serve(outer, sent, encoding=encoding)
        await until(lambda: len(sent) > 3)
        assert outer.end_event_streams() == 1
        await asyncio.wait_for(task, 2)  # it returns: the cancellation was the edge's own
        assert not task.cancelled() and outer.answering == 0
        return sent

    sent = asyncio.run(main())
    assert notes == ["cancelled", "finally"]
    assert ended_whole(sent)
    text = gzip.decompress(body(sent)) if encoding == b"gzip" else body(sent)
    assert text.startswith(b"data: ") and text.endswith(b"\n\n")


def test_an_event_stream_sending_a_chunk_ends_once_that_chunk_has_gone() -> None:
    """Cancelled in the middle of handing a chunk over (a slow client), a compressed stream would
    lose what the codec had already taken: the client could not read it to the end."""
    release = asyncio.Event()
    sent: list[Message] = []

    async def events() -> AsyncIterator[str]:
        for n in range(1000):
            yield f"data: {n} " + "x" * 2000 + "\n\n"

    async def slow(message: Message) -> None:
        if len(sent) == 3:
            await release.wait()  # the server's buffer is full: this chunk takes a while
        sent.append(message)

    async def main() -> None:
        outer = edge(streaming(events))
        task = await serve(outer, sent, encoding=b"gzip", send=slow)
        await until(lambda: len(sent) == 3)
        await asyncio.sleep(0.05)
        assert outer.end_event_streams() == 1
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.wait_for(task, 2)

    asyncio.run(main())
    assert ended_whole(sent) and len(sent) == 5  # the start, two chunks, the one held, the end
    text = gzip.decompress(body(sent)).decode()
    assert text.count("data: ") == 3 and text.endswith("\n\n")


def test_other_answers_are_left_to_the_deadline_which_cancels_them() -> None:
    notes: list[str] = []

    async def lines() -> AsyncIterator[str]:
        try:
            yield "first\n"
            await asyncio.Event().wait()
        finally:
            notes.append("lines finally")

    async def waiting(scope: Any, receive: Any, send: Any) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            notes.append("waiting finally")

    async def main() -> tuple[list[Message], list[Message]]:
        streamed: list[Message] = []
        unanswered: list[Message] = []
        outer = edge(streaming(lines, "text/plain"))
        feed = await serve(outer, streamed)
        await until(lambda: len(streamed) == 2)
        other = edge(waiting)
        hang = await serve(other, unanswered)
        assert outer.end_event_streams() == 0 and other.end_event_streams() == 0
        await asyncio.sleep(0.05)
        assert not feed.done() and not hang.done()
        for stopping in (outer, other):
            names, tasks_of, tasks = stopping.cut()
            assert names and tasks and not tasks_of
        await asyncio.wait_for(asyncio.gather(feed, hang), 2)
        return streamed, unanswered

    streamed, unanswered = asyncio.run(main())
    assert sorted(notes) == ["lines finally", "waiting finally"]
    assert not ended_whole(streamed)  # cut short: the server drops the connection, never ends it
    assert unanswered[0]["status"] == 503 and body(unanswered) == b'{"error":"The server is shutting down"}'


@pytest.mark.parametrize(("headers", "expected"), [
    ([(b"content-type", b"text/event-stream")], True),
    ([(b"content-type", b"text/event-stream; charset=utf-8")], True),
    ([(b"content-type", b"Text/Event-Stream")], True),
    ([(b"content-type", b"text/plain; charset=utf-8")], False),
    ([], False), (None, False),
])
def test_an_event_stream_is_told_by_its_content_type(headers: Any, expected: bool) -> None:
    assert is_event_stream(headers) is expected
