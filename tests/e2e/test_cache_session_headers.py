"""``cache.sessionHeaders``: a header that means "a signed-in visitor" (an auth proxy's
`X-Forwarded-User`), on a real `pyxle serve`: such a visitor neither gets nor makes a stored page,
and on a shared route their miss is rendered without the header, as without `Authorization`.

Before it, a page stored for anonymous visitors was served to the header's visitors too (a
loader that asked for the header and found none had it stored), so the proxy's signed-in users
saw the signed-out page."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API
from tests.e2e.test_cache_headers import ALICE, WHO, data, get, own, runs

CONFIG = {"cache": {"/who": 60, "/team": {"sMaxage": 60, "shared": True}, "sessionHeaders": ["X-Forwarded-User"]}}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pyxle.config.json": json.dumps(CONFIG), "counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
             "pages/who.pyxl": WHO, "pages/team.pyxl": WHO}
    root = write_project(tmp_path_factory.mktemp("cache-session-headers") / "app", files)
    (root / "counts").mkdir()
    with serving(root, "--workers", "1", "--no-access-log",
                 env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


@cites("docs/configuration.md", "| `sessionHeaders` | list of header names | `[]` | a request carrying one of these "
                                "is a signed-in visitor's, as one with `Authorization` is |")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
def test_a_visitor_sending_a_session_header_gets_their_own_page_not_the_stored_one(
        app: Server, navigation: str) -> None:
    case = f"session{navigation}"
    path = f"/who?how=get&case={case}"
    first = get(app, path, navigation)
    assert first.headers["x-pyxle-cache"] == "MISS" and data(first)["user"] is None
    hers = get(app, path, navigation, **ALICE)
    assert data(hers)["user"] == "alice" and own(hers), hers.headers  # was: HIT, user None
    again = get(app, path, navigation)
    assert again.headers["x-pyxle-cache"] == "HIT" and data(again)["user"] is None
    assert runs(app, "/who", case) == 2


@cites("docs/pages.md", "through the whole app without their cookies,\n`Authorization` and `cache.sessionHeaders`")
@pytest.mark.parametrize("navigation", ["", "1"], ids=["document", "navigation"])
def test_on_a_shared_route_a_session_header_visitors_miss_is_rendered_without_the_header(
        app: Server, navigation: str) -> None:
    path = f"/team?how=get&case=shared-session{navigation}"
    hers = get(app, path, navigation, **ALICE)
    assert hers.headers["x-pyxle-cache"] == "MISS" and data(hers)["user"] is None  # was: user alice, stored
    theirs = get(app, path, navigation)
    assert theirs.headers["x-pyxle-cache"] == "HIT" and data(theirs) == data(hers)


@cites("docs/pages.md", "a stored document of a route that is not `\"shared\":\n  true` also says `Vary: Cookie, "
                        "Authorization` and each header of `cache.sessionHeaders`")
def test_a_stored_anonymous_page_varies_on_the_session_headers_so_a_shared_cache_keeps_it_from_their_visitors(
        app: Server) -> None:
    """The store skipped X-Forwarded-User's visitors, but the stored page said only ``Vary:
    x-pyxle-navigation, Cookie, Authorization``: a CDN in front that keeps it (it is ``public``) gave
    it to the proxy's signed-in users too, as one copy for every value of the header."""
    path = "/who?how=get&case=vary"
    for state in ("MISS", "HIT"):
        answer = get(app, path, "")
        assert answer.headers["x-pyxle-cache"] == state and answer.headers["cache-control"].startswith("public")
        varied = {name.strip().lower() for name in answer.headers["vary"].split(",")}
        assert {"cookie", "authorization", "x-forwarded-user"} <= varied, answer.headers["vary"]
    shared = get(app, "/team?how=get&case=vary", "")  # a shared route is the same for everyone: it varies on nothing
    assert shared.headers["cache-control"].startswith("public") and "x-forwarded-user" not in shared.headers["vary"].lower()
