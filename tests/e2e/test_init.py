"""`pyxle init`: the starters it writes run as they are, and it never overwrites a file."""

from __future__ import annotations

import ast
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pyxle.cli._init import folder_for
from tests.conftest import DEMO, REPO, PageWatch, link_node_modules, server_env
from tests.docs._blocks import cites


def pyxle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=120, check=False)


def test_app_starter_serves_its_page_action_and_api_route(tmp_path: Path, start_server, page: PageWatch) -> None:
    made = pyxle("init", "My App", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "next:\n  cd my-app\n  pyxle install\n  pyxle dev" in made.stdout  # a folder name, as 0.9 made it
    project = tmp_path / "my-app"
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
    assert [url for _, url in page.failed if "favicon" in url] == []  # its icon is linked: no /favicon.ico 404
    icon = httpx.get(server.url + "/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    with httpx.Client(base_url=server.url) as client:  # a body of another shape: a 400 too, not a 500
        client.get("/")
        for malformed in ([1], "Ada", {"name": 5}):
            answer = client.post(refused, json=malformed, headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
            assert (answer.status_code, answer.json()) == (400, {"ok": False, "error": "Please enter a name"})


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


@pytest.mark.parametrize("name", ['my "app"', "back\\slash\\", "tab\tname"])
def test_a_folder_name_with_quotes_backslashes_or_a_tab_makes_a_valid_starter(tmp_path: Path, name: str) -> None:
    """The name was pasted into the layout's Python string as it was: `"my "app""` is a syntax
    error, and `"back\\slash\\"` an unterminated string, which `pyxle check` and every page refused."""
    made = pyxle("init", name, "--tailwind", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / folder_for(Path(name))[0]  # a folder name as 0.9 made it; the name kept for the title
    link_node_modules(project)
    checked = pyxle("check", str(project), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    returned = next(line for line in (project / "pages" / "layout.pyxl").read_text().splitlines() if "return" in line)
    assert ast.literal_eval(returned.strip().removeprefix("return ")) == {"site": name}


@cites("docs/getting-started.md", "A name that is not a folder name already is made one, as pyxle-framework 0.9\n"
       "made it: `pyxle init \"Shop Front\"` writes `shop-front/`, titled \"Shop Front\"")
def test_a_project_name_is_made_a_folder_name_as_0_9_made_it(tmp_path: Path) -> None:
    """A script doing `pyxle init "My Shop" && cd my-shop` worked on 0.9; here the folder was `My Shop`."""
    made = pyxle("init", "Shop Front", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "shop-front"
    assert (project / "pages" / "index.pyxl").is_file() and not (tmp_path / "Shop Front").exists()
    assert "in shop-front (app starter)" in made.stdout and "  cd shop-front\n" in made.stdout
    assert (project / "README.md").read_text().startswith("# Shop Front\n")
    assert json.loads((project / "package.json").read_text())["name"] == "shop-front"
    assert pyxle("init", "Blog_App", "--api", cwd=tmp_path).returncode == 0 and (tmp_path / "blog-app").is_dir()
    assert pyxle("init", "sub/Named Folder", "--api", cwd=tmp_path).returncode == 0  # a path: as given
    assert (tmp_path / "sub" / "Named Folder" / "pages").is_dir()


def nothing_written(run: subprocess.CompletedProcess[str], *words: str) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stderr.startswith("pyxle: ") and "nothing was written" in run.stderr, run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


def test_init_under_a_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    nothing_written(pyxle("init", "notes.txt/app", cwd=tmp_path), "notes.txt is a file, not a folder")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_init_where_no_folder_can_be_made_is_one_line_naming_it(tmp_path: Path) -> None:
    nothing_written(pyxle("init", "/proc/nope", cwd=tmp_path), "cannot write /proc/nope")


@cites("docs/pages.md", "or a file stands where it needs a folder (`pages`, `public`), it names them and writes nothing")
@pytest.mark.parametrize("folder", ["pages", "public"])
def test_init_where_a_file_stands_for_a_starter_folder_writes_nothing(tmp_path: Path, folder: str) -> None:
    """It wrote 8 files, then stopped with a traceback; run again, it refused: its own files were in the way."""
    (tmp_path / "t1").mkdir()
    (tmp_path / "t1" / folder).write_text("mine")
    nothing_written(pyxle("init", "t1", cwd=tmp_path), f"t1 has a file named {folder} where the starter needs a folder")
    assert [p.name for p in (tmp_path / "t1").iterdir()] == [folder]
    (tmp_path / "t1" / folder).unlink()
    assert pyxle("init", "t1", cwd=tmp_path).returncode == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` mounted read-only over itself (root ignores file modes, not a read-only mount)."""
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False).returncode:
        pytest.skip("needs to bind-mount a folder (root, mount)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@cites("docs/pages.md", "a folder that refuses a write (read-only, or not there to make) is one error too, and the "
                        "files written before it are removed")
@pytest.mark.parametrize("read_only_folder", ["t3", "t3/pages"])
def test_init_into_a_read_only_folder_leaves_nothing_behind(tmp_path: Path, read_only_folder: str) -> None:
    """It stopped with an OSError traceback. The starter's files go in one by one: when a folder
    refuses one (the project's own, or its pages/ after the files at the top were written), those
    already written are removed."""
    (tmp_path / read_only_folder).mkdir(parents=True)
    with read_only(tmp_path / read_only_folder):
        nothing_written(pyxle("init", "t3", cwd=tmp_path), "(Read-only file system)")
        left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == sorted({"t3", read_only_folder})


def test_init_into_a_path_that_goes_up_writes_the_starter_where_the_path_leads(tmp_path: Path) -> None:
    """`a/b/../c` failed with "cannot write a/b/.. (File exists)" and left `a/b` behind: making the
    folders above a file tried to make `a/b/..` once `a/b` existed."""
    made = pyxle("init", "--api", "a/b/../c", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "a" / "c" / "pages" / "api" / "hello.py").is_file()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["c"]


def test_the_api_starter_ships_passing_tests_too(tmp_path: Path) -> None:
    """The app starter had tests and the API starter none."""
    subprocess.run([sys.executable, "-m", "pyxle", "init", "--api", "api"], cwd=tmp_path, env=server_env(),
                   check=True, capture_output=True)
    project = tmp_path / "api"
    assert "pyxle_client" in (project / "tests" / "test_api.py").read_text()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                         env=server_env(), capture_output=True, text=True, timeout=240, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
