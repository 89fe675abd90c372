"""The app's outer layer for HTTP: what every answer and every request body gets.

The request's observation (id, timings, metrics, span, access log: ``pyxle.observability``),
security headers, compression (or its ``Vary``), the net that turns an unhandled exception into
a logged, generic 500, the request body's size and time limits, and HTTP/1.1's one ``Host``
(a 400 before anything routes without it, or with two). One layer, one scan of the
request headers and one wrapper around ``send``: as separate middleware these cost a coroutine
and a wrapper each: 38.1 µs of server CPU per API request became 32.6 (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyxle._cancelled import lets_through
from pyxle._forwarded import TrustedPeers, forward
from pyxle._loggable import loggable
from pyxle._refused import RequestRefused, body_refusal
from pyxle._status import answer_status
from pyxle.app._compress import Compressor, not_modified, vary
from pyxle.app._errors import error_response, server_error
from pyxle.app._inflight import DONE, END_PENDING, ENDED, IDLE, SENDING, cancel, end_event_streams, named
from pyxle.app._limits import BODY_ERRORS, BodyReader, BodyTooLarge
from pyxle.observability import Observer
from pyxle.observability._context import request_id_var
from pyxle.pages._errors import error_json

logger = logging.getLogger("pyxle.error")
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})
AddHeaders = Callable[[Sequence[tuple[bytes, bytes]]], list[tuple[bytes, bytes]]]
# A body the app left unread (a refusal, a handler that ignores it) of at most this many declared
# bytes is read and dropped once the answer is sent, for up to _DRAIN_SECONDS, so its kept-alive
# connection carries the next request; a larger or chunked one gets `Connection: close` instead.
_DRAIN_BYTES = 64 * 1024
_DRAIN_SECONDS = 1.0
_CLOSE = (b"connection", b"close")
# What a request still waiting for its answer at the shutdown deadline gets (a worker that retires
# says `Connection: close` too): a client or proxy may send it again, to a worker that is running.
_STOPPED = RequestRefused(503, "The server is shutting down", {"Retry-After": "1"})
Refuse = Callable[[Scope, Response], ASGIApp]  # a refusal's JSON -> what answers it (PyxleApp.refusal)


class HttpEdge:
    """Outside everything that answers (rate limits, user middleware, CSRF, the routes), so each of
    their answers, 500s included, carries the security headers and is compressed."""

    def __init__(self, app: ASGIApp, *, add_headers: AddHeaders | None, compressor: Compressor | None,
                 max_body_size: int, body_timeout: float, expose_errors: bool = False,
                 observer: Observer | None = None, other: ASGIApp | None = None, refuse: Refuse | None = None,
                 trusted: TrustedPeers | None = None, socket_headers: AddHeaders | None = None,
                 lifespan: ASGIApp | None = None) -> None:
        """``other`` serves what is not HTTP (WebSockets, lifespan); ``app`` by default; ``lifespan``,
        the lifespan scope, when given (``LifespanGuard``: the project's middleware failing it). ``refuse``
        answers a body's refusal (413, 408, 400) in place of its JSON: a page for a no-JS form post.
        ``trusted``: the proxies whose ``X-Forwarded-*`` headers are believed (``pyxle._forwarded``).
        ``socket_headers``: what a refused WebSocket handshake's answer gets, ``add_headers`` by
        default (``other`` observes sockets, so their request id is in the headers by then)."""
        self.app = app
        self.trusted = trusted
        self.refuse = refuse
        self.other = other or app
        self.lifespan = lifespan or self.other
        self.observer = observer
        self.add_headers = add_headers
        self.socket_headers = socket_headers or add_headers
        self.compressor = compressor
        self.max_body_size = max_body_size
        self.body_timeout = body_timeout
        self.expose_errors = expose_errors
        # A request id with no Server-Timing or tracing is observed inline (``lean``), not through
        # the observer's three calls: they cost an API request about 7% of its req/s (docs/benchmarks.md).
        self.lean = observer is not None and observer.lean
        # The worker is about to stop (a reload replaces it; SIGTERM): every HTTP/1 answer says
        # `Connection: close`, so a keep-alive client (a proxy's pool) sends its next request on a
        # new connection, not on one this worker closes as it stops, where it fails (a 502 for a
        # POST through nginx, which retries only GETs).
        self.retiring = False
        # The HTTP requests in progress (``_inflight``: scope, status, start, task, headers, state): a
        # stopping worker ends their event streams, waits for the rest (PyxleApp._settled), and cuts
        # those left at its deadline (``cut``).
        self.running: dict[int, list[Any]] = {}

    @property
    def answering(self) -> int:
        """How many HTTP requests are in progress."""
        return len(self.running)

    def end_event_streams(self) -> int:
        """SIGTERM: end the event streams in progress, whole (``_inflight``); how many."""
        return end_event_streams(self.running.values())

    def cut(self) -> tuple[list[str], list[str], list[asyncio.Task[Any]]]:
        """At the shutdown deadline: the access line of each HTTP request still in progress (a
        stream that never ends, a handler that waits forever), marked cut, with the status its answer
        started with (503 if none yet: the answer it then gets, ``_after_stop``) and its time so far; they are then no longer in progress, so none
        is logged twice. A request answered whose background tasks still run was logged as it was
        answered: it is named apart, as tasks, not as a request cut. Every task is cancelled, so its
        ``finally`` blocks run and the worker can stop by itself. Returns ``METHOD path`` of the
        requests cut and of those whose tasks ran, for the warnings, and the tasks to wait for."""
        records = self.observer.observers if self.observer is not None else ()
        now, entries = perf_counter(), list(self.running.values())
        answering = [entry for entry in entries if entry[5] != DONE]
        for scope, status, began, *_ in answering:
            scope.setdefault("pyxle", {})["cut"] = True
            for record in records:
                record(scope, _STOPPED.status_code if status is None else status, now - began)
        self.running.clear()
        tasks_of = [named(entry) for entry in entries if entry[5] == DONE]
        return [named(entry) for entry in answering], tasks_of, cancel(entries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket" and (refusal := _host_refusal(scope, *_hosts(scope))) is not None:
                await _refuse_socket(refusal, scope, send, self.socket_headers)
                return
            if scope["type"] == "websocket" and self.trusted is not None:
                forward(scope, self.trusted)
            if scope["type"] == "websocket" and self.socket_headers is not None:
                await self._websocket(scope, receive, send, self.socket_headers)
            else:
                await (self.lifespan if scope["type"] == "lifespan" else self.other)(scope, receive, send)
            return
        accept = length = None
        chunked = forwarded = False
        hosts, host = 0, b""
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accept = value
            elif name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"x-forwarded-for" or name == b"x-forwarded-proto":
                forwarded = True
            elif name == b"host":
                hosts, host = hosts + 1, value
        if forwarded and self.trusted is not None:  # before anything reads the client or the scheme
            forward(scope, self.trusted)
        downstream, varies, coding = send, False, None
        compressor = self.compressor
        if compressor is not None:
            coding = compressor.coding(accept) if accept is not None and scope["method"] != "HEAD" else None
            if coding is None:
                varies = True
            else:
                downstream = compressor.encoding(send, coding, scope, receive)
        add_headers, observer, lean = self.add_headers, self.observer, self.lean
        status: int | None = None  # the answer's, once it has started
        reader: BodyReader | None = None  # the request's body, when it has one
        drain = False  # read what is left of it once the answer is sent

        async def send_edge(message: Message) -> None:
            nonlocal status, drain
            if message["type"] == "http.response.start":
                code = message["status"]
                if type(code) is not int or not 200 <= code <= 599:  # granian panics and the worker dies
                    code = message["status"] = _status(code)
                status = entry[1] = code
                headers = message.get("headers") or []
                if add_headers is not None:
                    headers = add_headers(headers)
                if code == 304:
                    headers = not_modified(headers, scope, compressor, coding)
                else:
                    if code != 204:
                        headers = _unbuffered(headers)
                    if varies:
                        headers = vary(code, headers)
                if lean:
                    headers = [*headers, id_header]
                    if timed:
                        extra["timing_ms"] = (perf_counter() - start) * 1000
                elif begun is not None:
                    headers = observer.started(begun, scope, headers)  # type: ignore[union-attr]
                if reader is not None:
                    reader.answered = True
                if (self.retiring or (reader is not None and not reader.complete)) and scope.get("http_version") != "2":
                    headers, drain = _connection(length, chunked, headers, retiring=self.retiring)
                message["headers"] = entry[4] = headers
            elif drain and not message.get("more_body", False):
                drain = False
                if not reader.complete:  # type: ignore[union-attr]  # (a streamed answer may have read it since)
                    await reader.drain(_DRAIN_SECONDS)  # type: ignore[union-attr]
            if entry[5] >= ENDED:  # the stop ended or cut this answer: nothing more of it goes out
                await _take_cancellation()
            entry[5] = SENDING  # (never cancelled halfway through: see _inflight)
            await downstream(message)
            state = entry[5]
            if state == SENDING:
                if message["type"] != "http.response.start" and not message.get("more_body", False):
                    entry[5] = DONE  # answered: what runs on (background tasks) is not the request's time
                    observe(status)
                else:
                    entry[5] = IDLE
            elif state == END_PENDING:  # asked to end while this went out
                entry[5] = ENDED
                task.cancel()  # type: ignore[union-attr]

        observed = False  # its access line, metrics and span: written once its answer is sent

        def observe(code: int | None) -> None:
            nonlocal observed
            observed = True
            if code is None:
                code = 500
            if lean:
                seconds = perf_counter() - start
                for record in observer.observers:  # type: ignore[union-attr]
                    record(scope, code, seconds)
                if metrics is not None:
                    route, seen = extra.get("route"), metrics.seen
                    if not seen:
                        metrics.schedule()
                    seen.append((route["pattern"] if route is not None else "-", scope["method"], code, seconds))
            elif begun is not None:
                observer.finish(begun, scope, code)  # type: ignore[union-attr]

        begun = None
        try:
            task = asyncio.current_task()
        except RuntimeError:  # driven by hand, outside any event loop: nothing to cancel
            task = None
        entry: list[Any] = [scope, None, perf_counter(), task, None, IDLE]  # (_inflight's layout)
        if lean:  # Observer.begin's work for the common set, and Observer.end's below
            start = entry[2]
            rid = observer.id_of(scope) if observer.trust_incoming else observer.new_id()  # type: ignore[union-attr]
            extra = scope.get("pyxle")
            if extra is None:
                extra = scope["pyxle"] = {}
            extra["request_id"] = rid
            state = scope.get("state")
            if state is None:
                scope["state"] = {"request_id": rid}
            else:
                state["request_id"] = rid
            id_token = request_id_var.set(rid)
            id_header = (observer.header, rid.encode("latin-1"))  # type: ignore[union-attr]
            timed, metrics = observer.timing, observer.metrics  # type: ignore[union-attr]
        elif observer is not None:
            begun = observer.begin(scope)
        running = self.running
        running[id(entry)] = entry
        try:
            if (hosts != 1 or not host) and (refused := _host_refusal(scope, hosts, host)) is not None:  # before routing
                await error_response(refused, scope["path"])(scope, receive, send_edge)
                return
            if length is not None:
                refusal = self._refuse_length(length)
                if refusal is not None:
                    await self._refused(refusal, scope)(scope, receive, send_edge)
                    return
            if length is not None or chunked or scope["method"] not in _NO_BODY:
                limit = self.max_body_size if length is None else None  # a declared length is checked above
                receive = reader = BodyReader(scope, receive, timeout=self.body_timeout, limit=limit, chunked=chunked)
            try:
                await self.app(scope, receive, send_edge)
            except asyncio.CancelledError:
                if entry[5] < ENDED:
                    raise
                await self._after_stop(entry, status, scope, receive, send_edge, downstream)
            else:
                if entry[5] == ENDED:  # (its code took the cancellation and returned)
                    await self._after_stop(entry, status, scope, receive, send_edge, downstream)
        except BODY_ERRORS as exc:  # raised outside the routes' own net (CSRF reading a form, user middleware)
            await self._body_refused(exc, status, scope, receive, send_edge)
        except ClientDisconnect:  # the app read the body on after the client left (a streamed answer): no one to tell
            if status is None:
                status = 499  # as nginx logs a client gone before its answer
        except BaseException as exc:  # sys.exit() and the like from the request's code too (see pyxle._cancelled)
            if lets_through(exc):  # the request's cancellation
                raise
            if (refused := body_refusal(exc)) is not None:  # wrapped by a task group (BaseHTTPMiddleware)
                await self._body_refused(refused, status, scope, receive, send_edge)
                return
            logger.error("Unhandled error in %s %s", scope.get("method"), loggable(scope.get("path", "")), exc_info=exc)
            if status is None:
                body = server_error(exc, expose=self.expose_errors, path=scope["path"])
                await error_json(body, 500)(scope, receive, send_edge)  # an exposed text may hold a lone surrogate
        finally:
            # Not in progress any more: else logged as cut at the shutdown deadline.
            if running.pop(id(entry), None) is not None and not observed:
                observe(status)
            if lean:
                request_id_var.reset(id_token)
            elif begun is not None:
                observer.release(begun)  # type: ignore[union-attr]

    async def _after_stop(self, entry: list[Any], status: int | None, scope: Scope, receive: Receive, send: Send,
                       downstream: Send) -> None:
        """The end of an answer whose task the stop cancelled (``_inflight``), which is no longer
        being cancelled: an event stream ended at SIGTERM ends whole (its compressed stream too), so
        EventSource reconnects, to a worker that runs. At the deadline, a request not answered yet
        gets a 503 saying why (granian's bare 500 otherwise); one answering is left unfinished, so
        the server cuts its body, which no client may take for whole (granian logs no traceback)."""
        _uncancel(entry[3])
        if entry[5] == ENDED:
            await downstream({"type": "http.response.body", "body": b"", "more_body": False})
        elif status is None:
            entry[5] = IDLE
            await error_response(_STOPPED, scope["path"])(scope, receive, send)

    async def _body_refused(self, exc: HTTPException, status: int | None, scope: Scope, receive: Receive,
                            send: Send) -> None:
        """A body's refusal that reached the edge: its answer, unless one has started."""
        if status is None:
            with contextlib.suppress(RuntimeError, OSError):  # the client has gone: nothing more to say
                await self._refused(exc, scope)(scope, receive, send)

    def _refused(self, exc: HTTPException, scope: Scope) -> ASGIApp:
        answer = error_response(exc, scope["path"])
        return answer if self.refuse is None else self.refuse(scope, answer)

    def _refuse_length(self, length: bytes) -> HTTPException | None:
        """Why a declared ``Content-Length`` is refused: not a number (400), over the limit (413)."""
        try:
            declared = int(length)
        except ValueError:
            return RequestRefused(400, "Invalid Content-Length header")
        return BodyTooLarge(self.max_body_size) if declared > self.max_body_size else None

    async def _websocket(self, scope: Scope, receive: Receive, send: Send, add: AddHeaders) -> None:
        """A handshake refused is an HTTP answer too, and carries the security headers: a refusal
        with a body (429) gets them added; a close before accept, which the server would answer
        with a bare 403, is sent as that 403 with them, where the server takes ASGI's denial
        responses (granian does)."""
        denies = "websocket.http.response" in scope.get("extensions", {})
        accepted = False

        async def send_headed(message: Message) -> None:
            nonlocal accepted
            kind = message["type"]
            if kind == "websocket.accept":
                accepted = True
            elif kind == "websocket.http.response.start":
                message["headers"] = add(message.get("headers") or [])
            elif kind == "websocket.close" and not accepted and denies:
                await send({"type": "websocket.http.response.start", "status": 403,
                            "headers": add([(b"content-length", b"0")])})
                await send({"type": "websocket.http.response.body", "body": b""})
                return
            await send(message)

        await self.other(scope, receive, send_headed)


_UNBUFFERED = (b"x-accel-buffering", b"no")


def _unbuffered(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``X-Accel-Buffering: no`` for an answer sent without a ``Content-Length``
    (an event stream, a streamed page): nginx then passes its chunks on as they come."""
    for name, _ in headers:  # Starlette puts the length first: one step for most answers
        if name == b"content-length" or name == b"x-accel-buffering":
            return headers
    return [*headers, _UNBUFFERED]


def _hosts(scope: Scope) -> tuple[int, bytes]:
    """How many Host headers ``scope`` has, and the last one's value."""
    found = [value for name, value in scope["headers"] if name == b"host"]
    return len(found), found[-1] if found else b""


def _host_refusal(scope: Scope, hosts: int, host: bytes) -> RequestRefused | None:
    """The 400 for a request with ``hosts`` Host headers where HTTP/1.1 asks for exactly one (RFC 9112
    §3.2): none (granian passes it as an empty one), or two that a proxy may read one way and
    ``request.url`` the other. HTTP/1.0 needs none, HTTP/2 names the host in ``:authority``; a scope
    that names no version is the app's own."""
    version = scope.get("http_version")
    if hosts <= 1 and (host or version != "1.1"):
        return None
    headers = None if version == "2" else {"Connection": "close"}  # its body, if any, was never read
    return RequestRefused(400, "More than one Host header" if hosts > 1 else "Missing Host header", headers)


async def _refuse_socket(refused: RequestRefused, scope: Scope, send: Send, add: AddHeaders | None) -> None:
    """A WebSocket handshake refused before any route sees it: that 400 where the server takes
    ASGI's denial responses (granian does), else a close before accept (the server's 403)."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008, "reason": refused.detail})
        return
    answer = error_response(refused)
    headers = answer.raw_headers if add is None else add(answer.raw_headers)
    await send({"type": "websocket.http.response.start", "status": 400, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": answer.body})


def _status(code: object) -> int:
    """An answer's status that is not a plain int from 200 to 599: an int enum's value
    (``HTTPStatus.CREATED``, as Starlette takes it), else the app's error."""
    status = answer_status(code)
    if status is None:
        raise ValueError(f"invalid HTTP status {code!r} for an answer: it must be an int from 200 to 599")
    return status


def _connection(length: bytes | None, chunked: bool, headers: list[tuple[bytes, bytes]], *,
                retiring: bool) -> tuple[list[tuple[bytes, bytes]], bool]:
    """For an answer that starts while its worker retires, or before its request's body was read:
    its headers, and whether to read the rest of the body once it is sent (a small declared body);
    a large or chunked one, or any answer of a retiring worker, gets ``Connection: close``. Nothing
    changes for an answer that says ``Connection`` itself (a 413 or 408 closes)."""
    if any(name == b"connection" for name, _ in headers):
        return headers, False
    if not chunked and not retiring:
        size = 0 if length is None else int(length)
        if size <= _DRAIN_BYTES:
            return headers, size > 0
    return [*headers, _CLOSE], False


async def _take_cancellation() -> None:
    """A message of an answer the stop ended or cut (``_inflight``): its task's cancellation is
    pending, and is taken here, before the message goes out; a task the cancellation does not reach
    (one the answer's code runs it in) stops here as cancelled too."""
    await asyncio.sleep(0)
    raise asyncio.CancelledError


def _uncancel(task: asyncio.Task[Any] | None) -> None:
    """``task``, cancelled by the stop to end its answer, is no longer being cancelled: its answer's
    last message can go out (Python 3.10 counts no cancellations)."""
    uncancel = getattr(task, "uncancel", None)
    if uncancel is not None:
        uncancel()
