"""The floor for an API request: a bare ASGI callable answering /api/hello's exact bytes.

``app_with_headers`` adds what Pyxle's default stack puts on every answer (the security headers,
``Vary``, a request id), to tell the server's cost of those headers from the app's own.
``handler_only`` runs the route's own code (the seed's handler: Starlette's ``Request`` in, its
``JSONResponse`` out) with nothing around it: the user's share of a request, no framework's.
``handler_observed`` adds to it the least that request ids and metrics can be, written by hand and
inlined: an id, the scope's and the context variable's copies of it, the response header, the
timing and the tally of a latency histogram. What it costs over ``handler_only`` is the floor of
what issue 13's "ids and metrics cost at most 5% of req/s" measures, with no framework around it."""

import bisect
import contextvars
import os
import time
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import JSONResponse

BODY = b'{"message":"Hello, world!"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


PYXLE_HEADERS = [*HEADERS, (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"strict-origin-when-cross-origin"), (b"x-frame-options", b"DENY"),
                 (b"vary", b"Accept-Encoding"), (b"x-request-id", b"768ea889bc9444bb476e66a6f0692c42")]


async def app_with_headers(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": PYXLE_HEADERS})
    await send({"type": "http.response.body", "body": BODY})


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, world!"})


async def handler_only(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    response = await hello(Request(scope, receive))
    await response(scope, receive, send)


def _ids() -> Iterator[str]:
    while True:
        pool = os.urandom(16 * 512).hex()
        for at in range(0, len(pool), 32):
            yield pool[at : at + 32]


_new_id = _ids().__next__
_request_id = contextvars.ContextVar("request_id", default=None)
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_tallies: dict = {}  # (route, method, status) -> [count per bucket..., +Inf, sum]


async def handler_observed(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    start = time.perf_counter()
    rid = _new_id()
    extra = scope["pyxle"] = {"request_id": rid}
    scope.setdefault("state", {})["request_id"] = rid
    token = _request_id.set(rid)
    status = 500

    async def send_observed(message):  # type: ignore[no-untyped-def]
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            extra["timing_ms"] = (time.perf_counter() - start) * 1000
        await send(message)

    try:
        response = await hello(Request(scope, receive))
        await response(scope, receive, send_observed)
    finally:
        seconds = time.perf_counter() - start
        key = ("/api/hello", scope["method"], status)
        tally = _tallies.get(key)
        if tally is None:
            tally = _tallies[key] = [0.0] * (len(_BUCKETS) + 2)
        tally[bisect.bisect_left(_BUCKETS, seconds)] += 1
        tally[-1] += seconds
        _request_id.reset(token)
