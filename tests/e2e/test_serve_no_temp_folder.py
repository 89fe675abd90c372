"""``pyxle serve`` on a read-only root file system with no writable temporary folder (Kubernetes'
``readOnlyRootFilesystem`` without an emptyDir at /tmp, ``docker run --read-only`` without
``--tmpfs /tmp``): start-up printed that it was serving, then ended in a traceback from
``tempfile``. It now stops before that, in one line naming what it tried and what to mount."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites

HELLO = "async def get(request):\n    return {'hello': 'world'}\n"


def in_read_only_root(command: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    """``command`` with / (and so /tmp, /var/tmp) read-only, in a mount namespace of its own."""
    script = f"mount -o remount,bind,ro / && cd {shlex.quote(cwd)} && exec {shlex.join(command)}"
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script],
                          check=False, capture_output=True, text=True, timeout=120,
                          env=server_env(PYXLE_SECRET_KEY="t" * 40, TMPDIR="/tmp"))


@cites("docs/deployment.md", "with no writable temporary folder, start-up stops in one line")
def test_no_writable_temporary_folder_stops_start_up_in_one_line_with_a_hint(make_project) -> None:
    project = make_project({"pages/api/hello.py": HELLO})
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                            "mount -o remount,bind,ro / && ! touch /tmp/.pyxle-rw-probe 2>/dev/null"],
                           check=False, capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("needs a mount namespace whose root can be made read-only (root, and /tmp on the root file system)")
    run = in_read_only_root([*pyxle_command(), "serve", str(project), "--port", "0"], str(project))
    assert run.returncode == 1, run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line and "csrf:" not in line]
    assert lines == [lines[0]] and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("pyxle: No usable temporary directory found in ['/tmp'"), lines
    assert "hint: mount a writable /tmp (docker run --tmpfs /tmp; in Kubernetes, an emptyDir volume at /tmp)" in lines[0]
    assert "pyxle serve: http" not in run.stdout + run.stderr  # nothing said it was serving
