"""`pyxle dev` and a monorepo's shared Python package outside the project (on PYTHONPATH, as
`pip install -e` puts it, or a folder linked into the project): an edit to it reloads the routes
that import it. A real `pyxle dev`, edits on disk, answers over HTTP."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx

from tests.conftest import REPO
from tests.docs._blocks import cites
from tests.e2e.test_dev_watch import answer_becomes

ROUTE = "from shared import shout\n\n\nasync def get(request):\n    return {'msg': shout('api')}\n"
SHARED = "def shout(s):\n    return s.upper() + '!{version}'\n"


def on_path(folder: Path) -> dict[str, str]:
    """The server's environment with ``folder`` on PYTHONPATH, after this checkout's Pyxle."""
    return {"PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(folder)])}


def shared_package(folder: Path) -> Path:
    """A package ``shared`` in ``folder/src``, as a monorepo's ``packages/shared_py`` holds it."""
    package = folder / "src" / "shared"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(SHARED.format(version="v1"))
    return package


@cites("docs/getting-started.md", "It also watches the Python files your code imports from outside the project")
def test_an_edit_to_a_shared_package_on_pythonpath_reloads_the_api_route(tmp_path: Path, make_project,
                                                                          start_server) -> None:
    package = shared_package(tmp_path / "shared_py")
    project = make_project({"pages/api/shout.py": ROUTE})
    server = start_server(project, "dev", env=on_path(package.parent))
    url = server.url + "/api/shout"
    assert answer_becomes(url, "API!v1", "msg") == "API!v1"
    (package / "__init__.py").write_text(SHARED.format(version="v2"))
    assert answer_becomes(url, "API!v2", "msg") == "API!v2"
    server.wait_for_output("reloaded routes after change to ../shared_py/src/shared/__init__.py")


@cites("docs/getting-started.md", "or a folder linked into the project")
def test_an_edit_to_a_shared_folder_linked_into_the_project_reloads_the_api_route(tmp_path: Path, make_project,
                                                                                   start_server) -> None:
    package = shared_package(tmp_path / "shared_py")
    project = make_project({"pages/api/shout.py": ROUTE})
    (project / "shared").symlink_to(package)
    server = start_server(project, "dev")
    url = server.url + "/api/shout"
    assert answer_becomes(url, "API!v1", "msg") == "API!v1"
    (package / "__init__.py").write_text(SHARED.format(version="v2"))
    assert answer_becomes(url, "API!v2", "msg") == "API!v2"
    server.wait_for_output("reloaded routes after change to ../shared_py/src/shared/__init__.py")


def test_an_edit_to_a_submodule_of_a_shared_package_reloads_the_route(tmp_path: Path, make_project,
                                                                                 start_server) -> None:
    package = shared_package(tmp_path / "shared_py")
    (package / "words.py").write_text("WORD = 'one'\n")
    (package / "__init__.py").write_text("from shared.words import WORD\n")
    project = make_project({"pages/api/word.py": "import shared\n\n\nasync def get(request):\n"
                                                 "    return {'word': shared.WORD}\n"})
    server = start_server(project, "dev", env=on_path(package.parent))
    url = server.url + "/api/word"
    assert answer_becomes(url, "one", "word") == "one"
    (package / "words.py").write_text("WORD = 'two'\n")
    assert answer_becomes(url, "two", "word") == "two"


STAMP = '''
from shared import shout


class Stamp:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def stamped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-mw", shout("mw").encode())]
            await send(message)

        await self.app(scope, receive, stamped)
'''


def test_an_edit_to_a_shared_module_the_middleware_imports_is_applied_in_a_new_worker(
        tmp_path: Path, make_project, start_server) -> None:
    """The app holds the middleware it was built with, as for the project's own modules."""
    package = shared_package(tmp_path / "shared_py")
    project = make_project({"pages/api/shout.py": ROUTE, "stamp.py": STAMP,
                            "pyxle.config.json": json.dumps({"middleware": ["stamp:Stamp"]})})
    server = start_server(project, "dev", env=on_path(package.parent))
    url = server.url + "/api/shout"
    assert httpx.get(url).headers["x-mw"] == "MW!v1"
    (package / "__init__.py").write_text(SHARED.format(version="v2"))
    deadline = time.monotonic() + 30
    while httpx.get(url).headers.get("x-mw") != "MW!v2":
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.2)
    assert answer_becomes(url, "API!v2", "msg") == "API!v2"
    server.wait_for_output("../shared_py/src/shared/__init__.py changed: loading the project with it in a new worker")
