"""Two copies of React: a monorepo's shared package (``ui/``) with its own ``node_modules/react``
beside the one the app resolves. ``pyxle build`` passed it without a word and every page using the
shared component then answered 500 ("Cannot read properties of null (reading 'useState')"); it now
stops naming both copies, and ``pyxle dev`` warns. Once the nested copy is removed, a restarted
``pyxle dev`` bundled the deleted copy still: the build's fingerprint hashes the project's files,
not ``node_modules``, so the old build in ``.pyxle-build`` looked current."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx

from tests.conftest import NODE_MODULES, pyxle_command, server_env, serving, write_project
from tests.docs._blocks import cites

TOGGLE = """\
import { useState } from 'react'
export default function Toggle() {
  const [on, setOn] = useState(false)
  return <button onClick={() => setOn(!on)}>{on ? 'ON' : 'OFF'}</button>
}
"""
PAGE = """\
import Toggle from '../../ui/Toggle.jsx'

export default function Page() { return <main><Toggle /></main> }
"""


def monorepo(tmp_path: Path) -> Path:
    """``app/`` and ``ui/`` under a root whose ``node_modules`` holds the packages, ``ui`` its own React too."""
    (tmp_path / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "Toggle.jsx").write_text(TOGGLE)
    (tmp_path / "ui" / "package.json").write_text('{"name": "ui", "version": "1.0.0"}\n')
    shutil.copytree(NODE_MODULES / "react", tmp_path / "ui" / "node_modules" / "react", symlinks=True)
    package = {"name": "app", "private": True, "dependencies": {"react": "*", "react-dom": "*", "esbuild": "*"}}
    return write_project(tmp_path / "app", {"pages/index.pyxl": PAGE, "package.json": json.dumps(package)}, None)


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(), check=False)


@cites("docs/deployment.md", "`pyxle build` stops when the bundle holds two copies of `react` or `react-dom`")
def test_pyxle_build_stops_on_two_copies_of_react_naming_both(tmp_path: Path) -> None:
    app = monorepo(tmp_path)
    built = pyxle(app, "build", ".")
    out = built.stdout + built.stderr
    assert built.returncode == 1, out
    assert "copies of react:" in out and "ui/node_modules/react" in out, out
    assert str((NODE_MODULES / "react").resolve()) in out, out
    assert "npm dedupe" in out, out
    shutil.rmtree(tmp_path / "ui" / "node_modules")
    built = pyxle(app, "build", ".")
    assert built.returncode == 0, built.stdout + built.stderr


def test_pyxle_dev_warns_of_two_reacts_and_a_restart_after_removing_one_resolves_again(tmp_path: Path) -> None:
    app = monorepo(tmp_path)
    with serving(app, command="dev") as server:
        assert "copies of react:" in server.wait_for_output("copies of react", timeout=30)
    shutil.rmtree(tmp_path / "ui" / "node_modules")  # the fix the warning asks for
    with serving(app, command="dev") as server:
        page = httpx.get(server.url + "/", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200, server.output()[-3000:]
        assert "<button>OFF</button>" in page.text
        assert "copies of react" not in server.output()
