"""CPU per POST through the CSRF check alone (``CSRFMiddleware`` around a trivial app), in µs.

    .venv/bin/python bench/csrf_bench.py [--fallbacks N] [--requests 20000] [--runs 15]

Kinds of request: ``cached``, the same valid token each time (the signer remembers it); ``fresh``,
a new valid token per request (an HMAC per check); with ``--fallbacks``, ``old``, a token signed
with a fallback key (PYXLE_SECRET_KEY_FALLBACKS): refused by the current key, verified by the
fallback, a new token minted for the answer. The best of ``--runs`` runs of process CPU time, so
other processes on the machine count little. Run it with another tree's ``src`` on PYTHONPATH to
compare (a tree without fallbacks ignores ``--fallbacks``).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import time
from collections.abc import Callable

from pyxle.security._csrf import CSRFMiddleware
from pyxle.security._tokens import make_token

KEY = b"n" * 40
OLD_KEY = b"o" * 19


async def _app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _receive() -> dict:  # type: ignore[type-arg]
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict) -> None:  # type: ignore[type-arg]
    pass


async def _posts(middleware: CSRFMiddleware, tokens: list[str]) -> float:
    """µs of process CPU per request for one POST per token."""
    start = time.process_time()
    for token in tokens:
        scope = {"type": "http", "method": "POST", "path": "/api/__actions/x/y", "scheme": "http",
                 "headers": [(b"cookie", f"pyxle-csrf={token}".encode()), (b"x-csrf-token", token.encode())]}
        await middleware(scope, _receive, _send)
    return (time.process_time() - start) / len(tokens) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fallbacks", type=int, default=0, help="fallback keys given to the middleware")
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    takes = "fallbacks" in inspect.signature(CSRFMiddleware).parameters
    extra = {"fallbacks": [OLD_KEY] + [bytes([65 + i]) * 40 for i in range(args.fallbacks - 1)]} \
        if takes and args.fallbacks else {}
    middleware = CSRFMiddleware(_app, secret=KEY, **extra)
    n = args.requests
    kinds: dict[str, Callable[[], list[str]]] = {
        "cached": lambda: [make_token(KEY)] * n,
        "fresh": lambda: [make_token(KEY) for _ in range(n)],
    }
    if extra:
        kinds["old"] = lambda: [make_token(OLD_KEY) for _ in range(n)]
    label = f"{len(extra.get('fallbacks', []))} fallback key(s)" if takes else "no fallbacks in this tree"
    best = {kind: min(asyncio.run(_posts(middleware, make())) for _ in range(args.runs)) for kind, make in kinds.items()}
    print(f"{label}: " + ", ".join(f"{kind} {us:.2f} us/request" for kind, us in best.items()))


if __name__ == "__main__":
    main()
