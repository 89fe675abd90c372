"""`cache.invalidate` with a route pattern, from an API route of a real `pyxle serve`: in memory,
and in Redis shared by a second server, every stored page the pattern matches is dropped and the
others stay.

A probe found it: `await cache.invalidate("/posts/[id]")` (or `"/posts/*"`) returned False, logged
nothing and dropped nothing; a Next.js user writes `revalidatePath('/posts/[id]', 'page')`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, RedisServer, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache import PURGE_API

POST = '''
import itertools

RUNS = itertools.count(1)

@server
async def load(request):
    return {"data": {"run": next(RUNS)}, "revalidate": 600}

export default function Page({ data }) { return <p>run {data.run}</p> }
'''
FILES = {"pages/posts/[id].pyxl": POST, "pages/posts/[id]/comments.pyxl": POST, "pages/about.pyxl": POST,
         "pages/api/purge.py": PURGE_API}
PAGES = ("/posts/1", "/posts/2", "/posts/2/comments", "/about")
SITE = {"host": "patterns.example"}  # (pages are stored per host: one name for both servers)


@pytest.fixture(scope="module")
def memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    root = write_project(tmp_path_factory.mktemp("patterns") / "app", FILES)
    with serving(root, "--workers", "1", "--no-access-log", env=SHARED_SECRET) as server:
        yield server, server


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[tuple[Server, Server]]:
    """Two servers of one app sharing Redis: the one that invalidates, and the one that serves."""
    config = {"cache": {"backend": "redis", "redisUrl": redis_server.url}}
    root = write_project(tmp_path_factory.mktemp("patterns-redis") / "app",
                         {**FILES, "pyxle.config.json": json.dumps(config)})
    with serving(root, "--no-access-log", env=SHARED_SECRET) as one, \
            serving(root, "--no-access-log", env=SHARED_SECRET) as two:
        yield one, two


def states(server: Server) -> dict[str, str]:
    return {path: httpx.get(server.url + path, headers=SITE).headers["x-pyxle-cache"] for path in PAGES}


def purge(server: Server, pattern: str) -> bool:
    answer = httpx.post(server.url + "/api/purge", params={"path": pattern}, headers=SITE)
    assert answer.status_code == 200, answer.text
    return answer.json()["removed"]


@cites("docs/pages.md", "`/posts/[id]` drops\nevery `/posts/N`")
@cites("docs/pages.md", "`/posts/*` drops `/posts` and\neverything below it")
@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_a_route_pattern_drops_every_stored_page_it_matches_and_no_other(
        backend: str, request: pytest.FixtureRequest) -> None:
    """Before the fix both answered `removed: false` and every page stayed a HIT."""
    one, two = request.getfixturevalue(backend)
    states(two)  # stored
    assert set(states(two).values()) == {"HIT"}
    assert purge(one, "/posts/[id]") is True
    assert states(two) == {"/posts/1": "MISS", "/posts/2": "MISS", "/posts/2/comments": "HIT", "/about": "HIT"}
    assert purge(one, "/posts/*") is True
    assert states(two) == {"/posts/1": "MISS", "/posts/2": "MISS", "/posts/2/comments": "MISS", "/about": "HIT"}
    assert purge(one, "/nothing/[id]") is False
    assert "Traceback" not in one.output() + two.output()
