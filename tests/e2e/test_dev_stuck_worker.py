"""`pyxle dev` when an edit leaves a page module that never finishes importing: the worker reloads
in-process, so its event loop stops for good and its own file watcher with it. The server process
restarts it once a source file is saved after the loop stopped (the fix), and leaves a loop held
with no edit since alone (a breakpoint). Ctrl-C stops it promptly all the same. A real `pyxle dev`,
edits on disk, HTTP, signals."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.docs._blocks import cites

PAGE = '''
@server
async def load(request):
    return {"v": "%s"}

export default function Home({ data }) {
  return <p>home {data.v}</p>
}
'''
LOOP = "import time\nwhile True:\n    time.sleep(0.2)\n"  # at the top of the page's Python part
HELLO = "async def get(request):\n    return {'ok': True}\n"
RESTARTED = "restarted it to apply the edit"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _break(project: Path, server) -> None:  # type: ignore[no-untyped-def]
    """Save the page with the loop on top, and wait until the worker stops answering."""
    (project / "pages" / "index.pyxl").write_text(LOOP + (PAGE % "broken").lstrip("\n"))
    deadline = time.monotonic() + 15
    while _answers(server.url + "/api/hello"):
        assert time.monotonic() < deadline, "the edit never reached the worker"
        time.sleep(0.2)


def _fix_and_wait(project: Path, server) -> float:  # type: ignore[no-untyped-def]
    """Save the page without the loop; the seconds until the API answers again (at most 30)."""
    (project / "pages" / "index.pyxl").write_text((PAGE % "fixed").lstrip("\n"))
    started = time.monotonic()
    while not _answers(server.url + "/api/hello"):
        assert time.monotonic() - started < 30, f"the fix was never applied:\n{server.output()}"
        time.sleep(0.2)
    return time.monotonic() - started


@cites("docs/getting-started.md", "restarts the worker to apply the edit, as `uvicorn --reload` restarts its process, within a few seconds")
def test_a_fix_saved_while_a_page_module_loops_as_it_imports_restarts_the_worker(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": PAGE % "first", "pages/api/hello.py": HELLO}, node=True)
    server = start_server(project, "dev")
    assert _answers(server.url + "/api/hello")
    _break(project, server)
    time.sleep(2)
    assert _fix_and_wait(project, server) < 10

    line = server.wait_for_output(RESTARTED)
    restarted = [row for row in line.splitlines() if RESTARTED in row]
    assert len(restarted) == 1, restarted
    assert "pages/index.pyxl:3" in restarted[0]  # the blocking line, in the user's own file
    page = httpx.get(server.url + "/", timeout=10)
    assert page.status_code == 200 and "fixed" in page.text, page.text[:500]


@cites("docs/getting-started.md", "A loop held with no edit since (a breakpoint) is left alone")
def test_a_loop_held_with_no_edit_since_is_left_alone(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": PAGE % "first", "pages/api/hello.py": HELLO})
    server = start_server(project, "dev")
    _break(project, server)
    time.sleep(8)  # the heartbeat finds a stalled loop within 3 s: 5 s more
    assert not _answers(server.url + "/api/hello")
    assert RESTARTED not in server.output()
    _fix_and_wait(project, server)  # and an edit then still restarts it


def test_a_worker_restarted_into_a_page_that_still_loops_is_restarted_again_by_the_next_save(
        make_project, start_server) -> None:
    """The new worker imports the pages as it starts, before its loop runs: one saved still looping
    stops it there, and the next save (the real fix) restarts it again, once it has been loading
    for PYXLE_WORKER_TIMEOUT (a first build takes a while: saves meanwhile do not start it over)."""
    project = make_project({"pages/index.pyxl": PAGE % "first", "pages/api/hello.py": HELLO})
    server = start_server(project, "dev", env={"PYXLE_WORKER_TIMEOUT": "4"})
    _break(project, server)
    time.sleep(2)
    (project / "pages" / "index.pyxl").write_text(LOOP.replace("0.2", "0.3") + (PAGE % "still").lstrip("\n"))
    server.wait_for_output(RESTARTED, timeout=15)
    time.sleep(3)  # the new worker is loading the page that still loops
    assert not _answers(server.url + "/api/hello")
    time.sleep(2)  # loading for over PYXLE_WORKER_TIMEOUT now
    _fix_and_wait(project, server)
    assert server.output().count(RESTARTED) == 2


@cites("docs/getting-started.md", "A worker still loading the project (a first build, a slow import) is\nleft to finish while files are saved, up to `PYXLE_WORKER_TIMEOUT` (30 s)")
def test_a_save_while_a_restarted_worker_is_still_loading_does_not_start_it_over(make_project, start_server) -> None:
    """A worker loading the project (a first build, a slow import) is not stuck: a save meanwhile
    waits for it, under PYXLE_WORKER_TIMEOUT (30 s), instead of starting it over and over."""
    project = make_project({"pages/index.pyxl": PAGE % "first", "pages/api/hello.py": HELLO})
    server = start_server(project, "dev")
    _break(project, server)
    time.sleep(2)
    slow = "import time\ntime.sleep(6)\n"  # a slow import, not a loop: the restarted worker loads for 6 s
    (project / "pages" / "index.pyxl").write_text(slow + (PAGE % "slow").lstrip("\n"))
    server.wait_for_output(RESTARTED, timeout=15)
    time.sleep(3)  # the new worker is loading
    (project / "pages" / "api" / "hello.py").write_text(HELLO + "\n")  # a save meanwhile
    deadline = time.monotonic() + 30
    while not _answers(server.url + "/api/hello"):
        assert time.monotonic() < deadline, f"the slow worker never answered:\n{server.output()}"
        time.sleep(0.2)
    assert server.output().count(RESTARTED) == 1


SPINS = '''
@server
async def load(request):
    while True:
        pass

export default function Spins({ data }) {
  return <p>never</p>
}
'''


def _alive_in_session(sid: int) -> list[str]:
    """Processes of session ``sid`` still running (zombies are over: exited, not reaped yet)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        state, _, _, session = rest.split()[:4]
        if int(session) == sid and state != "Z":
            alive.append(name.split("(", 1)[1])
    return alive


@cites("docs/getting-started.md", "Ctrl-C stops `pyxle dev` within a second or two, even with a worker stuck in a loop")
@cites("docs/getting-started.md", "the workers have 1 s to stop, then the one still\nbusy is killed and the log says "
                                  "`Killing worker-1 after it refused to gracefully stop`. A\n`PYXLE_SHUTDOWN_TIMEOUT` "
                                  "you set gives them that long instead.")
@pytest.mark.parametrize(("env", "least", "most"), [({}, 0, 5), ({"PYXLE_SHUTDOWN_TIMEOUT": "4"}, 3.5, 8)],
                         ids=["default", "PYXLE_SHUTDOWN_TIMEOUT"])
def test_ctrl_c_stops_pyxle_dev_promptly_with_a_worker_stuck_in_a_loader(make_project, start_server, env: dict[str, str],
                                                                         least: float, most: float) -> None:
    project = make_project({"pages/index.pyxl": SPINS, "pages/api/hello.py": HELLO}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1", env=env)

    def request() -> None:
        try:
            httpx.get(server.url + "/", timeout=30)
        except httpx.HTTPError:
            pass  # the connection ends with the worker

    threading.Thread(target=request, daemon=True).start()
    deadline = time.monotonic() + 10
    while _answers(server.url + "/api/hello"):  # the loader runs: the worker answers nothing more
        assert time.monotonic() < deadline, "the loader never ran"
        time.sleep(0.2)

    started = time.monotonic()
    os.killpg(server.proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
    code = server.wait_exit(30)
    took = time.monotonic() - started
    assert least <= took < most, f"pyxle dev took {took:.1f}s to stop:\n{server.output()}"
    assert code == 0, server.output()
    out = server.output()
    assert "Killing worker-1 after it refused to gracefully stop" in out and "Granian shutdown completed" in out, out
    time.sleep(0.5)
    assert _alive_in_session(server.proc.pid) == []  # nothing of it left running (Node workers included)
