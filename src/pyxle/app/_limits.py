"""Limits: the server's timeouts and render queue (``Limits``, from ``PYXLE_*`` variables), and on
request bodies their size (413) and the time they take to arrive (408), enforced by ``_edge``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from starlette.types import Message, Receive, Scope

from pyxle._refused import BodyRefused
from pyxle.config._rules import LIMITS, describe

logger = logging.getLogger("pyxle.http")


class LimitError(ValueError):
    """A PYXLE_* timeout or size is not a valid value; the message names the variable
    (``Limits.from_env``), or says what a value must be (``limit_value``, for a flag)."""


@dataclass(frozen=True)
class Limits:
    """The server's timeouts and queue size, from ``PYXLE_*`` variables: the shell's, ``.env``
    files', or set by ``pyxle serve`` flags, so worker processes read the same values.
    docs/deployment.md#timeouts-and-limits."""

    keep_alive_timeout: float = 30.0  # PYXLE_KEEP_ALIVE_TIMEOUT: idle connection / request head
    body_timeout: float = 60.0  # PYXLE_BODY_TIMEOUT: receiving a whole request body
    shutdown_timeout: float = 10.0  # PYXLE_SHUTDOWN_TIMEOUT: after SIGTERM, then what is left is closed
    worker_timeout: float = 30.0  # PYXLE_WORKER_TIMEOUT: a worker whose event loop is stuck this long is replaced
    ssr_timeout: float = 10.0  # PYXLE_SSR_TIMEOUT: one render
    ssr_queue: int | None = None  # PYXLE_SSR_QUEUE: renders that may wait (None: 128 per SSR worker)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Limits:
        values: dict[str, Any] = {}
        for field in fields(cls):
            variable = "PYXLE_" + field.name.upper()
            text = (environ.get(variable) or "").strip()
            if text:
                try:
                    values[field.name] = limit_value(field.name, text)
                except LimitError as exc:
                    raise LimitError(f"{variable} {exc}") from None
        return cls(**values)


def limit_value(name: str, text: str) -> float | int:
    """``text`` as the value of the ``Limits`` field ``name``: one rule for a ``PYXLE_*`` variable
    and a ``pyxle serve`` flag (the config's, which checks the variables first, naming their .env
    line), each reporting it under its own name; ``LimitError`` says what it must be."""
    parse, rule = LIMITS[name]
    value = parse(text)
    if not rule.check(value):
        raise LimitError(f"must be {rule.expected} (got {describe(text)})")
    return value  # type: ignore[no-any-return]


class BodyTooLarge(BodyRefused):
    """A body over ``maxBodySize``, declared or streamed: 413, and the connection is closed."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body is larger than the limit of {limit} bytes", headers={"Connection": "close"})


class BodyTimeout(BodyRefused):
    """The body did not arrive in time: 408, and the connection is closed (the rest is unread)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"Request body was not received within {seconds:g}s", headers={"Connection": "close"})


class ClientGone(BodyRefused):
    """The client disconnected before sending the whole body: 499, as nginx logs it (no one reads it)."""

    def __init__(self) -> None:
        super().__init__(499, "Client closed the connection before sending the whole body")


class BodyCutShort(BodyRefused):
    """A chunked body that stopped before its last chunk: malformed, or its client gone. granian
    reports both as ``http.disconnect``, so the answer is the one a connected client needs: 400,
    and the connection is closed (nothing after a bad chunk can be read as the next request)."""

    def __init__(self) -> None:
        super().__init__(400, "Malformed request body: a chunk is invalid, or the body ended early",
                         headers={"Connection": "close"})


BODY_ERRORS = (BodyTooLarge, BodyTimeout, ClientGone, BodyCutShort)


class BodyReader:
    """``receive`` for a request with a body: the whole body must arrive within ``timeout`` seconds
    of the first read (a client trickling it at 1 byte/s gets a 408 instead of holding the request
    forever), and, when ``limit`` is given (no declared length to check up front), stay within it.
    A client that disconnects mid-body is one INFO line and a 499, not a traceback and a 500; a
    chunked body that stops short (a bad chunk, or a client gone: granian says the same of both)
    is one INFO line and a 400. ``chunked``: the request's body is sent in chunks.

    The errors are ``HTTPException``s: raised in a handler they are answered like any other; raised
    in a layer outside the handler's exception net, the app's outer layer answers them. Once the
    answer has started (``answered``) no status can be sent: the body ending early is then the
    ``http.disconnect`` ASGI gives, the end a streamed answer listens for (Starlette's reads the
    body to hear it), not an error to answer.
    ``complete`` says whether the app has read the whole body; ``drain`` reads what it left.
    """

    __slots__ = ("answered", "chunked", "complete", "deadline", "limit", "receive", "scope", "timeout", "total")

    def __init__(self, scope: Scope, receive: Receive, *, timeout: float, limit: int | None,
                 chunked: bool = False) -> None:
        self.scope = scope
        self.chunked = chunked
        self.receive = receive
        self.timeout = timeout
        self.limit = limit
        self.deadline: float | None = None
        self.complete = False
        self.answered = False
        self.total = 0

    def _timed_out(self) -> BodyTimeout:
        logger.info("%s %s: request body not received within %gs (408)", self.scope["method"], self.scope["path"],
                    self.timeout)
        return BodyTimeout(self.timeout)

    def _cut_short(self) -> ClientGone | BodyCutShort:
        """The body stopped before its end. With a declared length only the client leaving does
        that; a chunked body also stops at a malformed chunk (granian gives ``http.disconnect`` for
        both, while the client may still be waiting for an answer, which must be a standard one)."""
        method, path = self.scope["method"], self.scope["path"]
        if self.chunked:
            logger.info("%s %s: chunked request body was malformed or ended early (400)", method, path)
            return BodyCutShort()
        logger.info("%s %s: client disconnected before sending the whole body (499)", method, path)
        return ClientGone()

    async def __call__(self) -> Message:
        task = asyncio.current_task()
        if self.complete or task is None:  # (not in a task: nothing to interrupt the wait with)
            return await self.receive()
        loop = asyncio.get_running_loop()
        if self.deadline is None:
            self.deadline = loop.time() + self.timeout
        elif loop.time() >= self.deadline:
            raise self._timed_out()
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        timer = loop.call_at(self.deadline, expire)
        try:
            message = await self.receive()
        except asyncio.CancelledError:
            if not expired:
                raise
            if hasattr(task, "uncancel"):  # Python 3.11+: this cancellation ends here
                task.uncancel()
            raise self._timed_out() from None
        finally:
            timer.cancel()
        if message["type"] == "http.disconnect":
            if self.answered:
                return message
            raise self._cut_short()
        if self.limit is not None:
            self.total += len(message.get("body", b""))
            if self.total > self.limit:
                raise BodyTooLarge(self.limit)
        if not message.get("more_body", False):
            self.complete = True
        return message

    async def drain(self, seconds: float) -> None:
        """Read and drop what is left of the body, for up to ``seconds``: an answer sent before
        its request's body was read (a refusal, a handler that ignores the body) otherwise leaves
        the server to close the kept-alive connection after it, unannounced, under the client's
        next request."""

        async def rest() -> None:
            while True:
                message = await self.receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return

        with contextlib.suppress(asyncio.TimeoutError, OSError, RuntimeError):
            await asyncio.wait_for(rest(), seconds)
        self.complete = True
