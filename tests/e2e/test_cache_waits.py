"""What a request of a page being rendered for the store waits for, on a real `pyxle serve`: a
navigation never waits for a document render whose navigation JSON is known already, and a
signed-in visitor's navigation on a shared route is answered once the loaders have run, as an
anonymous one is; nobody waits for the render of a page its loaders made not to be stored. The
pages answer at once and take 3 s to render their document, so a wait for that render shows;
requests that are to join a render are sent once its loaders have run (the counter says so), so
a slow machine cannot make them lead one instead."""

from __future__ import annotations

import asyncio
import json
import re
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
JOIN = 0.4  # seconds a loader takes after it counts its run, for the requests to join it to arrive
SLOW = SLOW_PART.replace("typeof window === 'undefined' ? 1000 : 0", f"typeof window === 'undefined' ? {RENDER * 1000:.0f} : 0")
# Made from the visitor's cookie when they send one, so not stored: its loader then takes a moment
# after counting (the others join it meanwhile) and its render 3 s (in its shell: a page not
# stored streams from there); a visitor sending none gets theirs at once.
PERSONAL_PART = f'''
import asyncio, counter

@server
async def load(request):
    theme = request.cookies.get("theme")
    n = counter.bump("personal-part")
    if theme:
        await asyncio.sleep({JOIN})
    return {{"data": {{"n": n, "theme": theme}}, "revalidate": 60}}

import React, {{ use }} from 'react'

const waits = new WeakMap()  // one wait per render
function Part({{ data }}) {{
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise(resolve => setTimeout(() => resolve('part ' + data.n),
    typeof window === 'undefined' && data.theme ? {RENDER * 1000:.0f} : 0)))
  return <p id="part">{{use(promise)}}</p>
}}

export default function Page({{ data }}) {{
  return <main><h1>{{data.theme || 'plain'}} {{data.n}}</h1><Part data={{data}} /></main>
}}
'''
# On a shared route, never stored (it sets a cookie): rendered as an anonymous request (no
# cookie) it takes 3 s in its shell; a signed-in visitor's own render is quick.
SHARED_UNSTORED = f'''
import counter

@server
async def load(request):
    request.state.cookies.set("seen", "1")
    return {{"n": counter.bump("shared-unstored"), "slow": "pyxle_session" not in request.cookies}}

import React, {{ use }} from 'react'

const waits = new WeakMap()  // one wait per render
function Part({{ data }}) {{
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise(resolve => setTimeout(() => resolve('part ' + data.n),
    typeof window === 'undefined' && data.slow ? {RENDER * 1000:.0f} : 0)))
  return <p id="part">{{use(promise)}}</p>
}}

export default function Page({{ data }}) {{ return <main><Part data={{data}} /></main> }}
'''
SHARED_PART = SLOW.replace('"slow-part"', '"shared-part"').replace(
    '{"data": {"n": counter.bump("shared-part")}, "revalidate": 60}', '{"n": counter.bump("shared-part")}')
FILES = {
    "counter.py": COUNTER,
    "pages/api/counts.py": COUNTS_API, "pages/api/purge.py": PURGE_API,
    "pages/slow-part.pyxl": SLOW, "pages/shared-part.pyxl": SHARED_PART,
    "pages/personal-part.pyxl": PERSONAL_PART, "pages/shared-unstored.pyxl": SHARED_UNSTORED,
    "pyxle.config.json": json.dumps({"cache": {"/shared-part": {"sMaxage": 60, "shared": True},
                                              "/shared-unstored": {"sMaxage": 60, "shared": True}}}),
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


@cites(DOC, "not to be stored (a page made from that visitor's cookie, say), the others stop waiting as soon as "
            "they have run, and each runs its own loaders for a page of its own (without `x-pyxle-cache`), never "
            "getting that visitor's page")
def test_requests_waiting_for_a_render_made_from_the_visitors_cookie_run_their_own_loaders_at_once(
        app: Server) -> None:
    before = count(app, "personal-part")
    url = "/personal-part?case=cookie"
    answers = together(app, (url, {"Cookie": "theme=dark"}), (url, {}), (url, NAV), (url, {}),
                       loader=("personal-part", before + 1))
    (leader, took), *waiters = answers
    assert "x-pyxle-cache" not in leader.headers and "dark " + str(before + 1) in shown(leader.text)
    assert took > RENDER / 2  # the render the others waited for before
    seen = set()
    for answer, waited in waiters:
        assert "x-pyxle-cache" not in answer.headers  # their own render, stored nowhere
        assert waited < QUICK, f"a request waited for the render of a page not to be stored ({waited:.2f} s)"
        assert "dark" not in answer.text  # never the leader's page
        if answer.headers["content-type"].startswith("application/json"):
            seen.add(answer.json()["props"]["data"]["n"])
            assert answer.json()["props"]["data"]["theme"] is None
        else:
            [n] = re.findall(r"plain (\d+)", shown(answer.text))
            seen.add(int(n))
    assert seen == {before + 2, before + 3, before + 4}  # each ran its own loaders
    assert count(app, "personal-part") == before + 4


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


@cites(DOC, "When those loaders make a page that is not to be stored (one that sets a cookie), the visitor gets a "
            "render of their own as soon as they have run")
def test_a_signed_in_miss_on_a_shared_route_does_not_wait_for_the_render_of_a_page_not_to_be_stored(
        app: Server) -> None:
    before = count(app, "shared-unstored")
    [(mine, took)] = together(app, ("/shared-unstored", {"Cookie": "pyxle_session=alice-private"}))
    assert mine.status_code == 200 and "x-pyxle-cache" not in mine.headers  # their own render, stored nowhere
    assert f"part {before + 2}" in shown(mine.text)  # after the anonymous render's loaders found it not to store
    assert took < QUICK, f"the visitor waited for a render nobody gets ({took:.2f} s; it takes {RENDER} s)"
    assert count(app, "shared-unstored") == before + 2
