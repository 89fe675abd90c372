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
from pyxle.cache._rules import Route, RouteRules, session_markers, signed_in_vary

logger = logging.getLogger("pyxle.cache")


class Lookup(NamedTuple):
    entry: Entry | None
    version: int  # of the path: a render that begins now stores with it
    state: str  # "hit" (fresh), "stale" (serve, and render again in the background) or "miss"


class PageCache:
    """Stored pages in one backend, with the rules of the configuration.

    ``flights`` holds the render in progress per key (a page URL), so concurrent misses wait for
    it instead of running the loaders again; it resolves to the entries that render stored, by
    variant, so each waiter takes its own answer of them; ``land_later`` leaves a flight open while
    its render goes on in the background (a navigation answered before its document). ``regenerate`` runs at most one
    background render per page URL. ``copies`` keeps the compressed copies of stored bodies that
    are the same for every visitor, so a stored page is compressed once per codec in this process.
    """

    def __init__(self, backend: CacheBackend, *, routes: Iterable[Route] = (),
                 session_cookies: Iterable[str] = ("pyxle_session", "session"), session_headers: Iterable[str] = (),
                 clock: Callable[[], float] = time.time, max_bytes: int = MAX_BYTES) -> None:
        """``max_bytes``: the cache's ``maxBytes``, which also bounds the compressed copies kept here
        (16 MiB at most): they outlive the stored pages they were made of, so a lower ``maxBytes`` must
        shrink them too."""
        self.backend = backend
        self.rules = RouteRules(routes)
        self.session = session_markers(session_cookies, session_headers)
        self.vary = signed_in_vary(session_headers)  # of a stored page signed-in visitors do not get
        self.clock = clock
        self.flights: dict[tuple[str, str], asyncio.Future[dict[str, Entry] | None]] = {}
        self._regenerating: dict[str, asyncio.Task[None]] = {}
        self._landing: set[asyncio.Task[None]] = set()
        self.copies = Copies(min(MAX_BYTES, max_bytes))

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

    def lead(self, key: tuple[str, str]) -> asyncio.Future[dict[str, Entry] | None] | None:
        """Start the render of ``key``; None when one is under way already (await ``flights[key]``)."""
        if key in self.flights:
            return None
        future = self.flights[key] = asyncio.get_running_loop().create_future()
        return future

    def land(self, key: tuple[str, str], entries: dict[str, Entry] | None) -> None:
        """The render of ``key`` is over: waiters get the ``entries`` it stored, by variant (None:
        nothing stored; a waiter whose variant is missing renders its own)."""
        future = self.flights.pop(key, None)
        if future is not None and not future.done():
            future.set_result(entries)

    def land_later(self, key: tuple[str, str], work: Coroutine[Any, Any, dict[str, Entry] | None]) -> None:
        """The render of ``key`` goes on after the request that led it was answered: ``work``
        renders and stores in a task of its own (the client going away does not cancel it), and
        the flight lands with what it stored (None if it failed)."""
        task = asyncio.ensure_future(self._land_when_done(key, work))
        self._landing.add(task)
        task.add_done_callback(self._landing.discard)

    async def _land_when_done(self, key: tuple[str, str], work: Coroutine[Any, Any, dict[str, Entry] | None]) -> None:
        entries = None
        try:
            entries = await work
        except Exception as exc:
            logger.error("page cache: rendering %s failed", key[0], exc_info=exc)
        finally:
            self.land(key, entries)

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
        """Drop the stored answers of the page at ``path`` (see ``paths_of``); whether any were stored."""
        removed = False
        for stored in paths_of(path):
            removed = await self.backend.delete(stored) or removed
        return removed

    async def clear(self) -> None:
        await self.backend.clear()

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
