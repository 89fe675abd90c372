"""One middleware for everything observed per request: the id, timings, metrics, the span, the log.

They share one wrapper around ``send`` and one clock; which of them run is decided when the
app is built, so a request pays only for what is turned on.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyxle.observability._context import request_id_var
from pyxle.observability._phases import Phases, phases_var

# An incoming id is used only if it is short and plain: it ends up in log lines and headers.
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")

Observer = Callable[[Scope, int, float], None]  # (scope, status, seconds), after the response


class _Ids:
    """Random 128-bit ids as 32 hex digits; the randomness is drawn in batches (a syscall each)."""

    def __init__(self) -> None:
        self._pool = ""
        self._at = 0

    def next(self) -> str:
        at = self._at
        if at + 32 > len(self._pool):
            self._pool, at = secrets.token_hex(16 * 256), 0
        self._at = at + 32
        return self._pool[at : at + 32]


def route_of(scope: Scope) -> str | None:
    """The pattern of the route that answered (``/api/items/{id}``), None when none did."""
    route = scope.get("pyxle", {}).get("route")
    if route is None:
        return None
    return route["path"]  # type: ignore[no-any-return]


class ObservabilityMiddleware:
    """Outermost: ``x-request-id`` and the durations cover every other layer, 500s included."""

    def __init__(self, app: ASGIApp, *, request_id: bool = True, header: str = "X-Request-Id",
                 trust_incoming: bool = False, timing: bool = False, server_timing: bool = False,
                 metrics: Any = None, tracer: Any = None, observers: Sequence[Observer] = ()) -> None:
        self.app = app
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
        self._ids = _Ids()

    def _id(self, scope: Scope) -> str:
        if self.trust_incoming:
            for name, value in scope["headers"]:
                if name == self.header and _SAFE_ID.fullmatch(value):
                    return value.decode("latin-1")
        return self._ids.next()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        extra = scope.setdefault("pyxle", {})
        rid = None
        if self.request_id:
            rid = extra["request_id"] = self._id(scope)
            state = scope.get("state")
            if state is None:
                state = scope["state"] = {}
            state["request_id"] = rid
            id_token = request_id_var.set(rid)
        phases = Phases(self.tracer, self.on_render) if self.phases else None
        phases_token = phases_var.set(phases) if phases is not None else None
        span = None
        if self.tracer is not None:
            from pyxle.observability._tracing import RequestSpan

            span = RequestSpan(self.tracer, scope)
        status = 101 if kind == "websocket" else 500
        accepted = False

        async def send_observed(message: Message) -> None:
            nonlocal status, accepted
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))  # a copy: the sender's list is not ours to change
                if rid is not None:
                    headers.append((self.header, rid.encode("latin-1")))
                if self.timing:
                    extra["timing_ms"] = (time.perf_counter() - start) * 1000
                if phases is not None and self.server_timing:
                    headers.append((b"server-timing", phases.server_timing(time.perf_counter() - start)))
                message["headers"] = headers
            elif kind == "websocket.accept":
                accepted = True
                if self.metrics is not None:
                    self.metrics.websocket(True)
            elif kind == "websocket.close" and status == 101 and (not accepted or message.get("code") == 1008):
                status = 403  # refused: before accept, or closed for a policy violation (a foreign Origin)
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - start
            if accepted and self.metrics is not None:
                self.metrics.websocket(False)
            for observer in self.observers:
                observer(scope, status, seconds)
            if self.metrics is not None or span is not None:
                route = route_of(scope)
                if self.metrics is not None:
                    self.metrics.observe_request(route or "-", scope.get("method", "WS"), status, seconds)
                if span is not None:
                    span.end(route, status)
            if phases_token is not None:
                phases_var.reset(phases_token)
            if rid is not None:
                request_id_var.reset(id_token)
