"""distDir, buildDir and publicDir that would delete the project's files or publish its secrets are
refused before anything is built or served, naming the setting and where it was set."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import link_node_modules, pyxle_command, server_env
from tests.docs._blocks import cites, doc_block

ROUTE = "async def get(request):\n    return {'ok': True}\n"
FILES = {
    "pages/api/hello.py": ROUTE,
    "public/logo.txt": "the user's logo\n",
    "public/server/notes.txt": "the user's notes\n",
    ".env.local": "PYXLE_SECRET_KEY=a-secret-that-must-never-be-served-0123456789\n",
}


def pyxle(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(**env), check=False)


def project_with(make_project, config: dict[str, object] | None = None, **extra: str) -> Path:
    files = {**FILES, **extra}
    if config is not None:
        files["pyxle.config.json"] = json.dumps(config)
    return make_project(files)


def user_files_survive(project: Path) -> None:
    assert (project / "public" / "logo.txt").read_text() == "the user's logo\n"
    assert (project / "public" / "server" / "notes.txt").read_text() == "the user's notes\n"
    assert (project / "pages" / "api" / "hello.py").is_file()


@cites("docs/configuration.md", "start-up\nand `pyxle build` refuse a `distDir` or `buildDir` that is the project folder (`\".\"`)")
@cites("docs/configuration.md", "The error names the\nkey and the file it was set in")
def test_pyxle_build_refuses_a_dist_dir_of_dot_and_the_public_folder_survives(make_project) -> None:
    project = project_with(make_project, {"distDir": "."})
    run = pyxle(project, "build", ".")
    assert run.returncode == 1, run.stdout + run.stderr
    documented = doc_block("docs/configuration.md", "dist-dir-refused").strip()
    assert documented.replace("/app/", f"{project}/") == run.stderr.strip()
    assert "Traceback" not in run.stderr
    user_files_survive(project)


@pytest.mark.parametrize("config,named", [
    ({"buildDir": "."}, 'buildDir "." is the project folder'),
    ({"distDir": "./"}, 'distDir "./" is the project folder'),
    ({"distDir": ".."}, 'distDir ".." contains the project folder'),
    ({"distDir": "pages"}, 'distDir "pages" is the same folder as pagesDir "pages"'),
    ({"distDir": "public"}, 'distDir "public" is the same folder as publicDir "public"'),
    ({"buildDir": "public/build"}, 'buildDir "public/build" is inside publicDir "public"'),
    ({"distDir": "pages/out"}, 'distDir "pages/out" is inside pagesDir "pages"'),
    ({"distDir": "site", "pagesDir": "site/pages"}, 'distDir "site" contains pagesDir "site/pages"'),
])
def test_pyxle_dev_refuses_a_build_folder_that_holds_the_projects_files(make_project, config, named) -> None:
    project = project_with(make_project, config)
    if "pagesDir" in config:
        (project / "site" / "pages" / "api").mkdir(parents=True)
        (project / "site" / "pages" / "api" / "hello.py").write_text(ROUTE)
    run = pyxle(project, "dev", ".", "--print-config")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.startswith(f"pyxle: {project / 'pyxle.config.json'}: "), run.stderr
    assert named in run.stderr and "hint: give" in run.stderr
    assert (project / "public" / "logo.txt").is_file()


@cites("docs/configuration.md", "a `buildDir`\nthat is, contains or lies inside `distDir`")
@pytest.mark.parametrize("command", ["serve", "dev"])
@pytest.mark.parametrize("config,env,named", [
    (None, {"PYXLE_BUILD_DIR": "dist"}, 'PYXLE_BUILD_DIR "dist" is the same folder as distDir "dist"'),
    ({"buildDir": "dist"}, {}, 'buildDir "dist" is the same folder as distDir "dist"'),
    ({"buildDir": "dist/dev"}, {}, 'buildDir "dist/dev" is inside distDir "dist"'),
    ({"buildDir": "out"}, {"PYXLE_DIST_DIR": "out/dist"}, 'buildDir "out" contains PYXLE_DIST_DIR "out/dist"'),
])
def test_a_build_dir_that_shares_the_dist_dir_stops_start_up_naming_both(make_project, start_server, command,
                                                                        config, env, named) -> None:
    """`PYXLE_BUILD_DIR=dist pyxle dev` wrote the development build over the production one, and
    `pyxle serve --skip-build` then shipped React's development build and its source maps."""
    project = project_with(make_project, config)
    server = start_server(project, command, env=env, ready=False)
    deadline = time.monotonic() + 60
    while server.proc.poll() is None:
        assert f"pyxle {command}: http://" not in server.output(), server.output()  # it started: not refused
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    assert server.wait_exit() == 1, server.output()
    output = server.output()
    assert named in output and "pyxle serve ships; hint: give" in output, output
    assert "Traceback" not in output
    assert not (project / "dist").exists() and not (project / "out").exists()  # refused before anything was built


def test_pyxle_dist_dir_from_the_environment_is_refused_naming_the_variable(make_project) -> None:
    project = project_with(make_project)
    run = pyxle(project, "build", ".", PYXLE_DIST_DIR=".")
    assert run.returncode == 1
    assert run.stderr.startswith('pyxle: PYXLE_DIST_DIR "." is the project folder'), run.stderr
    user_files_survive(project)


def test_pyxle_build_dir_from_a_dotenv_file_is_refused_naming_the_file_and_line(make_project) -> None:
    project = project_with(make_project, **{".env": "APP_NAME=x\nPYXLE_BUILD_DIR=.\n"})
    run = pyxle(project, "dev", ".", "--print-config")
    assert run.returncode == 1
    assert run.stderr.startswith(f'pyxle: {project / ".env"}:2: PYXLE_BUILD_DIR "." is the project folder'), run.stderr


@cites("docs/configuration.md", "(or the variable, or `--out-dir`), with a hint:")
def test_pyxle_build_out_dir_of_dot_is_refused_naming_the_flag(make_project) -> None:
    project = project_with(make_project)
    run = pyxle(project, "build", ".", "--out-dir", ".")
    assert run.returncode == 1
    assert run.stderr.startswith('pyxle: --out-dir "." is the project folder'), run.stderr
    user_files_survive(project)


@pytest.mark.parametrize("public_dir,named", [
    (".", 'publicDir "." is the project folder'),
    ("./", 'publicDir "./" is the project folder'),
    ("..", 'publicDir ".." contains the project folder'),
])
@cites("docs/configuration.md", "and a\n`publicDir` that is the project folder, contains it, or contains `pagesDir`")
def test_pyxle_serve_refuses_a_public_dir_that_would_serve_the_project(make_project, start_server,
                                                                        public_dir, named) -> None:
    project = project_with(make_project, {"publicDir": public_dir})
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert f"pyxle: {project / 'pyxle.config.json'}: {named}" in output, output
    assert ".env files and the pages' server code" in output and "Traceback" not in output
    assert "a-secret-that-must-never-be-served" not in output


def test_pyxle_serve_refuses_a_public_dir_that_contains_the_pages(make_project, start_server) -> None:
    project = project_with(make_project, {"publicDir": "site", "pagesDir": "site/pages"})
    (project / "site" / "pages" / "api").mkdir(parents=True)
    (project / "site" / "pages" / "api" / "hello.py").write_text(ROUTE)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    assert 'publicDir "site" contains pagesDir "site/pages"' in server.output()


def test_folders_of_their_own_are_still_served(make_project, start_server) -> None:
    project = project_with(make_project, {"publicDir": "static", "distDir": "out/dist", "buildDir": "out/dev"},
                           **{"static/logo.txt": "static logo\n"})
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/logo.txt").text == "static logo\n"
    assert httpx.get(server.url + "/.env.local").status_code == 404
    assert httpx.get(server.url + "/api/hello").json() == {"ok": True}


ENV_PAGE = """
import React from 'react';

export default function Env() {
    return <p id="dir">{import.meta.env.PYXLE_PUBLIC_DIR}|{process.env.PYXLE_PUBLIC_DIR}</p>;
}
"""


@cites("docs/configuration.md", "`PYXLE_PUBLIC_DIR` | `publicDir` | folder name")
@cites("docs/configuration.md", "`PYXLE_PUBLIC_DIR` sets `publicDir`, as it did in 0.4 to 0.9, and, as there, page code can read\nit like any other public variable")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_pyxle_public_dir_from_the_environment_is_the_public_folder(make_project, start_server, command) -> None:
    project = project_with(make_project, **{"static/logo.txt": "static logo\n", "pages/env.pyxl": ENV_PAGE})
    link_node_modules(project)
    server = start_server(project, command, env={"PYXLE_PUBLIC_DIR": "static"})
    assert httpx.get(server.url + "/logo.txt").text == "static logo\n"
    assert httpx.get(server.url + "/server/notes.txt").status_code == 404  # public/ is not the folder now
    assert '<p id="dir">static<!-- -->|<!-- -->static</p>' in httpx.get(server.url + "/env").text


def test_pyxle_public_dir_from_a_dotenv_file_is_read_and_checked_like_the_others(make_project, start_server) -> None:
    project = project_with(make_project, **{"static/logo.txt": "static logo\n", ".env": "PYXLE_PUBLIC_DIR=static\n"})
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/logo.txt").text == "static logo\n"
    server.stop()
    (project / ".env").write_text("APP_NAME=x\nPYXLE_PUBLIC_DIR=.\n")
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    assert f'pyxle: {project / ".env"}:2: PYXLE_PUBLIC_DIR "." is the project folder' in server.output(), server.output()
    assert "a-secret-that-must-never-be-served" not in server.output()
