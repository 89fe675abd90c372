"""The page cache on a real `pyxle serve`: stored answers, freshness, single-flight, 304s,
invalidation, and what is never shared between visitors. Loaders count their runs in files, so
the count holds across processes."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli
import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, server_env, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_observability import TOKEN, _sample, _scrape, _wait_for

COUNTER = '''
import os
from pathlib import Path

def bump(name):
    """One more run of ``name``: a byte appended to its file (processes share the count)."""
    with open(Path(os.environ["COUNTS"]) / name, "a") as f:
        f.write("x")
    return count(name)

def count(name):
    path = Path(os.environ["COUNTS"]) / name
    return path.stat().st_size if path.exists() else 0
'''
COUNTS_API = '''
from starlette.responses import JSONResponse
import counter

async def get(request):
    return JSONResponse({"count": counter.count(request.query_params["name"])})
'''
PURGE_API = '''
from starlette.responses import JSONResponse
from pyxle import cache

async def post(request):
    return JSONResponse({"removed": await cache.invalidate(request.query_params["path"])})
'''
INDEX = '''
import counter

HEAD = "<title>Cached</title>"

@server
async def load(request):
    return {"data": {"n": counter.bump("index")}, "revalidate": 60}

@action
async def purge(request):
    from pyxle import cache
    return {"removed": await cache.invalidate("/")}

import React from 'react'
export default function Page({ data }) { return <p id="n">index {data.n}</p> }
'''
FORM = '''
import counter

@server
async def load(request):
    return {"data": {"n": counter.bump("form")}, "revalidate": 60}

@action
async def save(request):
    return invalidate_routes({"saved": True}, "/form")

import React from 'react'
import { Form } from 'pyxle/client'
export default function Page({ data }) {
  return <Form action="save"><p id="n">form {data.n}</p><button type="submit">Save</button></Form>
}
'''
SLOW_STALE = '''
import asyncio, counter

@server
async def load(request):
    n = counter.bump("stale")
    await asyncio.sleep(0.6)
    return {"data": {"n": n}, "revalidate": 1}

export default function Page({ data }) { return <p>stale {data.n}</p> }
'''
BURST = '''
import asyncio, counter

@server
async def load(request):
    n = counter.bump("burst")
    await asyncio.sleep(0.5)
    return {"data": {"n": n}, "revalidate": 60}

export default function Page({ data }) { return <p>burst {data.n}</p> }
'''
WHO = '''
@server
async def load(request):
    who = request.cookies.get("session") or request.headers.get("authorization") or "anonymous"
    return {"data": {"who": who}, "revalidate": 60}

export default function Page({ data }) { return <p>hello {data.who}</p> }
'''
THEMED = '''
import counter

@server
async def load(request):
    theme = request.cookies.get("theme", "light")
    n = counter.bump("themed")
    return {"data": {"theme": theme, "n": n}, "revalidate": 60} if "cached" in request.query_params else {"theme": theme}

export default function Page({ data }) { return <p>theme {data.theme}</p> }
'''
SETS_COOKIE = '''
import counter

@server
async def load(request):
    request.state.cookies.set("seen", "1")
    return {"data": {"n": counter.bump("cookie")}, "revalidate": 60}

export default function Page({ data }) { return <p>cookie {data.n}</p> }
'''
PLAIN = '''
import counter

@server
async def load(request):
    counter.bump("plain")
    return {"fixed": "the same every time"}

export default function Page({ data }) { return <p>{data.fixed}</p> }
'''
ABOUT = '''
export default function About() { return <p>about us</p> }
'''
TEAM = '''
import counter

@server
async def load(request):
    who = request.cookies.get("session") or request.headers.get("authorization") or "anonymous"
    return {"n": counter.bump("team"), "who": who}

export default function Team({ data }) { return <p>team {data.n} for {data.who}</p> }
'''
TOUCHER = '''
@server
async def load(request):
    from pyxle import cache
    return {"removed": await cache.invalidate("/about")}

export default function Toucher({ data }) { return <p>removed {String(data.removed)}</p> }
'''
CANONICAL = '''
@server
async def load(request):
    return {"data": {"url": str(request.url)}, "revalidate": 60}

def HEAD(data):
    return f'<link rel="canonical" href="{data["url"]}">'

export default function Canonical() { return <p>canonical</p> }
'''
BOUNDARY = '''
import os, counter
from pathlib import Path

@server
async def load(request):
    fails = (Path(os.environ["COUNTS"]) / "boundary-fails").exists()
    revalidate = float(request.query_params.get("revalidate", "60"))
    return {"data": {"n": counter.bump("boundary"), "fails": fails}, "revalidate": revalidate}

import React, { Suspense, use } from 'react'

const waits = new WeakMap()  // one wait per render; it fails on the server while the flag file exists
function Part({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve, reject) => setTimeout(() =>
    data.fails && typeof window === 'undefined' ? reject(new Error('the backend is down')) : resolve('part ' + data.n), 100)))
  return <p id="part">{use(promise)}</p>
}

export default function Page({ data }) {
  return <main><h1>boundary {data.n}</h1><Suspense fallback={<p id="fallback">loading</p>}><Part data={data} /></Suspense></main>
}
'''
PAIR = '''
import asyncio, counter

@server
async def load(request):
    n = counter.bump("pair")
    await asyncio.sleep(0.5)
    return {"data": {"n": n}, "revalidate": 60}

export default function Page({ data }) { return <p>pair {data.n}</p> }
'''
RENDER_FAILS = '''
import os, counter
from pathlib import Path

@server
async def load(request):
    fails = (Path(os.environ["COUNTS"]) / "render-fails").exists()
    return {"data": {"n": counter.bump("render-fails"), "fails": fails}, "revalidate": 60}

export default function Page({ data }) {
  if (data.fails && typeof window === 'undefined') throw new Error('the render failed on the server')
  return <p>rendered {data.n}</p>
}
'''
ANSWERS = '''
from starlette.responses import RedirectResponse

@server
async def load(request):
    kind = request.query_params.get("kind")
    if kind == "redirect":
        return RedirectResponse("/about")
    if kind == "own":
        return RedirectResponse("/about", headers={"Cache-Control": "public, max-age=600"})
    if kind == "missing":
        raise LoaderError("No such thing", status_code=404)
    if kind == "bug":
        raise RuntimeError("a loader bug")
    return {"kind": kind}

export default function Page({ data }) { return <p>answers {data.kind}</p> }
'''
LONG = '''
import counter

@server
async def load(request):
    return {"data": {"n": counter.bump("long"), "items": [f"item {i} of a long list" for i in range(100)]},
            "revalidate": 60}

export default function Page({ data }) {
  return <div><p>long {data.n}</p><ul>{data.items.map(item => <li key={item}>{item}</li>)}</ul></div>
}
'''
ZERO = '''
import counter

@server
async def load(request):
    return {"data": {"n": counter.bump("zero")}, "revalidate": 0}

export default function Page({ data }) { return <p>zero {data.n}</p> }
'''
# A page whose loader answers at once and whose <Suspense> child takes 1 s on the server.
SLOW_PART = '''
import counter

@server
async def load(request):
    return {"data": {"n": counter.bump("slow-part")}, "revalidate": 60}

import React, { Suspense, use } from 'react'

const waits = new WeakMap()  // one wait per render
function Part({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise(resolve => setTimeout(() => resolve('part ' + data.n),
    typeof window === 'undefined' ? 1000 : 0)))
  return <p id="part">{use(promise)}</p>
}

export default function Page({ data }) {
  return <main><h1>slow {data.n}</h1><Suspense fallback={<p id="fallback">loading</p>}><Part data={data} /></Suspense></main>
}
'''
PAGES = {"pages/boundary.pyxl": BOUNDARY, "pages/slow-part.pyxl": SLOW_PART, "pages/pair.pyxl": PAIR, "pages/render-fails.pyxl": RENDER_FAILS,
         "pages/answers.pyxl": ANSWERS, "pages/long.pyxl": LONG, "pages/zero.pyxl": ZERO}
DOC = "docs/pages.md"
CONFIG = {
    "cache": {"/about": 60, "/team": {"sMaxage": 60, "shared": True}, "/window": {"sMaxage": 2}},
    "observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN},
}


def project_files() -> dict[str, str]:
    return {
        "counter.py": COUNTER, "pages/api/counts.py": COUNTS_API, "pages/api/purge.py": PURGE_API,
        "pages/index.pyxl": INDEX, "pages/form.pyxl": FORM, "pages/stale.pyxl": SLOW_STALE,
        "pages/burst.pyxl": BURST, "pages/who.pyxl": WHO, "pages/themed.pyxl": THEMED, "pages/cookie.pyxl": SETS_COOKIE,
        "pages/plain.pyxl": PLAIN, "pages/about.pyxl": ABOUT, "pages/team.pyxl": TEAM, "pages/window.pyxl": ABOUT,
        "pages/toucher.pyxl": TOUCHER, "pages/canonical.pyxl": CANONICAL, "pyxle.config.json": json.dumps(CONFIG),
        **PAGES,
    }


def write_counted(root: Path, files: dict[str, str]) -> Path:
    """The project, with the folder its loaders count their runs in."""
    (write_project(root, files) / "counts").mkdir()
    return root


def serve(root: Path, *args: str, **env: str) -> Server:
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", "--no-access-log", *args], root,
                    server_env(COUNTS=str(root / "counts"), **SHARED_SECRET, **env))
    server.wait_ready(60)
    return server


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_counted(tmp_path_factory.mktemp("cache") / "app", project_files())
    with serving(root, "--no-access-log", env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


def count(server: Server, name: str) -> int:
    return httpx.get(server.url + "/api/counts", params={"name": name}).json()["count"]


def visitor(server: Server) -> httpx.Client:
    """A browser of its own: its cookie jar holds its CSRF cookie after the first page."""
    return httpx.Client(base_url=server.url, timeout=30)


def number(text: str) -> int:
    return int(re.search(r"(?:index|form|stale|burst|cookie|team|boundary|pair|long) (\d+)", shown(text)).group(1))


def shown(html: str) -> str:
    """The page's text as a reader sees it (React separates adjacent text with comments)."""
    return html.replace("<!-- -->", "")


def test_the_loader_runs_once_in_the_window_for_the_document_and_the_navigation_json(app: Server) -> None:
    before = count(app, "index")
    with visitor(app) as client:
        first = client.get("/")
        assert first.headers["x-pyxle-cache"] == "MISS" and "<title>Cached</title>" in first.text
        for _ in range(5):
            again = client.get("/")
            assert again.headers["x-pyxle-cache"] == "HIT" and number(again.text) == number(first.text)
        for _ in range(3):
            nav = client.get("/", headers={"x-pyxle-navigation": "1"})
            assert nav.headers["x-pyxle-cache"] == "HIT"
            assert nav.json()["props"]["data"] == {"n": number(first.text)}
            assert nav.json()["headMarkup"] == "<title>Cached</title>"
    assert count(app, "index") == before + 1


@cites("docs/pages.md", "`Cache-Control: public, s-maxage=60, stale-while-revalidate=300` on a stored document tells a\n"
                        "  CDN in front what happened; but only when the answer is the same for everyone: a document\n"
                        "  holding the visitor's CSRF token (a `<Form>`) is `private, no-cache`")
@cites("docs/pages.md", "as are every uncached page and all navigation JSON")
def test_cache_control_tells_a_cdn_when_the_page_is_the_same_for_everyone(app: Server) -> None:
    with visitor(app) as client:
        new = client.get("/about")  # a new visitor: no token in the page, so no cookie on it (a CDN's request)
        assert new.headers["cache-control"] == "public, s-maxage=60, stale-while-revalidate=300"
        assert "set-cookie" not in new.headers
        client.get("/form")  # (this one sets the cookie: the page holds the visitor's token)
        known = client.get("/about")  # and with the cookie: nothing personal in the answer
        assert known.headers["cache-control"] == "public, s-maxage=60, stale-while-revalidate=300"
        assert "set-cookie" not in known.headers and known.headers["x-pyxle-cache"] == "HIT"
        assert client.get("/form").headers["cache-control"] == "private, no-cache"  # holds the visitor's token
        nav = client.get("/about", headers={"x-pyxle-navigation": "1"})
        assert nav.headers["cache-control"] == "private, no-cache" and nav.headers["x-pyxle-cache"] in ("HIT", "MISS")
        uncached = client.get("/plain")
        assert uncached.headers["cache-control"] == "private, no-cache" and "x-pyxle-cache" not in uncached.headers


@cites(DOC, "`\"revalidate\": 0` serves no request from the store: each one renders the\n  page again "
            "(`x-pyxle-cache: MISS`), and its document says\n  `public, s-maxage=0, stale-while-revalidate=0`")
@cites("docs/migrating.md", "`\"revalidate\": 0` stores nothing, so each request renders the page")
def test_revalidate_0_renders_every_request_and_tells_a_cdn_so(app: Server) -> None:
    """docs/pages.md allowed `revalidate >= 0` and never said what 0 does."""
    before = count(app, "zero")
    with visitor(app) as client:
        client.get("/zero")
        for n in range(1, 4):
            answer = client.get("/zero")
            assert answer.headers["x-pyxle-cache"] == "MISS"
            assert answer.headers["cache-control"] == "public, s-maxage=0, stale-while-revalidate=0"
            assert f"zero {before + 1 + n}" in shown(answer.text)
    assert count(app, "zero") == before + 4


def after_the_background_render(client: httpx.Client, path: str, first: httpx.Response) -> httpx.Response:
    """``path`` once a render newer than ``first`` has landed (or the last try, after 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        fresh = client.get(path)
        if number(fresh.text) != number(first.text) or time.monotonic() > deadline:
            return fresh
        time.sleep(0.1)


def test_a_stale_page_is_served_at_once_and_rendered_again_in_the_background(app: Server) -> None:
    with visitor(app) as client:
        first = client.get("/stale")
        assert first.headers["x-pyxle-cache"] == "MISS"
        time.sleep(1.2)  # past its revalidate window (1 s)
        began = time.monotonic()
        stale = client.get("/stale")
        took = time.monotonic() - began
        assert stale.headers["x-pyxle-cache"] == "STALE" and number(stale.text) == number(first.text)
        assert took < 0.5, f"the stale copy waited for the render ({took:.2f} s); the loader takes 0.6 s"
        fresh = after_the_background_render(client, "/stale", first)
        assert fresh.headers["x-pyxle-cache"] == "HIT" and number(fresh.text) == number(first.text) + 1
        assert count(app, "stale") == number(first.text) + 1  # one background render, not one per request


@cites("docs/configuration.md", "then serve them stale for `staleWhileRevalidate` (default 5 x) while rendering again")
def test_a_route_without_a_stale_window_is_served_stale_for_five_times_its_s_maxage(app: Server) -> None:
    """`"/window": {"sMaxage": 2}`: stale from 2 s to 12 s after it was stored, then not served at all.
    Each check is a second or more inside its edge, so a slow machine cannot move it across."""
    with visitor(app) as client:
        began = time.monotonic()
        first = [client.get("/window", params={"copy": copy}) for copy in "abc"]  # three stored copies
        stored = time.monotonic()  # each copy was stored between began and now
        assert [answer.headers["x-pyxle-cache"] for answer in first] == ["MISS", "MISS", "MISS"]
        assert first[0].headers["cache-control"] == "public, s-maxage=2, stale-while-revalidate=10"
        time.sleep(stored + 2.4 - time.monotonic())
        assert client.get("/window", params={"copy": "a"}).headers["x-pyxle-cache"] == "STALE"
        time.sleep(began + 10.5 - time.monotonic())  # copies b and c, untouched since: still in the stale window
        assert client.get("/window", params={"copy": "b"}).headers["x-pyxle-cache"] == "STALE"
        time.sleep(stored + 12.4 - time.monotonic())  # past it
        assert client.get("/window", params={"copy": "c"}).headers["x-pyxle-cache"] == "MISS"


def test_a_stale_page_of_a_path_invalidated_before_is_stored_again_by_its_background_render(app: Server) -> None:
    with visitor(app) as client:
        assert client.post("/api/purge", params={"path": "/stale"}).status_code == 200
        first = client.get("/stale")
        assert first.headers["x-pyxle-cache"] == "MISS"
        time.sleep(1.2)  # past its revalidate window (1 s)
        assert client.get("/stale").headers["x-pyxle-cache"] == "STALE"
        fresh = after_the_background_render(client, "/stale", first)
        assert fresh.headers.get("x-pyxle-cache") == "HIT", "the background render was not stored"


def test_fifty_concurrent_misses_run_the_loader_once(app: Server) -> None:
    before = count(app, "burst")

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=app.url, limits=limits, timeout=30) as client:
            return await asyncio.gather(*(client.get("/burst") for _ in range(50)))

    answers = asyncio.run(burst())
    assert [r.status_code for r in answers] == [200] * 50
    assert count(app, "burst") == before + 1
    assert {number(r.text) for r in answers} == {before + 1}
    states = [r.headers["x-pyxle-cache"] for r in answers]
    assert states.count("MISS") == 1 and states.count("HIT") == 49


def test_etag_and_304_on_cached_and_uncached_html_and_navigation_json(app: Server) -> None:
    with visitor(app) as client:
        client.get("/about")
        for path in ("/about", "/plain"):
            for headers in ({}, {"x-pyxle-navigation": "1"}):
                answer = client.get(path, headers=headers)
                tag = answer.headers["etag"]
                assert re.fullmatch(r'"[A-Za-z0-9_-]+"', tag), tag
                same = client.get(path, headers={**headers, "If-None-Match": tag})
                assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == tag
                weak = client.get(path, headers={**headers, "If-None-Match": f'"x", W/{tag}'})
                assert weak.status_code == 304
                other = client.get(path, headers={**headers, "If-None-Match": '"something-else"'})
                assert other.status_code == 200 and other.content == answer.content


def test_each_visitor_gets_a_tag_of_their_own_for_a_page_holding_their_token(app: Server) -> None:
    with visitor(app) as one, visitor(app) as two:
        one.get("/form")
        two.get("/form")
        a, b = one.get("/form"), two.get("/form")
        assert a.headers["x-pyxle-cache"] == b.headers["x-pyxle-cache"] == "HIT"
        assert a.headers["etag"] != b.headers["etag"]
        assert one.get("/form", headers={"If-None-Match": a.headers["etag"]}).status_code == 304
        assert two.get("/form", headers={"If-None-Match": a.headers["etag"]}).status_code == 200


@cites('docs/pages.md', '**Never shared between visitors.** A request with an `Authorization` header, a session cookie\n(`pyxle_session` as pyxle-auth sets it, or `session`;')
def test_two_visitors_of_a_cached_page_get_different_csrf_tokens_and_never_each_others_data(app: Server) -> None:
    with visitor(app) as ada, visitor(app) as bob:
        pages = {}
        for client in (ada, bob):
            client.get("/form")
            page = client.get("/form")
            assert page.headers["x-pyxle-cache"] == "HIT"
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            assert token == client.cookies["pyxle-csrf"]  # the visitor's own, never the stand-in
            assert "pyxle-csrf-" not in page.text
            pages[client] = token
        assert pages[ada] != pages[bob]
        # Each token works for its owner only.
        ok = ada.post("/api/__actions/form/save", json={}, headers={"x-csrf-token": pages[ada]})
        assert ok.status_code == 200 and ok.json()["saved"] is True
        wrong = bob.post("/api/__actions/form/save", json={}, headers={"x-csrf-token": pages[ada]})
        assert wrong.status_code == 403
    with visitor(app) as signed_in, visitor(app) as anonymous:
        signed_in.cookies.set("session", "ada-secret-session")
        for _ in range(2):
            mine = signed_in.get("/who")
            assert "hello ada-secret-session" in shown(mine.text) and "x-pyxle-cache" not in mine.headers
            assert mine.headers["cache-control"] == "private, no-cache"
        theirs = anonymous.get("/who")
        assert "hello anonymous" in shown(theirs.text) and "ada-secret-session" not in theirs.text
        bearer = anonymous.get("/who", headers={"Authorization": "Bearer bob-token"})
        assert "hello Bearer bob-token" in shown(bearer.text) and "x-pyxle-cache" not in bearer.headers
        assert "bob-token" not in anonymous.get("/who").text


def test_a_session_cookie_written_with_spaces_around_its_name_still_skips_the_store(app: Server) -> None:
    """Starlette reads ``session =mallory`` as the ``session`` cookie, so the loader sees a signed-in
    visitor: storing that page made it everyone's (the check looked for the bytes ``session=``)."""
    for cookie in ("session =mallory-private", "theme=dark;  session\t= mallory-private", "theme=dark;session  =mallory-private"):
        with visitor(app) as mallory, visitor(app) as anonymous:
            mine = mallory.get("/who", headers={"Cookie": cookie})
            assert "hello mallory-private" in shown(mine.text) and "x-pyxle-cache" not in mine.headers, cookie
            for headers in ({}, {"x-pyxle-navigation": "1"}):
                assert "mallory-private" not in anonymous.get("/who", headers=headers).text, cookie


def test_a_request_with_a_forged_host_never_sets_the_page_stored_for_the_real_one(app: Server) -> None:
    with visitor(app) as client:
        forged = client.get("/canonical", headers={"Host": "attacker.example"})
        assert 'href="http://attacker.example/canonical"' in forged.text
        for headers in ({}, {}, {"x-pyxle-navigation": "1"}):
            page = client.get("/canonical", headers=headers)
            assert "attacker.example" not in page.text and f"{app.url}/canonical" in page.text
        assert page.headers["x-pyxle-cache"] == "HIT"


def test_invalidating_a_path_purges_the_page_stored_for_every_host(app: Server) -> None:
    purges_every_host(app)


def purges_every_host(app: Server) -> None:
    """/canonical stored for two hosts, one invalidation of its path, and both render again."""
    hosts = ("one.example", "two.example")
    with visitor(app) as client:
        for host in hosts:
            client.get("/canonical", headers={"Host": host})
            assert client.get("/canonical", headers={"Host": host}).headers["x-pyxle-cache"] == "HIT"
        assert client.post("/api/purge", params={"path": "/canonical"}).json() == {"removed": True}
        for host in hosts:
            again = client.get("/canonical", headers={"Host": host})
            assert again.headers["x-pyxle-cache"] == "MISS" and f"http://{host}/canonical" in again.text


def test_a_page_whose_loader_sets_a_cookie_is_not_stored(app: Server) -> None:
    before = count(app, "cookie")
    with visitor(app) as client:
        for _ in range(3):
            answer = client.get("/cookie")
            assert "seen=1" in answer.headers.get("set-cookie", "")
            assert answer.headers["cache-control"] == "private, no-cache"
    assert count(app, "cookie") == before + 3


@cites(DOC, "An answer made from the visitor's cookies is theirs alone")
@cites("docs/migrating.md", "An answer made from a cookie the visitor sent")
def test_a_page_made_from_a_visitors_cookies_is_theirs_alone_and_never_stored(app: Server) -> None:
    """A loader of a stored page that reads a cookie (a theme, a locale) must not make one visitor's
    page everyone's: the answer made from their cookie is theirs alone, the stored one is made
    from no one's, and visitors without that cookie share it (one with it keeps getting their own)."""
    httpx.post(app.url + "/api/purge", params={"path": "/themed"})
    before = count(app, "themed")
    with visitor(app) as dark, visitor(app) as other:
        dark.cookies.set("theme", "dark")
        for navigation in ("", "1"):
            mine = dark.get("/themed?cached", headers={"x-pyxle-navigation": navigation})
            assert mine.status_code == 200 and "x-pyxle-cache" not in mine.headers, mine.headers
            assert mine.headers["cache-control"] == "private, no-cache"
        assert mine.json()["props"]["data"]["theme"] == "dark"
        first = other.get("/themed?cached")
        assert first.headers["x-pyxle-cache"] == "MISS" and "theme light" in shown(first.text)
        assert "dark" not in first.text
        assert count(app, "themed") == before + 3  # nothing of the dark visitor's was stored
        assert other.get("/themed?cached").headers["x-pyxle-cache"] == "HIT"
        theirs = dark.get("/themed?cached")  # not the copy stored from a request without the cookie
        assert "x-pyxle-cache" not in theirs.headers and "theme dark" in shown(theirs.text)
    assert count(app, "themed") == before + 4


def test_a_page_that_is_not_stored_is_still_rendered_with_the_visitors_cookies(app: Server) -> None:
    with visitor(app) as dark:
        dark.cookies.set("theme", "dark")
        for _ in range(2):
            page = dark.get("/themed")
            assert page.status_code == 200 and "theme dark" in shown(page.text)
            assert page.headers["cache-control"] == "private, no-cache" and "x-pyxle-cache" not in page.headers


def test_a_route_that_varies_on_nothing_serves_signed_in_visitors_from_the_store(app: Server) -> None:
    with visitor(app) as anonymous, visitor(app) as signed_in:
        first = anonymous.get("/team")
        signed_in.cookies.set("session", "ada")
        theirs = signed_in.get("/team")
        assert theirs.headers["x-pyxle-cache"] == "HIT" and number(theirs.text) == number(first.text)
        assert "for anonymous" in shown(theirs.text)


def test_a_signed_in_visitors_miss_on_a_shared_route_is_rendered_and_stored_as_for_an_anonymous_one(
        app: Server) -> None:
    credentials = ({"Cookie": "session=alice-private"}, {"Authorization": "Bearer alice-private"},
                   {"Cookie": "session=alice-private", "x-pyxle-navigation": "1"})
    for headers in credentials:
        httpx.post(app.url + "/api/purge", params={"path": "/team"})
        with visitor(app) as alice, visitor(app) as anonymous:
            mine = alice.get("/team", headers=headers)
            assert mine.status_code == 200 and mine.headers["x-pyxle-cache"] == "MISS", headers
            assert "alice-private" not in mine.text and "anonymous" in mine.text
            theirs = anonymous.get("/team", headers={"x-pyxle-navigation": headers.get("x-pyxle-navigation", "")})
            assert theirs.headers["x-pyxle-cache"] == "HIT" and "alice-private" not in theirs.text, headers


def test_invalidate_from_an_action_an_api_route_and_a_loader(app: Server) -> None:
    with visitor(app) as client:
        client.get("/")
        n = number(client.get("/").text)
        refused = client.post("/api/__actions/index/purge", json={})  # "/" is public: it set no cookie
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
        token = client.cookies["pyxle-csrf"]  # the refusal set it
        purged = client.post("/api/__actions/index/purge", json={}, headers={"x-csrf-token": token})
        assert purged.json() == {"ok": True, "removed": True}
        fresh = client.get("/")
        assert fresh.headers["x-pyxle-cache"] == "MISS" and number(fresh.text) == n + 1
        assert client.post("/api/purge", params={"path": "/"}).json() == {"removed": True}
        assert client.post("/api/purge", params={"path": "/?any=query"}).json() == {"removed": False}
        assert number(client.get("/").text) == n + 2
        client.get("/about")
        assert client.get("/about").headers["x-pyxle-cache"] == "HIT"
        assert "removed true" in shown(client.get("/toucher").text)  # a loader invalidating another page
        assert client.get("/about").headers["x-pyxle-cache"] == "MISS"


def test_invalidating_a_path_with_a_trailing_slash_purges_the_page_it_redirects_to(app: Server) -> None:
    with visitor(app) as client:
        client.get("/about")
        assert client.get("/about").headers["x-pyxle-cache"] == "HIT"
        assert client.get("/about/").headers["location"] == "/about"  # the router's redirect
        assert client.post("/api/purge", params={"path": "/about/"}).json() == {"removed": True}
        assert client.get("/about").headers["x-pyxle-cache"] == "MISS"


def test_invalidate_decodes_percent_escapes_as_the_server_does_before_routing(app: Server) -> None:
    with visitor(app) as client:
        client.get("/about")
        assert client.get("/%61bout").headers["x-pyxle-cache"] == "HIT"  # the same page, stored once
        assert client.post("/api/purge", params={"path": "/%61bout"}).json() == {"removed": True}
        assert client.get("/about").headers["x-pyxle-cache"] == "MISS"


def test_an_actions_x_pyxle_invalidate_also_purges_the_server_copy(app: Server) -> None:
    with visitor(app) as client:
        client.get("/form")
        n = number(client.get("/form").text)
        saved = client.post("/api/__actions/form/save", json={}, headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
        assert saved.headers["x-pyxle-invalidate"] == "/form"
        again = client.get("/form")
        assert again.headers["x-pyxle-cache"] == "MISS" and number(again.text) == n + 1


def test_cache_lookups_are_counted_in_the_metrics(app: Server) -> None:
    with visitor(app) as client:
        client.post("/api/purge", params={"path": "/about"})
        client.get("/about")
        client.get("/about")

    def counted() -> str | None:
        text = _scrape(app).text
        hits = _sample(text, "pyxle_cache_requests_total", route="/about", outcome="hit")
        misses = _sample(text, "pyxle_cache_requests_total", route="/about", outcome="miss")
        return text if hits >= 1 and misses >= 1 else None

    assert counted() or _wait_for(counted), _scrape(app).text


STORED = '''
import counter

@server
async def load(request):
    return {"data": {"n": counter.bump("stored")}, "revalidate": 60}

export default function Page({ data }) { return <p>stored {data.n}</p> }
'''
RECOVERS = '''
import counter

@server
async def load(request):
    if counter.bump("recovers") == 1:
        raise RuntimeError("down at first")
    return {"data": {"n": counter.count("recovers")}, "revalidate": 60}

export default function Page({ data }) { return <p>recovers {data.n}</p> }
'''


@cites("docs/observability.md", "page cache lookups of pages that may be stored")
@cites("docs/pages.md", "is not looked up in the store (nor counted in the")
def test_only_pages_that_may_be_stored_are_looked_up_and_counted(make_project, start_server) -> None:
    """Every page with a loader was looked up (and counted a miss) until it answered once without
    the envelope; one whose loader failed, redirected or raised LoaderError never did, so each of
    its requests was a store lookup (a Redis round trip) and a miss."""
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
    root = make_project({"counter.py": COUNTER, "pages/answers.pyxl": ANSWERS, "pages/plain.pyxl": PLAIN,
                         "pages/stored.pyxl": STORED, "pages/recovers.pyxl": RECOVERS,
                         "pyxle.config.json": json.dumps(config)}, node=True)
    (root / "counts").mkdir()
    server = start_server(root, env={"COUNTS": str(root / "counts")})
    with visitor(server) as client:
        for _ in range(3):
            for kind in ("redirect", "missing", "bug"):
                client.get("/answers", params={"kind": kind})
            assert "x-pyxle-cache" not in client.get("/plain").headers
        assert [client.get("/stored").headers["x-pyxle-cache"] for _ in range(2)] == ["MISS", "HIT"]
        recovers = [client.get("/recovers") for _ in range(4)]
        assert [(r.status_code, r.headers.get("x-pyxle-cache")) for r in recovers] == [
            (500, None), (200, None), (200, "MISS"), (200, "HIT")]  # looked up again once it returned the envelope

    def counted() -> dict[tuple[str, str], float] | None:
        text = _scrape(server).text
        found = {(route, outcome): _sample(text, "pyxle_cache_requests_total", route=route, outcome=outcome)
                 for route in ("/answers", "/plain", "/stored") for outcome in ("hit", "miss")}
        return found if found[("/stored", "hit")] else None

    assert (counted() or _wait_for(counted)) == {("/answers", "hit"): 0, ("/answers", "miss"): 0, ("/plain", "hit"): 0,
                                                 ("/plain", "miss"): 0, ("/stored", "hit"): 1, ("/stored", "miss"): 1}


def test_pyxle_dev_stores_no_pages(make_project, start_server) -> None:
    root = make_project({"counter.py": COUNTER, "pages/api/counts.py": COUNTS_API, "pages/index.pyxl": INDEX},
                        node=True)
    (root / "counts").mkdir()
    server = start_server(root, "dev", env={"COUNTS": str(root / "counts")})
    for _ in range(3):
        answer = httpx.get(server.url + "/")
        assert "x-pyxle-cache" not in answer.headers and "etag" in answer.headers
    assert count(server, "index") == 3


def test_the_page_cache_can_be_turned_off(make_project, start_server) -> None:
    root = make_project({"counter.py": COUNTER, "pages/api/counts.py": COUNTS_API, "pages/index.pyxl": INDEX},
                        node=True)
    (root / "counts").mkdir()
    server = start_server(root, env={"COUNTS": str(root / "counts"), "PYXLE_PAGE_CACHE_BACKEND": "off"})
    for _ in range(2):
        answer = httpx.get(server.url + "/")
        assert "x-pyxle-cache" not in answer.headers and answer.headers["cache-control"] == "private, no-cache"
    assert count(server, "index") == 2


NAV = {"x-pyxle-navigation": "1"}


@contextlib.contextmanager
def known_visitor(server: Server) -> Iterator[httpx.Client]:
    """A visitor who has their CSRF cookie already, so a stored page they get may say ``public``."""
    with visitor(server) as client:
        client.get("/plain")
        assert "pyxle-csrf" in client.cookies
        yield client


def flag(server: Server, name: str) -> Path:
    """A file in the project's counts folder that a loader of this project checks for."""
    return Path(server.args[1]) / "counts" / name


@cites(DOC, "A page in which a `<Suspense>` boundary failed on the server, or was still loading at the render "
            "timeout, is not stored: that visitor gets it as rendered (the browser renders the boundary), "
            "`private, no-cache` and without `x-pyxle-cache`, and the next request renders it again")
def test_a_page_whose_suspense_boundary_failed_on_the_server_is_not_stored_until_it_renders_whole(
        app: Server) -> None:
    fails = flag(app, "boundary-fails")
    url = "/boundary?case=failed"
    before = count(app, "boundary")
    fails.touch()
    try:
        with known_visitor(app) as client:
            for headers in ({}, {}, NAV, {}):
                answer = client.get(url, headers=headers)
                assert answer.status_code == 200 and answer.headers["cache-control"] == "private, no-cache"
                # (a navigation is answered before its document is rendered: a miss, that stores nothing)
                assert answer.headers.get("x-pyxle-cache") == ("MISS" if headers else None), answer.headers
                if headers:  # its document's render, in the background, has ended (and stored nothing)
                    app.wait_for_output(f"[{answer.headers['x-request-id']}]: rendering page 'boundary': a Suspense")
                if not headers:  # the boundary was left to the browser: its fallback and a digest
                    assert 'id="fallback"' in answer.text and "data-dgst" in answer.text
        assert count(app, "boundary") == before + 4
    finally:
        fails.unlink()
    with known_visitor(app) as client:
        whole = client.get(url)
        assert whole.headers["x-pyxle-cache"] == "MISS" and f"part {before + 5}" in shown(whole.text)
        again = client.get(url)
        assert again.headers["x-pyxle-cache"] == "HIT" and again.text == whole.text
        assert again.headers["cache-control"].startswith("public, s-maxage=60")
        assert 'id="fallback"' not in again.text
    assert count(app, "boundary") == before + 5


@cites(DOC, "A background render that ends so leaves the stored copy as it was: it is served stale until a "
            "render is stored or its stale window ends")
def test_a_background_render_whose_boundary_failed_leaves_the_stored_page_as_it_was(app: Server) -> None:
    fails = flag(app, "boundary-fails")
    url = "/boundary?case=regenerated&revalidate=1"
    with known_visitor(app) as client:
        first = client.get(url)
        assert first.headers["x-pyxle-cache"] == "MISS" and f"part {number(first.text)}" in shown(first.text)
        fails.touch()
        try:
            time.sleep(1.2)  # past its revalidate window (1 s)
            runs = count(app, "boundary")
            assert client.get(url).headers["x-pyxle-cache"] == "STALE"  # renders it again in the background
            deadline = time.monotonic() + 10
            while count(app, "boundary") == runs and time.monotonic() < deadline:
                time.sleep(0.05)
            assert count(app, "boundary") > runs, "the background render did not run"
            until = time.monotonic() + 1.5  # its render (100 ms) has ended, and would have been stored
            while time.monotonic() < until:
                kept = client.get(url)
                assert kept.headers["x-pyxle-cache"] == "STALE" and kept.text == first.text, kept.headers
                time.sleep(0.1)
        finally:
            fails.unlink()
        fresh = after_the_background_render(client, url, first)
        assert fresh.headers["x-pyxle-cache"] == "HIT" and 'id="fallback"' not in fresh.text
        assert f"part {number(fresh.text)}" in shown(fresh.text)


@cites(DOC, "the document is then rendered from that same loader run in the background (the client going away "
            "does not stop it) and stored with the navigation JSON, so the URL's next document request is a hit")
def test_a_navigation_miss_stores_the_document_too_from_the_same_loader_run(app: Server) -> None:
    before = count(app, "pair")
    with known_visitor(app) as client:
        nav = client.get("/pair?case=sequential", headers=NAV)
        assert nav.headers["x-pyxle-cache"] == "MISS" and nav.json()["props"]["data"] == {"n": before + 1}
        page = client.get("/pair?case=sequential")
        assert page.headers["x-pyxle-cache"] == "HIT" and number(page.text) == before + 1
        assert "pyxle-csrf-" not in page.text  # a stored document: the stand-in was replaced by the visitor's token
    assert count(app, "pair") == before + 1


@cites(DOC, "A client-side navigation that misses is answered as soon as the loaders have run")
@cites(DOC, "a document request that comes while it renders waits for it and gets it")
def test_a_navigation_miss_is_answered_before_its_document_renders_and_the_next_document_is_a_hit(
        app: Server) -> None:
    before = count(app, "slow-part")
    with known_visitor(app) as client:
        began = time.monotonic()
        nav = client.get("/slow-part?case=waited", headers=NAV)
        took = time.monotonic() - began
        assert nav.headers["x-pyxle-cache"] == "MISS" and nav.json()["props"]["data"] == {"n": before + 1}
        assert took < 0.6, f"the navigation JSON waited for the document's render ({took:.2f} s; its part takes 1 s)"
        page = client.get("/slow-part?case=waited")  # while the document renders: it waits for that render
        assert page.headers["x-pyxle-cache"] == "HIT" and f"part {before + 1}" in shown(page.text)
        assert 'id="fallback"' not in page.text
    assert count(app, "slow-part") == before + 1


def test_the_document_of_a_navigation_miss_is_stored_after_the_navigating_client_has_gone(app: Server) -> None:
    before = count(app, "slow-part")
    with known_visitor(app) as client:
        nav = client.get("/slow-part?case=gone", headers=NAV)
        assert nav.headers["x-pyxle-cache"] == "MISS"
    time.sleep(1.5)  # its client closed its connection; the render (1 s) went on and was stored
    with known_visitor(app) as client:
        page = client.get("/slow-part?case=gone")
        assert page.headers["x-pyxle-cache"] == "HIT" and f"part {before + 1}" in shown(page.text)
        again = client.get("/slow-part?case=gone", headers=NAV)
        assert again.headers["x-pyxle-cache"] == "HIT" and again.json()["props"]["data"] == {"n": before + 1}
    assert count(app, "slow-part") == before + 1


@cites(DOC, "Concurrent misses of one URL run the loaders once, whether they ask for the document or the "
            "navigation JSON")
def test_concurrent_navigation_and_document_misses_of_one_url_run_the_loader_once(app: Server) -> None:
    before = count(app, "pair")

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=app.url, timeout=30) as client:
            asks = [client.get("/pair?case=concurrent", headers=NAV if i % 2 else {}) for i in range(6)]
            return await asyncio.gather(*asks)

    answers = asyncio.run(burst())
    assert [r.status_code for r in answers] == [200] * 6
    assert count(app, "pair") == before + 1
    states = [r.headers["x-pyxle-cache"] for r in answers]
    assert states.count("MISS") == 1 and states.count("HIT") == 5, states
    for i, answer in enumerate(answers):
        if i % 2:
            assert answer.json()["props"]["data"] == {"n": before + 1}
        else:
            assert number(answer.text) == before + 1


@cites(DOC, "When that render fails, or leaves a `<Suspense>` boundary to the browser, nothing is stored (the "
            "navigation was answered already)")
def test_a_navigation_miss_whose_document_fails_to_render_answers_its_json_and_stores_nothing(
        app: Server) -> None:
    fails = flag(app, "render-fails")
    fails.touch()
    try:
        with known_visitor(app) as client:
            nav = client.get("/render-fails", headers=NAV)
            assert nav.status_code == 200 and nav.json()["props"]["data"]["fails"] is True
            assert nav.headers["x-pyxle-cache"] == "MISS"  # answered before its document was rendered
            assert nav.headers["cache-control"] == "private, no-cache"
            app.wait_for_output("rendering pages/render-fails.pyxl failed at pages/render-fails.pyxl:")
            page = client.get("/render-fails")  # nothing was stored: rendered again, and failing again
            assert page.status_code == 500 and "x-pyxle-cache" not in page.headers
    finally:
        fails.unlink()


@cites(DOC, "So are the other answers of a page URL: a loader's redirect (the `307` and its navigation JSON), "
            "a `LoaderError` or a loader's exception (the error page and its navigation JSON), the not-found "
            "page of an unknown URL, and a prefetch's answer")
@pytest.mark.parametrize(("path", "headers", "status"), [
    ("/answers?kind=redirect", {}, 307),
    ("/answers?kind=redirect", NAV, 200),
    ("/answers?kind=missing", {}, 404),
    ("/answers?kind=missing", NAV, 404),
    ("/answers?kind=bug", {}, 500),
    ("/answers?kind=bug", NAV, 500),
    ("/nothing-here", {}, 404),
    ("/nothing-here", NAV, 404),
    ("/plain", {"x-pyxle-navigation": "prefetch"}, 200),
], ids=["redirect", "redirect-json", "loader-404", "loader-404-json", "loader-500", "loader-500-json",
        "unknown-url", "unknown-url-json", "prefetch"])
def test_an_answer_of_a_page_url_that_is_not_stored_is_private_no_cache(
        app: Server, path: str, headers: dict[str, str], status: int) -> None:
    with known_visitor(app) as client:
        answer = client.get(path, headers=headers, follow_redirects=False)
        assert answer.status_code == status
        assert answer.headers.get("cache-control") == "private, no-cache" and "x-pyxle-cache" not in answer.headers
        if headers.get("x-pyxle-navigation") == "prefetch":
            assert "props" not in answer.json() and answer.json()["prefetchTtl"] == 0  # the page's code only


@cites(DOC, "a `Response` a loader returns keeps the `Cache-Control` it sets")
def test_a_response_a_loader_returns_keeps_its_own_cache_control(app: Server) -> None:
    answer = httpx.get(app.url + "/answers?kind=own", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["cache-control"] == "public, max-age=600"


PURGE_ALL_API = '''
from starlette.responses import JSONResponse
from pyxle import cache

async def post(request):
    await cache.invalidate_all()
    return JSONResponse({"purged": True})
'''
# Reads the data, then waits for the test's go-ahead (a file), as a slow query would.
READS_THEN_WAITS = '''
import asyncio, counter, os
from pathlib import Path

@server
async def load(request):
    counts = Path(os.environ["COUNTS"])
    value = (counts / "value").read_text()
    counter.bump("slow")
    while not (counts / "go").exists():
        await asyncio.sleep(0.05)
    return {"data": {"value": value}, "revalidate": 60}

export default function Page({ data }) { return <p>value {data.value}</p> }
'''
INVALIDATE_ALL_FILES = {"counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
                        "pages/api/purge_all.py": PURGE_ALL_API, "pages/slowdata.pyxl": READS_THEN_WAITS}


def invalidate_all_during_a_first_render(server: Server, counts: Path) -> None:
    """``invalidate_all()`` while the first render of a page (nothing stored yet) has read the old
    data: that render is answered, not stored, and the next request renders the new data."""
    (counts / "value").write_text("old")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(httpx.get, server.url + "/slowdata", timeout=30)
        deadline = time.monotonic() + 20
        while count(server, "slow") == 0:  # the render has read "old"
            assert time.monotonic() < deadline, "the loader did not run"
            time.sleep(0.05)
        (counts / "value").write_text("new")
        assert httpx.post(server.url + "/api/purge_all", timeout=30).json() == {"purged": True}
        (counts / "go").write_text("")
        answer = first.result()
    assert answer.headers["x-pyxle-cache"] == "MISS" and "value old" in shown(answer.text)
    again = httpx.get(server.url + "/slowdata", timeout=30)
    assert (again.headers["x-pyxle-cache"], "value new" in shown(again.text)) == ("MISS", True), \
        "the render begun before invalidate_all() was stored"
    assert httpx.get(server.url + "/slowdata", timeout=30).headers["x-pyxle-cache"] == "HIT"
    assert count(server, "slow") == 2


@cites("docs/pages.md", "`cache.invalidate_all()` drops every stored page. A render that began before an invalidation is\n"
       "not stored (it may have read the old data).")
def test_invalidate_all_during_the_first_render_of_a_page_keeps_that_render_from_being_stored(
        tmp_path: Path) -> None:
    root = write_counted(tmp_path / "app", INVALIDATE_ALL_FILES)
    server = serve(root)
    try:
        invalidate_all_during_a_first_render(server, root / "counts")
    finally:
        server.stop()


def test_a_stored_page_sent_compressed_is_the_page_as_stored_now(app: Server) -> None:
    """A stored page the same for everyone is compressed once and its copy kept (``pyxle._copies``):
    what a browser decodes is the stored page, and after an invalidation the page rendered again."""
    with visitor(app) as client:
        client.post("/api/purge", params={"path": "/long"})
        for round_ in range(2):
            plain = client.get("/long", headers={"Accept-Encoding": "identity"})
            for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
                for _ in range(2):
                    with client.stream("GET", "/long", headers={"Accept-Encoding": coding}) as answer:
                        raw = b"".join(answer.iter_raw())
                    assert answer.headers["x-pyxle-cache"] == "HIT" and answer.headers["content-encoding"] == coding
                    assert decode(raw) == plain.content
            if round_ == 0:
                n = number(plain.text)
                client.post("/api/purge", params={"path": "/long"})
        assert number(plain.text) == n + 1
