"""The Redis backend: every worker and machine of one app reads and invalidates the same entries.

Every key starts ``<prefix><app>:``, the app's name derived from its secret key, so two apps on one
Redis (a staging and a production of the same build among them) never read, invalidate or clear
each other's pages. Each stored answer is a key of its own, ``<prefix><app>:<build>:e:<hash of its
variant>:<path>``, with its own expiry, so a page's variants never keep each other alive; the page's
index, ``<prefix><app>:<build>:i:<path>``, a sorted set of those keys by expiry (in microseconds),
is what an invalidation drops them by and what bounds them: a store drops the variants that expired
and, beyond ``max_entries``, the first to expire. The build's fingerprint is part of the keys
because a stored page names that build's scripts. A path's version (``<prefix><app>:v:<path>``) is
not: an invalidation bumps it, which also retires what other builds stored for the path during a
rolling deploy; ``clear`` bumps the generation (``<prefix><app>:generation``), which every path's
version counts in. While Redis does not answer, pages are rendered as if nothing were stored (the
site stays up): the shared ``Breaker`` bounds each lookup to a fraction of a second and skips Redis
until it answers again.

An invalidation Redis does not answer is remembered (its path; past ``MAX_WAITING`` of them, or for
a failed ``clear``, a clear of every page) and applied before this process reads Redis again: the
breaker's catch-up once Redis answers its PING, or, when Redis answered it with an error or had no
free connection, the next lookup, which until then is a miss. Otherwise Redis would answer again
with the copy the caller asked to drop. A route pattern's invalidation finds the pages it matches
by their indexes (a SCAN, as ``clear``'s); one Redis does not take clears every page instead, as
which pages it named cannot be known without Redis.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from pyxle._loggable import Sparse
from pyxle._redis import Breaker, RedisUnavailable
from pyxle.cache._backend import Entry

logger = logging.getLogger("pyxle.cache")
FEATURE = "the page cache (cache.backend redis)"
VERSION_TTL = 86_400  # seconds a path's version outlives its last invalidation
MAX_TTL_MS = 365 * 86_400 * 1000  # a stored answer is kept a year at most (Redis refuses far expiries)

# KEYS[1] the page's index, KEYS[2] its version, KEYS[3] the generation, then each variant's key;
# ARGV[1] the version the render began at, ARGV[2] milliseconds to keep them, ARGV[3] variants a
# page keeps at most, then each variant's entry (ARGV[i] is KEYS[i]'s).
_PUT = """
local version = tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(redis.call('GET', KEYS[3]) or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
for i = 4, #KEYS do  -- a write first: a Redis out of memory refuses it (later ones it would not)
  redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[2])
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]) * 1000, KEYS[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over > 0 then
  for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, over - 1)) do redis.call('DEL', key) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
"""
# KEYS: pairs of a page's index and its version; ARGV[1] seconds the bumped versions are kept.
# The number of indexes removed.
_DELETE = """
local removed = 0
for i = 1, #KEYS, 2 do
  for _, key in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do redis.call('DEL', key) end
  removed = removed + redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('EXPIRE', KEYS[i + 1], ARGV[1])
end
return removed
"""
_GLOB = re.compile(r"([*?\[\]\\])")
_CLEAR_BATCH = 500  # keys per SCAN step and per deletion: each is one bounded command
MAX_WAITING = 1000  # failed invalidations a process remembers; one more, and it clears every page instead
_REPLAY_BATCH = 100  # remembered paths dropped per command


class RedisBackend:
    """Entries in Redis: at most ``max_entries`` variants per page, none larger than ``max_bytes``
    (the memory backend's bounds, per page here); Redis's ``maxmemory`` bounds the whole."""

    def __init__(self, url: str, *, app: str = "", build: str = "", prefix: str = "pyxle:cache:",
                 max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        """``app``: the app's name (``pyxle._redis.app_namespace``); ``build``: its build's fingerprint."""
        self.url = url
        self.prefix = f"{prefix}{app}:"  # every key of this app
        self.build = build[:16]
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._generation = f"{self.prefix}generation"
        self._client: Any = None
        self._put: Any = None
        self._delete: Any = None
        self._unreadable_lines = Sparse(60)  # the line for an entry that cannot be read
        # the line for an invalidation Redis did not take: an app that invalidates on every write
        # would log one per write while Redis is away (the replay's line counts them all)
        self._invalidation_lines = Sparse(10)
        self.waiting: set[str] = set()  # paths whose invalidation Redis did not answer
        self.purge = False  # a clear of every page waits (a failed ``clear``, or too many paths)
        self._catching_up = asyncio.Lock()
        self.breaker = Breaker(url, feature=FEATURE, label="page cache", meanwhile="pages are rendered without it",
                               logger=logger, catch_up=self._catch_up)

    def _connect(self) -> Any:
        """The shared client of the running event loop (one per loop), with the scripts registered on it."""
        client = self.breaker.client
        if client is not self._client:
            self._client = client
            self._put = client.register_script(_PUT)
            self._delete = client.register_script(_DELETE)
        return client

    def _keys(self, path: str) -> tuple[str, str]:
        """The page's index and its version."""
        return f"{self.prefix}{self.build}:i:{path}", f"{self.prefix}v:{path}"

    def _entry_key(self, path: str, variant: str) -> str:
        digest = hashlib.sha1(variant.encode(), usedforsecurity=False).hexdigest()
        return f"{self.prefix}{self.build}:e:{digest}:{path}"  # a fixed-length digest: no two alike

    async def get(self, path: str, variant: str) -> tuple[Entry | None, int]:
        if (self.waiting or self.purge) and not await self._caught_up():
            return None, -1  # a copy an invalidation that waits would drop may be there: a miss, stored nowhere
        keys = [self._entry_key(path, variant), self._keys(path)[1], self._generation]
        try:
            data, version, generation = await self.breaker.call(partial(self._connect().mget, keys))
        except RedisUnavailable:
            return None, -1  # -1: nothing is stored until Redis answers again
        current = int(version or 0) + int(generation or 0)
        if data is None:
            return None, current
        try:
            entry = Entry.decode(data)
        except ValueError as exc:  # a miss: the page is rendered, and storing it replaces the key
            self._unreadable(keys[0], exc)
            return None, current
        return (entry if entry.version == current else None), current

    def _unreadable(self, key: str, exc: ValueError) -> None:
        """Log a stored answer that cannot be read, at most once a minute (a warning: no traceback)."""
        if self._unreadable_lines.due() is not None:
            logger.warning("page cache: the entry at Redis key %r cannot be read (%s); taken as a miss, "
                           "replaced when the page is stored (logged at most once a minute)", key, exc)

    async def put(self, path: str, entries: dict[str, Entry], version: int) -> bool:
        kept = {variant: entry for variant, entry in entries.items() if len(entry.body) <= self.max_bytes}
        if version < 0 or not kept or path in self.waiting or self.purge:
            return False  # (a render that began before an invalidation that waits)
        ttl = min(MAX_TTL_MS, max(1, math.ceil(max(e.fresh + e.stale for e in kept.values()) * 1000)))
        keys = [*self._keys(path), self._generation, *(self._entry_key(path, variant) for variant in kept)]
        args = [version, ttl, self.max_entries, *(entry.encode() for entry in kept.values())]
        self._connect()
        put = self._put
        try:
            return bool(await self.breaker.call(lambda: put(keys=keys, args=args)))
        except RedisUnavailable:
            return False

    async def delete(self, path: str) -> bool:
        """Drop ``path``; while Redis does not answer this logs an error, remembers ``path`` to drop
        once it does (see ``_catch_up``) and returns False.

        Tried even while the breaker skips Redis: an invalidation is a write the caller asked for.
        """
        try:
            removed = await self._drop([path])
        except RedisUnavailable as exc:
            self._wait(path)
            held = self._invalidation_lines.due()
            if held is not None:
                logger.error("page cache: could not invalidate %s (%s); retried when Redis answers again%s", path,
                             exc, f" ({held} more since the last line)" if held else "")
            return False
        self.waiting.discard(path)
        return removed > 0

    async def delete_matching(self, matches: Callable[[str], bool], prefix: str, label: str) -> bool:
        """Drop every page ``matches`` says yes to, of every build (their indexes are found by a
        SCAN, as ``clear`` finds keys, narrowed to ``prefix``), and bump their versions. While Redis
        does not answer this logs an error and clears every page once it answers: which pages it
        named is not known without Redis."""
        try:
            paths = [path for path in await self._indexed(prefix) if matches(path)]
            for start in range(0, len(paths), _REPLAY_BATCH):
                await self._drop(paths[start:start + _REPLAY_BATCH])
        except RedisUnavailable as exc:
            self.purge = True
            self.waiting.clear()  # the clear drops them too
            self.breaker.hurry()
            logger.error("page cache: could not invalidate %s (%s); every page is cleared when Redis answers again",
                         label, exc)
            return False
        return bool(paths)

    async def _indexed(self, prefix: str) -> set[str]:
        """The paths under ``prefix`` that some build of this app has a page stored at."""
        client = self._connect()
        head = self.prefix.encode()
        match = f"{_glob(self.prefix)}*:i:{_glob(prefix)}*"
        paths: set[str] = set()
        cursor = 0
        while True:
            cursor, keys = await self.breaker.call(partial(client.scan, cursor, match=match, count=_CLEAR_BATCH),
                                                   force=True)
            for key in keys:
                build, found, path = key[len(head):].partition(b":i:")
                if found and b":" not in build and key.startswith(head):  # (not an entry key whose path holds ":i:")
                    paths.add(path.decode("utf-8", "replace"))
            if cursor == 0:
                return paths

    async def _drop(self, paths: list[str]) -> int:
        """Drop ``paths`` and bump their versions, in one command: how many had something stored."""
        self._connect()
        delete = self._delete
        keys = [key for path in paths for key in self._keys(path)]
        return int(await self.breaker.call(lambda: delete(keys=keys, args=[VERSION_TTL]), force=True))

    def _wait(self, path: str) -> None:
        """Remember a failed invalidation of ``path``: past ``MAX_WAITING`` paths, every page is cleared instead."""
        if not self.purge:
            self.waiting.add(path)
            if len(self.waiting) > MAX_WAITING:
                self.purge = True
                self.waiting.clear()
        self.breaker.hurry()

    async def _caught_up(self) -> bool:
        """Apply the invalidations that wait before a lookup: whether none waits now."""
        if not self.breaker.up:
            return False
        try:
            await self._catch_up()
        except RedisUnavailable:
            return False
        return True

    async def _catch_up(self) -> None:
        """Apply what failed while Redis did not answer: a clear of every page, then each path,
        ``_REPLAY_BATCH`` a command; ``RedisUnavailable`` while Redis still does not take them (what
        is left waits). The breaker runs this when Redis answers again, before it closes."""
        async with self._catching_up:
            if self.purge:
                self.purge = False  # an invalidation that fails from here on waits as a path
                try:
                    await self._clear()
                except RedisUnavailable:
                    self.purge = True
                    raise
                logger.warning("page cache: cleared every page, as an invalidation that failed while Redis did "
                               "not answer asked")
            paths = list(self.waiting)
            for start in range(0, len(paths), _REPLAY_BATCH):
                batch = paths[start:start + _REPLAY_BATCH]
                await self._drop(batch)
                self.waiting.difference_update(batch)
            if paths:
                logger.warning("page cache: applied %d invalidation%s that failed while Redis did not answer",
                               len(paths), "" if len(paths) == 1 else "s")

    async def clear(self) -> None:
        """Drop every stored page of this app, of every build. While Redis does not answer this logs
        an error, stops, and clears again once it answers, as ``delete`` does."""
        try:
            await self._clear()
        except RedisUnavailable as exc:
            self.purge = True
            self.waiting.clear()  # the clear drops them too
            self.breaker.hurry()
            logger.error("page cache: could not invalidate every page (%s); retried when Redis answers again", exc)

    async def _clear(self) -> None:
        """The generation is bumped first, so no render under way stores what it began before,
        whether its page was stored or not; then the keys go a step at a time, each bounded like
        any other command."""
        client = self._connect()
        versions = f"{self.prefix}v:".encode()
        cursor = 0
        await self.breaker.call(partial(client.incr, self._generation), force=True)
        while True:
            cursor, keys = await self.breaker.call(
                partial(client.scan, cursor, match=f"{self.prefix}*", count=_CLEAR_BATCH), force=True)
            stored = [key for key in keys if not key.startswith(versions) and key != self._generation.encode()]
            if stored:
                await self.breaker.call(partial(client.delete, *stored), force=True)
            if cursor == 0:
                return

    async def close(self) -> None:
        self._client = None  # the shared client is closed with the others at shutdown


def _glob(text: str) -> str:
    """``text`` matched literally in a SCAN ``MATCH`` pattern."""
    return _GLOB.sub(r"\\\1", text)
