"""The limiter protocol and the in-memory backend.

Both backends run GCRA (the generic cell rate algorithm, a token bucket kept as one number per
client): a client may send ``requests`` at once, then one more every ``window / requests``
seconds. One timestamp per client makes it cheap in memory and a single atomic step in Redis.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    """What the middleware needs from a backend."""

    async def hit(self, client: str) -> float:
        """Count one request from ``client``: 0 if allowed, else the seconds until it would be."""
        ...

    async def close(self) -> None: ...


# A request exactly at its turn computes its wait as a difference of large clock readings, which
# rounds to a few picoseconds either way (3.6e-12 s at eight hours of uptime): below this, it is 0.
ROUNDING = 1e-6


class MemoryLimiter:
    """Counters in this process (each ``--workers`` process has its own); at most ``max_clients`` kept."""

    def __init__(self, requests: int, window: float, *, max_clients: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = window / requests  # one request's worth of time
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._tat: dict[str, float] = {}  # client -> theoretical arrival time of its next request

    async def hit(self, client: str) -> float:
        now = self.clock()
        tat = max(self._tat.get(client, now), now) + self.interval
        wait = tat - self.window - now
        if wait > ROUNDING:
            return wait
        if client not in self._tat and len(self._tat) >= self.max_clients:
            self._prune(now)
        self._tat[client] = tat
        return 0.0

    def _prune(self, now: float) -> None:
        """Forget clients whose bucket is full again; if none is, the oldest entries."""
        expired = [client for client, tat in self._tat.items() if tat <= now]
        for client in expired or list(self._tat)[: max(1, self.max_clients // 10)]:
            del self._tat[client]

    async def close(self) -> None:
        self._tat.clear()
