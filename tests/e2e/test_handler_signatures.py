"""A loader, action or API handler that cannot take the request is refused by `pyxle check` and at
start-up, at the line of its `def`, instead of answering 500 to every request."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.conftest import server_env
from tests.docs._blocks import cites

PAGE = "export default function Home({ data }) {\n  return <p>{data?.n}</p>\n}\n"


def check(project) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                          env=server_env(), check=False, timeout=120)


@cites("docs/compiler.md", "`@server loader load() does not take the request`")
@pytest.mark.parametrize("python,expected", [
    ("@server\nasync def load():\n    return {'n': 1}\n",
     "pages/index.pyxl:2:1: @server loader load() does not take the request"),
    ("@action\nasync def save(*, body: dict):\n    return {}\n",
     "pages/index.pyxl:2:1: action save() does not take the request"),
])
def test_check_refuses_a_loader_or_action_that_takes_no_request(make_project, python, expected) -> None:
    result = check(make_project({"pages/index.pyxl": python + "\n" + PAGE}))
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout
    assert "hint: take the request: async def" in result.stdout


def test_serve_refuses_to_start_with_a_loader_that_takes_no_request(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": "@server\nasync def load():\n    return {'n': 1}\n\n" + PAGE}, node=True)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(120) == 1
    output = server.output()
    assert "pages/index.pyxl:2:1: @server loader load() does not take the request" in output, output
    assert "hint: take the request: async def load(request)" in output


@cites("docs/api-routes.md", "A handler that does not take the\nrequest (`async def get():`) stops start-up at its line")
def test_serve_refuses_an_api_handler_that_takes_no_request_at_its_def_line(make_project, start_server) -> None:
    project = make_project({"pages/api/bad.py": "import json\n\n\nasync def get():\n    return {'ok': True}\n"})
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert "pages/api/bad.py:4: get() does not take the request" in output, output
    assert "hint: take the request: async def get(request)" in output


@cites("docs/compiler.md", "API routes are read too, never\nimported: a handler that does not take the request is an error")
def test_check_reports_an_api_handler_that_takes_no_request(make_project) -> None:
    project = make_project({"pages/api/bad.py": "async def endpoint():\n    return {}\n",
                            "pages/api/ok.py": "async def get(request):\n    return {}\n",
                            "pages/api/_helper.py": "def get():\n    return 1\n"})
    result = check(project)
    assert result.returncode == 1, result.stdout
    assert "pages/api/bad.py:1: endpoint() does not take the request" in result.stdout
    assert "_helper.py" not in result.stdout and "ok.py" not in result.stdout
    assert "checked 2 files: 1 error" in result.stderr


def test_typed_and_plain_api_handlers_still_start_and_answer(make_project, start_server) -> None:
    project = make_project({
        "pages/api/items/[id].py": "async def get(request, id: int, q: str = ''):\n    return {'id': id, 'q': q}\n",
        "pages/api/sync.py": "def get(request):\n    return {'sync': True}\n",
        "pages/api/star.py": "async def get(*args):\n    return {'args': len(args)}\n",
    })
    assert check(project).returncode == 0
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/api/items/7?q=x").json() == {"id": 7, "q": "x"}
    assert httpx.get(server.url + "/api/sync").json() == {"sync": True}
    assert httpx.get(server.url + "/api/star").json() == {"args": 1}
