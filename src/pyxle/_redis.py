"""The one way Pyxle reaches Redis: realtime fan-out, the page cache and rate-limit counters share it.

redis-py is an optional extra (``pip install "pyxle-framework[redis]"``). Importing this module
does not import it; ``redis_client`` does, and says how to install it when it is missing. Every
client comes from here, so each subsystem gets the same pool, timeouts, retries with backoff and
key prefix, and one process talking to one URL shares one connection pool.
"""

from __future__ import annotations

import asyncio
import random
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX = "pyxle:"
# event loop -> url -> client: a client's connections belong to the loop that opened them
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Redis]] = weakref.WeakKeyDictionary()


class RedisUnavailable(Exception):
    """Redis cannot be used: the extra is not installed, or the server does not answer."""


def _redis_module(feature: str) -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise RedisUnavailable(f"{feature} needs Redis: pip install 'pyxle-framework[redis]'") from None
    return redis.asyncio


def shown_url(url: str) -> str:
    """``url`` with its password masked, for error messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":****@", 1)
    return parts._replace(netloc=netloc).geturl()


def redis_client(url: str = DEFAULT_URL, *, feature: str = "this feature") -> Redis:
    """The shared client for ``url`` in this process (one connection pool per URL and event loop).

    Commands time out instead of hanging while Redis is down, and retry a few times with
    exponential backoff and jitter, so a restart of Redis costs a short delay, not an error.
    """
    module = _redis_module(feature)
    from redis.backoff import ExponentialWithJitterBackoff
    from redis.exceptions import ConnectionError, TimeoutError
    from redis.retry import Retry

    clients = _clients.setdefault(asyncio.get_running_loop(), {})
    client = clients.get(url)
    if client is None:
        client = clients[url] = module.Redis.from_url(
            url,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=15,
            retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=1.0), retries=3),
            retry_on_error=[ConnectionError, TimeoutError],
        )
    return client


async def check_reachable(client: Redis, url: str, *, feature: str) -> None:
    """Start-up check: a ``PING`` answered, or ``RedisUnavailable`` naming the URL and a fix."""
    from redis.exceptions import RedisError

    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise RedisUnavailable(
            f"{feature}: Redis at {shown_url(url)} does not answer ({type(exc).__name__}: {exc})\n"
            "    hint: start redis-server, or correct the URL"
        ) from None


async def close_clients() -> None:
    """Close the clients opened on the running event loop (at shutdown)."""
    clients = _clients.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.aclose()


def backoff(base: float = 0.1, cap: float = 5.0) -> Iterator[float]:
    """Delays for a reconnect loop: exponential from ``base`` up to ``cap``, with full jitter."""
    attempt = 0
    while True:
        yield random.uniform(0, min(cap, base * 2**attempt))
        attempt += 1
