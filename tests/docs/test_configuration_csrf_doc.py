"""docs/configuration.md's CSRF table and the paragraph under it, on a real `pyxle serve`: each
key's default as `--print-config` shows it, and what each value does to a client without a token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import serving, write_project
from tests.docs._blocks import cites
from tests.docs.conftest import pyxle_run

DOC = "docs/configuration.md"
SECRET = {"PYXLE_SECRET_KEY": "c" * 40}
POST = "async def post(request):\n    return {'posted': True}\n"
ROUTES = {"pages/api/items.py": POST, "pages/api/items/[id].py": POST, "pages/api/itemsx.py": POST,
          "pages/api/other.py": POST}
# An action that does not exist: CSRF answers before the action is looked up, so 403 means checked.
ACTION = "/api/__actions/index/save"
NOTE = ("csrf: pages/api/items.py, pages/api/items/[id].py, pages/api/itemsx.py, pages/api/other.py take POST, "
        "PUT, PATCH or DELETE without a CSRF check")


def _project(root: Path, csrf: Any = None) -> Path:
    files = dict(ROUTES)
    if csrf is not None:
        files["pyxle.config.json"] = json.dumps({"csrf": csrf})
    return write_project(root, files, None)


@cites(DOC, "| `csrf.enabled` | `true` / `false` | `true` |")
@cites(DOC, '| `csrf.cookieSameSite` | `"strict"`, `"lax"` or `"none"` | `"lax"` |')
@cites(DOC, "`pyxle dev\n--print-config` shows the unset value as `\"apiRoutes\": null`")
@cites(DOC, "as it would exempt everything) | `[]` |")
def test_print_config_shows_the_tables_defaults(tmp_path: Path) -> None:
    root = _project(tmp_path / "app")
    run = pyxle_run(root, "dev", str(root), "--print-config", **SECRET)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["csrf"] == {
        "enabled": True, "cookieName": "pyxle-csrf", "headerName": "x-csrf-token", "cookieSecure": None,
        "cookieSameSite": "lax", "exemptPaths": [], "apiRoutes": None}
    assert '    "apiRoutes": null\n' in run.stdout


@cites(DOC, "It is on by default. `\"csrf\": false`\nturns it off entirely")
@cites(DOC, "| `csrf` | object, or `false` | CSRF on |")
@pytest.mark.parametrize("csrf", [None, False, {"enabled": False}, {"enabled": False, "apiRoutes": True}])
def test_csrf_is_on_by_default_and_false_turns_it_off_entirely(tmp_path: Path, csrf: Any) -> None:
    with serving(_project(tmp_path / "app", csrf), env=SECRET) as server:
        page = httpx.get(server.url + "/nowhere")  # a page answer (the built-in 404)
        action = httpx.post(server.url + ACTION, json={})
        api = httpx.post(server.url + "/api/items")
    if csrf is None:
        assert page.headers["set-cookie"].startswith("pyxle-csrf=")
        assert (action.status_code, action.json()["error"]) == (403, "CSRF token missing")
    else:
        assert "set-cookie" not in page.headers  # no token is handed out
        assert action.status_code == 404  # not refused: there is just no such action
        assert api.json() == {"posted": True}  # even with apiRoutes: true


@cites(DOC, '| `csrf.cookieSameSite` | `"strict"`, `"lax"` or `"none"` |')
@pytest.mark.parametrize(("csrf", "attributes"), [
    (None, "Path=/; SameSite=Lax"),
    ({"cookieSameSite": "strict"}, "Path=/; SameSite=Strict"),
    ({"cookieSameSite": "none", "cookieSecure": True}, "Path=/; SameSite=None; Secure"),
])
def test_the_cookies_same_site_is_the_one_set(tmp_path: Path, csrf: Any, attributes: str) -> None:
    with serving(_project(tmp_path / "app", csrf), env=SECRET) as server:
        cookie = httpx.get(server.url + "/nowhere").headers["set-cookie"]
    assert cookie.startswith("pyxle-csrf=") and cookie.split("; ", 1)[1] == attributes


@cites(DOC, '`cookieSameSite: "none"` with `cookieSecure: false` is an error: browsers drop such cookies')
def test_same_site_none_without_secure_stops_start_up(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", {"cookieSameSite": "none", "cookieSecure": False})
    run = pyxle_run(root, "serve", str(root), "--port", "0", **SECRET)
    assert run.returncode == 1
    assert ('csrf.cookieSecure cannot be false when csrf.cookieSameSite is "none" '
            "(browsers drop SameSite=None cookies that are not Secure)") in run.stderr


@cites(DOC, "| `csrf.apiRoutes` | `false`, `true`, or a list of path prefixes starting with `/` | unset (`null`): no API "
       "route is checked, and start-up names those that take unsafe methods |")
@cites(DOC, "API routes are not CSRF-checked unless `apiRoutes` says so: `true` checks all of them, a list\nchecks those "
       "under one of the prefixes, by whole path segments (`/api/items` covers `/api/items`\nand `/api/items/7`, "
       "not `/api/itemsx`; an empty list is the same as `false`).\nLeft unset, it checks none, "
       "and start-up prints a note naming the API routes that take POST, PUT,\nPATCH or DELETE without a CSRF check")
@pytest.mark.parametrize(("api_routes", "refused", "noted"), [
    (None, set(), True),
    (False, set(), False),
    ([], set(), False),
    (True, {"/api/items", "/api/items/7", "/api/itemsx", "/api/other"}, False),
    (["/api/items"], {"/api/items", "/api/items/7"}, False),
])
def test_api_routes_are_checked_as_api_routes_says(tmp_path: Path, api_routes: Any, refused: set[str],
                                                  noted: bool) -> None:
    csrf = None if api_routes is None else {"apiRoutes": api_routes}
    with serving(_project(tmp_path / "app", csrf), env=SECRET) as server:
        answers = {path: httpx.post(server.url + path) for path in ("/api/items", "/api/items/7", "/api/itemsx", "/api/other")}
        output = server.output()
    assert {path for path, answer in answers.items() if answer.status_code == 403} == refused
    assert all(answer.json() == {"posted": True} for path, answer in answers.items() if path not in refused)
    assert (NOTE in output) is noted, output
