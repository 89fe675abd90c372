"""The Redis backend: GCRA in one Lua script, so every worker and machine shares each client's budget.

The script reads Redis's own clock (``TIME``), so servers with skewed clocks still agree, and
each key expires when its bucket would be full again. While Redis does not answer, requests
are let through (an outage of the limiter must not become an outage of the site): the shared
``Breaker`` bounds each lookup to a fraction of a second and skips Redis until it answers again.
"""

from __future__ import annotations

import logging
from typing import Any

from pyxle._redis import Breaker, RedisUnavailable

logger = logging.getLogger("pyxle.ratelimit")
FEATURE = "rateLimit.redisUrl"
KEY_PREFIX = "pyxle:ratelimit:"

# KEYS[1] client key; ARGV[1] interval, ARGV[2] window (seconds). Returns the wait as a string.
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
tat = tat + interval
local wait = tat - window - now
if wait > 0.000001 then return tostring(wait) end  -- below: rounding of large clock readings
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000))
return '0'
"""


class RedisLimiter:
    """Counters under ``pyxle:ratelimit:<namespace>:<requests>/<window>:<client>``: apps that share a
    Redis but not a ``namespace`` count their visitors apart (without one, the namespace and its colon
    are left out). A counter says when the client's budget is full again under the limit it was spent
    under, and outlives the workers: a limit changed in the configuration counts afresh, under keys
    of its own, rather than keep clients waiting as the old limit would have (or let them through)."""

    def __init__(self, requests: int, window: float, url: str, *, namespace: str = "") -> None:
        self.interval = window / requests
        self.window = window
        self.url = url
        limit = f"{requests}/{window:g}:"
        self.prefix = f"{KEY_PREFIX}{namespace}:{limit}" if namespace else f"{KEY_PREFIX}{limit}"
        self._script: Any = None
        self.breaker = Breaker(url, feature=FEATURE, label="rate limit", meanwhile="requests are not limited",
                               logger=logger)

    async def hit(self, client: str) -> float:
        if self._script is None:
            self._script = self.breaker.client.register_script(GCRA)
        script = self._script
        try:
            wait = await self.breaker.call(lambda: script(keys=[self.prefix + client], args=[self.interval, self.window]))
        except RedisUnavailable:
            return 0.0
        return float(wait)

    async def close(self) -> None:
        self._script = None
