"""`pyxle dev` before `pyxle install`: with a `package.json` and no `node_modules`, it runs
`npm install` itself first and says so, as pyxle-framework 0.9.4 did; while the packages are
still missing, each page answers 500 with the dev error page naming the command to run.

Before, it served every page blank with a 200 (`<div id="pyxle-root"></div>` and no script), and
the only hint was a warning line above the banner. The test's `npm` links the suite's packages
in, as a real `npm install` would install them (the registry is not the subject here)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx

from tests.conftest import NODE_MODULES, PageWatch
from tests.docs._blocks import cites

PAGE = 'export default function Home() { return <h1 data-testid="home">hello</h1> }\n'
API = "async def get(request):\n    return {'hello': 'world'}\n"
PACKAGES = json.dumps({"dependencies": {"esbuild": "*", "react": "*", "react-dom": "*"}})
NPM_INSTALLS = f'#!/bin/sh\necho "$PWD $*" >> "$NPM_LOG"\nln -s {NODE_MODULES} node_modules\necho "added 3 packages"\n'
NPM_FAILS = '#!/bin/sh\necho "$PWD $*" >> "$NPM_LOG"\necho "npm error code ENOTFOUND" >&2\nexit 1\n'


def fake_npm(tmp_path: Path, script: str) -> dict[str, str]:
    """The environment of a server whose PATH finds ``script`` as ``npm``; its calls go to npm.log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    npm = folder / "npm"
    npm.write_text(script)
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "NPM_LOG": str(tmp_path / "npm.log")}


@cites("docs/getting-started.md", "`pyxle dev`\nstarted before `pyxle install` (a `package.json` and no `node_modules` folder) runs `npm install`\nitself first and says so")
def test_dev_before_pyxle_install_runs_npm_install_and_serves_the_page(make_project, start_server, tmp_path: Path,
                                                                      page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": PAGE, "package.json": PACKAGES})
    env = fake_npm(tmp_path, NPM_INSTALLS)
    server = start_server(project, "dev", "--ssr-workers", "1", env=env)
    assert (tmp_path / "npm.log").read_text() == f"{project} install --no-audit --no-fund\n"
    out = server.output()
    assert "node_modules is missing: running `npm install` (what `pyxle install` runs)" in out, out
    assert "npm install: done" in out and "pages will not be rendered" not in out, out
    page.page.goto(server.url + "/")
    assert page.page.get_by_test_id("home").inner_text() == "hello"


@cites("docs/getting-started.md", "`pyxle dev` answers each page with `500` and its\nerror page, which names the command to run; the API routes serve")
def test_dev_whose_npm_install_failed_shows_pyxle_install_in_the_browser(make_project, start_server, tmp_path: Path,
                                                                        page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": PAGE, "pages/api/hello.py": API, "package.json": PACKAGES})
    server = start_server(project, "dev", "--ssr-workers", "1", env=fake_npm(tmp_path, NPM_FAILS))
    assert "npm install failed (exit code 1): npm error code ENOTFOUND" in server.output(), server.output()
    answer = httpx.get(server.url + "/", headers={"accept": "text/html"}, timeout=20)
    assert answer.status_code == 500 and "run `pyxle install`" in answer.text, answer.text[:500]
    assert httpx.get(server.url + "/api/hello", timeout=20).json() == {"hello": "world"}
    page.page.goto(server.url + "/")
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.wait_for(timeout=10000)
    assert "npm packages not installed (react, react-dom, esbuild); run `pyxle install`" in overlay.inner_text()


def test_dev_without_package_json_names_the_npm_command_and_runs_nothing(make_project, start_server,
                                                                        tmp_path: Path) -> None:
    project = make_project({"pages/index.pyxl": PAGE})
    server = start_server(project, "dev", "--ssr-workers", "1", env=fake_npm(tmp_path, NPM_INSTALLS))
    assert not (tmp_path / "npm.log").exists() and not (project / "node_modules").exists()
    answer = httpx.get(server.url + "/", headers={"accept": "text/html"}, timeout=20)
    assert answer.status_code == 500 and "`npm install react react-dom esbuild`" in answer.text, answer.text[:500]
