"""What observing a request costs in process: the app's outer layer (HttpEdge, default settings)
around an app answering /api/hello's bytes, with request ids (and metrics) done by the edge's own
``Observer`` against the same work as a middleware of its own around the edge (the shape before).

    .venv/bin/python bench/observe_inprocess.py [--requests 20000] [--runs 15]

Requests are awaited one after another in one task, with no server: the figures are Python time
per request (the best of ``--runs``), so the differences are the layers' own.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from pyxle.app._compress import Compressor
from pyxle.app._edge import HttpEdge
from pyxle.observability import Metrics, ObservabilityMiddleware, Observer
from pyxle.security import DEFAULT_SECURITY_HEADERS, security_headers

REQUEST_HEADERS = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")]
BODY = b'{"message":"Hello, world!"}'
ANSWER_HEADERS = [(b"content-length", str(len(BODY)).encode()), (b"content-type", b"application/json")]


async def hello(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": list(ANSWER_HEADERS)})
    await send({"type": "http.response.body", "body": BODY})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: dict[str, Any]) -> None:
    pass


async def per_request(app: Any, requests: int, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        for _ in range(requests):
            scope = {"type": "http", "method": "GET", "path": "/api/hello", "headers": REQUEST_HEADERS, "state": {}}
            await app(scope, receive, send)
        best = min(best, (time.perf_counter() - began) / requests)
    return best * 1e6


def edge(observer: Observer | None = None) -> HttpEdge:
    return HttpEdge(hello, add_headers=security_headers(DEFAULT_SECURITY_HEADERS), compressor=Compressor(),
                    max_body_size=1 << 20, body_timeout=30.0, observer=observer)


async def main(requests: int, runs: int) -> None:
    metrics = Metrics()
    contenders = {
        "the answer alone": hello,
        "edge, nothing observed": edge(),
        "edge + ids (Observer in the edge)": edge(Observer()),
        "ids as a middleware around the edge": ObservabilityMiddleware(edge(), Observer()),
        "edge + ids + metrics (in the edge)": edge(Observer(metrics=metrics)),
        "ids + metrics as a middleware": ObservabilityMiddleware(edge(), Observer(metrics=metrics)),
    }
    for name, app in contenders.items():
        print(f"{name:<40} {await per_request(app, requests, runs):6.2f} us/request", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.runs))
