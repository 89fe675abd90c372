"""The page cache's pieces: the same backend suite on memory and on a real redis-server, freshness,
configured routes, entity tags, and the revalidate envelope."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest

from pyxle._redis import app_namespace
from pyxle.cache import CacheBackend, Entry, MemoryBackend, PageCache, RedisBackend, build_cache, etag, matches
from pyxle.cache._rules import RouteRules, anonymous, cache_control, session_markers
from pyxle.config import CacheConfig, CacheRoute
from pyxle.pages._data import LoaderResultError, run_loader
from tests.conftest import RedisServer
from tests.docs._blocks import cites


def entry(body: bytes = b"<p>hi</p>", *, stored: float = 1000.0, fresh: float = 10, stale: float = 50,
          version: int = 0) -> Entry:
    return Entry(body, 200, etag(body), stored, fresh, stale, cache_control(fresh, stale), "", version)


@pytest.fixture(params=["memory", "redis"])
def make_backend(request: pytest.FixtureRequest) -> Callable[[], CacheBackend]:
    """A factory of backends that share one store, as the workers of one app would."""
    if request.param == "memory":
        shared = MemoryBackend()
        return lambda: shared
    redis: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"unit-{os.urandom(4).hex()}:"
    return lambda: RedisBackend(redis.url, build="build1", prefix=prefix)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_a_stored_entry_is_read_back_whole(make_backend) -> None:
    async def go() -> None:
        backend = make_backend()
        stored = entry(b"<p>\xc3\xa9 one</p>")
        looked = Entry(b"{}", 200, etag(b"{}"), 1000.0, 10, 50, cache_control(10, 50), "", 0,
                       ("accept-language",), ("theme",))  # what its loaders looked for and did not find
        assert await backend.put("/a", {"doc?": stored, "nav?": looked}, 0)
        found, version = await backend.get("/a", "doc?")
        assert found == stored and version == 0
        assert (await backend.get("/a", "nav?"))[0] == looked
        assert (await backend.get("/a", "nav?x"))[0] is None
        assert (await backend.get("/b", "doc?"))[0] is None

    run(go())


def test_an_entry_stored_by_a_pyxle_that_noted_no_absent_names_is_read() -> None:
    """Redis may hold entries of the release before (eight fields): read, not taken as unreadable."""
    import orjson

    old = orjson.dumps([200, '"e"', 1000.0, 10, 50, "public, s-maxage=10", "", 3]) + b"\n<p>old</p>"
    assert Entry.decode(old) == Entry(b"<p>old</p>", 200, '"e"', 1000.0, 10, 50, "public, s-maxage=10", "", 3)
    with pytest.raises(ValueError, match="not a stored page"):
        Entry.decode(orjson.dumps([200, '"e"', 1000.0, 10, 50, "x", "", 3, [1], []]) + b"\n")


def test_invalidating_a_path_drops_every_variant_and_reaches_other_processes(make_backend) -> None:
    async def go() -> None:
        writer, other = make_backend(), make_backend()
        await writer.put("/a", {"doc?": entry(), "nav?": entry(b"{}"), "doc?x=1": entry()}, 0)
        await writer.put("/b", {"doc?": entry()}, 0)
        assert await other.delete("/a") is True
        assert await other.delete("/a") is False
        for variant in ("doc?", "nav?", "doc?x=1"):
            assert (await writer.get("/a", variant))[0] is None
        assert (await writer.get("/b", "doc?"))[0] is not None

    run(go())


def test_a_render_begun_before_an_invalidation_is_not_stored(make_backend) -> None:
    async def go() -> None:
        backend = make_backend()
        _, version = await backend.get("/a", "doc?")
        await backend.delete("/a")  # an action changed the data while the page was rendering
        assert await backend.put("/a", {"doc?": entry(version=version)}, version) is False
        assert (await backend.get("/a", "doc?"))[0] is None
        _, now = await backend.get("/a", "doc?")
        assert now == version + 1
        assert await backend.put("/a", {"doc?": entry(version=now)}, now) is True

    run(go())


def test_clear_drops_every_page(make_backend) -> None:
    async def go() -> None:
        backend = make_backend()
        await backend.put("/a", {"doc?": entry()}, 0)
        await backend.put("/b/c", {"nav?": entry()}, 0)
        await backend.clear()
        assert (await backend.get("/a", "doc?"))[0] is None and (await backend.get("/b/c", "nav?"))[0] is None

    run(go())


def test_clear_stops_a_render_under_way_from_storing_even_for_a_page_not_stored_yet(make_backend) -> None:
    async def go() -> None:
        backend, other = make_backend(), make_backend()
        await backend.put("/stored", {"doc?": entry()}, 0)
        _, version = await backend.get("/new", "doc?")  # its first render begins: nothing is stored
        await other.clear()  # invalidate_all() while it reads the old data
        assert await backend.put("/new", {"doc?": entry(version=version)}, version) is False
        assert (await backend.get("/new", "doc?"))[0] is None
        _, now = await backend.get("/new", "doc?")
        assert now != version and await backend.put("/new", {"doc?": entry(version=now)}, now) is True
        assert (await backend.get("/new", "doc?"))[0] is not None

    run(go())


def test_memory_keeps_at_most_max_entries_dropping_the_least_recently_used() -> None:
    async def go() -> None:
        backend = MemoryBackend(max_entries=2)
        await backend.put("/a", {"doc?": entry()}, 0)
        await backend.put("/b", {"doc?": entry()}, 0)
        await backend.get("/a", "doc?")  # /a used last: /b goes first
        await backend.put("/c", {"doc?": entry()}, 0)
        assert len(backend) == 2
        assert (await backend.get("/b", "doc?"))[0] is None
        assert (await backend.get("/a", "doc?"))[0] is not None and (await backend.get("/c", "doc?"))[0] is not None

    run(go())


def test_memory_keeps_at_most_max_bytes_and_skips_a_page_larger_than_that() -> None:
    async def go() -> None:
        backend = MemoryBackend(max_bytes=100)
        await backend.put("/a", {"doc?": entry(b"a" * 60)}, 0)
        await backend.put("/b", {"doc?": entry(b"b" * 60)}, 0)
        assert backend.bytes == 60 and (await backend.get("/a", "doc?"))[0] is None
        await backend.put("/huge", {"doc?": entry(b"h" * 101)}, 0)
        assert (await backend.get("/huge", "doc?"))[0] is None and backend.bytes == 60

    run(go())


def test_redis_entries_expire_when_their_stale_window_ends(redis_server: RedisServer) -> None:
    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix=f"unit-{os.urandom(4).hex()}:")
        await backend.put("/a", {"doc?": entry(fresh=0.1, stale=0.1)}, 0)
        assert (await backend.get("/a", "doc?"))[0] is not None
        await asyncio.sleep(0.4)
        assert (await backend.get("/a", "doc?"))[0] is None

    run(go())


def redis_bytes(url: str, prefix: str) -> tuple[int, int]:
    """Keys under ``prefix`` and the bytes they hold, whatever the layout (expired keys are not counted)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=prefix + "*"))
        return len(keys), sum(client.memory_usage(key, samples=0) or 0 for key in keys)
    finally:
        client.close()


def test_redis_keeps_at_most_max_entries_variants_of_a_page_and_skips_one_over_max_bytes(
        redis_server: RedisServer) -> None:
    prefix = f"unit-{os.urandom(4).hex()}:"

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix=prefix, max_entries=4, max_bytes=50_000)
        for i in range(40):  # new query strings keep arriving
            assert await backend.put("/", {f"doc?r={i}": entry(b"x" * 10_000)}, 0)
        found = [(await backend.get("/", f"doc?r={i}"))[0] is not None for i in range(40)]
        assert found == [False] * 36 + [True] * 4  # the first stored go first
        assert await backend.put("/big", {"doc?": entry(b"x" * 50_001)}, 0) is False
        assert (await backend.get("/big", "doc?"))[0] is None
        assert await backend.delete("/") is True
        assert not any([(await backend.get("/", f"doc?r={i}"))[0] for i in range(40)])

    run(go())
    keys, size = redis_bytes(redis_server.url, prefix)
    assert size < 20_000, (keys, size)


def test_redis_variants_of_a_page_expire_each_on_its_own(redis_server: RedisServer) -> None:
    prefix = f"unit-{os.urandom(4).hex()}:"

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix=prefix)
        await backend.put("/", {"doc?old": entry(b"o" * 100_000, fresh=0.1, stale=0.2)}, 0)
        for i in range(8):  # other variants keep arriving, each kept 0.3 s
            await asyncio.sleep(0.1)
            await backend.put("/", {f"doc?r={i}": entry(fresh=0.1, stale=0.2)}, 0)
        assert (await backend.get("/", "doc?old"))[0] is None
        assert (await backend.get("/", "doc?r=7"))[0] is not None

    run(go())
    keys, size = redis_bytes(redis_server.url, prefix)
    assert size < 50_000, f"the expired variant still takes room: {keys} keys, {size} bytes"


@pytest.mark.parametrize("revalidate", [sys.maxsize, 10**16, 365 * 86_400 * 10])
def test_redis_stores_a_page_of_any_revalidate_and_keeps_it_a_year_at_most(redis_server: RedisServer,
                                                                           revalidate: int) -> None:
    prefix = f"unit-{os.urandom(4).hex()}:"

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix=prefix)
        stored = entry(fresh=float(revalidate), stale=float(revalidate) * 5)
        assert await backend.put("/forever", {"doc?": stored}, 0) is True
        assert (await backend.get("/forever", "doc?"))[0] == stored
        assert backend.breaker.up

    run(go())
    import redis

    client = redis.Redis.from_url(redis_server.url)
    try:
        ttls = [client.pttl(key) for key in client.scan_iter(match=prefix + "*") if b":v:" not in key]
    finally:
        client.close()
    assert ttls and all(0 < ttl <= 365 * 86_400 * 1000 for ttl in ttls), ttls


def test_a_store_redis_refuses_fails_alone_and_lookups_go_on(start_redis, caplog) -> None:
    redis_server = start_redis()
    import redis

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix="unit-oom:")
        assert await backend.put("/kept", {"doc?": entry()}, 0)
        assert await backend.put("/big", {"doc?": entry(b"x" * 500_000)}, 0)
        control = redis.Redis.from_url(redis_server.url)
        used = control.info("memory")["used_memory"]
        control.config_set("maxmemory", used - 100_000)  # full, and noeviction: writes are refused
        try:
            for i in range(5):  # each store fails, and says why
                assert await backend.put("/big", {f"doc?{i}": entry(b"x" * 500_000)}, 0) is False
                assert (await backend.get("/kept", "doc?"))[0] is not None, "Redis is still asked"
            assert backend.breaker.up
        finally:
            control.config_set("maxmemory", 0)
            control.close()

    with caplog.at_level(logging.WARNING, logger="pyxle.cache"):
        run(go())
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 1 and f"page cache: Redis at {redis_server.url} refused a command (OutOfMemoryError" in lines[0]
    assert "does not answer" not in lines[0]


@contextlib.contextmanager
def read_only(url: str) -> Iterator[None]:
    """The Redis at ``url`` refuses every write (``READONLY``: a replica of a master that is not
    there, which keeps its data) until the block ends; it answers reads."""
    import redis

    control = redis.Redis.from_url(url)
    control.replicaof("127.0.0.1", "1")
    try:
        yield
    finally:
        control.replicaof("NO", "ONE")
        control.close()


def test_an_invalidation_redis_refused_is_applied_before_the_next_lookup_which_misses_until_then(
        start_redis, caplog) -> None:
    redis_server = start_redis()

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix="unit-waiting:")
        assert await backend.put("/a", {"doc?": entry()}, 0) and await backend.put("/b", {"doc?": entry()}, 0)
        with read_only(redis_server.url):
            assert await backend.delete("/a") is False
            assert backend.waiting == {"/a"} and backend.breaker.up
            assert await backend.get("/b", "doc?") == (None, -1), "no copy is served while an invalidation waits"
            assert await backend.put("/a", {"doc?": entry()}, 0) is False
        assert (await backend.get("/a", "doc?"))[0] is None  # applied first: dropped, its version bumped
        found, version = await backend.get("/b", "doc?")
        assert found is not None and version == 0 and not backend.waiting

    with caplog.at_level(logging.WARNING, logger="pyxle.cache"):
        run(go())
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("page cache: could not invalidate /a (Redis at") and
               line.endswith("; retried when Redis answers again") for line in lines), lines
    assert "page cache: applied 1 invalidation that failed while Redis did not answer" in lines


def test_past_max_waiting_failed_invalidations_every_page_is_cleared_once_redis_takes_it(
        start_redis, monkeypatch) -> None:
    from pyxle.cache import _redis

    monkeypatch.setattr(_redis, "MAX_WAITING", 3)
    redis_server = start_redis()

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix="unit-purge:")
        assert await backend.put("/kept", {"doc?": entry()}, 0)
        with read_only(redis_server.url):
            for path in ("/1", "/2", "/3"):
                await backend.delete(path)
            assert backend.waiting == {"/1", "/2", "/3"} and not backend.purge
            await backend.delete("/4")
            assert backend.waiting == set() and backend.purge  # bounded: a clear of every page instead
        found, version = await backend.get("/kept", "doc?")
        assert found is None and version == 1 and not backend.purge  # the generation was bumped

    run(go())


@cites("docs/pages.md", "`page cache: could not invalidate /posts/[id] (...); every page is cleared when Redis answers\n"
                        "again`, clears every page then")
def test_a_pattern_invalidation_redis_refused_clears_every_page_before_redis_is_read_again(start_redis, caplog) -> None:
    redis_server = start_redis()

    async def go() -> None:
        backend = RedisBackend(redis_server.url, prefix="unit-pattern-refused:")
        cache = PageCache(backend)
        assert await backend.put("/posts/1", {"doc?": entry()}, 0)
        assert await backend.put("/kept", {"doc?": entry()}, 0)
        with read_only(redis_server.url):
            assert await cache.invalidate("/posts/[id]") is False
            assert backend.purge  # which pages it names is not known without Redis
        assert (await backend.get("/kept", "doc?"))[0] is None and not backend.purge
        await cache.close()

    with caplog.at_level(logging.ERROR, logger="pyxle.cache"):
        run(go())
    assert "page cache: could not invalidate /posts/[id] (" in caplog.text
    assert "every page is cleared when Redis answers again" in caplog.text


def test_redis_entries_of_another_build_are_not_served(redis_server: RedisServer) -> None:
    async def go() -> None:
        prefix = f"unit-{os.urandom(4).hex()}:"
        await RedisBackend(redis_server.url, build="old", prefix=prefix).put("/a", {"doc?": entry()}, 0)
        assert (await RedisBackend(redis_server.url, build="new", prefix=prefix).get("/a", "doc?"))[0] is None

    run(go())


def test_two_apps_of_one_build_on_one_redis_keep_their_pages_apart(redis_server: RedisServer) -> None:
    """A staging and a production of one build shared Redis: each read the other's stored pages,
    and one's invalidations and clear() dropped the other's."""
    async def go() -> None:
        staging = RedisBackend(redis_server.url, app=app_namespace("staging key"), build="b1")
        production = RedisBackend(redis_server.url, app=app_namespace("production key"), build="b1")
        await staging.clear()
        await production.clear()
        _, version = await staging.get("/a", "doc?")
        assert await staging.put("/a", {"doc?": entry(b"staging data", version=version)}, version)
        assert (await production.get("/a", "doc?"))[0] is None
        _, version = await production.get("/a", "doc?")
        assert await production.put("/a", {"doc?": entry(b"production data", version=version)}, version)
        await staging.delete("/a")
        await staging.clear()
        found, _ = await production.get("/a", "doc?")
        assert found is not None and found.body == b"production data"

    run(go())


def test_redis_down_means_nothing_is_stored_and_pages_still_answer(start_redis) -> None:
    redis = start_redis()
    redis.stop()

    async def go() -> None:
        backend = RedisBackend(redis.url, prefix="unit-down:")
        assert await backend.get("/a", "doc?") == (None, -1)
        assert await backend.put("/a", {"doc?": entry()}, -1) is False
        assert await backend.delete("/a") is False

    run(go())


def test_lookup_is_a_hit_while_fresh_stale_in_the_window_after_and_a_miss_beyond() -> None:
    async def go() -> None:
        now = [1000.0]
        cache = PageCache(MemoryBackend(), clock=lambda: now[0])
        await cache.store("/a", {"doc?": entry(stored=1000.0, fresh=10, stale=50)}, 0)
        for at, state in ((1000.0, "hit"), (1009.9, "hit"), (1010.0, "stale"), (1059.9, "stale"), (1060.0, "miss")):
            now[0] = at
            found = await cache.lookup("/a", "doc?")
            assert found.state == state, at
            assert (found.entry is None) == (state == "miss")

    run(go())


def test_one_flight_per_key_and_its_waiters_get_what_it_stored() -> None:
    async def go() -> None:
        cache = PageCache(MemoryBackend())
        key = ("/a", "doc?")
        flight = cache.lead(key)
        assert flight is not None
        assert cache.lead(key) is None  # a second request waits
        waiter = asyncio.ensure_future(asyncio.shield(cache.flights[key]))
        stored = entry()
        cache.land(key, flight, stored)
        assert await waiter is stored
        assert cache.lead(key) is not None  # the next miss leads again

    run(go())


def test_a_released_flight_lets_its_waiters_go_at_once_and_its_landing_later_leaves_the_next_flight_be() -> None:
    async def go() -> None:
        cache = PageCache(MemoryBackend())
        key = ("/a", "?")
        first = cache.lead(key)
        assert first is not None
        waiters = [asyncio.ensure_future(cache.wait(key, variant, 0)) for variant in ("nav?", "doc?")]
        await asyncio.sleep(0)
        cache.release(key)  # its loaders made a page for its visitor alone: it renders on, storing nothing
        assert await asyncio.gather(*waiters) == [None, None]  # they render their own now
        second = cache.lead(key)  # the next miss leads a render of its own
        assert second is not None
        late = asyncio.ensure_future(cache.wait(key, "doc?", 0))
        cache.land(key, first, None)  # the released render ends
        await asyncio.sleep(0.01)
        assert not late.done() and cache.flights[key] is second
        stored = {"doc?": entry()}
        cache.land(key, second, stored)
        assert await late is stored["doc?"] and not cache.flights
        cache.release(key)  # no flight: nothing to do

    run(go())


def test_a_flight_landed_later_stays_open_until_its_work_ends_and_lands_none_if_it_fails() -> None:
    async def go() -> None:
        cache = PageCache(MemoryBackend())
        stored = {"doc?": entry()}
        release = asyncio.Event()

        async def work() -> dict[str, Entry] | None:
            await release.wait()
            return stored

        async def fails() -> dict[str, Entry] | None:
            raise RuntimeError("the render pool is closed")

        async def endless() -> dict[str, Entry] | None:
            await asyncio.Event().wait()
            return None

        waiters = {}
        for path, job in (("/a", work), ("/b", fails), ("/c", endless)):
            key = (path, "?")
            flight = cache.lead(key)
            assert flight is not None
            waiters[path] = asyncio.ensure_future(asyncio.shield(cache.flights[key]))
            cache.land_later(key, flight, job())  # the request that led it has been answered
        await asyncio.sleep(0.01)
        assert await waiters["/b"] is None  # failed (and logged): its waiters render their own
        assert not waiters["/a"].done() and ("/a", "?") in cache.flights  # concurrent misses still wait for it
        release.set()
        assert await waiters["/a"] is stored and ("/a", "?") not in cache.flights
        await cache.close()  # stops what is still under way, and its waiters go on
        assert await waiters["/c"] is None and not cache.flights

    run(go())


def test_waiters_of_an_entry_answered_before_its_render_ends_get_it_at_once_and_the_others_wait_on() -> None:
    async def go() -> None:
        cache = PageCache(MemoryBackend())
        key, nav, doc = ("/a", "?"), entry(b"{}", version=3), entry(version=3)
        release = asyncio.Event()

        async def work() -> dict[str, Entry] | None:
            await release.wait()
            return {"nav?": nav, "doc?": doc}

        flight = cache.lead(key)
        assert flight is not None
        before = asyncio.ensure_future(cache.wait(key, "nav?", 3))  # came while the loaders ran
        await asyncio.sleep(0)
        cache.answer_early(key, {"nav?": nav})  # the loaders have run: the document renders on
        cache.land_later(key, flight, work())
        after = asyncio.ensure_future(cache.wait(key, "nav?", 3))  # came while the document renders
        page = asyncio.ensure_future(cache.wait(key, "doc?", 3))
        invalidated = asyncio.ensure_future(cache.wait(key, "nav?", 4))  # looked up after an invalidation
        await asyncio.sleep(0.01)
        assert await before is nav and await after is nav
        assert not page.done() and not invalidated.done() and key in cache.flights
        assert cache.lead(key) is None  # a miss now still joins this render
        release.set()
        # What the render stored (storing checks the version: an invalidated render lands None).
        assert await page is doc and await invalidated is nav and key not in cache.flights
        await cache.close()

    run(go())


def test_regeneration_runs_once_per_url_at_a_time_and_survives_a_failure() -> None:
    async def go() -> None:
        cache = PageCache(MemoryBackend())
        runs = []
        release = asyncio.Event()

        async def render() -> None:
            runs.append(1)
            await release.wait()
            raise RuntimeError("loader down")

        cache.regenerate("/a", render)
        cache.regenerate("/a", render)
        await asyncio.sleep(0)
        assert len(runs) == 1
        release.set()
        await asyncio.sleep(0.01)
        cache.regenerate("/a", render)  # the failed one is over: a later stale hit tries again
        await asyncio.sleep(0.01)
        assert len(runs) == 2
        await cache.close()

    run(go())


@cites("docs/pages.md", "`cache.invalidate` also takes a route pattern, as the `cache` routes of the configuration\nare written")
def test_invalidating_a_route_pattern_drops_every_page_it_matches(make_backend) -> None:
    """Before the fix `invalidate("/posts/[id]")` looked for a page stored at that very path: it
    returned False and every `/posts/N` stayed (a Next.js user writes `revalidatePath('/posts/[id]')`)."""
    async def go() -> None:
        writer, other = PageCache(make_backend()), PageCache(make_backend())
        for path in ("/posts", "/posts/1", "/posts/2", "/posts/2/comments", "/about", "/café/1"):
            await writer.store(path, {"doc?": entry(), "nav?x=1": entry(b"{}")}, 0)

        async def kept() -> set[str]:
            return {path for path in ("/posts", "/posts/1", "/posts/2", "/posts/2/comments", "/about", "/café/1")
                    if (await writer.backend.get(path, "doc?"))[0] is not None}

        assert await other.invalidate("/posts/[id]") is True
        assert await kept() == {"/posts", "/posts/2/comments", "/about", "/café/1"}
        assert await other.invalidate("/posts/[id]") is False  # nothing left that it matches
        assert await other.invalidate("https://example.com/caf%C3%A9/*?page=2") is True
        assert await other.invalidate("/posts/*") is True  # /posts and everything below it
        assert await kept() == {"/about"}
        await writer.close()
        await other.close()

    run(go())


@pytest.mark.parametrize("pattern", ["/posts/[id]", "/posts/*", "/posts/[...slug]", "/*"])
def test_a_pattern_invalidation_stops_a_render_under_way_of_a_page_it_matches(make_backend, pattern: str) -> None:
    async def go() -> None:
        cache = PageCache(make_backend())
        version = (await cache.lookup("/posts/9", "doc?")).version  # a first render begins: nothing is stored
        key = ("/posts/9", "?\nhttp://example.com")
        flight = cache.lead(key)  # (as the page does while it renders)
        await cache.invalidate(pattern)  # the data it reads changes
        assert await cache.store("/posts/9", {"doc?": entry(version=version)}, version) is False
        cache.land(key, flight, None)
        await cache.close()

    run(go())


def test_a_pattern_invalidation_on_a_backend_that_cannot_match_says_what_to_do_instead() -> None:
    """A backend of the app's own, written to the protocol before patterns: a clear error, not a no-op."""
    class Own(MemoryBackend):
        delete_matching = None

    async def go() -> None:
        with pytest.raises(ValueError, match=r"cache.invalidate\('/posts/\[id\]'\): the page cache's backend \(Own\) "
                                             r"cannot drop pages by a route pattern; name each page's path, or call "
                                             r"cache.invalidate_all\(\)"):
            await PageCache(Own()).invalidate("/posts/[id]")

    run(go())


def test_a_pattern_invalidation_retires_the_pages_another_build_stored(redis_server: RedisServer) -> None:
    """A rolling deploy: the new build's invalidation reaches the old build's copies, as a path's does."""
    async def go() -> None:
        prefix = f"unit-{os.urandom(4).hex()}:"
        old = RedisBackend(redis_server.url, build="old", prefix=prefix)
        new = PageCache(RedisBackend(redis_server.url, build="new", prefix=prefix))
        await old.put("/posts/1", {"doc?": entry()}, 0)
        assert await new.invalidate("/posts/[id]") is True
        assert (await old.get("/posts/1", "doc?"))[0] is None
        await new.close()

    run(go())


def test_invalidate_takes_a_path_or_a_url_and_ignores_the_query() -> None:
    async def go() -> None:
        cache = PageCache(MemoryBackend())
        await cache.store("/posts/7", {"doc?a=1": entry()}, 0)
        assert await cache.invalidate("https://example.com/posts/7?b=2") is True
        assert (await cache.lookup("/posts/7", "doc?a=1")).entry is None

    run(go())


@pytest.mark.parametrize(("pattern", "yes", "no"), [
    ("/about", ["/about", "/about/"], ["/", "/about/x", "/aboutx"]),
    ("/docs/*", ["/docs", "/docs/a", "/docs/a/b"], ["/doc", "/", "/other/docs"]),
    ("/a/*/b", ["/a/x/b"], ["/a/b", "/a/x/y/b", "/a/x/b/c"]),
    ("/posts/[id]", ["/posts/7"], ["/posts", "/posts/7/edit"]),
    ("/files/[...path]", ["/files/a", "/files/a/b"], ["/files"]),
    ("/shop/[[...rest]]", ["/shop", "/shop/a/b"], ["/shops"]),
    ("/", ["/"], ["/a"]),
    ("/*", ["/", "/a", "/a/b"], []),
])
def test_configured_route_patterns(pattern: str, yes: list[str], no: list[str]) -> None:
    rules = RouteRules([CacheRoute(pattern, 60, 300)])
    for path in yes:
        assert rules.find(path) is not None, path
    for path in no:
        assert rules.find(path) is None, path


def test_the_most_specific_configured_route_wins() -> None:
    rules = RouteRules([CacheRoute("/*", 1, 5), CacheRoute("/docs/*", 2, 10), CacheRoute("/docs/intro", 3, 15)])
    assert rules.find("/docs/intro").s_maxage == 3
    assert rules.find("/docs/other").s_maxage == 2
    assert rules.find("/blog").s_maxage == 1


def test_cache_control_says_how_long_a_shared_cache_may_keep_and_serve_stale() -> None:
    assert cache_control(10, 50) == "public, s-maxage=10, stale-while-revalidate=50"
    assert cache_control(1.5, 7.5) == "public, s-maxage=2, stale-while-revalidate=8"


@pytest.mark.parametrize(("headers", "auth", "expected"), [
    ([], None, True),
    ([(b"cookie", b"pyxle-csrf=abc; _ga=1")], None, True),
    ([(b"cookie", b"theme=dark; pyxle_session=abc")], None, False),
    ([(b"cookie", b"session=abc")], None, False),
    ([(b"authorization", b"Bearer x")], None, False),
    ([], {"id": 1}, False),
    ([], {"user": {"id": 1, "email": "ada@example.com"}, "endpoints": {"me": "/auth/me"}}, False),  # pyxle-auth's seed
    ([], {"user": None, "endpoints": {"me": "/auth/me"}}, True),  # the same for a visitor not signed in
])
def test_a_request_is_anonymous_without_session_cookie_authorization_or_user(headers, auth, expected) -> None:
    scope = {"headers": headers, **({"pyxle.auth": auth} if auth else {})}
    assert anonymous(scope, session_markers(("pyxle_session", "session"))) is expected


@pytest.mark.parametrize(("headers", "expected"), [
    ([(b"x-forwarded-user", b"alice")], False),
    ([(b"x-forwarded-email", b"a@example.com")], True),
    ([(b"authorization", b"Bearer x")], False),  # always, whatever sessionHeaders says
])
def test_a_request_with_a_session_header_is_not_anonymous(headers, expected) -> None:
    assert anonymous({"headers": headers}, session_markers((), ("X-Forwarded-User",))) is expected


def test_if_none_match_compares_weakly_and_accepts_lists_and_star() -> None:
    tag = etag(b"page")
    assert tag.startswith('"') and tag.endswith('"') and etag(b"page") == tag != etag(b"page2")
    assert matches(tag.encode(), tag)
    assert matches(b'"other", W/' + tag.encode(), tag)
    assert matches(b"*", tag)
    assert not matches(b'"other"', tag)
    assert matches(tag.encode(), "W/" + tag)


def test_build_cache_follows_the_configuration() -> None:
    assert build_cache(CacheConfig(backend="off")) is None
    memory = build_cache(CacheConfig(max_entries=3, routes=(CacheRoute("/a", 5, 25),)))
    assert isinstance(memory.backend, MemoryBackend) and memory.backend.max_entries == 3 and memory.rules.find("/a")
    redis = build_cache(CacheConfig(backend="redis", redis_url="redis://127.0.0.1:1/0"), build="fingerprint",
                        secret="key of one app")
    assert isinstance(redis.backend, RedisBackend) and redis.backend.url == "redis://127.0.0.1:1/0"
    assert redis.backend.build == "fingerprint"
    assert redis.backend.prefix == f"pyxle:cache:{app_namespace('key of one app')}:"
    assert "key of one app" not in redis.backend.prefix


def test_memory_is_the_default_store_bounded_by_512_pages_and_64_mib() -> None:
    default = build_cache(CacheConfig())
    assert isinstance(default.backend, MemoryBackend)
    assert (default.backend.max_entries, default.backend.max_bytes) == (512, 64 * 1024 * 1024)


# The revalidate envelope, as pyxle-framework 0.9 read it.

def loader_returning(value):  # type: ignore[no-untyped-def]
    async def load(request):  # type: ignore[no-untyped-def]
        return value
    return load


@pytest.mark.parametrize(("returned", "data", "status", "revalidate"), [
    ({"data": {"a": 1}, "revalidate": 10}, {"a": 1}, 200, 10.0),
    ({"data": {"a": 1}, "revalidate": 1.5}, {"a": 1}, 200, 1.5),
    ({"data": {"a": 1}, "revalidate": 0}, {"a": 1}, 200, 0.0),
    ({"data": {"a": 1}, "revalidate": None}, {"a": 1}, 200, None),
    (({"data": {"a": 1}, "revalidate": 5}, 201), {"a": 1}, 201, 5.0),
    ({"data": {"a": 1}}, {"data": {"a": 1}}, 200, None),  # not the envelope: data as it is
    ({"data": {"a": 1}, "revalidate": 5, "x": 1}, {"data": {"a": 1}, "revalidate": 5, "x": 1}, 200, None),
    ({"data": [1, 2], "revalidate": 5}, {"data": [1, 2], "revalidate": 5}, 200, None),
    ({"revalidate": 5}, {"revalidate": 5}, 200, None),
])
def test_the_revalidate_envelope_is_unwrapped_as_pyxle_09_did(returned, data, status, revalidate) -> None:
    loaded = run(run_loader(loader_returning(returned), SimpleNamespace(), "pages/x.pyxl"))
    assert (loaded.data, loaded.status, loaded.revalidate) == (data, status, revalidate)


def test_the_envelope_holds_a_model_or_dataclass_as_its_data() -> None:
    from dataclasses import dataclass

    @dataclass
    class Post:
        title: str

    loaded = run(run_loader(loader_returning({"data": Post("hi"), "revalidate": 3}), SimpleNamespace(), "p"))
    assert loaded.data == {"title": "hi"} and loaded.revalidate == 3.0 and loaded.encoded == '{"title":"hi"}'


@pytest.mark.parametrize("bad", [-1, True, "10", float("inf")])
def test_a_bad_revalidate_is_a_loader_error_naming_the_file(bad) -> None:
    with pytest.raises(LoaderResultError, match=r"pages/x\.pyxl: loader load\(\) returned revalidate="):
        run(run_loader(loader_returning({"data": {}, "revalidate": bad}), SimpleNamespace(), "pages/x.pyxl"))


# The "cache" block and PYXLE_PAGE_CACHE_* variables.

def config_of(tmp_path, data, environ=None):  # type: ignore[no-untyped-def]
    import json as _json

    from pyxle.config import load_config

    (tmp_path / "pyxle.config.json").write_text(_json.dumps(data))
    return load_config(tmp_path, environ=environ or {}, load_env=False)


def test_the_cache_block_reads_094_routes_and_settings(tmp_path) -> None:
    config = config_of(tmp_path, {"cache": {"/about": 60, "/docs/*": {"maxAge": 30}, "/team": {
        "sMaxage": 10, "staleWhileRevalidate": 7, "shared": True}, "backend": "redis", "redisUrl": "redis://h:1/2",
        "maxEntries": 9, "maxBytes": 1000, "sessionCookies": ["sid"],
        "sessionHeaders": ["X-Forwarded-User"]}})
    assert config.cache.routes == (CacheRoute("/about", 60, 300), CacheRoute("/docs/*", 30, 150),
                                   CacheRoute("/team", 10, 7, True))
    assert (config.cache.backend, config.cache.redis_url, config.cache.max_entries, config.cache.max_bytes,
            config.cache.session_cookies, config.cache.session_headers) == (
        "redis", "redis://h:1/2", 9, 1000, ("sid",), ("X-Forwarded-User",))


@pytest.mark.parametrize(("block", "message"), [
    ({"bakend": "redis"}, ('"cache.bakend" is neither a route pattern (starting with "/") nor a setting (backend, '
                           'redisUrl, maxEntries, maxBytes, sessionCookies, sessionHeaders); did you mean '
                           '"cache.backend"?')),
    ({"/a": -1}, 'cache["/a"] must be a whole number of seconds >= 0, or an object with sMaxage (got -1)'),
    ({"/a": True}, 'cache["/a"] must be a whole number of seconds >= 0'),
    ({"/a": {}}, 'cache["/a"] needs "sMaxage": the seconds a stored page is served as is'),
    ({"/a b": 5}, 'cache["/a b"]: a route pattern is a path like "/docs/*"'),
    ({"backend": "file"}, "cache.backend must be one of memory, redis, off"),
    ({"sessionHeaders": ["X-User: 1"]}, "cache.sessionHeaders"),
])
def test_a_bad_cache_block_stops_start_up_naming_the_key(tmp_path, block, message) -> None:
    from pyxle.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        config_of(tmp_path, {"cache": block})
    assert message in str(caught.value)


def test_page_cache_variables_override_the_file_and_file_is_refused(tmp_path) -> None:
    from pyxle.config import ConfigError

    config = config_of(tmp_path, {"cache": {"backend": "memory"}}, {
        "PYXLE_PAGE_CACHE_BACKEND": "Redis", "REDIS_URL": "redis://fallback:6379/0", "PYXLE_PAGE_CACHE_MAX_ENTRIES": "3"})
    assert (config.cache.backend, config.cache.redis_url, config.cache.max_entries) == (
        "redis", "redis://fallback:6379/0", 3)
    with pytest.raises(ConfigError) as caught:
        config_of(tmp_path, {}, {"PYXLE_PAGE_CACHE_BACKEND": "file"})
    assert ("PYXLE_PAGE_CACHE_BACKEND=file is not supported: use memory (one process) or redis (shared by every "
            "worker and machine)") in str(caught.value)


def test_cache_control_never_names_more_seconds_than_http_allows() -> None:
    """A revalidate of sys.maxsize (a loader's "forever") gave a 19-digit s-maxage; RFC 9111 caps
    delta-seconds at 2^31."""
    from pyxle.cache._rules import cache_control

    assert cache_control(sys.maxsize, 5 * sys.maxsize) == "public, s-maxage=2147483648, stale-while-revalidate=2147483648"
    assert cache_control(60, 300.5) == "public, s-maxage=60, stale-while-revalidate=301"


@cites("docs/pages.md", "The compressed copies of stored pages take\nat most 16 MiB more in each process, or `maxBytes` if that is lower")
def test_the_compressed_copies_of_stored_pages_are_bounded_by_max_bytes_too() -> None:
    """A soak found each worker keeping compressed copies of pages the store had dropped, up to
    16 MiB whatever `maxBytes` said: a cache set to 1 MiB held 17."""
    small = build_cache(CacheConfig(max_bytes=4096))
    assert small is not None and small.copies.max_bytes == 4096
    for n in range(50):  # fifty pages of 1 KB, each kept with a copy of 200 bytes
        small.copies.add(b"%04d" % n + b"x" * 1020, "gzip", b"y" * 200)
    assert small.copies.bytes <= 4096
    default = build_cache(CacheConfig())
    assert default is not None and default.copies.max_bytes == 16 * 1024 * 1024
