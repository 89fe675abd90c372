"""The page cache: freshness, one render per key at a time, regeneration in the background."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from pyxle._copies import MAX_BYTES, Copies
from pyxle.cache._backend import CacheBackend, Entry
from pyxle.cache._rules import PathPattern, Route, RouteRules, is_pattern, session_markers, signed_in_vary

logger = logging.getLogger("pyxle.cache")


class Lookup(NamedTuple):
    entry: Entry | None
    version: int  # of the path: a render that begins now stores with it
    state: str  # "hit" (fresh), "stale" (serve, and render again in the background) or "miss"


class Early(NamedTuple):
    """A flight that answered some of its entries before its render is over (a navigation's JSON,
    answered before its document renders): ``entries``, not stored yet, and ``rest``, the flight
    that goes on."""

    entries: dict[str, Entry]
    rest: asyncio.Future[Any]


Landed = dict[str, Entry] | Early | None  # what a flight resolves to


class PageCache:
    """Stored pages in one backend, with the rules of the configuration.

    ``flights`` holds the render in progress per key (a page URL), so concurrent misses wait for
    it (``wait``) instead of running the loaders again; it resolves to the entries that render stored, by
    variant, so each waiter takes its own answer of them, and ``answer_early`` gives them the
    navigation JSON once the loaders have run, before the document renders, or ``release`` them then
    when the page is not to be stored (they run their own loaders); ``land_later`` leaves a
    flight open while its render goes on in the background (a navigation answered before its
    document). ``regenerate`` runs at most one
    background render per page URL. ``copies`` keeps the compressed copies of stored bodies that
    are the same for every visitor, so a stored page is compressed once per codec in this process.
    """

    def __init__(self, backend: CacheBackend, *, routes: Iterable[Route] = (),
                 session_cookies: Iterable[str] = ("pyxle_session", "session"), session_headers: Iterable[str] = (),
                 clock: Callable[[], float] = time.time, max_bytes: int = MAX_BYTES, apart: int = 1) -> None:
        """``max_bytes``: the cache's ``maxBytes``, which also bounds the compressed copies kept here
        (16 MiB at most): they outlive the stored pages they were made of, so a lower ``maxBytes`` must
        shrink them too. ``apart``: how many workers keep a store of their own (``--workers`` with the
        in-memory backend), which the first invalidation here says it does not reach."""
        self.backend = backend
        self.rules = RouteRules(routes)
        self.session = session_markers(session_cookies, session_headers)
        self.vary = signed_in_vary(session_headers)  # of a stored page signed-in visitors do not get
        self.clock = clock
        self.flights: dict[tuple[str, str], asyncio.Future[Landed]] = {}
        self._regenerating: dict[str, asyncio.Task[None]] = {}
        self._landing: set[asyncio.Task[None]] = set()
        self.copies = Copies(min(MAX_BYTES, max_bytes))
        self.apart = apart

    async def lookup(self, path: str, variant: str) -> Lookup:
        entry, version = await self.backend.get(path, variant)
        if entry is None:
            return Lookup(None, version, "miss")
        age = self.clock() - entry.stored
        if age < entry.fresh:
            return Lookup(entry, version, "hit")
        if age < entry.fresh + entry.stale:
            return Lookup(entry, version, "stale")
        return Lookup(None, version, "miss")

    def lead(self, key: tuple[str, str]) -> asyncio.Future[Landed] | None:
        """Start the render of ``key``; None when one is under way already (``wait`` for it)."""
        if key in self.flights:
            return None
        future = self.flights[key] = asyncio.get_running_loop().create_future()
        return future

    def land(self, key: tuple[str, str], flight: asyncio.Future[Landed], entries: dict[str, Entry] | None) -> None:
        """The render that leads ``flight`` (``lead``'s) is over: waiters get the ``entries`` it
        stored, by variant (None: nothing stored; a waiter whose variant is missing renders its
        own). A flight ``release``d is over already, and ``key`` may be another's by now: nothing."""
        if self.flights.get(key) is not flight:
            return
        future = self._pending(key)
        del self.flights[key]
        if future is not None:
            future.set_result(entries)

    def release(self, key: tuple[str, str]) -> None:
        """The render of ``key`` will store nothing (its page is its visitor's alone, made from their
        cookie, say), which it knows once its loaders have run: its waiters render their own at once,
        rather than after its render, and the next miss leads a flight of its own."""
        flight = self.flights.get(key)
        if flight is not None:
            self.land(key, flight, None)

    def answer_early(self, key: tuple[str, str], answered: dict[str, Entry]) -> None:
        """The render of ``key`` has made ``answered`` (its navigation JSON, before the document
        renders): its waiters for one of them, those waiting now and those that come until it
        lands, get it at once; the others wait on for the rest."""
        future = self._pending(key)
        if future is not None:
            future.set_result(Early(answered, asyncio.get_running_loop().create_future()))

    def _pending(self, key: tuple[str, str]) -> asyncio.Future[Landed] | None:
        """What the flight of ``key`` resolves next: it stays the key's flight after answering
        early, and its rest follows."""
        future = self.flights.get(key)
        while future is not None and future.done():
            landed = future.result()
            future = landed.rest if isinstance(landed, Early) else None
        return future

    async def wait(self, key: tuple[str, str], variant: str, version: int) -> Entry | None:
        """The entry of ``variant`` from the render of ``key`` under way, as soon as it has it; None
        when it stored none (the waiter renders its own). An entry answered before the render was
        stored is taken only as of the path's ``version`` that the waiter looked up: one made before
        an invalidation is never served after it."""
        flight = self.flights[key]
        while True:
            landed = await asyncio.shield(flight)
            if not isinstance(landed, Early):
                return landed.get(variant) if landed is not None else None
            entry = landed.entries.get(variant)
            if entry is not None and entry.version == version:
                return entry
            flight = landed.rest

    def land_later(self, key: tuple[str, str], flight: asyncio.Future[Landed],
                   work: Coroutine[Any, Any, dict[str, Entry] | None]) -> None:
        """The render of ``key`` goes on after the request that led it (``flight``) was answered:
        ``work`` renders and stores in a task of its own (the client going away does not cancel it),
        and the flight lands with what it stored (None if it failed)."""
        task = asyncio.ensure_future(self._land_when_done(key, flight, work))
        self._landing.add(task)
        task.add_done_callback(self._landing.discard)

    async def _land_when_done(self, key: tuple[str, str], flight: asyncio.Future[Landed],
                              work: Coroutine[Any, Any, dict[str, Entry] | None]) -> None:
        entries = None
        try:
            entries = await work
        except Exception as exc:
            logger.error("page cache: rendering %s failed", key[0], exc_info=exc)
        finally:
            self.land(key, flight, entries)

    async def store(self, path: str, entries: dict[str, Entry], version: int) -> bool:
        return await self.backend.put(path, entries, version)

    def regenerate(self, url: str, render: Callable[[], Awaitable[None]]) -> None:
        """Render ``url`` again in the background, unless that is under way already."""
        if url in self._regenerating:
            return
        task = asyncio.ensure_future(self._regenerate(url, render))
        self._regenerating[url] = task

    async def _regenerate(self, url: str, render: Callable[[], Awaitable[None]]) -> None:
        try:
            await render()
        except Exception as exc:
            logger.error("page cache: rendering %s again failed", url, exc_info=exc)
        finally:
            self._regenerating.pop(url, None)

    async def invalidate(self, path: str) -> bool:
        """Drop the stored answers of the page at ``path`` (see ``paths_of``), or of every page a
        route pattern matches (``/posts/[id]``, ``/docs/*``, as the configured routes are written);
        whether any were stored."""
        self._reaches_one(f"cache.invalidate({path!r})")
        if is_pattern(urlsplit(path).path):
            return await self._invalidate_matching(path)
        removed = False
        for stored in paths_of(path):
            removed = await self.backend.delete(stored) or removed
        return removed

    async def _invalidate_matching(self, url: str) -> bool:
        """Drop every stored page the pattern ``url`` matches. A render of one under way in this
        process that stored nothing yet (a first render) is stopped from storing too, as a path's
        invalidation stops it: its path's version is bumped."""
        delete_matching = getattr(self.backend, "delete_matching", None)
        if delete_matching is None:  # a backend of the app's own, written for pyxle-framework 1.0's protocol
            raise ValueError(f"cache.invalidate({url!r}): the page cache's backend ({type(self.backend).__name__}) "
                             "cannot drop pages by a route pattern; name each page's path, or call "
                             "cache.invalidate_all()")
        pattern = PathPattern(urlsplit(url).path, decode=True)
        removed = False
        for path in {key[0] for key in self.flights if pattern.matches(key[0])}:
            removed = await self.backend.delete(path) or removed
        return await delete_matching(pattern.matches, pattern.prefix, url) or removed

    async def clear(self) -> None:
        self._reaches_one("cache.invalidate_all()")
        await self.backend.clear()

    def _reaches_one(self, call: str) -> None:
        """Said once per worker: an invalidation the other workers' stores never hear of leaves them
        serving the old page until its window ends, which looks like the call did not work."""
        if self.apart > 1:
            logger.warning("%s dropped this worker's copies only: the page cache is in each worker's memory, so with "
                           "--workers %d the others serve theirs until their revalidate window ends; set "
                           'cache.backend to "redis" to reach every worker', call, self.apart)
            self.apart = 1

    async def close(self) -> None:
        tasks = [*self._regenerating.values(), *self._landing]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.backend.close()


def paths_of(url: str) -> tuple[str, ...]:
    """The paths the page at ``url`` may be stored under, as the router sees URLs.

    Pages are stored under the request's decoded path (``/café`` for ``/caf%C3%A9``), without
    the query string or the host. A path ending in ``/`` is also the path without it: the router
    redirects ``/about/`` to ``/about`` when no route (a catch-all) serves it as it is.
    """
    path = unquote(urlsplit(url).path) or "/"
    path = path if path.startswith("/") else "/" + path
    bare = path.rstrip("/") or "/"
    return (path,) if bare == path else (path, bare)
