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
from functools import partial
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
# KEYS: pairs of a path's hash and its version (one pair for a path, a batch for every page);
# ARGV[1] seconds the bumped versions are kept. The number of hashes removed.
_DELETE = """
local removed = 0
for i = 1, #KEYS, 2 do
  removed = removed + redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('EXPIRE', KEYS[i + 1], ARGV[1])
end
return removed
"""
_CLEAR_BATCH = 500  # keys per SCAN step and per deletion: each is one bounded command


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
        """Drop every stored page, of every build, as ``delete`` drops one: each path's version is
        bumped too, so a render under way cannot store what it began before. A step at a time,
        each bounded like any other command; while Redis does not answer this logs an error and
        stops, as ``delete`` does."""
        client = self._connect()
        delete = self._delete
        prefix = self.prefix.encode()
        versions = prefix + b"v:"
        cursor = 0
        try:
            while True:
                cursor, keys = await self.breaker.call(
                    partial(client.scan, cursor, match=f"{self.prefix}*", count=_CLEAR_BATCH), force=True)
                pairs = [key for stored in keys if not stored.startswith(versions)  # <prefix><build>:<path>
                         for key in (stored, versions + stored[len(prefix):].partition(b":")[2])]
                if pairs:
                    await self.breaker.call(partial(delete, keys=pairs, args=[VERSION_TTL]), force=True)
                if cursor == 0:
                    return
        except RedisUnavailable as exc:
            logger.error("page cache: could not invalidate every page: %s", exc)

    async def close(self) -> None:
        self._client = None  # the shared client is closed with the others at shutdown
