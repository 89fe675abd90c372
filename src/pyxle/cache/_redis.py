"""The Redis backend: every worker and machine reads and invalidates the same entries.

A path's variants are one hash, ``<prefix><build>:<path>``, so invalidating a path is one ``DEL``;
the build's fingerprint is part of the key because a stored page names that build's scripts.
A path's version (``<prefix>v:<path>``) is not: an invalidation bumps it, which also retires
what other builds stored for the path during a rolling deploy. While Redis does not answer,
pages are rendered as if nothing were stored (the site stays up): the shared ``Breaker`` bounds
each lookup to a fraction of a second and skips Redis until it answers again.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from pyxle._redis import Breaker, RedisUnavailable
from pyxle.cache._backend import Entry

logger = logging.getLogger("pyxle.cache")
FEATURE = "the page cache (cache.backend redis)"
VERSION_TTL = 86_400  # seconds a path's version outlives its last invalidation

# KEYS[1] the path's hash, KEYS[2] its version; ARGV[1] the version the render began at,
# ARGV[2] milliseconds to keep the hash, then variant/entry pairs.
_PUT = """
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
"""
# KEYS[1] the path's hash, KEYS[2] its version
_DELETE = """
local removed = redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return removed
"""


class RedisBackend:
    def __init__(self, url: str, *, namespace: str = "", prefix: str = "pyxle:cache:") -> None:
        self.url = url
        self.prefix = prefix
        self.namespace = namespace[:16]
        self._client: Any = None
        self._put: Any = None
        self._delete: Any = None
        self.breaker = Breaker(url, feature=FEATURE, label="page cache", meanwhile="pages are rendered without it",
                               logger=logger)

    def _connect(self) -> Any:
        """The shared client of the running event loop (one per loop), with the scripts registered on it."""
        client = self.breaker.client
        if client is not self._client:
            self._client = client
            self._put = client.register_script(_PUT)
            self._delete = client.register_script(_DELETE)
        return client

    def _keys(self, path: str) -> tuple[str, str]:
        return f"{self.prefix}{self.namespace}:{path}", f"{self.prefix}v:{path}"

    async def get(self, path: str, variant: str) -> tuple[Entry | None, int]:
        entries, version_key = self._keys(path)

        async def read() -> list[Any]:
            async with self._connect().pipeline(transaction=False) as pipe:
                pipe.hget(entries, variant)
                pipe.get(version_key)
                return await pipe.execute()

        try:
            data, version = await self.breaker.call(read)
        except RedisUnavailable:
            return None, -1  # -1: nothing is stored until Redis answers again
        current = int(version or 0)
        if data is None:
            return None, current
        entry = Entry.decode(data)
        return (entry if entry.version == current else None), current

    async def put(self, path: str, entries: dict[str, Entry], version: int) -> bool:
        if version < 0 or not entries:
            return False
        ttl = max(1, math.ceil(max(e.fresh + e.stale for e in entries.values()) * 1000))
        args: list[Any] = [version, ttl]
        for variant, entry in entries.items():
            args += [variant, entry.encode()]
        self._connect()
        put = self._put
        try:
            return bool(await self.breaker.call(lambda: put(keys=list(self._keys(path)), args=args)))
        except RedisUnavailable:
            return False

    async def delete(self, path: str) -> bool:
        """Drop ``path``; while Redis does not answer this logs an error and returns False.

        Tried even while the breaker skips Redis: an invalidation is a write the caller asked for.
        """
        self._connect()
        delete = self._delete
        try:
            return bool(await self.breaker.call(lambda: delete(keys=list(self._keys(path)), args=[VERSION_TTL]),
                                                force=True))
        except RedisUnavailable as exc:
            logger.error("page cache: could not invalidate %s: %s", path, exc)
            return False

    async def clear(self) -> None:
        client = self._connect()
        batch: list[bytes] = []
        async for key in client.scan_iter(match=f"{self.prefix}*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                await client.unlink(*batch)
                batch = []
        if batch:
            await client.unlink(*batch)

    async def close(self) -> None:
        self._client = None  # the shared client is closed with the others at shutdown
