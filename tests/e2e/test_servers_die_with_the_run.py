"""A test run that is interrupted (Ctrl-C) or killed (a CI timeout's SIGKILL) leaves no ``pyxle``
server running: each one the fixtures start dies with the run (tests/conftest.py: ``spawn``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

INNER = """
import os
import time
from pathlib import Path


def test_serves_until_killed(make_project, start_server):
    server = start_server(make_project({"pages/api/x.py": "async def get(request):\\n    return {}\\n"}))
    Path(os.environ["SERVER_PID_FILE"]).write_text(str(server.proc.pid))
    time.sleep(60)
"""


def _group_alive(pgid: int) -> list[int]:
    """The processes of group ``pgid`` that are not zombies (a zombie waits for its reaper, PID 1)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_killed_or_interrupted_test_run_takes_its_servers_down(tmp_path: Path, sig: signal.Signals) -> None:
    """Killed with SIGKILL, pytest runs no teardown and no atexit hook: the kernel's parent-death
    signal takes the server down. Interrupted with SIGINT, the fixture's teardown stops it."""
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER))
    pid_file = tmp_path / "server.pid"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
           "SERVER_PID_FILE": str(pid_file)}
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
                            "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_inner.py")],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert run.poll() is None, run.communicate()[0].decode()
            assert time.monotonic() < deadline, "the inner test's server did not start"
            time.sleep(0.05)
        server = int(pid_file.read_text())
        assert _group_alive(server), "the server runs"
        run.send_signal(sig)
        run.wait(30)
        gone = time.monotonic() + 15
        while alive := _group_alive(server):
            assert time.monotonic() < gone, f"still running after pytest got {sig.name}: {alive}"
            time.sleep(0.05)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(10)
