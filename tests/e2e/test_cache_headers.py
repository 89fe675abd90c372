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
    how = request.query_params["how"]
    name = request.url.path.strip("/") + case
    if how == "later":  # looks for the header from its second run on
        user = request.headers.get("x-forwarded-user") if counter.count(name) else None
    else:
        user = READS[how](request.headers)
    return {"user": user, "n": counter.bump(name)}

export default function Page({ data }) { return <p>who {String(data.user)} {data.n}</p> }
'''
THEMED = '''
import counter

@server
async def load(request):
    case = request.query_params["case"]
    theme = request.cookies.get(request.query_params.get("cookie", "theme"))
    return {"theme": theme, "n": counter.bump(request.url.path.strip("/") + case)}

export default function Page({ data }) { return <p>theme {String(data.theme)} {data.n}</p> }
'''
LANG = '''
@server
async def load(request):
    return {"lang": request.headers.get("accept-language", "none")}

export default function Page({ data }) { return <p>lang {data.lang}</p> }
'''
WINDOW = 1  # seconds /stale is fresh; then stale for 600
CONFIG = {"cache": {"/who": 60, "/team": {"sMaxage": 60, "shared": True},
                    "/stale": {"sMaxage": WINDOW, "staleWhileRevalidate": 600},
                    "/themed": 60, "/themed-team": {"sMaxage": 60, "shared": True}, "/lang": 60}}
DOC = "docs/pages.md"
BY_NAME = ("get", "index", "in", "getlist")  # a read of one header: what the request lacks reads nothing
EVERY = ("items", "raw", "iter", "agent")  # all at once, or one every client sends (User-Agent)
ALICE = {"x-forwarded-user": "alice"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pyxle.config.json": json.dumps(CONFIG), "counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
             "pages/who.pyxl": WHO, "pages/team.pyxl": WHO, "pages/stale.pyxl": WHO,
             "pages/themed.pyxl": THEMED, "pages/themed-team.pyxl": THEMED, "pages/lang.pyxl": LANG}
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
            "stored, with the names of the headers and cookies its loaders looked for and did not find")
@cites(DOC, "a request that carries one of them is not served that copy: it gets a page of its own")
@cites(DOC, "the stored document's `Vary` names those headers")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("how", BY_NAME)
def test_a_page_stored_from_a_request_without_the_header_its_loader_looks_for_is_not_served_to_one_with_it(
        app: Server, how: str, navigation: str) -> None:
    """Before the fix alice got the copy stored from a request without her header (`HIT`, user
    None): one uptime probe without `Accept-Language` set the language of every visitor."""
    case = f"absent-{how}{navigation}"
    path = f"/who?how={how}&case={case}"
    first = get(app, path, navigation, **{"x-something-else": "1"})
    assert first.headers["x-pyxle-cache"] == "MISS" and data(first)["user"] is None
    if not navigation:  # what a CDN keeps: not for a request with the header
        assert "x-forwarded-user" in [name.strip().lower() for name in first.headers["vary"].split(",")]
    hers = get(app, path, navigation, **ALICE)
    assert own(hers) and data(hers)["user"] in ("alice", "someone"), hers.headers
    again = get(app, path, navigation, **{"x-something-else": "2"})  # without it: the stored copy
    assert again.headers["x-pyxle-cache"] == "HIT" and data(again)["user"] is None
    assert runs(app, "/who", case) == 2


def vary(answer: httpx.Response) -> list[str]:
    return [name.strip().lower() for name in answer.headers["vary"].split(",")]


@cites(DOC, "(an uptime check without `Accept-Language` stores the page, and a\nbrowser sending one gets its own)")
@cites(DOC, "(`Vary: x-pyxle-navigation, Cookie, Authorization, Accept-Language`)")
def test_a_page_stored_from_an_uptime_check_without_accept_language_is_not_every_visitors_language(
        app: Server) -> None:
    """The probe's page: before the fix a browser asking for Japanese got `lang none` (`HIT`) for
    the page's whole window, and a CDN in front spread it (no `Accept-Language` in `Vary`)."""
    probe = httpx.get(app.url + "/lang", headers={"user-agent": "uptime-check"})
    assert probe.headers["x-pyxle-cache"] == "MISS" and "lang <!-- -->none" in probe.text
    assert probe.headers["vary"] == "x-pyxle-navigation, Cookie, Authorization, Accept-Language, Accept-Encoding"
    browser = httpx.get(app.url + "/lang", headers={"accept-language": "ja"})
    assert own(browser) and "lang <!-- -->ja" in browser.text, browser.headers
    again = httpx.get(app.url + "/lang", headers={"user-agent": "uptime-check"})
    assert again.headers["x-pyxle-cache"] == "HIT" and "lang <!-- -->none" in again.text


@cites(DOC, "as for a cookie not sent")
@cites(DOC, "`Cookie` for a cookie, on a `\"shared\": true` route too")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("path", ["/themed", "/themed-team"])
def test_a_page_stored_from_a_request_without_the_cookie_its_loader_looks_for_is_not_served_to_one_with_it(
        app: Server, path: str, navigation: str) -> None:
    """Before the fix the visitor with `theme=dark` got the copy stored without it (`HIT`, theme None)."""
    case = f"cookie{navigation}"
    url = f"{path}?case={case}"
    first = get(app, url, navigation)
    assert first.headers["x-pyxle-cache"] == "MISS" and data(first)["theme"] is None
    if not navigation:
        assert "cookie" in vary(first), first.headers
    dark = get(app, url, navigation, cookie="theme=dark")
    assert own(dark) and data(dark)["theme"] == "dark", dark.headers
    other = get(app, url, navigation, cookie="pyxle-csrf=abc; _ga=GA1.1")  # cookies it never looked for
    assert other.headers["x-pyxle-cache"] == "HIT" and data(other)["theme"] is None
    assert runs(app, path, case) == 2


@cites(DOC, "A session cookie or header it looked for is not noted")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
def test_a_page_that_looks_for_a_session_cookie_is_served_to_every_visitor_without_one(
        app: Server, navigation: str) -> None:
    """The anonymous case: a loader asking who is signed in stores the page for everyone else."""
    case = f"session{navigation}"
    url = f"/themed?cookie=session&case={case}"
    first = get(app, url, navigation)
    assert first.headers["x-pyxle-cache"] == "MISS" and data(first)["theme"] is None
    if not navigation:
        assert first.headers["vary"] == "x-pyxle-navigation, Cookie, Authorization, Accept-Encoding"
    other = get(app, url, navigation, cookie="theme=dark; pyxle-csrf=abc")
    assert other.headers["x-pyxle-cache"] == "HIT" and data(other)["theme"] is None
    signed_in = get(app, url, navigation, cookie="session=ada")  # never the store's, as before
    assert own(signed_in) and data(signed_in)["theme"] == "ada"
    assert runs(app, "/themed", case) == 2


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
    path = f"/team?how={how}&case=shared-absent{navigation}"  # looked for and not found: the same for her
    first = get(app, path, navigation)
    hers = get(app, path, navigation, **ALICE)
    assert hers.headers["x-pyxle-cache"] == "HIT" and data(hers)["n"] == data(first)["n"]


@cites(DOC, "A render whose loader read one of those headers is not stored (on a route\n  that is not `\"shared\": true`), "
            "as their miss would not be: the stored copy stays, served stale,\n  until a render that read none is "
            "stored or its stale window ends.")
@cites(DOC, "but the same `request.client` and their other\n  headers (a forwarded address, `X-Forwarded-For`)")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
def test_a_background_render_set_off_by_a_visitor_sending_the_header_stores_nothing(
        app: Server, navigation: str) -> None:
    """Before the fix alice's stale hit had the page rendered again with her header, and stored:
    the anonymous visitors after her got her page."""
    path, case = f"/stale?how=later&case=bg{navigation}", "bg" + navigation  # the first run looks for nothing
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
