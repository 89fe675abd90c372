"""The page cache's own renders on a real `pyxle serve`: a stale page rendered again in the
background, and a signed-in visitor's miss on a shared route rendered as an anonymous request.
Neither carries anything of the visitor who asked (what middleware made of their cookie, their
address), both have a client (`request.client`), and the rate limit neither refuses them nor
charges them to anyone.

Each request comes from an address of its own on loopback (127.1.x.y), so each visitor has a
rate-limit budget of its own and `request.client.host` tells a visitor from the server itself."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API

SESSION_MIDDLEWARE = '''
from starlette.requests import Request

class Session:
    """What a session middleware does: the visitor's user in request.state, from their cookie.
    At start-up it puts a pool in the lifespan's state, which the server copies into every request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan" and "state" in scope:
            scope["state"]["pool"] = "the pool"
        elif scope["type"] == "http":
            session = Request(scope).cookies.get("pyxle_session")
            if session:
                scope.setdefault("state", {})["user"] = "user-" + session
        await self.app(scope, receive, send)
'''
SHARED = '''
import counter

@server
async def load(request):
    return {"n": counter.bump("shared-" + request.query_params["case"]),
            "user": getattr(request.state, "user", None), "pool": getattr(request.state, "pool", None)}

export default function Page({ data }) { return <p>shared {data.n} for {String(data.user)}</p> }
'''
PEER = '''
import counter

@server
async def load(request):
    forwarded = [request.headers.get(name) for name in ("x-forwarded-for", "x-real-ip", "forwarded")]
    return {"n": counter.bump("peer"), "host": request.client.host, "forwarded": forwarded}

export default function Page({ data }) { return <p>peer {data.n} from {data.host}</p> }
'''
SHORT = '''
import counter

@server
async def load(request):
    return {"n": counter.bump("short-" + request.query_params["case"])}

export default function Page({ data }) { return <p>short {data.n}</p> }
'''
WINDOW = 1  # seconds a stored page is fresh; then stale for 600
CONFIG = {
    "middleware": ["session:Session"],
    "cache": {path: {"sMaxage": WINDOW, "staleWhileRevalidate": 600, **extra}
              for path, extra in (("/shared", {"shared": True}), ("/peer", {"shared": True}), ("/short", {}))},
    "rateLimit": {"requests": 4, "window": 60, "trustForwardedFor": True, "exemptPaths": ["/api"]},
}
DOC = "docs/pages.md"
ADDRESSES = (f"127.1.{n // 250}.{n % 250 + 1}" for n in itertools.count())  # a visitor each, on loopback


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pyxle.config.json": json.dumps(CONFIG), "session.py": SESSION_MIDDLEWARE, "counter.py": COUNTER,
             "pages/api/counts.py": COUNTS_API, "pages/shared.pyxl": SHARED, "pages/peer.pyxl": PEER,
             "pages/short.pyxl": SHORT}
    root = write_project(tmp_path_factory.mktemp("cache-own") / "app", files)
    (root / "counts").mkdir()
    with serving(root, "--no-access-log", env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


def visitor(app: Server) -> httpx.Client:
    """A client at an address no other request of these tests comes from."""
    return httpx.Client(base_url=app.url, timeout=30, transport=httpx.HTTPTransport(local_address=next(ADDRESSES)))


def get(app: Server, path: str, **headers: str) -> httpx.Response:
    """``path`` for a new anonymous visitor."""
    with visitor(app) as client:
        return client.get(path, headers=headers)


def data(answer: httpx.Response) -> dict:
    """The page's data, from the navigation JSON or the document's props."""
    if answer.headers["content-type"].startswith("application/json"):
        return answer.json()["props"]["data"]
    marker = 'id="pyxle-props">'
    return json.JSONDecoder().raw_decode(answer.text, answer.text.index(marker) + len(marker))[0]["data"]


def stored_again(app: Server, path: str, done: Callable[[dict], bool], **headers: str) -> dict:
    """The data of ``path`` once ``done`` says it is the new render's (or the last, after 10 s),
    each try from a new anonymous visitor."""
    deadline = time.monotonic() + 10
    while True:
        answer = get(app, path, **headers)
        if (answer.status_code == 200 and done(data(answer))) or time.monotonic() > deadline:
            return data(answer) if answer.status_code == 200 else {"status": answer.status_code}
        time.sleep(0.1)


@cites(DOC, "(what their session middleware put in `request.state` is not in it)")
@cites(DOC, "Its `request.state` starts as every request's does, from the lifespan's state")
@pytest.mark.parametrize("navigation", ["", "1"])
def test_a_signed_in_visitors_miss_on_a_shared_route_stores_nothing_their_middleware_made_of_their_cookie(
        app: Server, navigation: str) -> None:
    path = f"/shared?case=miss{navigation}"
    with visitor(app) as alice:
        alice.cookies.set("pyxle_session", "alice")
        mine = alice.get(path, headers={"x-pyxle-navigation": navigation})
    assert mine.headers["x-pyxle-cache"] == "MISS"
    assert data(mine) == {"n": 1, "user": None, "pool": "the pool"}  # the lifespan's state is kept
    theirs = get(app, path, **{"x-pyxle-navigation": navigation})
    assert theirs.headers["x-pyxle-cache"] == "HIT" and data(theirs) == {"n": 1, "user": None, "pool": "the pool"}


@cites(DOC, "never with what middleware made of the visitor")
@pytest.mark.parametrize("navigation", ["", "1"])
def test_a_signed_in_visitors_stale_hit_stores_nothing_their_middleware_made_of_their_cookie(
        app: Server, navigation: str) -> None:
    path = f"/shared?case=stale{navigation}"
    assert data(get(app, path, **{"x-pyxle-navigation": navigation}))["n"] == 1
    time.sleep(WINDOW + 0.2)
    with visitor(app) as bob:
        bob.cookies.set("pyxle_session", "bob")
        assert bob.get(path, headers={"x-pyxle-navigation": navigation}).headers["x-pyxle-cache"] == "STALE"
    again = stored_again(app, path, lambda shown: shown["n"] == 2, **{"x-pyxle-navigation": navigation})
    assert again == {"n": 2, "user": None, "pool": "the pool"}


@cites(DOC, "but the same `request.client` and their other\n  headers (a forwarded address, `X-Forwarded-For`), so a "
           "loader that answers by address (an\n  intranet check) answers the background render as it answered the miss")
def test_a_background_render_has_the_client_of_the_visitor_who_set_it_off_as_a_miss_does(app: Server) -> None:
    """Pyxle 0.9.4 rendered it with a client; a loader reading request.client.host failed on every
    stale hit, and the page was never stored again. A stand-in address (0.0.0.0) passed an intranet
    check (is_private) that the visitor's own did not, and stored the internal page for everyone.
    (/peer is shared so that a render made from the forwarded headers it reads is stored, and seen.)"""
    proxied = {"x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.7", "forwarded": "for=198.51.100.7"}
    with visitor(app) as client:
        first = data(client.get("/peer"))
        assert first["n"] == 1 and first["host"].startswith("127.1.")  # the visitor's own request
        time.sleep(WINDOW + 0.2)
        assert client.get("/peer", headers=proxied).headers["x-pyxle-cache"] == "STALE"
    again = stored_again(app, "/peer", lambda shown: shown["n"] == 2)
    assert again == {"n": 2, "host": first["host"], "forwarded": ["198.51.100.7", "198.51.100.7", "for=198.51.100.7"]}


@cites(DOC, "The rate limit neither counts nor refuses it.")
def test_the_background_renders_a_visitor_sets_off_are_not_charged_to_them(app: Server) -> None:
    """With trustForwardedFor, the visitor's X-Forwarded-For went along with the render: each of
    their stale hits cost them two requests, and their fourth request was refused."""
    path = "/short?case=budget"
    answers = []
    with visitor(app) as client:
        client.headers["x-forwarded-for"] = "203.0.113.9"
        answers.append(client.get(path))
        for n in (2, 3):
            time.sleep(WINDOW + 0.2)
            answers.append(client.get(path))  # stale: rendered again in the background
            assert stored_again(app, path, lambda shown, n=n: shown["n"] == n)["n"] == n
        answers.append(client.get(path))  # the visitor's fourth request: within their budget of 4
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    assert [answer.headers["x-pyxle-cache"] for answer in answers] == ["MISS", "STALE", "STALE", "HIT"]


@cites("docs/security.md", "So are the page cache's own renders of a stored page")
def test_background_renders_across_the_site_are_never_refused_by_the_rate_limit(app: Server) -> None:
    """They all counted as one client ("-", no address) with a budget of 4: the fifth was refused
    (429), and its page stayed stale."""
    paths = [f"/short?case=many{n}" for n in range(6)]
    for path in paths:
        assert get(app, path).headers["x-pyxle-cache"] == "MISS"
    time.sleep(WINDOW + 0.2)
    for path in paths:
        assert get(app, path).headers["x-pyxle-cache"] == "STALE"
    assert [stored_again(app, path, lambda shown: shown["n"] == 2)["n"] for path in paths] == [2] * 6
