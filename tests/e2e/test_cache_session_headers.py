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
