"""``HEAD`` on an API route: the ``GET`` answer's status and headers, its body never made.

The server sends the headers with the first body message, so the answer ends at that message:
dropping a streamed body's chunks instead held the headers until the stream ended (never, for an
endless one). What ``get`` would stream after it is not produced: its generator is closed.
"""

from __future__ import annotations

import contextlib
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from pyxle._bodies import send_response


class HeadSent(Exception):
    """Raised by ``headers_only``'s ``send`` once the HEAD answer is complete and a body was still
    coming: it unwinds the response that was streaming it (``respond`` stops it there)."""


def headers_only(send: Send) -> Send:
    """A ``send`` that keeps the start and ends the answer, empty, at its first body message."""

    async def send_headers(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        await send({"type": "http.response.body", "body": b""})
        if message.get("more_body", False):
            raise HeadSent

    return send_headers


async def respond(response: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """Send ``response``; a stream cut short by ``HeadSent`` ends the answer there. Its body iterator
    is closed however the answer ends (``pyxle._bodies``): the handler's ``finally`` runs now, not
    when the garbage collector gets to it."""
    with contextlib.suppress(HeadSent):
        await send_response(response, scope, receive, send)
