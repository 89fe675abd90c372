"""`pyxle init`: the starters it writes run as they are, and it never overwrites a file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import DEMO, REPO, PageWatch, link_node_modules, server_env


def pyxle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=120, check=False)


def test_app_starter_serves_its_page_action_and_api_route(tmp_path: Path, start_server, page: PageWatch) -> None:
    made = pyxle("init", "My App", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "next:\n  cd 'My App'\n  pyxle install\n  pyxle dev" in made.stdout
    project = tmp_path / "My App"
    assert json.loads((project / "package.json").read_text())["name"] == "my-app"
    assert (project / ".gitignore").is_file()
    link_node_modules(project)  # what `pyxle install` would put there
    checked = pyxle("check", str(project), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    server = start_server(project)
    assert httpx.get(server.url + "/api/hello").json() == {"message": "Hello, world!"}
    page.page.goto(server.url + "/")
    page.hydrated()
    assert page.page.title() == "Home"
    assert page.page.locator("header strong").inner_text() == "My App"  # the layout's loader
    page.page.get_by_label("increment").click()
    page.page.get_by_label("increment").click()
    assert page.page.locator("output").inner_text() == "2"
    page.page.get_by_role("button", name="Greet me").click()
    page.page.get_by_text("Please enter a name").wait_for()  # the ActionError
    page.page.get_by_label("Your name").fill("Ada")
    page.page.get_by_role("button", name="Greet me").click()
    page.page.get_by_text("Hello, Ada!").wait_for()
    refused = "/api/__actions/index/greet"  # the ActionError's 400, which Chromium logs
    assert [problem for problem in page.problems() if refused not in problem[1]] == []


def test_api_starter_runs_on_python_alone(tmp_path: Path, start_server) -> None:
    made = pyxle("init", "--api", "svc", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "pyxle install" not in made.stdout
    project = tmp_path / "svc"
    assert not (project / "package.json").exists() and not list(project.rglob("*.pyxl"))
    python_only = {"PATH": str(Path(sys.executable).parent)}  # no node, no npm on the way
    server = start_server(project, env=python_only)
    assert httpx.get(server.url + "/api/hello").json() == {"message": "Hello, world!"}
    assert httpx.get(server.url + "/api/greet/Ada").json() == {"message": "Hello, Ada!"}


def test_init_never_overwrites_and_writes_nothing_when_a_file_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "index.pyxl").write_text("mine")
    made = pyxle("init", ".", cwd=tmp_path)
    assert made.returncode == 1
    assert "already has pages/index.pyxl; nothing was written" in made.stderr
    assert (tmp_path / "pages" / "index.pyxl").read_text() == "mine"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["pages", "pages/index.pyxl"]


def test_init_here_has_no_cd_step(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # a fresh repository is a fine place for a project
    made = pyxle("init", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "cd " not in made.stdout and (tmp_path / "pages" / "index.pyxl").is_file()


def test_app_starter_uses_the_package_versions_the_suite_tests() -> None:
    """The starter's npm ranges are the demo's, which CI installs and runs (tests/node matches them)."""
    starter = json.loads((REPO / "src" / "pyxle" / "cli" / "templates" / "app" / "package.json").read_text())
    demo = json.loads((DEMO / "package.json").read_text())
    assert starter["dependencies"] == demo["dependencies"]
    assert starter["devDependencies"] == demo["devDependencies"]
