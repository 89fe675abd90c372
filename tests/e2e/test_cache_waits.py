"""What a request of a page being rendered for the store waits for, on a real `pyxle serve`: a
navigation never waits for a document render whose navigation JSON is known already, and a
signed-in visitor's navigation on a shared route is answered once the loaders have run, as an
anonymous one is. The pages answer at once and take 3 s to render their document (a `<Suspense>`
child), so a wait for that render shows; requests that are to join a render are sent once its
loaders have run (the counter says so), so a slow machine cannot make them lead one instead."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving
from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API, NAV, PURGE_API, SLOW_PART, count, shown, write_counted

DOC = "docs/pages.md"
RENDER = 3.0  # seconds the document's <Suspense> child takes on the server
QUICK = 1.5  # an answer that did not wait for that render
SLOW = SLOW_PART.replace("typeof window === 'undefined' ? 1000 : 0", f"typeof window === 'undefined' ? {RENDER * 1000:.0f} : 0")
SHARED_PART = SLOW.replace('"slow-part"', '"shared-part"').replace(
    '{"data": {"n": counter.bump("shared-part")}, "revalidate": 60}', '{"n": counter.bump("shared-part")}')
FILES = {
    "counter.py": COUNTER,
    "pages/api/counts.py": COUNTS_API, "pages/api/purge.py": PURGE_API,
    "pages/slow-part.pyxl": SLOW, "pages/shared-part.pyxl": SHARED_PART,
    "pyxle.config.json": json.dumps({"cache": {"/shared-part": {"sMaxage": 60, "shared": True}}}),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_counted(tmp_path_factory.mktemp("cache-waits") / "app", FILES)
    with serving(root, "--no-access-log", env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


async def timed(client: httpx.AsyncClient, url: str, headers: dict[str, str], after: Awaitable[None] | None = None
                ) -> tuple[httpx.Response, float]:
    """``url``'s answer, asked once ``after`` is done, and how long it took."""
    if after is not None:
        await after
    began = time.monotonic()
    answer = await client.get(url, headers=headers)
    return answer, time.monotonic() - began


async def loaded(app: Server, name: str, times: int) -> None:
    """Once the loader of ``name`` has run ``times`` times in all: the render it began is under way."""
    while await asyncio.to_thread(count, app, name) < times:
        await asyncio.sleep(0.02)


def together(app: Server, lead: tuple[str, dict[str, str]], *joining: tuple[str, dict[str, str]],
             loader: tuple[str, int] = ("", 0)) -> list[tuple[httpx.Response, float]]:
    """``lead`` asked at once, and each of ``joining`` once ``loader`` (a counter's name and the
    count it reaches) says the lead's loaders have run, each by a client of its own."""
    async def go() -> list[tuple[httpx.Response, float]]:
        clients = [httpx.AsyncClient(base_url=app.url, timeout=30) for _ in range(1 + len(joining))]
        ready = asyncio.ensure_future(loaded(app, *loader)) if joining else None
        try:
            return await asyncio.gather(timed(clients[0], *lead), *(
                timed(client, url, headers, asyncio.shield(ready)) for client, (url, headers) in zip(clients[1:], joining,
                                                                                                     strict=True)))
        finally:
            for client in clients:
                await client.aclose()
    return asyncio.run(go())


@cites(DOC, "a navigation that comes while it renders gets that navigation JSON at once")
@cites(DOC, "a navigation as soon as the loaders have run (the document renders after them, and a navigation "
            "never waits for it)")
@pytest.mark.parametrize("first", ["navigation", "document"])
def test_navigations_while_the_document_of_a_miss_renders_get_its_json_at_once(app: Server, first: str) -> None:
    before = count(app, "slow-part")
    url = f"/slow-part?case={first}-first"
    answers = together(app, (url, NAV if first == "navigation" else {}), (url, NAV), (url, NAV), (url, {}),
                       loader=("slow-part", before + 1))
    (leader, took), *navigations, (page, waited) = answers
    assert leader.headers["x-pyxle-cache"] == "MISS"
    assert (took < QUICK) == (first == "navigation")  # a document miss waits for its own render
    for answer, took in navigations:
        assert answer.headers["x-pyxle-cache"] == "HIT" and answer.json()["props"]["data"] == {"n": before + 1}
        assert took < QUICK, f"a navigation waited for the document's render ({took:.2f} s; it takes {RENDER} s)"
    assert page.headers["x-pyxle-cache"] == "HIT" and f"part {before + 1}" in shown(page.text)
    assert waited > RENDER / 2  # the document is the render's own: it waits for it
    assert count(app, "slow-part") == before + 1


def test_a_navigation_after_an_invalidation_gets_no_json_of_a_render_that_began_before_it(app: Server) -> None:
    before = count(app, "slow-part")
    url = "/slow-part?case=invalidated"

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(base_url=app.url, timeout=30) as client:
            first = await client.get(url, headers=NAV)  # its document renders for three seconds from now
            assert first.headers["x-pyxle-cache"] == "MISS"
            assert (await client.post("/api/purge", params={"path": "/slow-part"})).status_code == 200
            return await client.get(url, headers=NAV)

    after = asyncio.run(go())
    assert after.json()["props"]["data"] == {"n": before + 2}  # the loader ran again, for the new data
    assert count(app, "slow-part") == before + 2


@cites(DOC, "a signed-in visitor's navigation is answered as soon as those loaders have run")
def test_a_signed_in_navigation_miss_on_a_shared_route_is_answered_before_the_document_renders(
        app: Server) -> None:
    before = count(app, "shared-part")
    url = "/shared-part?case=signed-in"
    for credentials in ({"Cookie": "pyxle_session=alice-private"}, {"Authorization": "Bearer alice-private"}):
        httpx.post(app.url + "/api/purge", params={"path": "/shared-part"})
        [(mine, took)] = together(app, (url, {**credentials, **NAV}))
        assert mine.headers["x-pyxle-cache"] == "MISS" and mine.json()["props"]["data"]["n"] == count(app, "shared-part")
        assert took < QUICK, f"the navigation waited for the document's render ({took:.2f} s; it takes {RENDER} s)"
        [(page, _)] = together(app, (url, {}))  # rendered from the same loader run, as an anonymous one
        assert page.headers["x-pyxle-cache"] == "HIT" and f"part {mine.json()['props']['data']['n']}" in shown(page.text)
        assert "alice-private" not in page.text
    assert count(app, "shared-part") == before + 2
