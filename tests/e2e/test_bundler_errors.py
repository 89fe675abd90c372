"""What `pyxle build`, `check`, `serve` and `dev` say of a broken file the bundler reads: the user's
file, line and column, their own source line and a hint; never a Node stack trace, never the
code Pyxle generated."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import pyxle_command, server_env

HOME = "export default function Home({ data }) { return <h1>home</h1> }\n"


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args, str(project)], cwd=project, capture_output=True, text=True,
                          timeout=120, env=server_env(), check=False)


def failed(run: subprocess.CompletedProcess[str]) -> str:
    """Everything a failed command printed, checked for what must never be in it."""
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert "Traceback" not in out and "\n    at " not in out and "Node.js v" not in out, out
    assert "@type" not in out and "pyxle-css:" not in out, out  # Pyxle's own code and paths
    return out


def test_a_package_json_that_is_not_json_is_named_at_its_line_by_build_check_and_serve(make_project,
                                                                                       start_server) -> None:
    """It printed 11 Node stack frames ending in build.mjs, and `pyxle check` skipped the JSX and passed."""
    project = make_project({"pages/index.pyxl": HOME, "package.json": '{\n  "name": "x",\n}\n'}, node=True)
    expected = ('package.json:3:1: Expecting property name enclosed in double quotes\n'
                '    }\n'
                '    ^\n'
                '    hint: package.json must be strict JSON: keys and strings in double quotes, no trailing comma, no comments')
    assert failed(pyxle(project, "build")) == f"pyxle: {expected}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{expected}\n\n" and "not checked" not in check.stderr
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() == 1
    assert server.output().endswith(f"\npyxle: {expected}\n")  # after the secret-key warning
