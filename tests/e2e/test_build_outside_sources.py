"""Files a build reads from outside the project's folders: a monorepo's shared components imported by
a relative path (`../../shared/S.jsx`), and a folder linked into the project (`components/shared ->
elsewhere`). Their edits make `dist/` stale for `pyxle serve` and rebuild a running `pyxle dev`, as
any component's do. A real `pyxle build`, `serve` and `dev`, edits on disk, answers over HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites
from tests.e2e.test_dev_watch import page_shows

SHARED = "export default function S() {{ return <em>{text}</em> }}\n"
IMPORTS = {"outside": "../../shared/S.jsx", "linked": "../components/shared/S.jsx"}


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=180,
                          env=server_env(), check=False)


@pytest.fixture(params=sorted(IMPORTS))
def layout(request: pytest.FixtureRequest, make_project, tmp_path: Path) -> tuple[Path, Path]:
    """The project, and the shared component it imports: beside the project, or in a folder that
    lies elsewhere, linked into the project's components/."""
    shared = tmp_path / ("shared" if request.param == "outside" else "elsewhere")
    shared.mkdir()
    (shared / "S.jsx").write_text(SHARED.format(text="shared one"))
    page = f"import S from '{IMPORTS[request.param]}'\nexport default function P() {{ return <h1>out <S /></h1> }}\n"
    project = make_project({"pages/index.pyxl": page}, node=True)
    if request.param == "linked":
        (project / "components").mkdir()
        (project / "components" / "shared").symlink_to(shared)
    return project, shared / "S.jsx"


@cites("docs/deployment.md", "a component, also one outside the project")
def test_serve_rebuilds_after_an_edit_to_a_file_outside_the_project(layout, start_server) -> None:
    project, shared = layout
    built = pyxle(project, "build", ".")
    assert built.returncode == 0, built.stdout + built.stderr
    shared.write_text(SHARED.format(text="shared two"))
    server = start_server(project, "serve", "--ssr-workers", "1")
    assert "shared two" in httpx.get(server.url + "/").text


def test_dev_applies_an_edit_to_a_file_outside_the_project(layout, start_server) -> None:
    project, shared = layout
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert page_shows(server.url + "/", "shared one")
    shared.write_text(SHARED.format(text="shared two"))
    assert page_shows(server.url + "/", "shared two", timeout=60)
    server.stop()
    shared.write_text(SHARED.format(text="shared three"))  # a restart reuses .pyxle-build/ only if current
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert "shared three" in httpx.get(server.url + "/").text


@pytest.mark.parametrize(("change", "verb"), [("edit", "changed"), ("remove", "been removed")])
def test_a_stale_build_names_the_file_outside_the_project(make_project, tmp_path: Path, change: str, verb: str) -> None:
    """Where it cannot be built again (no npm packages), `pyxle serve` says why the build is stale."""
    (tmp_path / "shared").mkdir()
    shared = tmp_path / "shared" / "S.jsx"
    shared.write_text(SHARED.format(text="shared one"))
    page = f"import S from '{IMPORTS['outside']}'\nexport default function P() {{ return <h1>out <S /></h1> }}\n"
    project = make_project({"pages/index.pyxl": page}, node=True)
    built = pyxle(project, "build", ".")
    assert built.returncode == 0, built.stdout + built.stderr
    shared.write_text(SHARED.format(text="shared two")) if change == "edit" else shared.unlink()
    (project / "node_modules").unlink()
    run = pyxle(project, "serve", ".", "--port", "0")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert f"the build in dist/ is stale (../shared/S.jsx has {verb} since it was built)" in output, output
