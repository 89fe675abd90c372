"""What a page's route hook (`routeMiddleware.pages`) reads of its visitor counts as the loaders'
reads do: a hook that puts a cookie's user in `request.state` for the loader made a stored page of
one visitor's, served to everyone after (a review probe found it, with `CACHE` and the envelope)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

HOOKS = '''
async def who(context, request, call_next):
    request.state.user = request.cookies.get("uid")
    if request.headers.get("x-team") is not None:
        request.state.user = "team " + request.headers["x-team"]
    return await call_next(request)
'''
DIRECTIVE = '''
CACHE = {"revalidate": 60}

@server
async def load(request):
    return {"user": str(getattr(request.state, "user", None))}

export default function Me({ data }) { return <p id="user">user {data.user}</p> }
'''
ENVELOPE = '''
@server
async def load(request):
    return {"data": {"user": str(getattr(request.state, "user", None))}, "revalidate": 60}

export default function Me({ data }) { return <p id="user">user {data.user}</p> }
'''


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"hooks.py": HOOKS, "pyxle.config.json": json.dumps({"routeMiddleware": {"pages": ["hooks:who"]}}),
             "pages/me.pyxl": DIRECTIVE, "pages/me2.pyxl": ENVELOPE}
    with serving(write_project(tmp_path_factory.mktemp("cache-hooks") / "app", files),
                 env={"PYXLE_SECRET_KEY": "h" * 48}) as server:
        yield server


@cites("docs/pages.md", "What a page's route hook (`routeMiddleware.pages`) reads through the request counts as the\n"
                        "loaders' reads do")
@pytest.mark.parametrize("path", ["/me", "/me2"])
def test_a_page_made_from_a_cookie_a_route_hook_read_is_not_stored_for_anyone(app: Server, path: str) -> None:
    alice = httpx.get(app.url + path, cookies={"uid": "alice"})
    assert alice.status_code == 200 and "user <!-- -->alice" in alice.text
    assert alice.headers["cache-control"] == "private, no-cache"
    for _ in range(2):  # an anonymous visitor and bob: never alice's page
        anonymous = httpx.get(app.url + path)
        assert "user <!-- -->None" in anonymous.text and "alice" not in anonymous.text
        bob = httpx.get(app.url + path, cookies={"uid": "bob"})
        assert "user <!-- -->bob" in bob.text and "alice" not in bob.text
    team = httpx.get(app.url + path, headers={"x-team": "red"})  # a header the hook read: the visitor's too
    assert "team red" in team.text and team.headers["cache-control"] == "private, no-cache"
    assert "team red" not in httpx.get(app.url + path).text


def test_a_hook_that_finds_no_cookie_leaves_the_page_stored(app: Server) -> None:
    """Looking for a cookie the visitor did not send reads nothing of theirs, as in a loader."""
    httpx.get(app.url + "/me?v=anon")
    again = httpx.get(app.url + "/me?v=anon")
    assert again.headers.get("x-pyxle-cache") == "HIT" and "user <!-- -->None" in again.text
