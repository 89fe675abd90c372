"""`pyxle check` and `pyxle build` fail a project that `pyxle serve` would refuse to start, in the
words serve refuses it with: an API route that defines no handler (importing only tools such as
`JSONResponse`), a `middleware` entry of pyxle.config.json whose module is not there."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites

HELPER = ("from __future__ import annotations\n\nfrom dataclasses import dataclass\n\n"
          "from starlette.responses import JSONResponse\n\n\ndef helper():\n    return JSONResponse({})\n")
ROUTE = "async def get(request):\n    return {}\n"
NO_HANDLER = "pages/api/util.py: defines no handler\n    hint: define functions named after HTTP methods"
MIDDLEWARE = ("pyxle.config.json: middleware[0] 'nosuch.mw:Audit' cannot be imported: ModuleNotFoundError: "
              "No module named 'nosuch'\n    hint: a middleware is named \"module.path:attr\" or \"module.path.attr\", "
              "its module imported from the project root (where pyxle.config.json is)")


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args, str(project)], capture_output=True, text=True, timeout=120,
                          env=server_env(PYXLE_SECRET_KEY="w" * 40), check=False)


def test_an_api_route_importing_only_tools_and_defining_no_handler_fails_check_build_and_serve(make_project) -> None:
    """It passed check and build with 0 errors (an import made it look as if it might bind an
    HTTPEndpoint class), then serve refused to start."""
    project = make_project({"pages/api/util.py": HELPER, "pages/api/ok.py": ROUTE})
    check = pyxle(project, "check")
    assert check.returncode == 1 and NO_HANDLER in check.stdout, check.stdout + check.stderr
    build = pyxle(project, "build")
    assert build.returncode == 1 and NO_HANDLER in build.stderr, build.stdout + build.stderr
    serve = pyxle(project, "serve")
    assert serve.returncode == 1 and NO_HANDLER in serve.stderr, serve.stdout + serve.stderr


def test_a_route_importing_its_class_from_a_project_module_still_passes_check(make_project) -> None:
    project = make_project({"views.py": "from starlette.endpoints import HTTPEndpoint\n\n\nclass Users(HTTPEndpoint):\n"
                                        "    async def get(self, request):\n        return None\n",
                            "pages/api/users.py": "from views import Users\n"})
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr


@cites("docs/middleware.md", "`pyxle check` and `pyxle build` report a `middleware` entry whose module is not there")
def test_a_middleware_entry_that_cannot_be_imported_fails_check_and_build_as_serve_names_it(make_project) -> None:
    project = make_project({"pages/api/ok.py": ROUTE,
                            "pyxle.config.json": json.dumps({"middleware": ["nosuch.mw:Audit"]})})
    serve = pyxle(project, "serve")
    assert serve.returncode == 1 and MIDDLEWARE in serve.stderr, serve.stderr
    check = pyxle(project, "check")
    assert check.returncode == 1 and MIDDLEWARE in check.stdout, check.stdout + check.stderr
    build = pyxle(project, "build")
    assert build.returncode == 1 and MIDDLEWARE in build.stderr, build.stdout + build.stderr


def test_a_middleware_entry_of_the_project_passes_check(make_project) -> None:
    project = make_project({"pages/api/ok.py": ROUTE, "mw.py": "class Audit:\n    def __init__(self, app):\n"
                            "        self.app = app\n\n    async def __call__(self, scope, receive, send):\n"
                            "        await self.app(scope, receive, send)\n",
                            "pyxle.config.json": json.dumps({"middleware": ["mw:Audit", "mw.Audit"]})})
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
