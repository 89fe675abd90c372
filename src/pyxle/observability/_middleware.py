"""Everything observed per request: the id, timings, metrics, the span, the log.

``Observer`` holds what the config turns on and does the work of one request in three calls
(``begin``, ``started``, ``end``). The app's outer layer for HTTP (``pyxle.app._edge``) makes
those calls from its own wrapper around ``send``, so an HTTP request pays for no layer of its own:
as a separate middleware, request ids cost about 1.6 times as much (docs/benchmarks.md). For the
common set (``lean``: an id, with no Server-Timing and no tracing) the edge does the same work
inline, without the calls.
``ObservabilityMiddleware`` makes the same calls for WebSockets, and for apps that assemble their
own stack.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyxle.observability._context import request_id_var
from pyxle.observability._phases import Phases, phases_var

# An incoming id is used only if it is short and plain: it ends up in log lines and headers.
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")

AfterResponse = Callable[[Scope, int, float], None]  # (scope, status, seconds): the access log
Headers = list[tuple[bytes, bytes]]


def _random_ids() -> Iterator[str]:
    """Random 128-bit ids as 32 hex digits; the randomness is drawn 512 ids at a time (a syscall each)."""
    while True:
        pool = os.urandom(16 * 512).hex()
        for at in range(0, len(pool), 32):
            yield pool[at : at + 32]


def route_of(scope: Scope) -> str | None:
    """The pattern of the route that answered (``/api/items/{id}``, ``/docs/{slug...}``: as ``pyxle
    routes`` prints it, not the 0.9 form hooks read at ``path``), None when none did."""
    route = scope.get("pyxle", {}).get("route")
    if route is None:
        return None
    return route["pattern"]  # type: ignore[no-any-return]


# One request under observation, from ``Observer.begin`` to ``Observer.end``: (start, id, the id's
# context token, phases, their token, span). A tuple: an object per request cost 0.2 µs more.
Begun = tuple[float, "str | None", Any, "Phases | None", Any, Any]


class Observer:
    """What is observed of every request; which parts run is decided here, once, so a request
    pays only for what is turned on."""

    def __init__(self, *, request_id: bool = True, header: str = "X-Request-Id", trust_incoming: bool = False,
                 timing: bool = False, server_timing: bool = False, metrics: Any = None, tracer: Any = None,
                 observers: Sequence[AfterResponse] = ()) -> None:
        self.request_id = request_id
        self.header = header.lower().encode("latin-1")
        self.trust_incoming = trust_incoming
        self.timing = timing
        self.server_timing = server_timing
        self.metrics = metrics
        self.tracer = tracer
        self.observers = tuple(observers)
        # A Phases per request only for what reads it: Server-Timing, the request's span. Metrics
        # alone get render times through ``observe_renders`` (``use_metrics`` sets it up).
        self.phases = server_timing or tracer is not None
        self.on_render = metrics.render if metrics is not None else None
        self.new_id = _random_ids().__next__
        # What the edge observes inline: the three calls below cost an API request about 7% of its
        # req/s (docs/benchmarks.md).
        self.lean = request_id and not self.phases

    def id_of(self, scope: Scope) -> str:
        """The request's id: the incoming one where it is trusted and plain, else a new one."""
        if self.trust_incoming:
            for name, value in scope["headers"]:
                if name == self.header and _SAFE_ID.fullmatch(value):
                    return value.decode("latin-1")
        return self.new_id()

    def begin(self, scope: Scope) -> Begun:
        """A request (HTTP or WebSocket) has arrived: give it its id, its phases and its span."""
        start = time.perf_counter()
        rid = id_token = phases = phases_token = span = None
        if self.request_id:
            rid = self.id_of(scope)
            extra = scope.get("pyxle")
            if extra is None:
                extra = scope["pyxle"] = {}
            extra["request_id"] = rid
            state = scope.get("state")
            if state is None:
                state = scope["state"] = {}
            state["request_id"] = rid
            id_token = request_id_var.set(rid)
        if self.phases:
            phases = Phases(self.tracer, self.on_render)
            phases_token = phases_var.set(phases)
        if self.tracer is not None:
            from pyxle.observability._tracing import RequestSpan

            span = RequestSpan(self.tracer, scope)
        return start, rid, id_token, phases, phases_token, span

    def started(self, begun: Begun, scope: Scope, headers: Sequence[tuple[bytes, bytes]]) -> Headers:
        """The response starts: ``headers`` (not changed) and ours, as a new list."""
        start, rid, _, phases, _, _ = begun
        ours = [*headers, (self.header, rid.encode("latin-1"))] if rid is not None else list(headers)
        if self.timing:
            scope.setdefault("pyxle", {})["timing_ms"] = (time.perf_counter() - start) * 1000
        if phases is not None and self.server_timing:
            ours.append((b"server-timing", phases.server_timing(time.perf_counter() - start)))
        return ours

    def end(self, begun: Begun, scope: Scope, status: int) -> None:
        """The request is over (answered with ``status``, failed or closed): count it, log it, end its span."""
        self.finish(begun, scope, status)
        self.release(begun)

    def finish(self, begun: Begun, scope: Scope, status: int) -> None:
        """The request's answer is sent (``status``): count it, log it, end its span. Its background
        tasks may still run, with its request id (``release`` drops it once they end)."""
        start, *_, span = begun
        seconds = time.perf_counter() - start
        for observer in self.observers:
            observer(scope, status, seconds)
        metrics = self.metrics
        if metrics is not None or span is not None:
            route = route_of(scope)
            if metrics is not None:
                metrics.observe_request(route or "-", scope.get("method", "WS"), status, seconds)
            if span is not None:
                span.end(route, status)

    def release(self, begun: Begun) -> None:
        """The request's code is done, its background tasks too: its request id and phases are no longer current."""
        _, _, id_token, _, phases_token, _ = begun
        if phases_token is not None:
            phases_var.reset(phases_token)
        if id_token is not None:
            request_id_var.reset(id_token)


class ObservabilityMiddleware:
    """``Observer`` as a layer of its own: outermost, so ``x-request-id`` and the durations cover
    every other layer, 500s included. The app uses it for WebSockets (HTTP is observed by its edge).

    Takes an ``Observer``, or the same keyword arguments to make one.
    """

    def __init__(self, app: ASGIApp, observer: Observer | None = None, **options: Any) -> None:
        if observer is not None and options:
            raise TypeError(f"ObservabilityMiddleware takes an Observer or its options, not both: {sorted(options)}")
        self.app = app
        self.observer = observer or Observer(**options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        observer, metrics = self.observer, self.observer.metrics
        begun = observer.begin(scope)
        status = 101 if kind == "websocket" else 500
        accepted = False
        # A close before accept is answered 403 by the server, with no header of ours; where the
        # server takes ASGI's denial responses (granian does), the same 403 is sent as one.
        deny = observer.request_id and "websocket.http.response" in scope.get("extensions", {})

        async def send_observed(message: Message) -> None:
            nonlocal status, accepted
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                message["headers"] = observer.started(begun, scope, message.get("headers", ()))
            elif kind == "websocket.accept":  # the 101 of the handshake
                accepted = True
                message["headers"] = observer.started(begun, scope, message.get("headers", ()))
                if metrics is not None:
                    metrics.websocket(True)
            elif kind == "websocket.http.response.start":  # a refusal with an HTTP answer (429, say)
                status = message["status"]
                message["headers"] = observer.started(begun, scope, message.get("headers", ()))
            elif kind == "websocket.close" and status == 101 and (not accepted or message.get("code") == 1008):
                status = 403  # refused: before accept, or closed for a policy violation (a foreign Origin)
                if deny and not accepted:
                    await send({"type": "websocket.http.response.start", "status": 403,
                                "headers": observer.started(begun, scope, [(b"content-length", b"0")])})
                    await send({"type": "websocket.http.response.body", "body": b""})
                    return
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            if accepted and metrics is not None:
                metrics.websocket(False)
            observer.end(begun, scope, status)
