"""A page the cache stores, made from a header its visitor sent (an auth proxy's `X-Forwarded-User`),
on a real `pyxle serve --workers 1`: that answer is theirs alone, document and navigation JSON alike,
in a miss and in a background render, unless the route varies on nothing (`"shared": true`).

A probe found it: a loader personalised from `x-user-sig` stored its visitor's page (`MISS`), and
later anonymous visitors got it (`HIT`, `user=alice`) with no `Vary` naming the header."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API

WHO = '''
import counter

def by_index(headers):
    try:
        return headers["X-Forwarded-User"]
    except KeyError:
        return None

READS = {
    "get": lambda headers: headers.get("x-forwarded-user"),
    "index": by_index,
    "in": lambda headers: "someone" if "x-forwarded-user" in headers else None,
    "getlist": lambda headers: ",".join(headers.getlist("x-forwarded-user")) or None,
    "items": lambda headers: dict(headers.items()).get("x-forwarded-user"),
    "raw": lambda headers: next((v.decode() for k, v in headers.raw if k == b"x-forwarded-user"), None),
    "iter": lambda headers: {name: headers[name] for name in headers}.get("x-forwarded-user"),
    "host": lambda headers: headers["host"] and None,
    "agent": lambda headers: headers.get("user-agent") and headers.get("x-forwarded-user"),
}

@server
async def load(request):
    case = request.query_params["case"]
    user = READS[request.query_params["how"]](request.headers)
    return {"user": user, "n": counter.bump(request.url.path.strip("/") + case)}

export default function Page({ data }) { return <p>who {String(data.user)} {data.n}</p> }
'''
WINDOW = 1  # seconds /stale is fresh; then stale for 600
CONFIG = {"cache": {"/who": 60, "/team": {"sMaxage": 60, "shared": True},
                    "/stale": {"sMaxage": WINDOW, "staleWhileRevalidate": 600}}}
DOC = "docs/pages.md"
BY_NAME = ("get", "index", "in", "getlist")  # a read of one header: what the request lacks reads nothing
EVERY = ("items", "raw", "iter", "agent")  # all at once, or one every client sends (User-Agent)
ALICE = {"x-forwarded-user": "alice"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pyxle.config.json": json.dumps(CONFIG), "counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
             "pages/who.pyxl": WHO, "pages/team.pyxl": WHO, "pages/stale.pyxl": WHO}
    root = write_project(tmp_path_factory.mktemp("cache-headers") / "app", files)
    (root / "counts").mkdir()
    with serving(root, "--workers", "1", "--no-access-log",
                 env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


def get(app: Server, path: str, navigation: str, **headers: str) -> httpx.Response:
    """``path`` for a new visitor: a document, or the navigation JSON when ``navigation`` is "1"."""
    answer = httpx.get(app.url + path, headers={"x-pyxle-navigation": navigation, **headers}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def data(answer: httpx.Response) -> dict:
    """The page's data, from the navigation JSON or the document's props."""
    if answer.headers["content-type"].startswith("application/json"):
        return answer.json()["props"]["data"]
    marker = 'id="pyxle-props">'
    return json.JSONDecoder().raw_decode(answer.text, answer.text.index(marker) + len(marker))[0]["data"]


def runs(app: Server, path: str, case: str) -> int:
    """How many times the loader of ``path`` ran for ``case``."""
    return httpx.get(app.url + "/api/counts", params={"name": path.strip("/") + case}).json()["count"]


def own(answer: httpx.Response) -> bool:
    """Rendered for this request alone: neither stored nor taken from the store."""
    return "x-pyxle-cache" not in answer.headers and answer.headers["cache-control"] == "private, no-cache"


@cites(DOC, "So does a loader that reads any other header the request\ncarries: an auth proxy's `X-Forwarded-User` or "
            "`Cf-Access-Authenticated-User-Email`, an\n`X-API-Key`, `Accept-Language` (by name, `in` or `getlist`, "
            "or all of them by iterating,\n`items()`, `raw` or a copy")
@cites(DOC, "its\ndocument and its navigation JSON alike")
@cites(DOC, "A page whose loader reads a header every browser sends (`User-Agent`) is rendered for\neach browser's "
            "request, and stored by none.")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("how", BY_NAME + EVERY)
def test_a_page_made_from_a_header_the_visitor_sent_is_theirs_alone(app: Server, how: str, navigation: str) -> None:
    """Before the fix alice's answer was stored (`MISS`) and the anonymous visitor after her got it
    (`HIT`, user alice)."""
    case = f"mine-{how}{navigation}"
    path = f"/who?how={how}&case={case}"
    mine = get(app, path, navigation, **ALICE)
    theirs = get(app, path, navigation)
    assert data(theirs)["user"] is None, theirs.headers  # rendered for itself, never from alice's answer
    assert data(mine)["user"] in ("alice", "someone") and own(mine), mine.headers
    if how in EVERY:  # every request carries headers (httpx sends User-Agent): every answer is its own
        assert own(theirs) and own(get(app, path, navigation)), theirs.headers
        assert runs(app, "/who", case) == 3
    else:
        assert theirs.headers["x-pyxle-cache"] == "MISS"
        again = get(app, path, navigation)
        assert again.headers["x-pyxle-cache"] == "HIT" and data(again)["user"] is None
        assert runs(app, "/who", case) == 2


@cites(DOC, "Looking for what the request does not carry reads nothing of its visitor's\n"
            "(`request.headers.get(\"x-forwarded-user\")` is `None`, as for a cookie not sent): that answer is\n"
            "stored, and every visitor the store serves gets it on a hit, the ones sending that header or\ncookie too")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("how", BY_NAME)
def test_looking_for_a_header_the_request_does_not_carry_still_stores_the_page(
        app: Server, how: str, navigation: str) -> None:
    case = f"absent-{how}{navigation}"
    path = f"/who?how={how}&case={case}"
    first = get(app, path, navigation, **{"x-something-else": "1"})
    assert first.headers["x-pyxle-cache"] == "MISS" and data(first)["user"] is None
    hers = get(app, path, navigation, **ALICE)  # on a hit she gets the page stored for everyone
    assert hers.headers["x-pyxle-cache"] == "HIT" and data(hers)["user"] is None
    assert runs(app, "/who", case) == 1


@cites(DOC, "`Host` is not one of them: it is part of\nthe stored page's key")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
def test_a_page_that_reads_the_host_header_is_stored(app: Server, navigation: str) -> None:
    path = f"/who?how=host&case=host{navigation}"
    assert get(app, path, navigation).headers["x-pyxle-cache"] == "MISS"
    assert get(app, path, navigation).headers["x-pyxle-cache"] == "HIT"


@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("how", ["get", "items"])
def test_a_shared_route_stores_the_page_whatever_header_its_loader_reads(
        app: Server, how: str, navigation: str) -> None:
    """``"shared": true`` says the route varies on nothing: what its loader read is everyone's."""
    path = f"/team?how={how}&case=shared{navigation}"
    first = get(app, path, navigation, **ALICE)
    assert first.headers["x-pyxle-cache"] == "MISS"
    again = get(app, path, navigation)
    assert again.headers["x-pyxle-cache"] == "HIT" and data(again)["n"] == data(first)["n"]


@cites(DOC, "A render whose loader read one of those headers is not stored (on a route\n  that is not `\"shared\": true`), "
            "as their miss would not be: the stored copy stays, served stale,\n  until a render that read none is "
            "stored or its stale window ends.")
@cites(DOC, "but the same `request.client` and their other\n  headers (a forwarded address, `X-Forwarded-For`)")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
def test_a_background_render_set_off_by_a_visitor_sending_the_header_stores_nothing(
        app: Server, navigation: str) -> None:
    """Before the fix alice's stale hit had the page rendered again with her header, and stored:
    the anonymous visitors after her got her page."""
    path, case = f"/stale?how=get&case=bg{navigation}", "bg" + navigation
    assert get(app, path, navigation).headers["x-pyxle-cache"] == "MISS"
    time.sleep(WINDOW + 0.2)
    hers = get(app, path, navigation, **ALICE)
    assert hers.headers["x-pyxle-cache"] == "STALE" and data(hers)["user"] is None
    deadline = time.monotonic() + 10
    while runs(app, "/stale", case) < 2 and time.monotonic() < deadline:  # her background render ran
        time.sleep(0.05)
    assert runs(app, "/stale", case) == 2
    time.sleep(0.3)  # (and answered: stored, or not)
    theirs = get(app, path, navigation)  # the copy stays stale; this one sets off a render that stores
    assert data(theirs) == {"user": None, "n": 1} and theirs.headers["x-pyxle-cache"] == "STALE"
    deadline = time.monotonic() + 10
    while (answer := get(app, path, navigation)).headers["x-pyxle-cache"] != "HIT" and time.monotonic() < deadline:
        assert data(answer)["user"] is None
        time.sleep(0.05)
    assert answer.headers["x-pyxle-cache"] == "HIT" and data(answer) == {"user": None, "n": 3}
    assert "Traceback" not in app.output()
