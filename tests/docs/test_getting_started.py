"""docs/getting-started.md, run as a new user would: a fresh virtualenv with Pyxle installed from
this checkout, `pyxle init`, `pyxle dev` picking up the page, the action and the API route as
they are saved, then `pyxle build` and `pyxle serve`. The test npm packages are linked in place
of `pyxle install` (which would download them)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

import pyxle
from tests.conftest import REPO, PageWatch, Server, link_node_modules
from tests.docs._blocks import cites, doc_block, project_files

pytestmark = pytest.mark.timeout(900)
DOC = "docs/getting-started.md"


class Shell:
    """Commands as a user types them: bash, in one folder, with the virtualenv's bin first on PATH."""

    def __init__(self, venv: Path) -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("PYXLE_")}
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
        self.env = env

    def run(self, script: str, cwd: Path, timeout: float = 600) -> str:
        done = subprocess.run(["bash", "-ec", script], cwd=cwd, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, script: str, cwd: Path) -> Running:
        return Running(subprocess.Popen(["bash", "-ec", script], cwd=cwd, env=self.env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True))


class Running(Server):
    """A server started from a shell line (the suite's ``Server``, but not from its own command)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.args, self.proc, self.lines, self.url = [], proc, [], ""
        self._port_found = threading.Event()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        self.wait_ready(timeout=120)


def until(check, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def write(root: Path, project: str) -> None:
    for rel, text in project_files(project).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def local(script: str, url: str = "") -> str:
    """A block's commands on a free port of this machine instead of the fixed one shown."""
    script = script.replace("--host 0.0.0.0 --port 8000", "--host 127.0.0.1 --port 0")
    return script.replace("http://127.0.0.1:8000", url) if url else script


@pytest.fixture(scope="module")
def user(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Shell, Path]]:
    """The install section, run: a virtualenv, and Pyxle from source into it."""
    home = tmp_path_factory.mktemp("user")
    lines = doc_block(DOC, "install").splitlines()
    index_line = next(line for line in lines if "package index" in line)
    wanted = Requirement(index_line.split('"')[1])
    assert wanted.name == "pyxle-framework" and wanted.specifier.contains(pyxle.__version__)
    source_line = next(line for line in lines if "from source" in line)
    script = "\n".join([lines[0], source_line.replace("path/to/pyxle", str(REPO)).split("#")[0]])
    shell = Shell(home / ".venv")
    shell.run(script.replace("pip install", "pip install --quiet --disable-pip-version-check"), cwd=home)
    assert (home / ".venv" / "bin" / "pyxle").is_file()
    yield shell, home


@cites(DOC, "`pyxle dev` applies edits to pages, layouts, API routes, the project's own\nPython modules")
@cites(DOC, "it serves new pages and routes as soon as their file is saved")
@cites(DOC, '`{"ok": true, "notes": [...]}`, and an empty note shows "Write something first" under the form')
@cites(DOC, "another shape (a list, a number in place of the text) gets the same 400, not a 500")
def test_the_page_runs_from_install_to_serve(user: tuple[Shell, Path], page: PageWatch) -> None:
    shell, home = user
    init, cd, install, dev = doc_block(DOC, "init").splitlines()
    made = shell.run(init, cwd=home)
    assert doc_block(DOC, "init-output") in made and cd == "cd my-app" and install == "pyxle install"
    app = home / "my-app"
    link_node_modules(app)  # what `pyxle install` would download
    starter = json.loads((app / "package.json").read_text())
    shown = json.loads(doc_block(DOC, "package-json"))
    assert {k: starter[k] for k in shown} == shown  # the page and the starter agree

    server = shell.start(dev + " --port 0", cwd=app)
    try:
        assert "Welcome to Pyxle" in httpx.get(server.url + "/").text
        write(app, "first-page")
        until(lambda: "<li>Install Pyxle</li>" in httpx.get(server.url + "/notes").text)

        write(app, "first-action")
        until(lambda: httpx.post(server.url + "/api/__actions/notes/add_note").status_code == 403)  # CSRF: it exists
        # and the page's new bundle is built (the server renders the form with it), so no reload
        # from that rebuild reaches the browser between typing and clicking
        until(lambda: "New note" in httpx.get(server.url + "/notes").text)
        page.page.goto(server.url + "/notes")
        page.hydrated()
        page.page.get_by_role("button", name="Add").click()
        page.page.get_by_text("Write something first").wait_for()
        page.page.get_by_label("New note").fill("Buy tea")
        page.page.get_by_role("button", name="Add").click()
        page.page.locator("li", has_text="Buy tea").wait_for()
        assert page.page.locator("li").all_inner_texts() == ["Install Pyxle", "Buy tea"]
        with httpx.Client(base_url=server.url) as client:
            client.get("/notes")
            token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
            answer = client.post("/api/__actions/notes/add_note", json={"text": "Brew it"}, headers=token)
            assert answer.json() == {"ok": True, "notes": ["Install Pyxle", "Buy tea", "Brew it"]}
            for malformed in ([1], "text", {"text": 5}, {"text": None}):  # was a 500: body.get on a list, .strip on 5
                refused = client.post("/api/__actions/notes/add_note", json=malformed, headers=token)
                assert (refused.status_code, refused.json()) == (400, {"ok": False, "error": "Write something first"})

        write(app, "first-route")
        until(lambda: httpx.get(server.url + "/api/notes").status_code == 200)
        answer = shell.run(local(doc_block(DOC, "curl"), server.url), cwd=app)
        assert json.loads(answer)["notes"][0] == "Install Pyxle"
    finally:
        server.stop()

    build, serve = doc_block(DOC, "deploy").splitlines()
    assert "notes" in shell.run(build + " 2>&1", cwd=app)  # the size summary names every page
    production = shell.start(local(serve), cwd=app)
    try:
        assert "<li>Install Pyxle</li>" in httpx.get(production.url + "/notes").text
        assert httpx.get(production.url + "/api/notes").json() == {"notes": ["Install Pyxle"]}
        assert "(workers: 2)" in production.output() and "PYXLE_SECRET_KEY is not set" not in production.output()
    finally:
        production.stop()


@cites(DOC, "An edit to `pyxle.config.json`, or to a `PYXLE_*` setting in a `.env` file")
def test_a_config_edit_applies_without_a_restart(user: tuple[Shell, Path]) -> None:
    shell, home = user
    app = home / "config-app"
    shell.run("pyxle init --api config-app", cwd=home)
    server = shell.start("pyxle dev --port 0", cwd=app)
    try:
        assert httpx.get(server.url + "/api/hello").headers["x-frame-options"] == "DENY"
        (app / "pyxle.config.json").write_text('{"securityHeaders": {"X-Frame-Options": "SAMEORIGIN"}}')
        server.wait_for_output("applied the new pyxle.config.json", timeout=40)
        until(lambda: httpx.get(server.url + "/api/hello").headers["x-frame-options"] == "SAMEORIGIN")
    finally:
        server.stop()
