"""`pyxle dev` and its settings: an edited `pyxle.config.json` or `PYXLE_*` line of a `.env` file
is applied in a new worker once it loads; one that does not load is reported as start-up reports
it while the last good config keeps serving; a setting only a restart can take is named. A real
`pyxle dev`, edits on disk, answers over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from pyxle.security import sign_cookie
from tests.conftest import PageWatch, Server, free_port, server_env
from tests.docs._blocks import cites

PAGE = {"pages/index.pyxl": "export default function Home() { return <p>home</p> }\n"}
ECHO = {"pages/api/echo.py": "async def post(request):\n    return {'size': len(await request.body())}\n"}
APPLIED = "applied the new pyxle.config.json"


def becomes(check: Callable[[], bool], server: Server, timeout: float = 40) -> None:
    """Wait until ``check()`` holds: a new worker builds the project first, a few seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass  # the old worker has stopped and the new one is not listening yet
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.2)


def lang(server: Server) -> str:
    return httpx.get(server.url + "/", timeout=30).text.split("<html lang=\"", 1)[1].split('"', 1)[0]


def test_an_edited_lang_and_security_header_are_applied_without_a_restart(make_project, start_server) -> None:
    project = make_project({**PAGE, "pyxle.config.json": '{"name": "Cfg"}'}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert lang(server) == "en"
    (project / "pyxle.config.json").write_text(
        json.dumps({"name": "Cfg", "lang": "fr", "securityHeaders": {"X-Probe": "yes"}}))
    out = server.wait_for_output(APPLIED, timeout=40)  # once the new worker serves alone
    assert "reloaded routes after change to pyxle.config.json" not in out
    becomes(lambda: httpx.get(server.url + "/").headers.get("x-probe") == "yes", server)
    assert lang(server) == "fr"


def test_a_config_that_does_not_load_is_reported_and_the_last_good_one_serves_until_fixed(
        make_project, start_server) -> None:
    project = make_project({**PAGE, "pyxle.config.json": '{"lang": "fr"}'}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    config = project / "pyxle.config.json"
    config.write_text('{"debug": tru')
    out = server.wait_for_output(f"{config}: invalid JSON at line 1, column 11: Expecting value", timeout=20)
    assert "pyxle.config.json not applied, the server keeps its last good configuration" in out
    assert lang(server) == "fr"
    config.write_text('{"lang": 5}')  # valid JSON, a wrong value
    server.wait_for_output(f'{config}: lang must be a language tag such as "en" or "pt-BR" (got 5)', timeout=20)
    assert lang(server) == "fr"
    assert APPLIED not in server.output() and "reloaded routes" not in server.output()
    config.write_text('{"lang": "de"}')
    server.wait_for_output(APPLIED, timeout=40)
    becomes(lambda: lang(server) == "de", server)


def test_a_config_edit_refused_for_a_broken_api_route_is_applied_once_the_route_is_fixed(make_project,
                                                                                       start_server) -> None:
    """The edit itself loads; the project did not, for an API route broken then. Fixing the route
    reloads it in the running worker, which hands the edit over again: before, it waited for another
    edit of the config, with the old settings serving and the refusal on screen."""
    route = "async def get(request):\n    return {'ok': True}\n"
    project = make_project({**PAGE, "pages/api/ok.py": route, "pyxle.config.json": '{"lang": "fr"}'}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    api, config = project / "pages" / "api" / "ok.py", project / "pyxle.config.json"
    api.write_text(route.replace("True}", "True"))
    server.wait_for_output("reload failed after change to pages/api/ok.py", timeout=30)
    config.write_text('{"lang": "de"}')
    out = server.wait_for_output("pyxle.config.json not applied, the server keeps its last good configuration", timeout=40)
    assert "pages/api/ok.py:2:" in out.rsplit("not applied", 1)[1]
    api.write_text(route)
    server.wait_for_output(APPLIED, timeout=60)
    becomes(lambda: lang(server) == "de", server)


def test_a_config_edit_is_applied_while_a_page_does_not_build(make_project, start_server) -> None:
    """A page that does not build is that page's error alone: the new worker shows it as the
    running one did, with the edited settings."""
    project = make_project({**PAGE, "pages/other.pyxl": "export default function O() { return <p>other</p> }\n",
                            "pyxle.config.json": '{"lang": "fr"}'}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page, config = project / "pages" / "index.pyxl", project / "pyxle.config.json"
    page.write_text("export default function Home() { return <p>home</p }\n")
    server.wait_for_output("pages/index.pyxl does not build", timeout=30)
    config.write_text('{"lang": "de"}')
    server.wait_for_output(APPLIED, timeout=60)
    becomes(lambda: '<html lang="de"' in httpx.get(server.url + "/other", timeout=20).text, server)
    assert httpx.get(server.url + "/", headers={"accept": "text/html"}, timeout=20).status_code == 500


def test_a_changed_port_is_named_in_one_line_and_the_server_keeps_its_port(make_project) -> None:
    port = free_port()
    project = make_project({**ECHO, "pyxle.config.json": json.dumps({"starlette": {"port": port}})})
    server = Server(["dev", str(project)], project, server_env())
    try:
        server.wait_ready()
        assert server.url.endswith(f":{port}")
        (project / "pyxle.config.json").write_text(json.dumps({"starlette": {"port": port + 1}}))
        server.wait_for_output("pyxle.config.json: starlette.port changed; restart pyxle dev to use it", timeout=20)
        (project / ".env").write_text(f"PYXLE_PORT={port + 2}\n")
        server.wait_for_output(".env: PYXLE_PORT changed; restart pyxle dev to use it", timeout=20)
        time.sleep(1)
        assert server.output().count("changed; restart pyxle dev to use it") == 2, server.output()
        assert httpx.post(f"http://127.0.0.1:{port}/api/echo", content=b"x").json() == {"size": 1}
    finally:
        server.stop()


def test_a_pyxle_setting_edited_in_a_dotenv_file_is_applied_once_it_loads(make_project, start_server) -> None:
    project = make_project(ECHO)
    server = start_server(project, "dev")
    url = server.url + "/api/echo"
    assert httpx.post(url, content=b"x" * 100).status_code == 200
    (project / ".env").write_text("PYXLE_MAX_BODY_SIZE=lots\n")
    server.wait_for_output(f"{project / '.env'}:1: PYXLE_MAX_BODY_SIZE must be", timeout=20)
    assert ".env not applied, the server keeps its last good configuration" in server.output()
    assert httpx.post(url, content=b"x" * 100).status_code == 200
    (project / ".env").write_text("PYXLE_MAX_BODY_SIZE=50\n")
    server.wait_for_output("applied the new .env", timeout=40)
    becomes(lambda: httpx.post(url, content=b"x" * 100).status_code == 413, server)


def test_the_apps_own_dotenv_values_still_reload_in_the_running_worker(make_project, start_server) -> None:
    project = make_project({"pages/api/env.py": "import os\n\n\nasync def get(request):\n"
                                                "    return {'greeting': os.environ.get('GREETING')}\n",
                            ".env": "GREETING=one\n"})
    server = start_server(project, "dev")
    (project / ".env").write_text("GREETING=two\n")
    becomes(lambda: httpx.get(server.url + "/api/env").json() == {"greeting": "two"}, server)
    out = server.wait_for_output("reloaded routes after change to .env")
    assert "new worker" not in out and "applied the new" not in out



HELLO = {"pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n"}
REFUSED = ".env not applied, the server keeps its last good configuration"


def overlay(server: Server) -> str | None:
    """What a tab opened now shows as the error overlay: its event stream starts with the report,
    if there is one, right after its ``hello``."""
    timeout = httpx.Timeout(10, read=2)
    with httpx.stream("GET", server.url + "/__pyxle/events", timeout=timeout) as events:
        lines = events.iter_lines()
        while next(lines) != "event: hello":
            pass
        next(lines), next(lines)  # its data, and the blank line that ends it
        try:
            event = next(lines)
        except httpx.ReadTimeout:
            return None  # nothing to report: the stream waits for the next build
        assert event == "event: error-report", event
        return json.loads(next(lines).removeprefix("data: "))["message"]


def serves(server: Server) -> bool:
    """The page and the API route both answer, as they did before the edit."""
    page = httpx.get(server.url + "/", headers={"accept": "text/html"}, timeout=30)
    api = httpx.get(server.url + "/api/hello", timeout=30)
    return page.status_code == 200 and "home" in page.text and api.json() == {"hello": "world"}


@cites("docs/getting-started.md", "naming the file and the\nsetting (with its line, for invalid JSON and `.env` files), and the running worker keeps serving the\nlast good config until an edit that loads")
def test_a_dotenv_line_that_does_not_parse_is_refused_and_the_last_good_config_serves(
        make_project, start_server) -> None:
    """As a config file that does not load: before, the worker rebuilt with it and every request,
    pages and API routes alike, answered 500 "Build failed" until the file was fixed."""
    project = make_project({**PAGE, **HELLO}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    env = project / ".env"
    env.write_text("FOO=1\nbroken line here\n")
    out = server.wait_for_output(f"{env}: line 2: expected KEY=VALUE", timeout=40)
    assert REFUSED in out and "reload failed" not in out
    assert serves(server)
    becomes(lambda: f"{REFUSED}:\n{env}: line 2: expected KEY=VALUE" == overlay(server), server)
    env.write_text("FOO=1\n")
    server.wait_for_output("applied the new .env", timeout=40)
    becomes(lambda: overlay(server) is None and serves(server), server)


@cites("docs/getting-started.md", "the report of a later edit\nthat does not load replaces it")
def test_a_later_refused_dotenv_edit_replaces_the_earlier_report(make_project, start_server) -> None:
    """Only what is wrong now is shown: the syntax error of the first edit does not stay in the
    answers or above the second edit's error once that edit fixed the line."""
    project = make_project({**PAGE, **HELLO}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    env = project / ".env"
    env.write_text("FOO=1\nbroken line here\n")
    server.wait_for_output(f"{env}: line 2: expected KEY=VALUE", timeout=40)
    env.write_text("FOO=1\nPYXLE_MAX_BODY_SIZE=abc\n")
    problem = f'{env}:2: PYXLE_MAX_BODY_SIZE must be an integer greater than 0 (got "abc")'
    server.wait_for_output(problem, timeout=40)
    becomes(lambda: overlay(server) == f"{REFUSED}:\n{problem}", server)
    assert serves(server)
    env.write_text("FOO=1\n")
    server.wait_for_output("applied the new .env", timeout=40)
    becomes(lambda: overlay(server) is None and serves(server), server)


FUSSY_PLUGIN = '''
from pyxle.plugins import PyxlePlugin

class Fussy(PyxlePlugin):
    name = "fussy"
    async def on_startup(self, ctx):
        if self.settings.get("mood") != "fine":
            raise RuntimeError(f"mood must be 'fine', not {self.settings.get('mood')!r}")
'''


def _plugged(mood: str) -> str:
    return json.dumps({"lang": "fr" if mood == "fine" else "de",
                       "plugins": [{"name": "fussy", "module": "fussy", "attribute": "Fussy", "settings": {"mood": mood}}]})


@cites("docs/getting-started.md", "a\nsetting a plugin refuses at start-up) is reported as start-up reports it")
def test_an_edit_a_plugin_refuses_is_reported_and_the_last_good_config_serves_until_fixed(
        make_project, start_server) -> None:
    project = make_project({**PAGE, "fussy.py": FUSSY_PLUGIN, "pyxle.config.json": _plugged("fine")}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert lang(server) == "fr"
    (project / "pyxle.config.json").write_text(_plugged("grumpy"))
    out = server.wait_for_output("mood must be 'fine', not 'grumpy'", timeout=40)
    assert "pyxle.config.json not applied, the server keeps its last good configuration" in out
    for _ in range(10):  # the running worker keeps answering, with the config it has
        assert lang(server) == "fr"
        time.sleep(0.3)
    assert "crash loop" not in server.output().lower()
    (project / "pyxle.config.json").write_text(_plugged("fine").replace('"fr"', '"es"'))
    server.wait_for_output(APPLIED, timeout=40)
    becomes(lambda: lang(server) == "es", server)


STAMP = '''
class Stamp:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def stamped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-mw", b"VALUE")]
            await send(message)

        await self.app(scope, receive, stamped)
'''
MINE = '''
from pyxle.plugins import PyxlePlugin

class Mine(PyxlePlugin):
    name = "mine"
    async def on_startup(self, ctx):
        ctx.register("mine.value", "VALUE")
'''
VALUE = {"pages/api/value.py": "from pyxle.plugins import plugin\n\n\n"
                               "async def get(request):\n    return {'value': plugin('mine.value')}\n"}


@cites("docs/getting-started.md", "The project's modules that its `middleware` and `plugins` import (and the "
       "modules those import) are applied the same way, in a new worker")
def test_an_edit_to_a_module_of_the_middleware_or_a_plugin_is_applied_in_a_new_worker(
        make_project, start_server, page: PageWatch) -> None:
    """The app holds the middleware and plugins it was built with: a new worker takes the edit, and
    an edit that does not load shows its file and line while the last good code serves."""
    project = make_project({**PAGE, **VALUE, "stamp.py": STAMP.replace("VALUE", "1"), "mine.py": MINE.replace("VALUE", "one"),
                            "pyxle.config.json": json.dumps({"middleware": ["stamp:Stamp"],
                                                             "plugins": [{"name": "mine", "module": "mine", "attribute": "Mine"}]})},
                           node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    url = server.url + "/api/value"
    assert httpx.get(url).headers["x-mw"] == "1"
    (project / "stamp.py").write_text(STAMP.replace("VALUE", "2"))
    becomes(lambda: httpx.get(url).headers.get("x-mw") == "2", server)
    (project / "mine.py").write_text(MINE.replace("VALUE", "two"))
    becomes(lambda: httpx.get(url).json() == {"value": "two"}, server)
    out = server.wait_for_output("stamp.py changed: loading the project with it in a new worker")
    assert "reloaded routes after change to stamp.py" not in out

    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "stamp.py").write_text("class Stamp\n    pass\n")
    out = server.wait_for_output("stamp.py:1: middleware[0] 'stamp:Stamp' cannot be imported: SyntaxError", timeout=40)
    assert "the running worker keeps serving it as it was" in out
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="stamp.py:1:").wait_for(timeout=20000)
    assert "class Stamp" in (overlay.text_content() or "")  # the source line
    assert httpx.get(url).headers["x-mw"] == "2"  # the last good code serves
    (project / "stamp.py").write_text(STAMP.replace("VALUE", "3"))
    becomes(lambda: httpx.get(url).headers.get("x-mw") == "3", server)
    overlay.wait_for(state="detached", timeout=20000)

    (project / "mine.py").write_text("class Mine\n")
    server.wait_for_output("plugin 'mine': cannot import mine: SyntaxError: expected ':' (mine.py, line 1)", timeout=40)
    assert httpx.get(url).json() == {"value": "two"}
    (project / "mine.py").write_text(MINE.replace("VALUE", "three"))
    becomes(lambda: httpx.get(url).json() == {"value": "three"}, server)


def test_an_edit_that_makes_the_middleware_fail_the_lifespan_is_refused_naming_its_line(
        make_project, start_server) -> None:
    """The new worker's start-up would have failed (or, before, never ended): the reload's check
    sends the middleware a lifespan as the worker would, and the running worker keeps serving."""
    project = make_project({**ECHO, "stamp.py": STAMP.replace("VALUE", "1"),
                            "pyxle.config.json": json.dumps({"middleware": ["stamp:Stamp"]})})
    server = start_server(project, "dev")
    url = server.url + "/api/echo"
    assert httpx.post(url, content=b"x").headers["x-mw"] == "1"
    (project / "stamp.py").write_text(STAMP.replace("VALUE", "2").replace(
        "    async def __call__(self, scope, receive, send):\n",
        "    async def __call__(self, scope, receive, send):\n        path = scope[\"path\"]\n"))
    out = server.wait_for_output("stamp.py:7: middleware[0] 'stamp:Stamp' raised on the lifespan scope (the server's "
                                 "start-up): KeyError: 'path'", timeout=40)
    assert "the running worker keeps serving it as it was" in out and 'if scope["type"] != "http"' in out
    assert httpx.post(url, content=b"x").headers["x-mw"] == "1"
    (project / "stamp.py").write_text(STAMP.replace("VALUE", "3"))
    becomes(lambda: httpx.post(url, content=b"x").headers.get("x-mw") == "3", server)


def test_a_refused_secret_key_goes_with_the_dotenv_line_that_set_it(make_project, start_server) -> None:
    """A key the check refused is not kept by the server process for the edits after it: once no
    file sets it, the next edit is checked as the files say."""
    signed = {"pages/api/signed.py": "from pyxle.security import sign_cookie\n\n\n"
                                     "async def get(request):\n    return {'signed': sign_cookie('v')}\n"}
    project = make_project({**ECHO, **signed, "pyxle.config.json": '{"name": "Key"}'})
    server = start_server(project, "dev")
    local = project / ".env.local"
    local.write_text("PYXLE_SECRET_KEY=short\n")
    server.wait_for_output("PYXLE_SECRET_KEY is 5 bytes; it must be at least 32", timeout=40)
    local.write_text("FOO=1\n")
    time.sleep(1)
    local.unlink()
    time.sleep(1)
    (project / "pyxle.config.json").write_text(json.dumps({"name": "Key", "securityHeaders": {"X-Probe": "yes"}}))
    server.wait_for_output(APPLIED, timeout=40)
    becomes(lambda: httpx.post(server.url + "/api/echo", content=b"x").headers.get("x-probe") == "yes", server)
    assert server.output().count("PYXLE_SECRET_KEY is 5 bytes") == 1, server.output()

    local.write_text(f"PYXLE_SECRET_KEY={'k' * 40}\n")  # a good one is applied
    server.wait_for_output("applied the new .env.local", timeout=40)
    expected = sign_cookie("v", "k" * 40)
    becomes(lambda: httpx.get(server.url + "/api/signed").json() == {"signed": expected}, server)


def test_a_fallback_key_added_to_a_dotenv_file_verifies_in_the_next_worker(make_project, start_server) -> None:
    """PYXLE_SECRET_KEY_FALLBACKS is a setting of the server, as PYXLE_SECRET_KEY is: an edit is
    applied in a new worker, whose verify_cookie and CSRF check take the old key."""
    from pyxle.security import sign_cookie

    reader = {"pages/api/who.py": "from pyxle.security import verify_cookie\n\n\n"
                                  "async def get(request):\n"
                                  "    return {'user': verify_cookie(request.cookies.get('s', ''), salt='s')}\n"}
    project = make_project({**ECHO, **reader, ".env.local": f"PYXLE_SECRET_KEY={'n' * 40}\n"})
    server = start_server(project, "dev")
    old = sign_cookie("alice", "short-prod-key-2024", salt="s")

    def user() -> object:
        return httpx.get(server.url + "/api/who", headers={"cookie": f"s={old}", "connection": "close"}).json()["user"]

    assert user() is None
    (project / ".env.local").write_text(f"PYXLE_SECRET_KEY={'n' * 40}\nPYXLE_SECRET_KEY_FALLBACKS=short-prod-key-2024\n")
    becomes(lambda: user() == "alice", server)
    assert server.output().count("PYXLE_SECRET_KEY_FALLBACKS: key 1 of 1 is 19 bytes") == 1, server.output()
