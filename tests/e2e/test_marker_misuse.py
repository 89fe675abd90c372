"""A misused `@server`/`@action`, or an API method name that is not a function, is an error naming
the file, the line and a fix: from `pyxle check` for pages, at start-up for API routes."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.conftest import server_env
from tests.docs._blocks import cites

PAGE = "export default function Home({ data }) {\n  return <p>{data?.n}</p>\n}\n"
LOADER = "@server\nasync def load(request):\n    return {'n': 1}\n\n"


def check(project) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                          env=server_env(), check=False, timeout=120)


@cites("docs/compiler.md", "`@action marks an async def function, not a class (Save)`")
@cites("docs/compiler.md", "`@action takes no positional argument`")
@cites("docs/compiler.md", "`@server is applied twice to load()`")
@pytest.mark.parametrize("python,expected,hint", [
    (LOADER + '@action("save")\nasync def save(request):\n    return {}\n',
     "pages/index.pyxl:5:1: @action takes no positional argument",
     "hint: write `@action`, or `@action(name='save')` to serve it under another name"),
    (LOADER + "@action\nclass Save:\n    pass\n",
     "pages/index.pyxl:6:1: @action marks an async def function, not a class (Save)",
     "hint: write `@action` above `async def save(request):`"),
    ("@server\n@server\nasync def load(request):\n    return {'n': 1}\n",
     "pages/index.pyxl:2:1: @server is applied twice to load()", "hint: remove one of the two @server lines"),
])
def test_check_names_a_misused_marker_at_its_line_with_a_hint(make_project, python, expected, hint) -> None:
    result = check(make_project({"pages/index.pyxl": python + "\n" + PAGE}))
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout and hint in result.stdout, result.stdout
    assert "is a second one" not in result.stdout and "AttributeError" not in result.stdout
    assert "1 error" in result.stderr


def test_serve_refuses_an_action_on_a_class_naming_its_line(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": LOADER + "@action\nclass Save:\n    pass\n\n" + PAGE}, node=True)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(120) == 1
    assert "pages/index.pyxl:6:1: @action marks an async def function, not a class (Save)" in server.output()


@cites("docs/api-routes.md", "A method name bound to something\nthat is not a function")
@pytest.mark.parametrize("source,expected", [
    ("class get:\n    pass\n", "pages/api/bad.py:1: `get` is a class, not a function"),
    ("import os\n\nget = 5\n", "pages/api/bad.py:3: `get` is 5, not a function"),
    ("async def post(request):\n    return {}\n\nget = 'oops'\n", "pages/api/bad.py:4: `get` is 'oops', not a function"),
])
def test_an_api_method_name_that_is_not_a_function_stops_start_up_at_its_line(make_project, start_server, source,
                                                                                expected) -> None:
    server = start_server(make_project({"pages/api/bad.py": source}), "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert expected in output, output
    assert "hint: a handler is a function, async def get(request); rename `get` if it is not one" in output


@cites("docs/api-routes.md", "beside `endpoint`, an `HTTPEndpoint`\nclass or `websocket` alone it is left alone, as 0.9 left it")
def test_a_0_9_endpoint_route_with_a_constant_named_options_still_serves(make_project, start_server) -> None:
    project = make_project({"pages/api/ep.py": "options = {'timeout': 5}\n\n\nasync def endpoint(request):\n"
                                               "    return {'timeout': options['timeout']}\n"})
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/api/ep").json() == {"timeout": 5}
