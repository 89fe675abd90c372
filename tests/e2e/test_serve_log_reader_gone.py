"""``pyxle serve`` logging into a pipe whose reader goes away (``| logger``, a supervisor's log
service, a log shipper that died), without ``PYTHONUNBUFFERED`` (systemd's default): the next worker
death wedged the server. Python flushes stderr before it forks a worker, the flush failed with
``BrokenPipeError``, and the supervisor's main thread ended: the dead worker was never replaced, a
share of requests hung, and SIGTERM was never handled. 0.9.4 replaced the worker and stopped."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx

from tests.conftest import free_port, pyxle_command, server_env, until
from tests.docs._blocks import cites

HELLO = "async def get(request):\n    return {'hello': 'world'}\n"


def workers_of(pid: int) -> set[int]:
    """The server's worker processes (its children)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@cites("docs/deployment.md", "a server logging into a pipe whose reader has gone (`pyxle serve 2>&1 | logger`, a log\n"
       "shipper that died) or onto a full disk loses those lines and goes on serving")
def test_a_server_whose_log_reader_has_gone_replaces_a_dead_worker_and_stops_on_sigterm(make_project) -> None:
    project = make_project({"pages/api/hello.py": HELLO})
    port = free_port()
    env = server_env(PYXLE_SECRET_KEY="g" * 40)
    env.pop("PYTHONUNBUFFERED")
    proc = subprocess.Popen([*pyxle_command(), "serve", str(project), "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "2"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/hello"
    try:
        until(lambda: answers(url), timeout=60)
        before = until(lambda: len(workers_of(proc.pid)) == 2 and workers_of(proc.pid), timeout=60)
        proc.stdout.close()  # the log reader goes
        for _ in range(20):  # access lines and the like now fail to be written
            httpx.get(url, timeout=5)
        gone = min(before)
        os.kill(gone, signal.SIGKILL)  # an OOM kill: the server says so in a log no one reads
        after = until(lambda: len(workers_of(proc.pid)) == 2 and gone not in workers_of(proc.pid)
                      and workers_of(proc.pid), timeout=60)
        assert after != before
        until(lambda: all(answers(url) for _ in range(10)), timeout=60)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
