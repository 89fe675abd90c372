"""``client_left``: how a page request hears that its client has gone, on the messages ASGI servers send."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pyxle.pages._render import client_left


def receiving(*messages: dict[str, Any]) -> tuple[Any, list[int]]:
    """A ``receive`` answering ``messages`` in turn, then the last one for ever; and its call count."""
    calls = [0]

    async def receive() -> dict[str, Any]:
        calls[0] += 1
        await asyncio.sleep(0)
        return messages[min(calls[0], len(messages)) - 1]

    return receive, calls


def test_it_returns_when_the_client_disconnects_after_the_body() -> None:
    receive, calls = receiving({"type": "http.request", "body": b"a", "more_body": True},
                               {"type": "http.request", "body": b"", "more_body": False},
                               {"type": "http.disconnect"})
    asyncio.run(asyncio.wait_for(client_left(receive), 1))
    assert calls[0] == 3


def test_a_server_that_keeps_sending_requests_is_not_read_in_a_loop() -> None:
    """A server saying more than ASGI does (an empty body again and again) would make a busy loop
    of the watch; it is listened to no more instead, and the render goes on as if unwatched."""
    receive, calls = receiving({"type": "http.request", "body": b"", "more_body": False})
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(client_left(receive), 0.2))
    assert calls[0] == 2
