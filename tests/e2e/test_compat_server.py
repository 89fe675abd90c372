"""An app written for pyxle-framework 0.9 runs unchanged: the server side (hooks, middleware,
route facts, CSRF form field, crashes, loading.pyxl, background tasks), under real `pyxle serve`."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, link_node_modules, pyxle_command, server_env, write_project
from tests.docs._blocks import cites, project_files

NAV = {"x-pyxle-navigation": "1"}

# A root module the config names; importable only because Pyxle puts the project root on sys.path.
MW = '''
class Outer:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def tagged(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-outer", b"1")]
            await send(message)
        await self.app(scope, receive, tagged)
'''

# Hooks as 0.9 apps write them: they read the route facts from the scope, as a plain dict.
HOOKS = '''
import json
from starlette.responses import JSONResponse

def _seen(request, response, name):
    route = request.scope["pyxle"]["route"]
    assert type(route) is dict
    previous = response.headers.get("x-hooks", "")
    response.headers["x-hooks"] = (previous + "," if previous else "") + name
    response.headers["x-route"] = json.dumps(route)
    return response

async def pages(context, request, call_next):
    return _seen(request, await call_next(request), "pages")

async def actions(context, request, call_next):
    if request.headers.get("x-deny"):
        return JSONResponse({"ok": False, "error": "denied by hook"}, status_code=401)
    assert context.target == "action"
    return _seen(request, await call_next(request), "actions")

async def apis(context, request, call_next):
    route = request.scope["pyxle"]["route"]
    if "scribble" in request.query_params:
        route["scribble"] = request.query_params["scribble"]  # must not reach the next request
    return await call_next(request)
'''

# The hand-off file the background tasks wait for: they run only once the test has its response.
TASKS = '''
import time
from pathlib import Path

def after_response(folder, name):
    folder = Path(folder)
    deadline = time.monotonic() + 30
    while not (folder / f"{name}.go").exists():
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)
    (folder / f"{name}.done").write_text("done")
'''

PROBE = '''
import os
from dataclasses import dataclass
from tasks import after_response

@server
async def load(request):
    if request.query_params.get("task"):
        request.state.background.add_task(after_response, os.environ["TASK_DIR"], "loader")
    return {"x": 1}

@action
async def save(request):
    if (await request.json()).get("task"):
        request.state.background.add_task(after_response, os.environ["TASK_DIR"], "action")
    return {"saved": True}

@action
async def explode(request):
    raise RuntimeError("secret action detail 4321")

@action
async def later(request):  # 0.9's shorthand for request.state.background.add_task(fn, *args)
    return {"queued": True, "background": [after_response, os.environ["TASK_DIR"], "shorthand"]}

@action
async def nothing_later(request):
    return {"queued": True, "background": None}

@action
async def misnamed_later(request):
    return {"queued": True, "background": ["after_response", "x"]}

@action
async def echo(request):
    return {"body": await request.json()}

@dataclass
class Note:
    text: str

@action
async def typed(request, note: Note):
    return {"text": note.text}

import React from 'react';
export default function Probe({ data }) { return <p>probe {data.x}</p>; }
'''

BOOM = '''
@server
async def load(request):
    raise RuntimeError("secret loader detail 8765")

import React from 'react';
export default function Boom() { return <p>never</p>; }
'''

ERROR = '''
import React from 'react';
export default function ProbeError({ error, data }) {
  return <p id="error-page">error page: {error.statusCode} {error.message} / {data.message}</p>;
}
'''

LOADING = '''
import React from 'react';
export default function Loading() { return <p>loading...</p>; }
'''

NOT_FOUND = '''
import React from 'react';
export default function ProbeNotFound() { return <p id="not-found-page">no such probe</p>; }
'''

TITLED = '''
HEAD = "<title>Own title</title>"

import React from 'react';
export default function Titled() { return <p>titled</p>; }
'''

# Nested layouts whose loaders return the same key ("shared"), each showing what it receives.
def _layout(name: str, data: str) -> str:
    return f'''
@server
async def load(request):
    return {data}

import React from 'react';
export default function Layout({{ children, data, layoutData }}) {{
  return <div><p id="{name}-data">{{JSON.stringify(data)}}</p>
    <p id="{name}-layoutdata">{{JSON.stringify(layoutData)}}</p>{{children}}</div>;
}}
'''


NESTED_PAGE = '''
@server
async def load(request):
    return {"page": 1, "shared": "page"}

import React from 'react';
export default function Inner({ data, layoutData }) {
  return <><p id="page-data">{JSON.stringify(data)}</p><p id="page-layoutdata">{JSON.stringify(layoutData)}</p></>;
}
'''

API_BG = '''
import os
from tasks import after_response

async def get(request):
    request.state.background.add_task(after_response, os.environ["TASK_DIR"], "api")
    return {"ok": True}
'''

API_ROUTE = "async def get(request):\n    return request.scope['pyxle']['route']\n"

FILES = {
    "mw.py": MW,
    "hooks.py": HOOKS,
    "tasks.py": TASKS,
    "pages/index.pyxl": "import React from 'react';\nexport default function Home() { return <p>home</p>; }\n",
    "pages/probe/index.pyxl": PROBE,
    "pages/probe/boom.pyxl": BOOM,
    "pages/probe/error.pyxl": ERROR,
    "pages/probe/loading.pyxl": LOADING,
    "pages/probe/not-found.pyxl": NOT_FOUND,
    "pages/probe/titled.pyxl": TITLED,
    "pages/nest/layout.pyxl": _layout("outer", '{"site": "Shop", "shared": "outer"}'),
    "pages/nest/inner/layout.pyxl": _layout("inner", '{"section": "shop", "shared": "inner"}'),
    "pages/nest/inner/index.pyxl": NESTED_PAGE,
    "pages/api/bg.py": API_BG,
    "pages/api/route.py": API_ROUTE,
    "pyxle.config.json": json.dumps({
        "name": "compat",
        "middleware": ["mw:Outer"],
        "routeMiddleware": {"pages": ["hooks:pages"], "actions": ["hooks:actions", "hooks:pages"],
                            "apis": ["hooks:apis"]},
    }),
}


def write(root: Path, files: dict[str, str]) -> Path:
    return write_project(root, files, None)


@pytest.fixture(scope="module")
def compat(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("compat") / "app", FILES)
    tasks = root / "task-flags"
    tasks.mkdir()
    server = Server(["serve", str(root), "--port", "0"], root, server_env(PYXLE_SECRET_KEY="c" * 40, TASK_DIR=str(tasks)))
    server.wait_ready(timeout=120)
    server.tasks = tasks  # type: ignore[attr-defined]
    yield server
    server.stop()


@contextmanager
def _client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.get("/probe")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"]}


# -- modules named in the config import from the project root -----------------------------------


def test_middleware_named_in_the_config_imports_from_the_project_root(compat: Server) -> None:
    assert pyxle_command()[0].endswith("/pyxle")  # the installed command, which puts no project folder on sys.path
    assert httpx.get(compat.url + "/api/route").headers["x-outer"] == "1"


def test_middleware_and_hooks_import_from_the_project_root_under_several_workers(tmp_path: Path, start_server) -> None:
    root = write(tmp_path / "api-app", {
        "mw.py": MW, "hooks.py": HOOKS, "pages/api/route.py": API_ROUTE,
        "pyxle.config.json": json.dumps({"middleware": ["mw:Outer"], "routeMiddleware": {"apis": ["hooks:apis"]}}),
    })
    server = start_server(root, "serve", "-w", "2", env={"PYXLE_SECRET_KEY": "w" * 40})  # 0.9's short flag
    for _ in range(6):
        r = httpx.get(server.url + "/api/route")
        assert r.status_code == 200 and r.headers["x-outer"] == "1"


def test_a_middleware_module_that_does_not_exist_stops_start_up_naming_it(tmp_path: Path, start_server) -> None:
    root = write(tmp_path / "bad", {"pages/api/x.py": API_ROUTE,
                                   "pyxle.config.json": json.dumps({"middleware": ["nowhere:Outer"]})})
    server = start_server(root, "serve", ready=False)
    assert server.wait_exit(60) == 1
    assert "middleware[0] 'nowhere:Outer' cannot be imported: ModuleNotFoundError" in server.output()


# The ways pyxle-framework 0.9 let an app pass options to a middleware, and a hook made by a factory.
MW_FORMS = '''
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware


class Stamp:
    def __init__(self, app, value="plain"):
        self.app, self.value = app, value.encode()

    async def __call__(self, scope, receive, send):
        async def stamped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-stamp", self.value)]
            await send(message)
        await self.app(scope, receive, stamped)


class BaseStamp(BaseHTTPMiddleware):
    def __init__(self, app, value="base"):
        super().__init__(app)
        self.value = value

    async def dispatch(self, request, call_next):
        response = await call_next(request)
        response.headers.append("x-stamp", self.value)
        return response


instance = Middleware(Stamp, value="instance")
pair = (BaseStamp, {"value": "pair"})


def factory():
    return Middleware(Stamp, value="factory")
'''

HOOK_FACTORY = '''
def hook_factory():
    async def hook(context, request, call_next):
        response = await call_next(request)
        response.headers["x-hook"] = "factory " + context.target
        return response
    return hook
'''


def test_middleware_given_options_as_0_9_took_them_and_a_hook_factory_run_unchanged(tmp_path: Path, start_server) -> None:
    """A ``Middleware(cls, **options)``, a ``(cls, {options})`` pair and a function returning one
    were refused at start-up (or, for the function, made every request a 500); a hook factory too."""
    root = write(tmp_path / "forms", {
        "mw.py": MW_FORMS, "hooks.py": HOOK_FACTORY, "pages/api/route.py": API_ROUTE,
        "pyxle.config.json": json.dumps({"middleware": ["mw:Stamp", "mw:instance", "mw:factory", "mw:pair"],
                                         "routeMiddleware": {"apis": ["hooks:hook_factory"]}}),
    })
    server = start_server(root, "serve", env={"PYXLE_SECRET_KEY": "f" * 40})
    r = httpx.get(server.url + "/api/route")
    assert r.status_code == 200
    assert r.headers.get_list("x-stamp") == ["pair", "factory", "instance", "plain"]  # the first listed is outermost
    assert r.headers["x-hook"] == "factory api"


@pytest.mark.parametrize(("source", "entry", "expected"), [
    ("import os\n\n\ndef factory():\n    return 3\n", "mw:factory",
     "pyxle: mw.py:4: middleware[0] 'mw:factory': factory() returned an object of type int, not a middleware"),
    ("import os\n\n\nclass Alone:\n    def __init__(self):\n        pass\n", "mw:Alone",
     "pyxle: mw.py:4: middleware[0] 'mw:Alone' takes (), not the app"),
    ("import os\n\nLIMIT = 3\n", "mw:LIMIT",
     "pyxle: mw.py:3: middleware[0] 'mw:LIMIT' is not a middleware: it is an object of type int"),
])
def test_an_entry_that_makes_no_middleware_stops_start_up_at_its_line(tmp_path: Path, start_server, source: str,
                                                                         entry: str, expected: str) -> None:
    """A function returning something else was taken for a middleware class: the server started and
    answered every request with a 500."""
    root = write(tmp_path / "bad", {"mw.py": source, "pages/api/route.py": API_ROUTE,
                                   "pyxle.config.json": json.dumps({"middleware": [entry]})})
    server = start_server(root, "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert expected in output, output
    assert "hint: expected an ASGI middleware class" in output and "Traceback" not in output


UNSAFE_ROUTES = {
    "pages/api/pulse.py": "async def endpoint(request):\n    return {'pulse': 1}\n",  # 0.9.4's starter route
    "pages/api/items.py": "async def get(request):\n    return []\n\nasync def delete(request):\n    return {}\n",
    "pages/api/read.py": "async def get(request):\n    return {}\n",
    "pages/api/webhooks/stripe.py": "async def post(request):\n    return {}\n",
}
UNCHECKED_NOTE = ("csrf: pages/api/items.py, pages/api/pulse.py take POST, PUT, PATCH or DELETE without a CSRF "
                  "check: API routes are checked only when csrf.apiRoutes says so (pyxle-framework 0.3 to 0.9 checked them all)")


def test_api_routes_left_unchecked_by_default_are_named_once_at_start_up(tmp_path: Path, start_server) -> None:
    """0.9 checked CSRF on every API route; an app brought over unchanged is told which of its
    routes a cross-site form could now call unchecked (not GET-only ones, not exempt ones)."""
    root = write(tmp_path / "app", {**UNSAFE_ROUTES,
                                   "pyxle.config.json": json.dumps({"csrf": {"exemptPaths": ["/api/webhooks"]}})})
    server = start_server(root, "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert server.output().count(UNCHECKED_NOTE) == 1
    assert httpx.post(server.url + "/api/pulse").status_code == 200  # the contract's default: not checked


@cites("docs/security.md", "past five routes it names the first five and\n  says `and N more`")
def test_the_note_names_five_unchecked_routes_and_counts_the_rest(tmp_path: Path, start_server) -> None:
    """A large app's hundred routes made one warning line of kilobytes (the large-app probe)."""
    routes = {f"pages/api/r{n:02}.py": "async def post(request):\n    return {}\n" for n in range(12)}
    server = start_server(write(tmp_path / "app", routes), "serve", env={"PYXLE_SECRET_KEY": "w" * 40})
    [line] = [line for line in server.output().splitlines() if "without a CSRF check" in line]
    assert "pages/api/r00.py, pages/api/r01.py, pages/api/r02.py, pages/api/r03.py, pages/api/r04.py and 7 more take POST" in line
    assert "r05" not in line and len(line) < 600


@pytest.mark.parametrize("setting", [False, True, ["/api/items"]])
def test_api_routes_with_csrf_api_routes_set_get_no_note(tmp_path: Path, start_server, setting: object) -> None:
    root = write(tmp_path / "app", {**UNSAFE_ROUTES, "pyxle.config.json": json.dumps({"csrf": {"apiRoutes": setting}})})
    server = start_server(root, "serve", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert "without a CSRF check" not in server.output()
    assert httpx.post(server.url + "/api/pulse").status_code == (403 if setting is True else 200)


@pytest.mark.parametrize("args,note", [
    (["build", "{root}", "--analyze", "--no-incremental"], "pyxle: --no-incremental is not needed: builds are fingerprinted"),
    (["build", "{root}", "--incremental"], "pyxle: --incremental is not needed"),
    (["init", "{root}/new", "--yes"], "pyxle: --yes is not needed: init never prompts"),
    (["dev", "{root}", "--vite-host", "0.0.0.0", "--vite-port", "5174", "--tailwind", "--print-config"],
     "pyxle: --vite-port is not needed: there is no Vite server"),
    (["dev", "{root}", "--no-tailwind", "--no-debug", "--no-dashboard", "--no-inspect", "--print-config"],
     "pyxle: --no-inspect is not needed: there is no debugger to host"),
    (["build", "{root}", "--no-analyze", "--no-static"], "pyxle: --no-static is not needed: pages are rendered"),
    (["init", "{root}/new", "-y", "--no-tailwind", "--no-install", "--no-shadcn"],
     "pyxle: --no-install is not needed: init installs nothing; run pyxle install"),
])
def test_flags_of_0_9_that_are_not_needed_are_accepted_and_named(tmp_path: Path, args: list[str], note: str) -> None:
    """docs/migrating.md marks them "not needed": deploy and CI scripts that pass them keep working."""
    root = write(tmp_path / "app", {"pages/api/hello.py": API_ROUTE})
    link_node_modules(root)
    done = subprocess.run([*pyxle_command(), *(a.replace("{root}", str(root)) for a in args)], capture_output=True,
                          text=True, env=server_env(PYXLE_SECRET_KEY="w" * 40), timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert note in done.stderr


@cites("docs/migrating.md", "`pyxle: --no-serve-static is ignored: Pyxle serves public/ and the build's assets itself "
       "(a CDN in front still caches them)`")
def test_serve_accepts_0_9_s_serve_static_flag(tmp_path: Path, start_server) -> None:
    """It asked not to serve them: the note said "not needed", which read as if it were done."""
    root = write(tmp_path / "app", {"pages/api/hello.py": API_ROUTE})
    server = start_server(root, "serve", "--no-serve-static", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert ("pyxle: --no-serve-static is ignored: Pyxle serves public/ and the build's assets itself "
            "(a CDN in front still caches them)") in server.output()
    assert httpx.get(server.url + "/api/hello").status_code in (200, 404)


# -- route facts --------------------------------------------------------------------------------


def test_route_facts_in_the_scope_are_a_plain_dict_with_the_keys_hooks_read(compat: Server) -> None:
    route = httpx.get(compat.url + "/api/route").json()
    assert route == {
        "target": "api", "path": "/api/route", "pattern": "/api/route", "source": "api/route.py", "module": "pages.api.route",
        "contentHash": route["contentHash"], "hasLoader": False, "head": [],
        "allowedMethods": ["GET", "HEAD", "OPTIONS"], "sourceAbsolutePath": route["sourceAbsolutePath"],
    }
    assert route["sourceAbsolutePath"].endswith("/pages/api/route.py")
    page = json.loads(httpx.get(compat.url + "/probe", headers=NAV).headers["x-route"])
    assert (page["target"], page["path"], page["source"], page["hasLoader"]) == ("page", "/probe", "probe/index.pyxl", True)


def test_what_one_request_writes_into_the_route_facts_no_other_request_sees(compat: Server) -> None:
    httpx.get(compat.url + "/api/route?scribble=secret")
    assert "scribble" not in httpx.get(compat.url + "/api/route").json()


# -- routeMiddleware.actions --------------------------------------------------------------------


def test_action_hooks_wrap_every_action_with_the_action_s_own_route_facts(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/save", json={}, headers=csrf)
        assert r.status_code == 200 and r.json() == {"ok": True, "saved": True}
        assert r.headers["x-hooks"] == "actions,pages"  # "hooks:pages" is listed under both: it runs once
        route = json.loads(r.headers["x-route"])
        assert route["target"] == "action" and route["path"] == "/api/__actions/probe/save"  # as 0.9 named it
        assert route["pattern"] == "/api/__actions/probe/index/save"  # its URL
        assert route["source"] == "probe/index.pyxl" and route["allowedMethods"] == ["POST"]


def test_an_action_hook_can_refuse_the_action(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/save", json={}, headers={**csrf, "x-deny": "1"})
        assert r.status_code == 401 and r.json() == {"ok": False, "error": "denied by hook"}


# -- the CSRF field of forms posted without JavaScript ---------------------------------------------


@pytest.mark.parametrize("field", ["_csrf_token", "csrf_token"])
def test_a_form_posted_without_javascript_may_name_its_csrf_field_either_way(compat: Server, field: str) -> None:
    html = {"accept": "text/html", "referer": compat.url + "/probe"}
    with _client(compat) as (client, csrf):
        token = csrf["x-csrf-token"]
        r = client.post("/api/__actions/probe/index/save", data={field: token}, headers=html)
        assert r.status_code == 303 and r.headers["location"] == "/probe"
        multipart = client.post("/api/__actions/probe/index/save", data={field: token}, files={"f": ("a.txt", b"x")},
                                headers=html)
        assert multipart.status_code == 303
        wrong = client.post("/api/__actions/probe/index/save", data={field: token[:-2] + "xx"}, headers=html)
        assert wrong.status_code == 403


# -- action bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[1, 2]", "42", '"x"', "null", "true"])
def test_an_untyped_action_reads_any_json_value_it_is_sent(compat: Server, body: str) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/echo", content=body,
                        headers={**csrf, "content-type": "application/json"})
        assert r.status_code == 200 and r.json() == {"ok": True, "body": json.loads(body)}


def test_a_typed_action_sent_a_json_array_answers_422(compat: Server) -> None:
    """Its fields are bound from a JSON object: anything else fails validation, as before."""
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/typed", json=[1, 2], headers=csrf)
        assert r.status_code == 422 and r.json()["ok"] is False
        assert client.post("/api/__actions/probe/index/typed", json={"text": "hi"},
                           headers=csrf).json() == {"ok": True, "text": "hi"}


# -- loader and action crashes ------------------------------------------------------------------


def test_a_crashing_loader_renders_error_pyxl_with_500_and_no_exception_text(compat: Server) -> None:
    r = httpx.get(compat.url + "/probe/boom")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert re.search(r'id="error-page">error page: (<!-- -->)?500', r.text)
    assert "Internal Server Error" in r.text and "8765" not in r.text and "RuntimeError" not in r.text
    nav = httpx.get(compat.url + "/probe/boom", headers=NAV)
    assert nav.status_code == 500 and "8765" not in nav.text
    assert nav.json()["error"] == {"message": "Internal Server Error", "statusCode": 500, "data": {},
                                   "type": "ServerError"}
    compat.wait_for_output("RuntimeError: secret loader detail 8765")  # logged, with its traceback


def test_an_error_page_written_for_0_9_hydrates_with_its_error_prop(compat: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.page.goto(compat.url + "/probe/boom")
    page.hydrated()
    assert page.page.locator("#error-page").inner_text() == (
        "error page: 500 Internal Server Error / Internal Server Error")
    console = f"Failed to load resource: the server responded with a status of 500 (Internal Server Error) ({compat.url}/probe/boom)"
    assert page.problems() == [("error", console), ("http", f"500 {compat.url}/probe/boom")]


def test_a_crashing_action_keeps_its_json_for_scripts_and_shows_the_error_page_to_forms(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/explode", json={}, headers=csrf)
        assert r.status_code == 500 and r.json() == {"ok": False, "error": "Internal Server Error"}
        form = client.post("/api/__actions/probe/index/explode", data={"csrf_token": csrf["x-csrf-token"]},
                           headers={"accept": "text/html"})
        assert form.status_code == 500 and 'id="error-page"' in form.text
        assert "4321" not in r.text + form.text


# -- the document: its title and language -----------------------------------------------------------


def _titles(html: str) -> list[str]:
    return re.findall(r"<title>(.*?)</title>", html)


def test_a_page_that_sets_no_title_is_titled_with_the_config_name(compat: Server) -> None:
    assert _titles(httpx.get(compat.url + "/probe").text) == ["compat"]
    assert httpx.get(compat.url + "/probe", headers=NAV).json()["headMarkup"] == "<title>compat</title>"


def test_a_page_s_own_title_replaces_the_config_name(compat: Server) -> None:
    assert _titles(httpx.get(compat.url + "/probe/titled").text) == ["Own title"]
    assert httpx.get(compat.url + "/probe/titled", headers=NAV).json()["headMarkup"] == "<title>Own title</title>"


def test_error_and_not_found_pages_are_titled_with_the_config_name(compat: Server) -> None:
    error = httpx.get(compat.url + "/probe/boom")
    assert error.status_code == 500 and 'id="error-page"' in error.text and _titles(error.text) == ["compat"]
    missing = httpx.get(compat.url + "/probe/nowhere")
    assert missing.status_code == 404 and 'id="not-found-page"' in missing.text and _titles(missing.text) == ["compat"]


@pytest.mark.parametrize("path", ["/probe", "/probe/boom", "/probe/nowhere", "/nowhere"])
def test_every_html_document_declares_its_language(compat: Server, path: str) -> None:
    """A page, its error.pyxl and not-found.pyxl, and the built-in error page."""
    assert '<!DOCTYPE html>\n<html lang="en"><head>' in httpx.get(compat.url + path).text


LANG_PAGE = """
@server
async def load(request):
    return {"ok": True}

export default function Accueil() {
  return <p>bonjour</p>
}
"""


def test_the_config_lang_is_the_language_of_the_pages_and_a_bad_one_stops_start_up(tmp_path: Path,
                                                                                     start_server) -> None:
    """``"lang": "fr-CA"`` declares the pages French; the built-in error page, Pyxle's own English
    text, stays English. A value that is no language tag stops start-up, naming the key."""
    root = write(tmp_path / "fr", {"pages/index.pyxl": LANG_PAGE, "pyxle.config.json": json.dumps({"lang": "fr-CA"})})
    link_node_modules(root)
    server = start_server(root, "serve", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert '<!DOCTYPE html>\n<html lang="fr-CA"><head>' in httpx.get(server.url + "/").text
    assert '<html lang="en">' in httpx.get(server.url + "/nowhere").text  # the built-in 404 page
    bad = write(tmp_path / "bad", {"pages/index.pyxl": LANG_PAGE, "pyxle.config.json": json.dumps({"lang": "en US"})})
    refused = start_server(bad, "serve", env={"PYXLE_SECRET_KEY": "w" * 40}, ready=False)
    assert refused.wait_exit(60) == 1
    assert 'lang must be a language tag such as "en" or "pt-BR"' in refused.output()


@cites("docs/configuration.md", 'a language written right to left (`"ar"`, `"he"`, `"fa-IR"`, `"ur"`, or any tag whose script is, such as `"az-Arab"`) also gets `<html dir="rtl">`')
def test_a_right_to_left_lang_gets_the_document_s_direction_too(tmp_path: Path, start_server) -> None:
    """An Arabic or Hebrew app rendered left to right: punctuation, lists and layout at the wrong
    side, with no way to set it (the document's <html> is Pyxle's)."""
    root = write(tmp_path / "ar", {"pages/index.pyxl": LANG_PAGE, "pyxle.config.json": json.dumps({"lang": "ar"})})
    link_node_modules(root)
    server = start_server(root, "serve", env={"PYXLE_SECRET_KEY": "w" * 40})
    assert '<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>' in httpx.get(server.url + "/").text
    assert '<html lang="en">' in httpx.get(server.url + "/nowhere").text  # Pyxle's own English 404 page


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("he", True), ("fa-IR", True), ("ur-PK", True), ("yi", True),
                                           ("az-Arab", True), ("pa-Arab-PK", True), ("ur-Latn", False), ("en", False),
                                           ("fr-CA", False), ("tr", False), ("zh-Hant-TW", False)])
def test_which_languages_are_written_right_to_left(lang: str, rtl: bool) -> None:
    from pyxle.pages._document import document

    html = document(head=[], body_html="", lang=lang)
    direction = ' dir="rtl"' if rtl else ""
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{lang}"{direction}><head>'), html[:60]


# -- layouts ---------------------------------------------------------------------------------------


def _shown(html: str, element: str) -> dict[str, str]:
    text = re.search(rf'<p id="{element}">(.*?)</p>', html).group(1)  # type: ignore[union-attr]
    return json.loads(text.replace("&quot;", '"'))


def test_layout_data_keeps_the_outer_layout_s_value_of_a_key_two_layouts_return(compat: Server) -> None:
    """As in 0.9: ``layoutData`` is every layout's result merged, the outermost winning."""
    html = httpx.get(compat.url + "/nest/inner").text
    merged = {"site": "Shop", "section": "shop", "shared": "outer"}
    for element in ("outer-layoutdata", "inner-layoutdata", "page-layoutdata"):
        assert _shown(html, element) == merged, element
    assert _shown(html, "page-data") == {"page": 1, "shared": "page"}


def test_a_layout_s_data_holds_its_own_loader_s_value_over_the_outer_ones(compat: Server) -> None:
    """Unlike 0.9, where an inner layout's ``data`` was ``layoutData``: its own value was out of reach."""
    html = httpx.get(compat.url + "/nest/inner").text
    assert _shown(html, "outer-data") == {"site": "Shop", "section": "shop", "shared": "outer"}
    assert _shown(html, "inner-data") == {"site": "Shop", "section": "shop", "shared": "inner"}


# -- loading.pyxl ---------------------------------------------------------------------------------


def test_loading_pyxl_is_never_a_route(compat: Server) -> None:
    r = httpx.get(compat.url + "/probe/loading")
    assert r.status_code == 404 and "loading..." not in r.text
    routes = subprocess.run([*pyxle_command(), "routes", str(Path(compat.args[1])), "--json"], capture_output=True,
                            text=True, env=server_env(), check=True)
    assert "loading" not in " ".join(row["pattern"] for row in json.loads(routes.stdout))


# -- request.state.background ---------------------------------------------------------------------


def _runs_after_the_response(compat: Server, name: str) -> None:
    flags: Path = compat.tasks  # type: ignore[attr-defined]
    assert not (flags / f"{name}.done").exists()  # the response came while the task was still waiting
    (flags / f"{name}.go").write_text("go")
    deadline = time.monotonic() + 20
    while not (flags / f"{name}.done").exists():
        assert time.monotonic() < deadline, f"the {name} task never ran"
        time.sleep(0.05)


def test_background_tasks_of_a_loader_run_after_the_response(compat: Server) -> None:
    r = httpx.get(compat.url + "/probe?task=1", timeout=15)
    assert r.status_code == 200
    _runs_after_the_response(compat, "loader")


def test_background_tasks_of_an_action_run_after_the_response(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        assert client.post("/api/__actions/probe/index/save", json={"task": True}, headers=csrf, timeout=15).status_code == 200
    _runs_after_the_response(compat, "action")


def test_background_tasks_of_an_api_route_run_after_the_response(compat: Server) -> None:
    assert httpx.get(compat.url + "/api/bg", timeout=15).json() == {"ok": True}
    _runs_after_the_response(compat, "api")


def test_an_action_returning_background_fn_and_args_runs_it_after_the_response(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/later", json={}, headers=csrf, timeout=15)
        assert r.status_code == 200 and r.json() == {"ok": True, "queued": True}
    _runs_after_the_response(compat, "shorthand")


def test_an_action_returning_background_none_answers_without_the_key(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/nothing_later", json={}, headers=csrf)
        assert r.status_code == 200 and r.json() == {"ok": True, "queued": True}


def test_an_action_returning_background_without_a_function_is_a_500_naming_it(compat: Server) -> None:
    with _client(compat) as (client, csrf):
        r = client.post("/api/__actions/probe/index/misnamed_later", json={}, headers=csrf)
        assert r.status_code == 500 and r.json() == {"ok": False, "error": "Internal Server Error"}
    compat.wait_for_output("action misnamed_later() of page 'probe/index' returned background=['after_response', 'x']; "
                           "it takes [function, *args] or None")


def test_the_background_task_example_in_the_middleware_guide_runs(tmp_path: Path, start_server) -> None:
    example = project_files("middleware")["pages/api/signup.py"]
    root = write(tmp_path / "guide", {"pages/api/signup.py": example})
    server = start_server(root, env={"PYXLE_SECRET_KEY": "g" * 40})
    assert httpx.post(server.url + "/api/signup", json={"email": "ada@example.com"}).json() == {"ok": True}
    deadline = time.monotonic() + 20
    signups = root / "signups.txt"
    # The task opens the file and then writes it (in a thread): it exists, empty, in between.
    while not (signups.exists() and signups.read_text()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert signups.read_text() == "ada@example.com\n"
