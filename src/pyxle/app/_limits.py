"""Limits: the server's timeouts and render queue (``Limits``, from ``PYXLE_*`` variables), and on
request bodies their size (413, JSON) and the time they take to arrive (408)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("pyxle.http")
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class LimitError(ValueError):
    """A PYXLE_* timeout or size is not a valid value; the message names the variable."""


@dataclass(frozen=True)
class Limits:
    """The server's timeouts and queue size, from ``PYXLE_*`` variables: the shell's, ``.env``
    files', or set by ``pyxle serve`` flags, so worker processes read the same values.
    docs/deployment.md#timeouts-and-limits."""

    keep_alive_timeout: float = 30.0  # PYXLE_KEEP_ALIVE_TIMEOUT: idle connection / request head
    body_timeout: float = 60.0  # PYXLE_BODY_TIMEOUT: receiving a whole request body
    shutdown_timeout: float = 10.0  # PYXLE_SHUTDOWN_TIMEOUT: after SIGTERM, then what is left is closed
    ssr_timeout: float = 10.0  # PYXLE_SSR_TIMEOUT: one render
    ssr_queue: int | None = None  # PYXLE_SSR_QUEUE: renders that may wait (None: 128 per SSR worker)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Limits:
        values: dict[str, Any] = {}
        for field in fields(cls):
            variable = "PYXLE_" + field.name.upper()
            text = (environ.get(variable) or "").strip()
            if not text:
                continue
            if field.name == "ssr_queue":
                if not text.isdigit():
                    raise LimitError(f"{variable} must be a whole number of renders, 0 or more (got {text!r})")
                values[field.name] = int(text)
                continue
            try:
                seconds = float(text)
            except ValueError:
                seconds = -1.0
            if not 0 < seconds < 86400 * 365:
                raise LimitError(f"{variable} must be a number of seconds above 0 (got {text!r})")
            values[field.name] = seconds
        return cls(**values)


class BodyLimitMiddleware:
    """A declared ``Content-Length`` over the limit is refused at once; a streamed body when it crosses it."""

    def __init__(self, app: ASGIApp, *, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.detail = f"Request body is larger than the limit of {max_body_size} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await JSONResponse({"error": "Invalid Content-Length header"}, 400)(scope, receive, send)
                    return
                if declared > self.max_body_size:
                    await JSONResponse({"error": self.detail}, 413, headers={"Connection": "close"})(
                        scope, receive, send
                    )
                    return
                await self.app(scope, receive, send)  # the server enforces the declared length
                return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        total = 0

        async def receive_counted() -> Message:
            nonlocal total
            message = await receive()
            total += len(message.get("body", b""))
            if total > self.max_body_size:
                raise HTTPException(413, self.detail)
            return message

        return receive_counted


class BodyTimeout(HTTPException):
    """The body did not arrive in time: 408, and the connection is closed (the rest is unread)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"Request body was not received within {seconds:g}s", headers={"Connection": "close"})


class ClientGone(HTTPException):
    """The client disconnected before sending the whole body: 499, as nginx logs it (no one reads it)."""

    def __init__(self) -> None:
        super().__init__(499, "Client closed the connection before sending the whole body")


class BodyTimeoutMiddleware:
    """Reading a request body may take at most ``timeout`` seconds from the first read; a client
    trickling it (1 byte/s) gets a 408 instead of holding the request forever. A client that
    disconnects mid-body is one INFO line and a 499 in the access log, not a traceback and a 500.

    Sits outside the user's middleware and CSRF, so every reader of the body (CSRF reads plain
    form posts) is timed. Both are ``HTTPException``s: raised inside a handler they become JSON
    answers like any other; raised in a layer outside the exception handler, they are answered here.
    """

    def __init__(self, app: ASGIApp, *, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, self._timed(scope, receive), send)
        except (BodyTimeout, ClientGone) as exc:
            response = JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)
            with contextlib.suppress(RuntimeError, OSError):  # the response had started: nothing more to say
                await response(scope, receive, send)

    def _timed(self, scope: Scope, receive: Receive) -> Receive:
        timeout = self.timeout
        deadline: float | None = None
        complete = False

        def timed_out() -> BodyTimeout:
            logger.info("%s %s: request body not received within %gs (408)", scope["method"], scope["path"], timeout)
            return BodyTimeout(timeout)

        async def receive_timed() -> Message:
            nonlocal deadline, complete
            task = asyncio.current_task()
            if complete or task is None:  # (not in a task: nothing to interrupt the wait with)
                return await receive()
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + timeout
            elif loop.time() >= deadline:
                raise timed_out()
            expired = False

            def expire() -> None:
                nonlocal expired
                expired = True
                task.cancel()

            timer = loop.call_at(deadline, expire)
            try:
                message = await receive()
            except asyncio.CancelledError:
                if not expired:
                    raise
                if hasattr(task, "uncancel"):  # Python 3.11+: this cancellation ends here
                    task.uncancel()
                raise timed_out() from None
            finally:
                timer.cancel()
            if message["type"] == "http.disconnect":
                logger.info("%s %s: client disconnected before sending the whole body (499)", scope["method"],
                            scope["path"])
                raise ClientGone()
            if not message.get("more_body", False):
                complete = True
            return message

        return receive_timed
