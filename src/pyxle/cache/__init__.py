"""The page cache: a rendered page stored and served again until it is due, or invalidated.

Public names:

- ``invalidate(path)``: ``await cache.invalidate("/posts/7")`` drops every stored answer for that
  page (its HTML and navigation JSON, for any query string and host), in every worker and machine when
  the backend is Redis; from actions, API routes and loaders. ``/posts/7/`` also drops
  ``/posts/7``, where the router redirects it. A route pattern (``/posts/[id]``, ``/posts/*``)
  drops every stored page it matches. ``invalidate_all()`` drops all.
- ``PageCache``: freshness, single-flight renders, background regeneration (``pages`` uses it)
- ``CacheBackend`` (the protocol), ``MemoryBackend`` (the default: this process, bounded by
  entries and bytes), ``RedisBackend`` (``[redis]`` extra; shared, bounded per page), ``Entry``
- ``build_cache(settings, build=, secret=, workers=)``: the cache the configuration asks for, or None when off
- ``etag``, ``matches``: entity tags and ``If-None-Match``

Depends on ``pyxle._redis`` (only for the Redis backend) and nothing else in Pyxle: the
configuration's values are passed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyxle.cache._backend import CacheBackend, Entry, MemoryBackend
from pyxle.cache._etag import etag, matches
from pyxle.cache._page_cache import PageCache

if TYPE_CHECKING:
    from pyxle.cache._redis import RedisBackend

__all__ = ["CacheBackend", "Entry", "MemoryBackend", "PageCache", "RedisBackend", "build_cache", "etag",
           "get_active_cache", "invalidate", "invalidate_all", "matches", "set_active_cache"]

_active: PageCache | None = None


def set_active_cache(cache: PageCache | None) -> None:
    """Make ``cache`` the one ``invalidate`` reaches (the app does this when it starts)."""
    global _active
    _active = cache


def get_active_cache() -> PageCache | None:
    return _active


async def invalidate(path: str) -> bool:
    """Drop the stored answers for ``path`` (a path or URL, read as the router reads it: the query
    string is ignored, percent-escapes are decoded, and ``/about/`` also drops ``/about``), or for
    every page a route pattern matches, written as the configuration's ``cache`` routes are
    (``/posts/[id]``: each ``/posts/N``; ``/posts/*``: ``/posts`` and everything below it).

    True if something was stored; False if not, when the page cache is off, or when Redis did not
    answer (the process then applies it before it reads Redis again: see ``cache._redis``).
    """
    if _active is None:
        return False
    return await _active.invalidate(path)


async def invalidate_all() -> None:
    """Drop every stored page."""
    if _active is not None:
        await _active.clear()


def build_cache(settings: Any, *, build: str = "", secret: str = "", workers: int = 1) -> PageCache | None:
    """The page cache for ``settings`` (``pyxle.config.CacheConfig``), or None when it is off.

    In Redis, ``build`` (the build's fingerprint) keeps stored pages of different builds apart, and
    ``secret`` (the app's secret key) those of different apps. In memory, each of ``workers`` keeps
    its own store, which an invalidation says once.
    """
    if settings.backend == "off":
        return None
    backend: CacheBackend
    if settings.backend == "redis":
        from pyxle._redis import DEFAULT_URL, app_namespace
        from pyxle.cache._redis import RedisBackend

        backend = RedisBackend(settings.redis_url or DEFAULT_URL, app=app_namespace(secret), build=build,
                               max_entries=settings.max_entries, max_bytes=settings.max_bytes)
    else:
        backend = MemoryBackend(max_entries=settings.max_entries, max_bytes=settings.max_bytes)
    return PageCache(backend, routes=settings.routes, session_cookies=settings.session_cookies,
                     session_headers=settings.session_headers, max_bytes=settings.max_bytes,
                     apart=workers if settings.backend != "redis" else 1)


def __getattr__(name: str) -> Any:
    if name == "RedisBackend":  # its module is imported only when named
        from pyxle.cache._redis import RedisBackend

        return RedisBackend
    raise AttributeError(f"module 'pyxle.cache' has no attribute {name!r}")
