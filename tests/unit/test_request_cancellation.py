"""Exceptions that are not ``Exception``s, through the app's outer layer (HttpEdge) in-process: the
request's code raising one is a generic 500; the request's task being cancelled stays a cancellation."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from pyxle._cancelled import lets_through
from tests.unit.test_edge import call, edge, start

needs_cancelling = pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling() is Python 3.11+")


@pytest.mark.parametrize("raised", [
    pytest.param(asyncio.CancelledError(), marks=needs_cancelling), KeyboardInterrupt(), SystemExit(3),
    type("MyBase", (BaseException,), {})("secret 5150"), GeneratorExit("secret 5150"),
], ids=["cancelled", "interrupt", "exit", "custom", "generator-exit"])
def test_a_base_exception_raised_by_the_request_s_code_is_a_generic_500(raised: BaseException) -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise raised

    try:
        sent = call(edge(broken))
    except BaseException as exc:  # noqa: BLE001 - without the net: caught here, not stopping pytest
        pytest.fail(f"{type(exc).__name__} went through the edge")
    status, headers = start(sent)
    assert status == 500 and sent[1]["body"] == b'{"error":"Internal Server Error"}'
    assert headers[b"x-content-type-options"] == b"nosniff"


def test_the_cancellation_of_the_request_s_task_goes_on_as_a_cancellation() -> None:
    sent: list[dict[str, Any]] = []
    entered = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        entered.set()
        await asyncio.sleep(60)  # a loader waiting on I/O when the client goes away

    async def main() -> None:
        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b"", "state": {}}
        task = asyncio.create_task(edge(slow)(scope, receive, send))
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert sent == []  # no 500 sent for a request that was stopped


class _Suspend:
    def __await__(self) -> Any:
        yield  # where the request waits when Python closes its coroutine


def test_a_coroutine_closed_from_outside_any_task_is_never_answered() -> None:
    """Python closing a request's coroutine (a task dropped unfinished) throws GeneratorExit into it:
    answering then would await inside a closing coroutine, itself an error."""
    sent: list[dict[str, Any]] = []

    async def waiting(scope: Any, receive: Any, send: Any) -> None:
        await _Suspend()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b"", "state": {}}
    coro = edge(waiting)(scope, receive, send)
    coro.send(None)
    coro.close()  # would raise RuntimeError had the edge caught GeneratorExit and gone on
    assert sent == [] and lets_through(GeneratorExit()) and not lets_through(KeyboardInterrupt())
