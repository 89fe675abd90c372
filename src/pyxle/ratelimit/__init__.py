"""Rate limiting: ``requests`` per client address per ``window`` seconds, answered 429 beyond it.

Public names: ``RateLimitMiddleware``, ``Limiter`` (the backend protocol), ``MemoryLimiter``
(the default, this process only), ``RedisLimiter`` (shared by every worker and machine using
the same Redis), ``rate_limiter(...)``. Depends on ``pyxle._redis`` for Redis and on ``pyxle._own``
(the marker of the server's own requests, which no client pays for), nothing else.

Its own package rather than part of ``security``: it keeps state, in one of two backends
(the shared-state pattern of realtime and the page cache), where ``security`` is pure functions
of the values it is given.
"""

from __future__ import annotations

from pyxle._redis import app_namespace
from pyxle.ratelimit._backend import Limiter, MemoryLimiter
from pyxle.ratelimit._middleware import RateLimitMiddleware
from pyxle.ratelimit._redis import RedisLimiter

__all__ = ["Limiter", "MemoryLimiter", "RateLimitMiddleware", "RedisLimiter", "rate_limiter"]


def rate_limiter(requests: int, window: float, redis_url: str | None = None, *, secret: str | bytes = b"") -> Limiter:
    """The backend the configuration asks for: Redis when a URL is given, else this process's memory.

    In Redis, the counters' namespace is derived from ``secret`` (the app's secret key). Every
    server of one app shares that key (``pyxle serve`` refuses a generated one when counters are
    in Redis), and two apps do not, so apps sharing a Redis never count each other's visitors.
    """
    if redis_url:
        return RedisLimiter(requests, window, redis_url, namespace=app_namespace(secret))
    return MemoryLimiter(requests, window)

