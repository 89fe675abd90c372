"""A page the cache stores, made from a copy its loader took of the visitor's headers or cookies
(`copy.copy`, `copy.deepcopy`, a `pickle` round trip), on a real `pyxle serve --workers 1`:
copying them reads everything they hold, so that answer is its visitor's alone.

A probe found it: `copy.deepcopy(request.headers).get("cookie")` stored the first visitor's whole
`Cookie` header (`MISS`), and every visitor after them got it (`HIT`, `public, s-maxage=60`). The
deep copy carried a copy of the request's watch, so reads on it told nobody."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache_headers import data

PAGE = '''
import copy
import pickle

COPIES = {"copy": copy.copy, "deepcopy": copy.deepcopy, "pickle": lambda value: pickle.loads(pickle.dumps(value))}

def who(request, how, what):
    if what == "headers":
        return COPIES[how](request.headers).get("cookie")
    if what == "cookies":
        return COPIES[how](request.cookies).get("uid")
    return COPIES[how](request).cookies.get("uid")  # the request itself: its copy reads what it was sent

@server
async def load(request):
    query = request.query_params
    return {"data": {"who": who(request, query["how"], query["what"]) or "anon"}, "revalidate": 60}

export default function Page({ data }) { return <p id="who">{data.who}</p> }
'''
DOC = "docs/pages.md"
# (A request is only copied shallowly: its scope holds what neither deepcopy nor pickle can copy.)
CASES = [(how, what) for how in ("copy", "deepcopy", "pickle") for what in ("headers", "cookies")] + [("copy", "request")]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("cache-copies") / "app", {"pages/copied.pyxl": PAGE})
    with serving(root, "--workers", "1", "--no-access-log", env=SHARED_SECRET) as server:
        yield server


def visitor(app: Server, uid: str | None) -> httpx.Client:
    """A browser of its own: its own cookie jar, with a `uid` cookie unless ``uid`` is None."""
    client = httpx.Client(base_url=app.url, timeout=30)
    if uid is not None:
        client.cookies.set("uid", uid)
    return client


@cites(DOC, "`items()`, `raw` or a copy: `copy.copy`, `copy.deepcopy` or `pickle` of the headers or the\ncookies reads all they hold")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
@pytest.mark.parametrize(("how", "what"), CASES)
def test_a_page_made_from_a_copy_of_what_its_visitor_sent_is_theirs_alone(app: Server, how: str, what: str,
                                                                         navigation: str) -> None:
    """Before the fix alice's answer to `deepcopy` of the headers was stored (`MISS`), and bob and
    an anonymous visitor after her got her cookie (`HIT`)."""
    path = f"/copied?how={how}&what={what}&case={navigation}"
    headers = {"x-pyxle-navigation": navigation}
    with visitor(app, "alice") as alice, visitor(app, "bob") as bob, visitor(app, None) as anonymous:
        hers = alice.get(path, headers=headers)
        assert hers.status_code == 200, hers.text
        assert "alice" in data(hers)["who"]
        assert "x-pyxle-cache" not in hers.headers and hers.headers["cache-control"] == "private, no-cache", hers.headers
        his = bob.get(path, headers=headers)
        assert "bob" in data(his)["who"] and "alice" not in data(his)["who"], his.headers
        theirs = anonymous.get(path, headers=headers)
        assert data(theirs)["who"] == "anon", theirs.headers  # rendered for itself, never from alice's answer
    with visitor(app, None) as newcomer:
        again = newcomer.get(path, headers=headers)
        assert data(again)["who"] == "anon", again.headers
        # A copy of the cookies of a visitor sending none read nothing: that page is stored. A copy of
        # the headers read every one sent (User-Agent too), as items() does: stored by none.
        assert again.headers.get("x-pyxle-cache") == (None if what == "headers" else "HIT"), again.headers
    assert "Traceback" not in app.output()
