"""`pyxle build` writes a self-contained dist/; `pyxle serve` serves it, rebuilding when stale."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, link_node_modules, server_env
from tests.docs._blocks import cites

PAGE = '''
import math

@server
async def load(request):
    if request.query_params.get("boom"):
        raise RuntimeError("loader exploded")
    return {"word": "first"}

export default function Page({ data }) {
  return <p data-testid="word">word: {data.word}</p>
}
'''
LAYOUT = '''
export default function Layout({ children }) {
  return <main>{children}</main>
}
'''


def pyxle(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], capture_output=True, text=True, env=server_env(),
                          timeout=120, check=False)


@pytest.fixture
def project(make_project) -> Path:
    return make_project({"pages/index.pyxl": PAGE, "pages/layout.pyxl": LAYOUT,
                         "pages/api/ping.py": "async def get(request):\n    return {'pong': True}\n"}, node=True)


def words(server: Server) -> str:
    r = httpx.get(server.url + "/", timeout=10)
    assert r.status_code == 200, r.text
    return r.text.split('data-testid="word">', 1)[1].split("</p>", 1)[0]


def test_build_writes_server_modules_assets_and_manifest(project: Path) -> None:
    out = pyxle("build", str(project))
    assert out.returncode == 0, out.stderr
    dist = project / "dist"
    manifest = json.loads((dist / "manifest.json").read_text())
    assert set(manifest["modules"]) == {"index.pyxl", "layout.pyxl"}
    server_module = dist / manifest["modules"]["index.pyxl"]["server"]
    assert "async def load" in server_module.read_text() and "export default" not in server_module.read_text()
    assert (dist / "server" / "ssr.mjs").is_file()
    js = dist / "public" / manifest["pages"]["index"]["js"].lstrip("/")
    assert js.is_file() and js.with_name(js.name + ".br").is_file() and js.with_name(js.name + ".gz").is_file()
    assert not (dist / "plan.json").exists() and not (dist / "client").exists()  # build intermediates are gone
    assert "index" in out.stdout and "kB" in out.stdout  # the per-page size summary


def test_build_out_dir(project: Path, tmp_path: Path) -> None:
    out = pyxle("build", str(project), "--out-dir", str(tmp_path / "elsewhere"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "elsewhere" / "manifest.json").is_file() and not (project / "dist").exists()


def test_a_current_dist_is_served_without_npm_packages(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    (project / "node_modules").unlink()  # a production machine: node, but no node_modules
    now = time.time() + 10
    for path in project.rglob("*"):  # a fresh checkout: every file has a new mtime
        os.utime(path, (now, now), follow_symlinks=False)
    before = (project / "dist" / "manifest.json").read_text()
    server = start_server(project, "serve")
    assert words(server) == "word: <!-- -->first"
    assert httpx.get(server.url + "/api/ping").json() == {"pong": True}
    assert (project / "dist" / "manifest.json").read_text() == before
    assert "not be server-rendered" not in server.output()


def test_serve_rebuilds_a_stale_dist(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('"first"', '"second"'))
    server = start_server(project, "serve")
    assert words(server) == "word: <!-- -->second"


@contextlib.contextmanager
def read_only(folder: Path, mount_point: Path) -> Iterator[Path]:
    """``folder`` mounted read-only at ``mount_point`` (root ignores file modes, not a read-only mount)."""
    mount_point.mkdir()
    if subprocess.run(["mount", "--bind", str(folder), str(mount_point)], capture_output=True, check=False).returncode:
        pytest.skip("needs to bind-mount a folder (root, mount)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mount_point)], check=True, capture_output=True)
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


@cites("docs/deployment.md", "a read-only project whose build is stale does not start: the log says\n"
                             "`cannot write the build to /app/dist (Read-only file system: ...)`")
def test_serve_of_a_read_only_project_with_a_stale_build_is_one_error_with_a_hint(project: Path, tmp_path: Path,
                                                                                  start_server) -> None:
    """A stale dist/ is rebuilt at start; in a read-only project that failed with a 39-line
    traceback ending in OSError. Now: one line naming the folder, and how to serve it instead."""
    assert pyxle("build", str(project)).returncode == 0
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('"first"', '"second"'))
    with read_only(project, tmp_path / "ro") as mounted:
        server = start_server(mounted, "serve", ready=False)
        assert server.wait_exit() == 1
    out = server.output()
    assert "Traceback" not in out, out
    assert f"pyxle: cannot write the build to {mounted / 'dist'} (Read-only file system: " in out
    assert "run `pyxle build` where the project is writable" in out and "`pyxle serve --skip-build`" in out


def test_skip_build_serves_the_python_and_the_bundle_that_were_built_together(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('"first"', '"second"').replace("word: ", "WORD "))
    server = start_server(project, "serve", "--skip-build")
    assert words(server) == "word: <!-- -->first"  # the built loader, rendered by the built component


def test_skip_build_without_a_build_says_to_build(project: Path, start_server) -> None:
    server = start_server(project, "serve", "--skip-build", ready=False)
    assert server.wait_exit() != 0
    assert "run `pyxle build` first" in server.output()


def test_skip_build_with_a_page_added_after_the_build_names_it(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    (project / "pages" / "late.pyxl").write_text("export default function Late() { return <p>late</p> }\n")
    server = start_server(project, "serve", "--skip-build", ready=False)
    assert server.wait_exit() != 0
    assert "pages/late.pyxl: is not in the build" in server.output()


def test_broken_page_fails_the_build_with_file_and_line(project: Path) -> None:
    (project / "pages" / "broken.pyxl").write_text("@server\nasync def load(request):\n    return {\n\n"
                                                   "export default function B() { return <p>b</p> }\n")
    out = pyxle("build", str(project))
    assert out.returncode == 1
    assert "pages/broken.pyxl:" in out.stderr


def test_errors_in_built_modules_point_into_the_pyxl_file(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    server = start_server(project, "serve")
    r = httpx.get(server.url + "/?boom=1", timeout=10)
    assert r.status_code == 500 and "loader exploded" not in r.text
    server.wait_for_output("loader exploded", 5)
    assert f'File "{project / "pages" / "index.pyxl"}", line 6, in load\n    raise RuntimeError("loader exploded")' in server.output()


def test_without_node_modules_and_without_a_build_pages_say_to_install(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": PAGE})
    server = start_server(project, "serve")
    assert "run `pyxle install`" in server.output()
    link_node_modules(project)  # and once installed, the next start builds
    server.stop()
    server = start_server(project, "serve")
    assert words(server) == "word: <!-- -->first"
