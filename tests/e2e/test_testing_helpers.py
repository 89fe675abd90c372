"""pyxle.testing: 0.9.4's load_page/load_loader, call_action, and the pytest plugin's pyxle_client."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from starlette.requests import Request

from pyxle.testing import call_action, load_loader, load_page
from tests.conftest import REPO, link_node_modules, server_env
from tests.docs._blocks import cites

PAGE = '''
from pydantic import BaseModel, Field

class Note(BaseModel):
    text: str = Field(min_length=2)

@server
async def load(request):
    return {"n": int(request.query_params.get("n", "1")) * 2}

@action
async def add(request, body: Note):
    return {"added": body.text}

@action
async def refuse(request):
    raise ActionError("no", status_code=409)

export default function Page({ data }) { return <p>{data.n}</p> }
'''


def _page(tmp_path: Path) -> Path:
    path = tmp_path / "pages" / "notes" / "index.pyxl"
    path.parent.mkdir(parents=True)
    path.write_text(PAGE.lstrip("\n"))
    return path


def test_load_page_and_load_loader_keep_the_0_9_4_signatures() -> None:
    assert str(inspect.signature(load_page)) == "(source_path: '_PathLike', *, build_root: '_PathLike | None' = None) -> 'ModuleType'"
    assert list(inspect.signature(load_loader).parameters) == ["source_path", "build_root"]


def test_load_page_runs_the_python_half_and_load_loader_returns_the_loader(tmp_path: Path) -> None:
    module = load_page(_page(tmp_path))
    assert module.Note(text="hi").text == "hi"
    loader = load_loader(_page(tmp_path.joinpath("again")))
    request = Request({"type": "http", "method": "GET", "path": "/", "query_string": b"n=21", "headers": []})
    assert asyncio.run(loader(request)) == {"n": 42}


def test_call_action_validates_the_body_like_the_server(tmp_path: Path) -> None:
    page = _page(tmp_path)
    assert call_action(page, "add", {"text": "hello"}) == {"ok": True, "added": "hello"}
    refused = call_action(page, "add", {"text": "x"})
    assert refused["status"] == 422 and list(refused["fields"]) == ["text"]
    assert call_action(page, "refuse") == {"ok": False, "error": "no", "status": 409}


def test_the_init_starter_ships_a_passing_test_using_the_plugin(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pyxle", "init", "app"], cwd=tmp_path, env=server_env(), check=True,
                   capture_output=True)
    project = tmp_path / "app"
    link_node_modules(project)
    assert "pyxle_client" in (project / "tests" / "test_app.py").read_text()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                         env=server_env(), capture_output=True, text=True, timeout=240, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "DeprecationWarning" not in run.stdout  # the testing extra's httpx2 is what Starlette asks for


def test_without_an_http_client_library_pytest_still_runs_and_the_client_says_what_to_install(tmp_path: Path) -> None:
    """The plugin is loaded in every suite of an environment that has Pyxle: it must not need
    httpx2 (Starlette's TestClient does), and ``pyxle_client`` must say how to get it."""
    blocker = tmp_path / "no-http-client"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['httpx'] = sys.modules['httpx2'] = None\n")
    project = tmp_path / "app"
    (project / "pages" / "api").mkdir(parents=True)
    (project / "pages" / "api" / "hello.py").write_text("async def get(request): return {'ok': True}\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_it.py").write_text(textwrap.dedent("""
        from pyxle.testing import load_page

        def test_plain():
            assert callable(load_page)

        def test_client(pyxle_client):
            pass
        """))
    env = server_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(blocker), env.get("PYTHONPATH")]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "1 passed, 1 error" in run.stdout, run.stdout + run.stderr
    assert 'pip install "pyxle-framework[testing]"' in run.stdout


def test_pyxle_client_handles_csrf_for_a_users_suite(tmp_path: Path) -> None:
    project = tmp_path / "api-app"
    (project / "pages" / "api").mkdir(parents=True)
    (project / "pyxle.config.json").write_text('{"csrf": {"apiRoutes": true}}')
    (project / "pages" / "api" / "echo.py").write_text("async def post(request): return await request.json()\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_echo.py").write_text(textwrap.dedent("""
        def test_echo(pyxle_client):
            assert pyxle_client.post("/api/echo", json={"a": 1}).json() == {"a": 1}

        def test_without_the_token_it_is_refused(pyxle_client):
            from starlette.testclient import TestClient
            with TestClient(pyxle_client.app) as bare:
                assert bare.post("/api/echo", json={}).status_code == 403
        """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                         env=server_env(), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


LAYOUT_ACTION = '''
from pydantic import BaseModel, Field

class Signup(BaseModel):
    email: str = Field(min_length=5)

@action
async def subscribe(request, body: Signup):
    return {"subscribed": body.email}

'''


def test_call_action_reaches_a_layouts_action_as_the_server_does(tmp_path: Path) -> None:
    """The `pyxle init` starter with an action on its layout: a page's call reaches it, as the page's
    action URL does, and so does a call with the layout's own file."""
    from pyxle.testing import app_client

    subprocess.run([sys.executable, "-m", "pyxle", "init", "app"], cwd=tmp_path, env=server_env(), check=True,
                   capture_output=True)
    project = tmp_path / "app"
    link_node_modules(project)
    layout = project / "pages" / "layout.pyxl"
    layout.write_text(LAYOUT_ACTION + layout.read_text())
    (project / "pages" / "blog").mkdir()
    (project / "pages" / "blog" / "index.pyxl").write_text("export default function Blog() { return <p>blog</p> }\n")

    good, bad = {"email": "ada@example.com"}, {"email": "a"}
    with app_client(project) as client:
        over_http = [client.post(f"/api/__actions/{page}/subscribe", json=body) for page in ("index", "blog/index")
                     for body in (good, bad)]
    expected = [response.json() | ({"status": response.status_code} if response.status_code != 200 else {})
                for response in over_http]
    assert expected[0] == {"ok": True, "subscribed": "ada@example.com"}
    assert expected[1]["status"] == 422 and list(expected[1]["fields"]) == ["email"]

    pages = project / "pages"
    called = [call_action(pages / page, "subscribe", body) for page in ("index.pyxl", "blog/index.pyxl")
              for body in (good, bad)]
    assert called == expected
    assert [call_action(layout, "subscribe", body) for body in (good, bad)] == expected[:2]
    assert call_action(pages / "index.pyxl", "greet", {"name": "Bo"}) == {"ok": True, "greeting": "Hello, Bo!"}
    assert call_action(layout, "greet", {"name": "Bo"})["status"] == 404  # a page's action is not its layout's


def test_call_action_with_a_file_no_url_serves_says_so(tmp_path: Path) -> None:
    """An error page or a loading file is no page: a ValueError naming it, never a bare StopIteration."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "index.pyxl").write_text(PAGE.lstrip("\n"))
    for file in (pages / "not-found.pyxl", pages / "loading.pyxl"):
        file.write_text("export default function Special() { return <p>special</p> }\n")
        try:
            call_action(file, "add", {"text": "hello"})
        except ValueError as error:
            assert str(file) in str(error) and "is not a page, layout or template" in str(error)
        else:
            raise AssertionError(f"call_action({file}) answered")


@cites("docs/migrating.md", "`load_loader` on a page without a loader raises an error that is both a `LookupError` and 0.9's `ValueError`")
@cites("docs/migrating.md", "the module `load_page` returns carries 0.9's `__pyxle_metadata__`")
def test_load_page_and_load_loader_answer_as_0_9_4_did(tmp_path: Path) -> None:
    """A 0.9 test reads ``__pyxle_metadata__.loader_name`` and expects ``ValueError`` without a loader."""
    page = _page(tmp_path)
    metadata = load_page(page).__pyxle_metadata__
    assert (metadata.route_path, metadata.loader_name, metadata.loader_line) == ("/notes", "load", 7)
    assert [(action.name, action.line) for action in metadata.actions] == [("add", 11), ("refuse", 15)]
    assert (metadata.has_loader, metadata.has_actions, metadata.has_websocket) == (True, True, False)
    assert (metadata.cache_revalidate, metadata.standalone, metadata.server_path) == (None, False, "/pages/notes/index.py")
    bare = tmp_path / "pages" / "about.pyxl"
    bare.write_text("export default function About() { return <p>about</p> }\n")
    for expected in (ValueError, LookupError):
        try:
            load_loader(bare)
        except expected as error:
            assert str(bare) in str(error)
        else:
            raise AssertionError("load_loader answered")


AUDIT = """from starlette.requests import Request


class Audit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        print("request from", Request(scope).client)
        await self.app(scope, receive, send)
"""


@cites("docs/testing.md", "A middleware that fails start-up under `pyxle serve` (one that raises on the lifespan\n"
       "scope) fails the client's start-up with the same message")
def test_a_middleware_failing_the_lifespan_fails_the_clients_start_up_with_serves_message(tmp_path: Path) -> None:
    """The tests passed and pytest then hung for ever at teardown: the failed start-up was said
    only in the captured log, and Starlette's TestClient waited for a shutdown that never came."""
    project = tmp_path / "app"
    (project / "pages" / "api").mkdir(parents=True)
    (project / "pyxle.config.json").write_text('{"middleware": ["audit:Audit"]}')
    (project / "audit.py").write_text(AUDIT)
    (project / "pages" / "api" / "hello.py").write_text("async def get(request): return {'hi': 1}\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_hello.py").write_text(textwrap.dedent("""
        from starlette.testclient import TestClient
        from pyxle.app import create_app
        from pyxle.config import load_config

        def test_hello(pyxle_client):
            assert pyxle_client.get("/api/hello").json() == {"hi": 1}

        def test_bare(pyxle_project):
            with TestClient(create_app(load_config(pyxle_project))) as client:
                assert client.get("/api/hello").status_code == 200
        """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                         env=server_env(), capture_output=True, text=True, timeout=120, check=False)
    assert "1 failed, 1 error" in run.stdout, run.stdout + run.stderr
    said = ("audit.py:9: middleware[0] 'audit:Audit' raised on the lifespan scope (the server's start-up): "
            "AssertionError")
    assert run.stdout.count(said) >= 2, run.stdout


TWO_APPS = {
    "pages/api/task.py": "from pyxle.tasks import enqueue\n\n\ndef job():\n    pass\n\n\n"
                         "async def post(request):\n    enqueue(job)\n    return {'queued': True}\n",
    "pages/api/count.py": "from pyxle.realtime import count\n\n\nasync def get(request):\n"
                          "    return {'n': await count('room')}\n",
    "pages/api/live.py": "from pyxle.realtime import channel\n\n\nasync def websocket(ws):\n    await ws.accept()\n"
                         "    async with channel(ws, 'room') as room:\n        await ws.send_json({'online': await room.count()})\n"
                         "        await ws.receive_text()\n",
}


@cites("docs/testing.md", "Two apps may run in one process (a test's own `app_client` beside the session's\n"
       "`pyxle_client`): when one stops, `enqueue()`, `publish()` and `count()` reach the\n"
       "other again")
def test_a_second_app_stopping_leaves_the_first_apps_task_queue_and_realtime_working(tmp_path: Path) -> None:
    """The app started last took over the process's task queue and broker, and its shutdown
    cleared them: every enqueue() of the first app then answered 500 TaskQueueNotRunning."""
    from pyxle.testing import app_client

    project = tmp_path / "app"
    (project / "pages" / "api").mkdir(parents=True)
    for rel, text in TWO_APPS.items():
        (project / rel).write_text(text)
    with app_client(project) as first:
        assert first.post("/api/task").status_code == 200
        with app_client(project) as second:
            assert second.get("/api/count").json() == {"n": 0}
            assert first.post("/api/task").status_code == 200  # on the second's queue while it runs
        assert first.post("/api/task").json() == {"queued": True}
        with first.websocket_connect("/api/live") as ws:
            assert ws.receive_json() == {"online": 1}
            assert first.get("/api/count").json() == {"n": 1}
            ws.send_text("bye")


def _python310() -> str | None:
    """A Python 3.10 that runs: on PATH, or one pyenv installed (its shim fails where it is not selected)."""
    found = [shutil.which("python3.10"), *map(str, sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10")))]
    for python in filter(None, found):
        if subprocess.run([python, "--version"], capture_output=True, check=False, timeout=30).returncode == 0:
            return python
    return None


PYTHON310 = _python310()


@pytest.mark.timeout(600)
@pytest.mark.skipif(PYTHON310 is None, reason="needs a Python 3.10 interpreter (python3.10)")
def test_on_python_3_10_a_suite_run_with_warnings_as_errors_passes(tmp_path: Path) -> None:
    """On 3.10, `pip install "pyxle-framework[testing]"` brings httpx (httpx2 needs 3.11), and
    Starlette warned that httpx is deprecated: `pytest -W error` failed the starter's own test."""
    folder = tmp_path / "venv310"
    subprocess.run([str(PYTHON310), "-m", "venv", str(folder)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"{REPO}[testing]"], check=True, timeout=480, env=env, capture_output=True)
    project = tmp_path / "app"
    (project / "pages" / "api").mkdir(parents=True)
    (project / "pages" / "api" / "hello.py").write_text("async def get(request): return {'ok': True}\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_it.py").write_text(textwrap.dedent("""
        def test_hello(pyxle_client):
            assert pyxle_client.get("/api/hello").json() == {"ok": True}
        """))
    run = subprocess.run([str(folder / "bin" / "python"), "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider",
                          "tests"], cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "1 passed" in run.stdout and "warning" not in run.stdout, run.stdout + run.stderr
