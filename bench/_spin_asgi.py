"""The bare callable of bench/_bare_asgi.py, running ``SPIN_US`` microseconds of plain Python
(a loop calibrated once at start-up, no system call in it) on each request first: what a
handler's own Python time costs the server over the wire."""

import os
import time

from bench._bare_asgi import BODY, HEADERS


def _loops_per_microsecond() -> float:
    began, loops = time.process_time(), 2_000_000
    for _ in range(loops):
        pass
    return loops / ((time.process_time() - began) * 1e6)


LOOPS = round(float(os.environ.get("SPIN_US", "0")) * _loops_per_microsecond())


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    for _ in range(LOOPS):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
