"""Route hooks written for pyxle-framework 0.9, on a real `pyxle serve`: classes that do not subclass
`RouteHook` (lifecycle methods, or an async `__call__`) wrap API routes, actions and pages, and a
hook Pyxle cannot use stops start-up naming the setting, the file and line, and a hint."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites, doc_block

HOOKS = '''
from starlette.responses import JSONResponse


class Audit:  # 0.9 style: no base class, one lifecycle method
    async def on_post_call(self, request, response, context):
        response.headers["x-audit"] = context.path


class Gate:  # sync and async methods; a response from on_pre_call answers instead
    def on_pre_call(self, request, context):
        if request.headers.get("x-block"):
            return JSONResponse({"blocked": context.target}, status_code=403)

    async def on_error(self, request, context, exc):
        if isinstance(exc, LookupError):
            return JSONResponse({"missing": str(exc)}, status_code=404)


class Timer:  # a class whose instance is a function-style hook
    def __init__(self):
        self.label = "timed"

    async def __call__(self, context, request, call_next):
        response = await call_next(request)
        response.headers["x-timer"] = f"{self.label} {context.target}"
        response.headers["x-allowed"] = ",".join(context.allowed_methods)
        response.headers["x-allowed-repr"] = repr(context.allowed_methods)
        return response
'''

PAGE = '''
@server
async def load(request):
    return {"title": "Home"}

@action
async def save(request):
    return {"saved": True}

export default function Home({ data }) { return <h1>{data.title}</h1> }
'''

PING = "async def get(request):\n    return {'pong': True}\n"
MISSING = "async def get(request):\n    raise KeyError('user 9')\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hooks-compat")
    files = {"hooks.py": HOOKS, "pages/index.pyxl": PAGE, "pages/api/ping.py": PING,
             "pages/api/missing.py": MISSING,
             "pyxle.config.json": json.dumps({"routeMiddleware": {
                 "apis": ["hooks:Audit", "hooks:Gate", "hooks:Timer"],
                 "pages": ["hooks:Audit"],
                 "actions": ["hooks:Gate", "hooks:Timer"]}})}
    with serving(write_project(root, files), env={"PYXLE_SECRET_KEY": "h" * 40}) as server:
        yield server


def _post_action(server: Server, name: str, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        return client.post(f"/api/__actions/index/{name}", json={},
                           headers={"x-csrf-token": client.cookies["pyxle-csrf"], **headers})


def test_a_class_with_only_on_post_call_wraps_an_api_route_as_in_0_9(server: Server) -> None:
    response = httpx.get(server.url + "/api/ping")
    assert response.status_code == 200 and response.json() == {"pong": True}
    assert response.headers["x-audit"] == "/api/ping"


def test_a_class_with_an_async_call_method_is_made_once_and_used_as_a_function_hook(server: Server) -> None:
    assert httpx.get(server.url + "/api/ping").headers["x-timer"] == "timed api"


def test_a_plain_class_on_pre_call_response_answers_instead_of_the_route(server: Server) -> None:
    response = httpx.get(server.url + "/api/ping", headers={"x-block": "1"})
    assert response.status_code == 403 and response.json() == {"blocked": "api"}


def test_a_plain_class_on_error_turns_an_exception_into_its_response(server: Server) -> None:
    response = httpx.get(server.url + "/api/missing")
    assert response.status_code == 404 and response.json() == {"missing": "'user 9'"}


def test_plain_classes_under_route_middleware_actions_wrap_every_action(server: Server) -> None:
    saved = _post_action(server, "save")
    assert saved.status_code == 200 and saved.json() == {"ok": True, "saved": True}
    assert saved.headers["x-timer"] == "timed action"
    assert _post_action(server, "save", **{"x-block": "1"}).json() == {"blocked": "action"}


@cites("docs/middleware.md", "| `allowed_methods` | what the `Allow` header lists, a tuple as in pyxle-framework 0.9 (`(\"POST\",)` for an action) |")
def test_a_hook_reads_the_methods_the_allow_header_lists(server: Server) -> None:
    saved = _post_action(server, "save")
    assert saved.headers["x-allowed"] == "POST"
    assert saved.headers["x-allowed-repr"] == "('POST',)"  # a tuple, as 0.9.4's was (the doc showed a list)
    assert httpx.get(server.url + "/api/__actions/index/save").headers["allow"] == "POST"  # its 405 lists the same
    ping = httpx.get(server.url + "/api/ping")
    assert ping.headers["x-allowed"] == "GET,HEAD,OPTIONS"
    assert httpx.delete(server.url + "/api/ping").headers["allow"] == "GET, HEAD, OPTIONS"


def test_a_plain_class_under_route_middleware_pages_wraps_the_page(server: Server) -> None:
    response = httpx.get(server.url + "/")
    assert response.status_code == 200 and "<h1>Home</h1>" in response.text
    assert response.headers["x-audit"] == "/"


def _start_up_error(make_project, start_server, hooks: str, spec: str, setting: str = "apis") -> str:
    pages = {"pages/index.pyxl": PAGE} if setting != "apis" else {}
    project = make_project({"hooks.py": hooks, "pages/api/ping.py": PING, **pages,
                            "pyxle.config.json": json.dumps({"routeMiddleware": {setting: [spec]}})},
                           node=bool(pages))
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert "Traceback" not in output, output
    return output


NEEDS_ARGS = '''
class Audit:
    def __init__(self, header):
        self.header = header

    async def on_post_call(self, request, response, context):
        response.headers[self.header] = context.path
'''


@cites("docs/middleware.md", "A class that needs arguments to be made, or a value that is none of these, stops start-up")
def test_a_hook_class_that_needs_arguments_stops_start_up_naming_the_setting_file_and_line(
        make_project, start_server) -> None:
    output = _start_up_error(make_project, start_server, NEEDS_ARGS, "hooks:Audit")
    assert doc_block("docs/middleware.md", "hook-class-error") in output, output


@cites("docs/middleware.md", "or a value that is none of these,\nstops start-up naming the setting, the file and line, and a hint")
def test_a_value_that_is_not_a_hook_stops_start_up_naming_the_setting_file_and_line(make_project, start_server) -> None:
    output = _start_up_error(make_project, start_server, "import os\n\nAUDIT = 3\n", "hooks:AUDIT", "actions")
    assert "pyxle: hooks.py:3: routeMiddleware.actions[0] 'hooks:AUDIT' is not a hook: it is an object of type int" in output
    assert "hint: expected async def hook(context, request, call_next)" in output


def test_a_function_with_the_wrong_arguments_stops_start_up_at_its_line(make_project, start_server) -> None:
    output = _start_up_error(make_project, start_server, "import os\n\n\nasync def audit(request):\n    pass\n",
                             "hooks:audit")
    assert ("pyxle: hooks.py:4: routeMiddleware.apis[0] 'hooks:audit' takes (request), not "
            "(context, request, call_next)") in output, output


def test_a_factory_that_returns_no_hook_stops_start_up_at_its_line(make_project, start_server) -> None:
    """0.9 accepted a function of no arguments returning the hook; one returning anything else is named."""
    output = _start_up_error(make_project, start_server, "import os\n\n\ndef audit():\n    return 'x'\n", "hooks:audit")
    assert ("pyxle: hooks.py:4: routeMiddleware.apis[0] 'hooks:audit': audit() returned an object of type str, "
            "not a hook") in output, output
    assert "or a function of no arguments returning one" in output
