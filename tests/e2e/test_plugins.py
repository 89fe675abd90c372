"""Plugins from the package index, unchanged: pyxle-db 0.3.1 (SQLite) and pyxle-auth 0.4.2, under
a real `pyxle serve`; start-up/shutdown order, services, request.state, and start-up failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, server_env, serving, write_project
from tests.docs._blocks import cites

NAV = {"x-pyxle-navigation": "1"}

# Two plugins of the app's own around the real ones: they prove the order of start-up and shutdown.
RECORDER = '''
import os
from pathlib import Path
from pyxle.plugins import PyxlePlugin

def _log(line):
    with Path(os.environ["PLUGIN_LOG"]).open("a") as f:
        f.write(line + "\\n")

class Early(PyxlePlugin):
    name = "early"
    async def on_startup(self, ctx):
        _log("start early: " + ",".join(ctx.names()))
        ctx.register("early.greeting", self.settings["greeting"])
    async def on_shutdown(self, ctx):
        _log("stop early")

class Late(PyxlePlugin):
    name = "late"
    async def on_startup(self, ctx):
        _log("start late: " + ",".join(sorted(ctx.names())))
        _log("late sees project root " + str(ctx.settings.project_root))
    async def on_shutdown(self, ctx):
        _log("stop late: database still open=" + str(ctx.get("db.database") is not None))
'''

NOTES_API = '''
from pyxle_db import get_database
from pyxle.plugins import plugin

async def get(request):
    rows = await get_database().fetchall("SELECT body FROM notes ORDER BY id")
    return {"notes": [row["body"] for row in rows], "greeting": plugin("early.greeting")}
'''

SERVICES_API = '''
async def get(request):
    user = request.user
    return {"services": sorted(request.app.state.pyxle_plugins.names()),
            "user": user.email if user is not None else None}
'''

INDEX = '''
from pyxle_auth import require_user_action

@action
async def add_note(request):
    user = await require_user_action(request)
    body = await request.json()
    await request.state.db.execute("INSERT INTO notes (body, owner) VALUES (?, ?)", [body["body"], user.email])
    return {"added": body["body"]}

@action
async def add_then_fail(request):
    await request.state.db.execute("INSERT INTO notes (body, owner) VALUES (?, ?)", ["rolled back", "x"])
    raise ActionError("refused after writing")

export default function Home() { return null }
'''

ACCOUNT = '''
from pyxle_auth import require_user_page

@server
async def load(request):
    user = await require_user_page(request)
    return {"email": user.email}

export default function Account({ data }) { return data.email }
'''

MIGRATION = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, owner TEXT NOT NULL);\n"

CONFIG = {
    "plugins": [
        {"name": "early", "module": "recorder", "attribute": "Early", "settings": {"greeting": "hello from a plugin"}},
        "pyxle-db",
        {"name": "pyxle-auth", "settings": {"passwordMinLength": 10}},
        {"name": "late", "module": "recorder", "attribute": "Late"},
    ],
}


def write(root: Path, files: dict[str, str]) -> Path:
    return write_project(root, files, None)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    root = write(tmp_path_factory.mktemp("plugins") / "app", {
        "recorder.py": RECORDER, "pages/api/notes.py": NOTES_API, "pages/api/services.py": SERVICES_API,
        "pages/index.pyxl": INDEX, "pages/account.pyxl": ACCOUNT, "migrations/0001-notes.sql": MIGRATION,
        "pyxle.config.json": json.dumps(CONFIG),
    })
    log = root / "plugins.log"
    server = Server(["serve", str(root), "--port", "0"], root, server_env(PYXLE_SECRET_KEY="s" * 40, PLUGIN_LOG=str(log)))
    server.wait_ready(timeout=60)
    server.root, server.log = root, log  # type: ignore[attr-defined]
    yield server
    server.stop()


@contextmanager
def _client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/")  # API routes that did not opt in to CSRF set no token cookie, nor do health checks; pages do
        client.headers["x-csrf-token"] = client.cookies["pyxle-csrf"]
        yield client


def test_plugins_start_in_the_order_listed_and_see_the_services_of_those_before(app: Server) -> None:
    lines = app.log.read_text().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "start early: "
    assert lines[1].startswith("start late: ") and "auth.service" in lines[1] and "db.database" in lines[1]
    assert lines[2] == f"late sees project root {app.root}"  # type: ignore[attr-defined]


def test_services_are_registered_and_looked_up_by_name(app: Server) -> None:
    services = httpx.get(app.url + "/api/services").json()["services"]
    assert {"early.greeting", "db.database", "db.url", "auth.service", "auth.rbac", "auth.settings"} <= set(services)
    assert httpx.get(app.url + "/api/notes").json() == {"notes": [], "greeting": "hello from a plugin"}


def test_the_database_file_is_sqlite_under_the_project_with_the_app_s_migrations(app: Server) -> None:
    database = app.root / "data" / "app.db"  # type: ignore[attr-defined]
    assert database.is_file() and database.read_bytes()[:16] == b"SQLite format 3\x00"


def test_sign_up_sign_in_a_guarded_page_and_action_and_sign_out(app: Server) -> None:
    with _client(app) as client:
        assert client.get("/auth/me").json() == {"user": None}
        guarded = client.get("/account", headers=NAV)
        assert guarded.status_code == 401 and guarded.json()["error"]["message"] == "Sign in to view this page."
        refused = client.post("/api/__actions/index/add_note", json={"body": "x"})
        assert refused.status_code == 401 and refused.json()["error"] == "Sign in to do that."

        weak = client.post("/auth/signup", json={"email": "ada@example.com", "password": "short"})
        assert weak.status_code == 422 and weak.json()["code"] == "weak_password"  # the plugin's own settings apply
        signup = client.post("/auth/signup", json={"email": "ada@example.com", "password": "correct horse battery"})
        assert signup.status_code == 201 and signup.json()["user"]["email"] == "ada@example.com"
        assert client.get("/auth/me").json()["user"]["email"] == "ada@example.com"
        assert client.get("/api/services").json()["user"] == "ada@example.com"  # request.user, set by the plugin
        assert client.get("/account", headers=NAV).json()["props"]["data"] == {"email": "ada@example.com"}

        added = client.post("/api/__actions/index/add_note", json={"body": "first note"})
        assert added.status_code == 200 and added.json() == {"ok": True, "added": "first note"}
        assert client.get("/api/notes").json()["notes"] == ["first note"]  # committed after the action answered

        assert client.post("/auth/logout").json() == {"ok": True}
        assert client.get("/auth/me").json() == {"user": None}
        bad = client.post("/auth/login", json={"email": "ada@example.com", "password": "wrong password!"})
        assert bad.status_code == 401 and bad.json()["code"] == "invalid_credentials"
        good = client.post("/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"})
        assert good.status_code == 200 and client.get("/auth/me").json()["user"]["email"] == "ada@example.com"


def test_an_action_that_fails_rolls_back_what_it_wrote(app: Server) -> None:
    with _client(app) as client:
        r = client.post("/api/__actions/index/add_then_fail", json={})
        assert r.status_code == 400 and r.json()["error"] == "refused after writing"
        assert "rolled back" not in client.get("/api/notes").json()["notes"]


def test_the_auth_endpoints_are_csrf_protected(app: Server) -> None:
    r = httpx.post(app.url + "/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"


def test_plugins_stop_in_reverse_order_when_the_server_stops(tmp_path: Path) -> None:
    root = write(tmp_path / "app", {"recorder.py": RECORDER, "pages/api/services.py": SERVICES_API,
                                    "pyxle.config.json": json.dumps(CONFIG)})
    log = tmp_path / "plugins.log"
    server = Server(["serve", str(root), "--port", "0"], root, server_env(PYXLE_SECRET_KEY="s" * 40, PLUGIN_LOG=str(log)))
    try:
        server.wait_ready(timeout=60)
    finally:
        server.stop()
    lines = log.read_text().splitlines()
    assert lines[-2:] == ["stop late: database still open=True", "stop early"]


def _start_fails(tmp_path: Path, config: dict) -> str:
    root = write(tmp_path / "app", {"recorder.py": RECORDER, "pages/api/services.py": SERVICES_API,
                                    "pyxle.config.json": json.dumps(config)})
    server = Server(["serve", str(root), "--port", "0"], root,
                    server_env(PYXLE_SECRET_KEY="s" * 40, PLUGIN_LOG=str(tmp_path / "log")))
    try:
        assert server.wait_exit(60) == 1
    finally:
        server.stop()
    return server.output()


def test_an_unknown_plugin_stops_start_up_naming_it(tmp_path: Path) -> None:
    output = _start_fails(tmp_path, {"plugins": ["pyxle-payments"]})
    assert "plugin 'pyxle-payments': cannot import pyxle_payments.plugin" in output
    assert "pip install pyxle-payments" in output


def test_a_plugin_that_fails_to_start_stops_the_server_naming_it(tmp_path: Path) -> None:
    output = _start_fails(tmp_path, {"plugins": ["pyxle-auth", "pyxle-db"]})  # auth needs the database first
    assert "plugin 'pyxle-auth' failed to start: PluginServiceError: pyxle-auth requires a database service" in output


@cites("docs/migrating.md", "so that\n  is one line and exit code 1 whatever `--workers` is")
@cites("docs/deployment.md", "the plugins start), the limits and the port before any worker starts,\n  so failures are one clear message and exit code 1")
@cites("docs/migrating.md", "naming its entry in the config (`pyxle: /srv/app/pyxle.config.json: plugins[1]: plugin 'pyxle-auth'\n"
       "  failed to start: ...`)")
def test_a_plugin_that_fails_to_start_under_four_workers_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    # Each worker used to start the plugins, fail, and be started again until granian gave up:
    # thousands of lines, a traceback per attempt, the plugin's start-up run dozens of times.
    failing = """
from pyxle.plugins import PyxlePlugin
import os

class Bad(PyxlePlugin):
    name = "bad"

    async def on_startup(self, ctx):
        with open(os.environ["PLUGIN_LOG"], "a") as log:
            log.write("start\\n")
        raise ValueError("smtpPort must be a number, not 'abc'")

plugin = Bad()
"""
    root = write(tmp_path / "app", {"bad.py": failing, "pages/api/x.py": "async def get(request):\n    return {}\n",
                                    "pyxle.config.json": json.dumps({"plugins": [{"name": "bad", "module": "bad"}]})})
    server = Server(["serve", str(root), "--port", "0", "--workers", "4"], root,
                    server_env(PYXLE_SECRET_KEY="s" * 40, PLUGIN_LOG=str(tmp_path / "log")))
    try:
        assert server.wait_exit(60) == 1
    finally:
        server.stop()
    assert server.output().strip() == (f"pyxle: {root / 'pyxle.config.json'}: plugins[0]: plugin 'bad' failed to start: "
                                       "ValueError: smtpPort must be a number, not 'abc'")
    assert (tmp_path / "log").read_text() == "start\n"  # tried once, before any worker


def test_a_malformed_plugin_entry_stops_start_up_naming_it(tmp_path: Path) -> None:
    output = _start_fails(tmp_path, {"plugins": [{"name": "pyxle-db", "settings": "sqlite"}]})
    assert "plugins[0].settings must be an object" in output


def test_the_pyxle_db_command_migrates_the_database_the_app_uses(tmp_path: Path) -> None:
    """pyxle-db's own command reads the app's config through pyxle.config, pyxle.env and
    pyxle.plugins, and prints through pyxle.cli.logger."""
    import subprocess
    import sys

    root = write(tmp_path / "app", {"migrations/0001-notes.sql": MIGRATION,
                                    "migrations/0002-tags.sql": "CREATE TABLE tags (name TEXT);\n",
                                    "pyxle.config.json": json.dumps({"plugins": [{"name": "pyxle-db",
                                                                                  "settings": {"path": "db/app.db"}}]})})
    command = [str(Path(sys.executable).with_name("pyxle-db"))]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args, "--project", str(root)], capture_output=True, text=True,
                              env=server_env(), timeout=60, check=False)

    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "0001-notes" in migrated.stdout and "0002-tags" in migrated.stdout
    assert (root / "db" / "app.db").is_file()
    status = run("status")
    assert status.returncode == 0 and "2 applied, 0 pending." in status.stdout
    missing = subprocess.run([*command, "status", "--project", str(root), "--config", "other.json"],
                             capture_output=True, text=True, env=server_env(), timeout=60, check=False)
    assert missing.returncode != 0 and "other.json: does not exist" in missing.stdout + missing.stderr


@cites("docs/security.md", "A path under `/api` that no API route answers (a plugin's endpoint, such as\n"
       "pyxle-auth's with `\"authPathPrefix\": \"/api/auth\"`) is checked like any other path")
def test_a_plugins_endpoints_under_api_are_csrf_protected_and_the_projects_api_routes_are_not(tmp_path: Path) -> None:
    """pyxle-auth reads its body as JSON whatever the content type, so an unchecked /api/auth/login
    let a cross-site text/plain form sign a visitor in to another account (pyxle-framework 0.9
    checked it)."""
    config = {"plugins": ["pyxle-db", {"name": "pyxle-auth", "settings": {"passwordMinLength": 10,
                                                                         "authPathPrefix": "/api/auth"}}]}
    root = write(tmp_path / "app", {"pages/api/notes.py": "async def post(request):\n    return {'ok': True}\n",
                                    "pages/api/auth/ping.py": "async def post(request):\n    return {'pong': True}\n",
                                    "pyxle.config.json": json.dumps(config)})
    server = Server(["serve", str(root), "--port", "0"], root, server_env(PYXLE_SECRET_KEY="s" * 40))
    try:
        server.wait_ready(timeout=60)
        forged = httpx.post(server.url + "/api/auth/login", headers={"content-type": "text/plain"},
                            content=json.dumps({"email": "ada@example.com", "password": "correct horse battery"}))
        assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
        assert "set-cookie" not in forged.headers or "pyxle_session" not in forged.headers["set-cookie"]
        assert httpx.post(server.url + "/api/auth/logout").status_code == 403
        # The project's own API routes keep the documented default (unchecked), under /api/auth too.
        assert httpx.post(server.url + "/api/notes").json() == {"ok": True}
        assert httpx.post(server.url + "/api/auth/ping").json() == {"pong": True}
        with httpx.Client(base_url=server.url) as client:  # with the token, the plugin answers as before
            client.get("/api/auth/me")
            signed_up = client.post("/api/auth/signup", json={"email": "ada@example.com", "password": "correct horse battery"},
                                    headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
            assert signed_up.status_code in (200, 201) and signed_up.json()["ok"] is True
    finally:
        server.stop()


AUTH_UNDER_API = {"plugins": ["pyxle-db", {"name": "pyxle-auth", "settings": {"passwordMinLength": 10,
                                                                        "authPathPrefix": "/api/auth"}}]}
CREDENTIALS = json.dumps({"email": "ada@example.com", "password": "correct horse battery"})
CATCH_ALL_API = "async def endpoint(request):\n    return {'catchall': request.url.path}\n"


def _forged(server: Server, path: str) -> httpx.Response:
    """A cross-site form's post: text/plain, JSON in the body, no cookie and no token."""
    return httpx.post(server.url + path, headers={"content-type": "text/plain", "origin": "https://evil.example"},
                      content=CREDENTIALS)


def _refused(answer: httpx.Response) -> bool:
    return (answer.status_code == 403 and answer.json()["code"] == "csrf_failed"
            and "pyxle_session" not in answer.headers.get("set-cookie", ""))


@cites("docs/security.md", "A project API route whose pattern also matches a plugin's endpoint (a catch-all\n"
       "`pages/api/[...rest].py`, or `pages/api/auth/[provider].py`) does not lift that check")
@cites("docs/security.md", "requests without a token are refused\nbefore the plugin runs")
def test_a_catch_all_api_route_leaves_pyxle_auths_endpoints_under_api_checked(tmp_path: Path) -> None:
    """The catch-all's pattern matched /api/auth/login, so CSRF took the URL for the route's, while
    pyxle-auth answered it before the router: a cross-site form signed the visitor in to another
    account. Refused before the plugin runs: the refused sign-up made no account."""
    root = write(tmp_path / "app", {"pages/api/[...rest].py": CATCH_ALL_API,
                                    "pyxle.config.json": json.dumps(AUTH_UNDER_API)})
    with serving(root, env={"PYXLE_SECRET_KEY": "s" * 40}, timeout=60) as server:
        for path in ("/api/auth/signup", "/api/auth/login", "/api/auth/logout"):
            assert _refused(_forged(server, path)), path
        # The catch-all itself keeps the documented default (unchecked), for every method it takes.
        assert httpx.post(server.url + "/api/other").json() == {"catchall": "/api/other"}
        assert httpx.delete(server.url + "/api/elsewhere").json() == {"catchall": "/api/elsewhere"}
        # Under the plugin's prefix, the catch-all only matches: the plugin may be the one answering.
        assert _refused(httpx.delete(server.url + "/api/auth/elsewhere"))
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/api/auth/me").json() == {"user": None}  # the plugin's, with a token cookie
            token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
            assert client.post("/api/auth/login", content=CREDENTIALS, headers=token).status_code == 401  # no account
            assert client.post("/api/auth/signup", content=CREDENTIALS, headers=token).status_code == 201
            assert client.post("/api/auth/logout", headers=token).json()["ok"] is True


@cites("docs/security.md", "Where plugins add middleware, an API route lifts it only for\n"
       "the methods it takes, and under pyxle-auth's `authPathPrefix` only where its file is written for\n"
       "that very URL (`pages/api/auth/ping.py`)")
def test_a_get_only_api_route_matching_pyxle_auths_endpoints_leaves_them_checked(tmp_path: Path) -> None:
    """A route taking only GET lifted the check on every method at the URLs it matches, and
    start-up named it nowhere (it takes no unsafe method). It exempts what it answers: GET."""
    provider = "async def get(request):\n    return {'provider': request.path_params['provider']}\n"
    root = write(tmp_path / "app", {"pages/api/auth/[provider].py": provider,
                                    "pages/api/auth/ping.py": "async def post(request):\n    return {'pong': True}\n",
                                    "pyxle.config.json": json.dumps(AUTH_UNDER_API)})
    with serving(root, env={"PYXLE_SECRET_KEY": "s" * 40}, timeout=60) as server:
        for path in ("/api/auth/signup", "/api/auth/login", "/api/auth/logout", "/api/auth/google"):
            assert _refused(_forged(server, path)), path
        assert httpx.get(server.url + "/api/auth/google").json() == {"provider": "google"}
        # A route written for its own URL answers it, under the plugin's prefix too: unchecked.
        assert httpx.post(server.url + "/api/auth/ping").json() == {"pong": True}
        with httpx.Client(base_url=server.url) as client:
            client.get("/api/auth/me")
            token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
            assert client.post("/api/auth/signup", content=CREDENTIALS, headers=token).status_code == 201


# A plugin of the project's own whose middleware answers two URLs under /api itself, before the
# routes, counting the unsafe requests it answered.
THINGS = '''
from pyxle.plugins import PyxlePlugin
from starlette.responses import JSONResponse

class Things(PyxlePlugin):
    name = "things"
    def middleware(self):
        return [("things:Answer", {})]

class Answer:
    posts = 0
    def __init__(self, app):
        self.app = app
    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] in ("/api/things/do", "/api/stuff/do"):
            if scope["method"] != "GET":
                Answer.posts += 1
            await JSONResponse({"plugin": scope["method"], "posts": Answer.posts})(scope, receive, send)
            return
        await self.app(scope, receive, send)
'''


@cites("docs/security.md", "Any other plugin's answer to an unsafe request at such a URL is refused too when no\n"
       "valid token came (`403`, `csrf_failed`), with a warning naming the request and the route")
@cites("docs/security.md", "That plugin's code has run by then")
def test_an_own_plugins_answer_under_api_where_a_project_api_route_matches_is_refused_without_a_token(
        tmp_path: Path) -> None:
    """A catch-all takes every method: the plugin's answer is refused once it is made. A GET-only
    route does not take POST: that post is refused before the plugin runs."""
    config = {"plugins": [{"name": "things", "module": "things", "attribute": "Things"}]}
    get_only = "async def get(request):\n    return {'verb': request.path_params['verb']}\n"
    root = write(tmp_path / "app", {"things.py": THINGS, "pages/api/[...rest].py": CATCH_ALL_API,
                                    "pages/api/stuff/[verb].py": get_only, "pyxle.config.json": json.dumps(config)})
    with serving(root, env={"PYXLE_SECRET_KEY": "s" * 40}, timeout=60) as server:
        assert _refused(_forged(server, "/api/things/do"))
        assert httpx.get(server.url + "/api/things/do").json() == {"plugin": "GET", "posts": 1}  # it ran
        assert _refused(_forged(server, "/api/stuff/do"))
        assert httpx.get(server.url + "/api/stuff/do").json() == {"plugin": "GET", "posts": 1}  # it did not
        assert httpx.post(server.url + "/api/other").json() == {"catchall": "/api/other"}
        with httpx.Client(base_url=server.url) as client:
            client.get("/")
            token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
            assert client.post("/api/things/do", headers=token).json() == {"plugin": "POST", "posts": 2}
            assert client.post("/api/stuff/do", headers=token).json() == {"plugin": "POST", "posts": 3}
        out = server.wait_for_output("/api/things/do was answered")
    assert ("csrf: POST /api/things/do was answered by middleware, not by the API route pages/api/[...rest].py "
            "that matches it") in out, out  # the docs' example, as printed
    assert "/api/stuff/do was answered" not in out


@cites("docs/migrating.md", "pyxle-auth limits sign-ups to 5 an hour from one client address (its `rateLimitSignUpPerHour`\n"
       "  setting): the next is answered 429 with `Retry-After` and `\"code\": \"rate_limited\"`")
@cites("docs/migrating.md", "It reads the\n  address from `request.client`, so behind a proxy list the proxy in `--forwarded-allow-ips`")
def test_pyxle_auth_caps_sign_ups_per_client_address_which_a_trusted_proxy_names(tmp_path: Path) -> None:
    """Each visitor behind the trusted proxy has a cap of their own: the sixth sign-up from one
    address is refused, and another address still signs up."""
    config = {"plugins": ["pyxle-db", "pyxle-auth"], "forwardedAllowIps": ["127.0.0.1"]}
    root = write(tmp_path / "app", {"pyxle.config.json": json.dumps(config)})
    server = Server(["serve", str(root), "--port", "0"], root, server_env(PYXLE_SECRET_KEY="s" * 40))
    try:
        server.wait_ready(timeout=60)
        with _client(server) as client:
            def sign_up(n: int, address: str) -> httpx.Response:
                client.cookies.delete("pyxle_session")
                return client.post("/auth/signup", headers={"x-forwarded-for": address},
                                   json={"email": f"user{n}@example.com", "password": "correct horse battery"})

            assert [sign_up(n, "203.0.113.7").status_code for n in range(5)] == [201] * 5
            refused = sign_up(5, "203.0.113.7")
            assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
            assert int(refused.headers["retry-after"]) > 0
            assert sign_up(6, "198.51.100.2").status_code == 201
    finally:
        server.stop()
