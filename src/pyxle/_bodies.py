"""Sending an app's ``Response`` so that a streamed body's generator is always closed when it ends.

Starlette closes neither kind of body iterator when an answer ends early. An ``async`` generator
cancelled while it awaits ends there, but one left at a ``yield`` (a HEAD answered at its first
chunk) waits for the garbage collector. A plain ``def`` generator is run in threads by
``iterate_in_threadpool``, which never closes it: when the client left, its ``finally`` (an
unsubscribe, a connection given back) ran at some later collection, minutes later on a quiet
server. Here both are closed as soon as the answer ends, however it ends (done, the client gone,
cancelled, a HEAD cut short), as a WSGI server closes the iterable it was given (PEP 3333). Nothing
else in Pyxle is used: the API routes and the pages send their answers through ``send_response``.
"""

from __future__ import annotations

import contextlib
import types
from typing import Any

import anyio
from starlette.concurrency import iterate_in_threadpool
from starlette.types import Receive, Scope, Send

_THREADED = iterate_in_threadpool.__code__  # the async generator Starlette runs a sync iterable through


async def send_response(response: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """Send ``response``; its body iterator, if it has one, is closed once it has ended."""
    body = getattr(response, "body_iterator", None)
    if body is None:
        await response(scope, receive, send)
        return
    source = threaded_source(body)
    try:
        await response(scope, receive, send)
    finally:
        await close_body(body, source)


def threaded_source(body: Any) -> Any:
    """The iterable Starlette runs in threads for ``body`` (a ``StreamingResponse`` of a ``def``
    generator), read before ``body`` starts: its generator keeps nothing else of it. None for
    any other body."""
    if getattr(body, "ag_code", None) is not _THREADED or body.ag_frame is None:
        return None
    return body.ag_frame.f_locals.get("iterator")


async def close_body(body: Any, source: Any = None) -> None:
    """Close ``body`` (an async iterator), then the iterable ``source`` it ran in threads, if any,
    in a thread too: its ``finally`` may block (a database call). Shielded: an answer ends this way
    when it is cancelled, and the close must still happen. Their own errors are not the answer's."""
    with anyio.CancelScope(shield=True):
        aclose = getattr(body, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
        close = getattr(source, "close", None)
        if close is not None and _open(source):
            with contextlib.suppress(Exception):
                await anyio.to_thread.run_sync(close)


def _open(source: Any) -> bool:
    """Whether closing ``source`` may still do anything: a generator that finished has nothing left."""
    return not isinstance(source, types.GeneratorType) or source.gi_frame is not None
