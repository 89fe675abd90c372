"""pyxle.testing's client in a user's suite: where tests build, the client's scope, CSRF, .env files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import server_env, write_project
from tests.docs._blocks import cites

PAGE = "export default function Home() { return <p>home page</p> }\n"


def _pytest(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A user's ``pytest`` run in ``project``, as the CLI's environment has it."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, "tests"],
                          cwd=project, env=env or server_env(), capture_output=True, text=True, timeout=300,
                          check=False)


def _tests(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = project / "tests" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@cites("docs/testing.md", "builds the pages into `.pyxle-build/test/`")
def test_two_xdist_workers_build_once_and_leave_dist_alone(tmp_path: Path) -> None:
    """A fresh checkout has no build: two workers must not build into one folder at once, and the
    tests' build is not the project's ``dist/`` (a production build made by hand stays as it is)."""
    project = write_project(tmp_path / "app", {"pages/index.pyxl": PAGE})
    test = """
        def test_home(pyxle_client):
            assert "home page" in pyxle_client.get("/").text
        """
    _tests(project, {"test_a.py": test, "test_b.py": test})
    run = _pytest(project, "-n", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert not (project / "dist").exists()
    assert (project / ".pyxle-build" / "test" / "manifest.json").is_file()
