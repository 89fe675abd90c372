"""A worker whose event loop is blocked (a synchronous sleep in an async route) is replaced after
``--worker-timeout``, with its threads' stacks in the log, on a real `pyxle serve`."""

from __future__ import annotations

import json
import threading
import time

import httpx

from tests.docs._blocks import cites

BLOCK = '''
import time

async def get(request):
    time.sleep(float(request.query_params["s"]))  # the blocking call: the whole worker waits
    return {"slept": True}
'''
HELLO = "async def get(request):\n    return {'ok': True}\n"


def _block(url: str) -> None:
    try:
        httpx.get(url, timeout=60)
    except httpx.HTTPError:
        pass  # its worker is killed under it: the connection closes without an answer


def _block_until_replaced(server) -> tuple[threading.Thread, float]:  # type: ignore[no-untyped-def]
    """Block the only worker's loop, then wait for a new worker to answer: the blocking request's
    thread, and the seconds until the new worker answered."""
    blocker = threading.Thread(target=_block, args=(server.url + "/api/block?s=120",), daemon=True)
    blocker.start()
    time.sleep(0.5)  # the sleep has begun: the only worker answers nothing now

    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(server.url + "/api/hello", timeout=2).status_code == 200:
                break  # a new worker answers
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the blocked worker was never replaced"
    return blocker, 30 - (deadline - time.monotonic())


@cites("docs/getting-started.md", "`pyxle serve` replaces a stuck worker after `--worker-timeout` instead, edit or not")
def test_a_worker_blocked_past_the_worker_timeout_is_replaced_and_its_stack_logged(make_project, start_server) -> None:
    project = make_project({"pages/api/block.py": BLOCK, "pages/api/hello.py": HELLO})
    server = start_server(project, "serve", "--workers", "1", "--worker-timeout", "2")
    blocker, elapsed = _block_until_replaced(server)

    assert elapsed >= 1.5  # not before its timeout
    server.wait_for_output("has not run its event loop for")
    output = server.wait_for_output("block.py")  # the stack names the blocking line
    assert 'pages/api/block.py", line 4 in get' in output
    blocker.join(10)
    assert not blocker.is_alive()  # the blocked request got its connection closed, not a hang


@cites("docs/observability.md", "and `threads` on the record of a worker replaced for blocking its event loop")
def test_a_stuck_workers_stacks_are_one_json_record_in_json_logs(make_project, start_server) -> None:
    """faulthandler wrote them to stderr: one JSON record, then some forty plain lines."""
    project = make_project({"pages/api/block.py": BLOCK, "pages/api/hello.py": HELLO})
    server = start_server(project, "serve", "--workers", "1", "--worker-timeout", "2", "--log-format", "json")
    blocker, _ = _block_until_replaced(server)
    server.wait_for_output("has not run its event loop for")
    time.sleep(0.5)  # anything the dump wrote after the record has arrived too

    records = [json.loads(line) for line in server.output().splitlines() if line.strip()]  # each line is JSON
    stuck = [r for r in records if "has not run its event loop" in r.get("message", "")]
    assert len(stuck) == 1 and stuck[0]["level"] == "error" and "Its threads follow" in stuck[0]["message"]
    assert 'pages/api/block.py", line 4 in get' in stuck[0]["threads"]
    assert "(most recent call first)" in stuck[0]["threads"]
    blocker.join(10)


def test_a_long_request_that_does_not_block_the_loop_is_left_alone(make_project, start_server) -> None:
    project = make_project({"pages/api/wait.py": "import asyncio\n\nasync def get(request):\n"
                            "    await asyncio.sleep(4)\n    return {'waited': True}\n"})
    server = start_server(project, "serve", "--worker-timeout", "1")
    r = httpx.get(server.url + "/api/wait", timeout=20)
    assert r.status_code == 200 and r.json() == {"waited": True}
    assert "has not run its event loop" not in server.output()


PID = "import os\n\nasync def get(request):\n    return {'pid': os.getpid()}\n"


def test_workers_killed_with_sigkill_leave_no_files_in_the_run_folder(make_project, start_server, tmp_path) -> None:
    """A worker gone without its `finally` (SIGKILL, the kernel's OOM killer, a crash in C) left
    `<pid>.threads` beside the heartbeats for good: the watcher removed the heartbeat once it was
    stale, never the threads file. A soak that killed workers four times ended with four of them;
    a server that crashes now and then for days collects one per crash."""
    import os
    import signal

    run_root = tmp_path / "run"
    run_root.mkdir()
    project = make_project({"pages/api/pid.py": PID})
    server = start_server(project, "serve", "--workers", "2", "--worker-timeout", "1",
                          env={"TMPDIR": str(run_root), "PYXLE_SECRET_KEY": "x" * 40})
    killed: set[int] = set()
    for _ in range(3):
        victim = httpx.get(server.url + "/api/pid", headers={"connection": "close"}).json()["pid"]
        os.kill(victim, signal.SIGKILL)
        killed.add(victim)
        deadline = time.monotonic() + 30
        while True:  # the replacement answers: the victim's pid is never seen again
            assert time.monotonic() < deadline, server.output()
            try:
                seen = {httpx.get(server.url + "/api/pid", headers={"connection": "close"}, timeout=2).json()["pid"]
                        for _ in range(6)}
            except httpx.HTTPError:
                continue
            if not seen & killed and len(seen) == 2:
                break
    time.sleep(3)  # past --worker-timeout and the watcher's next look at the folder
    [heartbeats] = run_root.glob("pyxle-*/heartbeats")
    left = sorted(path.name for path in heartbeats.iterdir())
    assert not [name for name in left if int(name.split(".")[0]) in killed], left
