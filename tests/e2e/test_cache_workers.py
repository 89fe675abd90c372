"""The in-memory page cache under `pyxle serve --workers 2`: each worker keeps its own store, so an
invalidation reaches only the worker it ran in, and that worker says so once, naming the fix."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API, PURGE_ALL_API, PURGE_API, serve, write_counted

PAGE = '''
import counter, os

@server
async def load(request):
    return {"data": {"n": counter.bump("news"), "pid": os.getpid()}, "revalidate": 600}

export default function News({ data }) { return <p>news {data.n} from {data.pid}</p> }
'''
FILES = {"counter.py": COUNTER, "pages/api/counts.py": COUNTS_API, "pages/api/purge.py": PURGE_API,
         "pages/api/purge_all.py": PURGE_ALL_API, "pages/news.pyxl": PAGE}
NOTE = ("cache.invalidate('/news') dropped this worker's copies only: the page cache is in each worker's memory, "
        "so with --workers 2 the others serve theirs until their revalidate window ends; "
        'set cache.backend to "redis" to reach every worker')


def _pid(answer: httpx.Response) -> str:
    """The pid of the worker whose loader made this page (the stored copy's, on a hit)."""
    return re.search(r"from (?:<!-- -->)?(\d+)", answer.text).group(1)


@cites("docs/pages.md", "so with `--workers 2` an invalidation reaches only the process it ran in")
@cites("docs/pages.md", "each worker says so once, the first time it invalidates: `cache.invalidate('/blog') "
                        "dropped this worker's copies only")
def test_an_invalidation_in_one_worker_leaves_the_others_copy_and_says_so_once(tmp_path: Path) -> None:
    server = serve(write_counted(tmp_path / "app", FILES), "--workers", "2")
    try:
        stored: set[str] = set()
        deadline = time.monotonic() + 30
        while len(stored) < 2:  # each worker renders and stores a copy of its own (a new connection each time)
            assert time.monotonic() < deadline, stored
            answer = httpx.get(server.url + "/news", headers={"connection": "close"})
            if answer.headers["x-pyxle-cache"] == "HIT":
                stored.add(_pid(answer))
        assert httpx.get(server.url + "/api/counts", params={"name": "news"}).json()["count"] == 2

        purged = httpx.post(server.url + "/api/purge", params={"path": "/news"}, headers={"connection": "close"})
        assert purged.json() == {"removed": True}
        server.wait_for_output(NOTE)
        # The worker that did not invalidate still serves its copy: one render more in all, not two.
        served = set()
        for _ in range(24):
            answer = httpx.get(server.url + "/news", headers={"connection": "close"})
            served.add((answer.headers["x-pyxle-cache"], _pid(answer)))
        assert len({pid for _, pid in served}) == 2, served
        assert httpx.get(server.url + "/api/counts", params={"name": "news"}).json()["count"] == 3

        for _ in range(12):  # both workers invalidate again, over this many connections
            httpx.post(server.url + "/api/purge", params={"path": "/news"}, headers={"connection": "close"})
            httpx.post(server.url + "/api/purge_all", headers={"connection": "close"})
        time.sleep(1)
        notes = [line for line in server.output().splitlines() if "dropped this worker's copies only" in line]
        assert 1 <= len(notes) <= 2, notes  # once per worker at most
    finally:
        server.stop()


def test_one_worker_invalidates_without_the_note(tmp_path: Path) -> None:
    server = serve(write_counted(tmp_path / "app", FILES))
    try:
        assert httpx.get(server.url + "/news").headers["x-pyxle-cache"] == "MISS"
        assert httpx.post(server.url + "/api/purge", params={"path": "/news"}).json() == {"removed": True}
        httpx.post(server.url + "/api/purge_all")
        time.sleep(1)
        assert "dropped this worker's copies only" not in server.output()
    finally:
        server.stop()
