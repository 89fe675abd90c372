"""What is stored, the backend protocol, and the in-memory backend (the default).

Entries are grouped by page path: a path holds one entry per variant (the HTML document, the
navigation JSON, each per query string and host), so ``invalidate(path)`` drops them all at once.
Each path also has a version, bumped by every invalidation of it and by every ``clear``; a render
that started before an invalidation carries the old version and is not stored (it may have read the
old data). A ``clear`` bumps one generation that every path's version counts in (its own count plus
the generation), so it reaches renders of pages that have nothing stored yet, at no cost per lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import orjson


@dataclass(frozen=True)
class Entry:
    """One stored answer: its body, and when it was stored and for how long it is served."""

    body: bytes
    status: int
    etag: str  # '"..."', of the body as stored
    stored: float  # time.time() (wall clock: entries in Redis are read by other machines)
    fresh: float  # seconds served as is
    stale: float  # seconds after that served while one request renders the page again
    cache_control: str  # "public, s-maxage=N, stale-while-revalidate=M"
    mark: str = ""  # the stand-in for the visitor's CSRF token in ``body``, "" when there is none
    version: int = 0  # of its path, when the render began
    # What its loaders looked for and the request did not carry: a request that carries one of these
    # headers (lowercase; "*" any but Host) or cookies is not served this entry (see ``carries``).
    absent_headers: tuple[str, ...] = ()
    absent_cookies: tuple[str, ...] = ()

    def encode(self) -> bytes:
        meta = [self.status, self.etag, self.stored, self.fresh, self.stale, self.cache_control, self.mark, self.version,
                self.absent_headers, self.absent_cookies]
        return orjson.dumps(meta) + b"\n" + self.body

    @classmethod
    def decode(cls, data: bytes) -> Entry:
        """The entry ``encode`` wrote; ``ValueError`` for anything else (a key another client
        overwrote, a layout of another version), so a reader can take it as a miss."""
        meta, _, body = data.partition(b"\n")
        try:
            fields = orjson.loads(meta)
            if isinstance(fields, list) and len(fields) == 8:  # stored by a Pyxle that noted no absent names
                fields = [*fields, [], []]
            status, etag, stored, fresh, stale, cache_control, mark, version, headers, cookies = fields
        except (ValueError, TypeError) as exc:  # not JSON, or not a list of ten
            raise ValueError(f"not a stored page ({exc})") from None
        if not (isinstance(status, int) and isinstance(version, int) and
                all(isinstance(text, str) for text in (etag, cache_control, mark)) and
                all(isinstance(n, (int, float)) for n in (stored, fresh, stale)) and
                all(isinstance(names, list) and all(isinstance(name, str) for name in names)
                    for names in (headers, cookies))):
            raise ValueError("not a stored page (a field of the wrong type)")
        return cls(body, status, etag, stored, fresh, stale, cache_control, mark, version, tuple(headers),
                   tuple(cookies))


class CacheBackend(Protocol):
    """Where entries live: this process's memory, or Redis (shared by every worker and machine)."""

    async def get(self, path: str, variant: str) -> tuple[Entry | None, int]:
        """The entry (None if absent or older than the path's last invalidation) and the path's version
        (which counts ``clear``s too)."""
        ...

    async def put(self, path: str, entries: dict[str, Entry], version: int) -> bool:
        """Store ``entries`` (variant -> entry) unless the path was invalidated since ``version``."""
        ...

    async def delete(self, path: str) -> bool:
        """Drop every variant of ``path`` and bump its version; whether anything was stored."""
        ...

    async def delete_matching(self, matches: Callable[[str], bool], prefix: str, label: str) -> bool:
        """``delete`` every stored path under ``prefix`` that ``matches`` (a route pattern, named
        ``label`` in a log line); whether any was stored."""
        ...

    async def clear(self) -> None:
        """Drop every path, and make every render under way unstorable (stored or not yet)."""
        ...

    async def close(self) -> None: ...


class MemoryBackend:
    """Entries in this process, least recently used dropped first beyond ``max_entries`` or ``max_bytes``.

    Each ``--workers`` process keeps its own, so ``invalidate`` reaches only the process that calls
    it: use the Redis backend when several processes serve the app.
    """

    def __init__(self, *, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], Entry] = OrderedDict()
        self._variants: dict[str, set[str]] = {}  # path -> its stored variants
        self._versions: dict[str, int] = {}  # paths invalidated at least once
        self._generation = 0  # bumped by clear(): counted in every path's version
        self.bytes = 0

    def _version(self, path: str) -> int:
        return self._generation + self._versions.get(path, 0)

    async def get(self, path: str, variant: str) -> tuple[Entry | None, int]:
        key = (path, variant)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry, self._version(path)

    async def put(self, path: str, entries: dict[str, Entry], version: int) -> bool:
        if self._version(path) != version:
            return False
        for variant, entry in entries.items():
            size = len(entry.body)
            if size > self.max_bytes:
                continue  # a single page larger than the whole cache is not kept
            self._drop((path, variant))
            self._entries[(path, variant)] = entry
            self._variants.setdefault(path, set()).add(variant)
            self.bytes += size
        while self._entries and (len(self._entries) > self.max_entries or self.bytes > self.max_bytes):
            self._drop(next(iter(self._entries)))
        return True

    async def delete(self, path: str) -> bool:
        if len(self._versions) >= 100_000:  # versions of long-gone paths: forgetting them only skips a store
            self._generation += max(self._versions.values()) + 1  # so no path's version goes back
            self._versions.clear()
        self._versions[path] = self._versions.get(path, 0) + 1
        variants = self._variants.pop(path, ())
        for variant in variants:
            entry = self._entries.pop((path, variant), None)
            if entry is not None:
                self.bytes -= len(entry.body)
        return bool(variants)

    async def delete_matching(self, matches: Callable[[str], bool], prefix: str, label: str) -> bool:
        self._generation += 1  # a render under way of a page it matches, stored or not, stores nothing
        paths = [path for path in self._variants if path.startswith(prefix) and matches(path)]
        for path in paths:
            await self.delete(path)
        return bool(paths)

    async def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._variants.clear()
        self.bytes = 0

    async def close(self) -> None:
        self._entries.clear()
        self._variants.clear()
        self.bytes = 0

    def _drop(self, key: tuple[str, str]) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.bytes -= len(entry.body)
        variants = self._variants.get(key[0])
        if variants is not None:
            variants.discard(key[1])
            if not variants:
                del self._variants[key[0]]

    def __len__(self) -> int:
        return len(self._entries)
