"""A page the cache stores, made from a cookie or a header its loader read through the request's
scope rather than through the request it was given (a `Request` or `HTTPConnection` of its own, as
auth helpers and session readers build, or a loop over `scope["headers"]`), on a real `pyxle serve
--workers 1`: that answer is its visitor's alone, document and navigation JSON alike.

A probe found it: `Request(request.scope).cookies.get("uid")` with `Cookie: pyxle-csrf=...;
uid=alice` stored alice's page (`MISS`), and every anonymous visitor after her got `who=alice` (`HIT`)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache_headers import data, get

PAGE = '''
from starlette.requests import HTTPConnection, Request

NAMES = {"cookie": "uid", "header": "x-forwarded-user"}

def by_loop(scope, what):
    for name, value in scope["headers"]:
        if name == (b"cookie" if what == "cookie" else b"x-forwarded-user"):
            text = value.decode("latin-1")
            return text.partition("uid=")[2].split(";")[0] if what == "cookie" else text
    return None

def who(request, how, what):
    if how == "loop":
        return by_loop(request.scope, what)
    own = (Request if how == "request" else HTTPConnection)(request.scope)
    if what == "cookie":
        return own.cookies.get("uid")
    if what == "header":
        return own.headers.get("x-forwarded-user")
    return f"{own.url.path} {own.base_url}"

@server
async def load(request):
    query = request.query_params
    return {"data": {"who": who(request, query["how"], query["what"]) or "anon"}, "revalidate": 60}

export default function Page({ data }) { return <p id="who">{data.who}</p> }
'''
DOC = "docs/pages.md"
WAYS = ("request", "connection", "loop")  # a Request, an HTTPConnection over the scope; a loop over its headers


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("cache-scope") / "app", {"pages/scope.pyxl": PAGE})
    with serving(root, "--workers", "1", "--no-access-log", env=SHARED_SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def csrf(app: Server) -> str:
    """A valid CSRF cookie, as a browser that has used the site sends it (set by a page rendered for
    its visitor: the not-found page; a stored page without a token sets none, nor does navigation JSON)."""
    return httpx.get(app.url + "/no-such-page", timeout=30).cookies["pyxle-csrf"]


def alice(what: str, csrf: str) -> dict[str, str]:
    """Alice's request headers: her `uid` cookie beside the CSRF one, or her auth proxy's header."""
    if what == "cookie":
        return {"cookie": f"pyxle-csrf={csrf}; uid=alice"}
    return {"x-forwarded-user": "alice"}


@cites(DOC, "A loader (or a library it calls) that reads the request's scope\nitself")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("what", ["cookie", "header"])
@pytest.mark.parametrize("how", WAYS)
def test_a_page_made_from_the_scope_is_its_visitors_alone(app: Server, csrf: str, how: str, what: str,
                                                          navigation: str) -> None:
    """Before the fix alice's answer was stored (`MISS`) and the anonymous visitor after her got it
    (`HIT`, who alice)."""
    path = f"/scope?how={how}&what={what}&case=leak{navigation}"
    hers = get(app, path, navigation, **alice(what, csrf))
    theirs = get(app, path, navigation)
    assert data(theirs)["who"] == "anon", theirs.headers  # rendered for itself, never from alice's answer
    assert data(hers)["who"] == "alice"
    assert "x-pyxle-cache" not in hers.headers and hers.headers["cache-control"] == "private, no-cache", hers.headers
    again = get(app, path, navigation)  # theirs is the page stored for everyone
    assert data(again)["who"] == "anon" and again.headers["x-pyxle-cache"] == "HIT", again.headers


@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("what", ["cookie", "header"])
@pytest.mark.parametrize("how", WAYS)
def test_a_page_that_found_nothing_of_its_visitor_in_the_scope_is_stored(app: Server, how: str, what: str,
                                                                         navigation: str) -> None:
    """A visitor without the cookie or the header: the same loader reads nothing of theirs."""
    path = f"/scope?how={how}&what={what}&case=anon{navigation}"
    first = get(app, path, navigation)
    assert data(first)["who"] == "anon" and first.headers["x-pyxle-cache"] == "MISS", first.headers
    assert get(app, path, navigation).headers["x-pyxle-cache"] == "HIT"


@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("how", ["request", "connection"])
def test_a_page_made_from_the_url_of_its_own_request_is_stored(app: Server, how: str, navigation: str) -> None:
    """`url` and `base_url` read the Host header through the scope: part of the stored page's key."""
    path = f"/scope?how={how}&what=url&case=url{navigation}"
    first = get(app, path, navigation, **{"x-forwarded-user": "alice"})
    assert data(first)["who"] == f"/scope {app.url}/"
    assert first.headers["x-pyxle-cache"] == "MISS", first.headers
    assert get(app, path, navigation).headers["x-pyxle-cache"] == "HIT"
    assert "Traceback" not in app.output()



@cites(DOC, "its answer to a visitor sending any cookie (the CSRF one too) is not\nstored, while the same page for a "
            "visitor sending none is")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize("how", WAYS)
def test_a_cookie_read_through_the_scope_reads_every_cookie_sent(app: Server, csrf: str, how: str,
                                                                 navigation: str) -> None:
    path = f"/scope?how={how}&what=cookie&case=csrf{navigation}"
    browser = get(app, path, navigation, cookie=f"pyxle-csrf={csrf}")
    assert data(browser)["who"] == "anon" and "x-pyxle-cache" not in browser.headers, browser.headers
    assert get(app, path, navigation).headers["x-pyxle-cache"] == "MISS"
    hit = get(app, path, navigation, cookie=f"pyxle-csrf={csrf}")  # the page stored for everyone, on a hit
    assert hit.headers["x-pyxle-cache"] == "HIT" and data(hit)["who"] == "anon"
