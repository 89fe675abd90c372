"""A stored page served again says how old it is (`Age`, RFC 9111), on a real `pyxle serve` and on a
second server sharing Redis: a CDN in front counts its freshness from the render, not from when it
asked the origin.

A probe found it: a `STALE` answer of a page stored with `revalidate: 2` said `s-maxage=2` and no
`Age`, so a CDN took the stale copy as fresh for 2 s more, then served it stale for 10 s more; a
`HIT` at second 59 of a 60 s window was kept 60 s + 300 s more."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, RedisServer, Server, serving, write_project
from tests.docs._blocks import cites

PAGE = '''
@server
async def load(request):
    return {"data": {"at": request.query_params.get("at")}, "revalidate": int(request.query_params["window"])}

export default function Page({ data }) { return <p>aged {data.at}</p> }
'''
DOC = "docs/pages.md"


def _project(tmp_path_factory: pytest.TempPathFactory, config: dict) -> object:
    return write_project(tmp_path_factory.mktemp("cache-age") / "app",
                         {"pages/aged.pyxl": PAGE, "pyxle.config.json": json.dumps(config)})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(_project(tmp_path_factory, {}), "--workers", "1", "--no-access-log", env=SHARED_SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[tuple[Server, Server]]:
    """Two servers of one app sharing Redis."""
    root = _project(tmp_path_factory, {"cache": {"backend": "redis", "redisUrl": redis_server.url}})
    with serving(root, "--no-access-log", env=SHARED_SECRET) as one, \
            serving(root, "--no-access-log", env=SHARED_SECRET) as two:
        yield one, two


def age(answer: httpx.Response) -> int:
    return int(answer.headers["age"])


@cites(DOC, "An answer served from the store says how long ago it was rendered (`Age`, in seconds")
@cites(DOC, "and its `Cache-Control` keeps the page's whole window")
def test_a_hit_says_its_age_and_keeps_its_window(app: Server) -> None:
    url = app.url + "/aged?window=60&at=hit"
    first = httpx.get(url)
    assert first.headers["x-pyxle-cache"] == "MISS" and "age" not in first.headers  # rendered for this request
    time.sleep(2.1)
    hit = httpx.get(url)
    assert hit.headers["x-pyxle-cache"] == "HIT" and 2 <= age(hit) <= 3, hit.headers
    assert hit.headers["cache-control"] == first.headers["cache-control"] == \
        "public, s-maxage=60, stale-while-revalidate=300"
    again = httpx.get(url, headers={"if-none-match": hit.headers["etag"]})  # what a CDN revalidating gets
    assert again.status_code == 304 and 2 <= age(again) <= 3, again.headers
    nav = httpx.get(url, headers={"x-pyxle-navigation": "1"})
    assert nav.headers["x-pyxle-cache"] == "HIT" and 2 <= age(nav) <= 3, nav.headers


@cites(DOC, "so a `STALE` answer is stale to a CDN in front too")
def test_a_stale_answer_says_it_is_older_than_its_window(app: Server) -> None:
    """Before the fix it said `s-maxage=1` and no `Age`: fresh for one more second at a CDN."""
    url = app.url + "/aged?window=1&at=stale"
    assert httpx.get(url).headers["x-pyxle-cache"] == "MISS"
    time.sleep(2.1)
    stale = httpx.get(url)
    assert stale.headers["x-pyxle-cache"] == "STALE" and age(stale) >= 2, stale.headers  # older than its s-maxage
    assert stale.headers["cache-control"] == "public, s-maxage=1, stale-while-revalidate=5"


@cites(DOC, "a copy another server stored in Redis counts from its render there")
def test_a_page_another_server_stored_in_redis_says_its_age(pair: tuple[Server, Server]) -> None:
    one, two = pair
    site = {"host": "aged.example"}
    first = httpx.get(one.url + "/aged?window=60&at=redis", headers=site)
    assert first.headers["x-pyxle-cache"] == "MISS"
    time.sleep(2.1)
    hit = httpx.get(two.url + "/aged?window=60&at=redis", headers=site)
    assert hit.headers["x-pyxle-cache"] == "HIT" and 2 <= age(hit) <= 3, hit.headers
