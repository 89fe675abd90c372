"""The server under production conditions: idle and slow clients, restarts, crashed workers,
shutdown deadlines and hostile bodies. Real `pyxle serve` processes, raw sockets and httpx."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests import conftest
from tests.conftest import Server, free_port
from tests.docs._blocks import cites

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
API = {
    "pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n",
    "pages/api/echo.py": """
        async def post(request):
            data = await request.json()
            return {"type": type(data).__name__}
        """,
    "pages/api/stream.py": """
        import asyncio
        from starlette.responses import StreamingResponse

        async def get(request):
            async def events():
                for i in range(5):
                    yield f"data: {i}\\n\\n"
                    await asyncio.sleep(0.05)
            return StreamingResponse(events(), media_type="text/event-stream")

        async def post(request):
            async def events():
                yield "data: start\\n\\n"
                yield f"data: {len(await request.body())}\\n\\n"  # read on after answering
            return StreamingResponse(events(), media_type="text/event-stream")
        """,
    "pages/api/forever.py": """
        import asyncio

        async def get(request):
            await asyncio.sleep(3600)
            return {"never": True}
        """,
}
ACTION_PAGE = '''
@action
async def save(request):
    data = await request.json()
    return {"keys": sorted(data)}

export default function Page() {
  return <p>form</p>
}
'''


def raw_request(url: str, data: bytes, *, wait: float = 10) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it or ``wait`` passes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
        return b"".join(chunks)


def granian_workers(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True, check=False).stdout
    return sorted(int(pid) for pid in out.split())


def wait_until(predicate, timeout: float = 20, interval: float = 0.1) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(interval)


@contextlib.contextmanager
def kept_alive_clients(server: Server, count: int, ask: Callable[[httpx.Client, int], None], failures: list[str],
                       *, pause: float) -> Iterator[None]:
    """``count`` threads, each asking ``ask(http, n)`` over one kept-alive connection of its own,
    ``pause`` seconds apart, for the ``with`` block; a transport error goes into ``failures``."""
    done = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=20) as http:
            while not done.is_set():
                try:
                    ask(http, n)
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                time.sleep(pause)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in clients:
        thread.start()
    try:
        yield
    finally:
        done.set()
        for thread in clients:
            thread.join(30)


def wait_for_group_to_exit(group: int) -> None:
    """Wait for every process of the group to exit; kill what is left if they do not (orphaned
    workers would hold their port for the rest of the suite)."""
    def left() -> bool:
        return bool(subprocess.run(["pgrep", "-g", str(group)], capture_output=True, check=False).stdout)

    try:
        wait_until(lambda: not left())
    finally:
        if left():  # only then: once it is empty, the number may be another test's process group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


def answers(server: Server) -> bool:
    try:
        return httpx.get(server.url + "/api/hello", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def api_server(make_project, start_server) -> Server:
    return start_server(make_project(API), "serve", env=KEY)


# Defect 3: idle connections.

def test_a_thousand_idle_connections_do_not_lock_out_a_new_client(api_server: Server) -> None:
    """Issue 13, defect 3: 1,100 connections that send nothing (past granian's default of 1,024
    per worker) and a new client is still answered at once."""
    host, port = api_server.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(1100)]
    try:
        time.sleep(0.5)
        started = time.monotonic()
        r = httpx.get(api_server.url + "/api/hello", timeout=10)
        assert r.status_code == 200 and time.monotonic() - started < 3
    finally:
        for sock in idle:
            sock.close()


def test_the_open_file_limit_is_raised_so_idle_connections_still_do_not_lock_out(make_project, start_server) -> None:
    """The same with the soft open-file limit most systems start processes with (1,024): the limit
    is raised to the hard one at start, so 1,100 idle connections fit and a new client is answered."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the hard open-file limit here ({hard}) leaves no room to raise")
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    try:  # the server inherits the low soft limit
        server = start_server(make_project({**API, "pages/api/nofile.py": """
            import resource
            async def get(request):
                return list(resource.getrlimit(resource.RLIMIT_NOFILE))
            """}), "serve", env=KEY)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert httpx.get(server.url + "/api/nofile").json()[0] == hard
    host, port = server.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(1100)]
    try:
        time.sleep(0.5)
        assert httpx.get(server.url + "/api/hello", timeout=10).status_code == 200
    finally:
        for sock in idle:
            sock.close()


@cites("docs/deployment.md", "less the files it keeps for itself (a quarter\n  of the limit, at most 256: 192 connections of 256 files)")
@cites("docs/deployment.md", "log says `the open-file limit is 256, so each worker accepts at most 192 connections at once`")
def test_an_open_file_limit_of_256_leaves_192_connections_and_says_how_to_raise_it(make_project, start_server,
                                                                                  monkeypatch) -> None:
    """With 256 open files (macOS's default, some containers') a worker took 64 connections and the
    65th waited, unanswered and unlogged, for an idle one to time out. Now 150 idle connections
    leave room for a new client, and the start-up log names the limit and how to raise it."""
    command = conftest.pyxle_command
    monkeypatch.setattr(conftest, "pyxle_command", lambda: ["prlimit", "--nofile=256:256", *command()])
    server = start_server(make_project(API), "serve", env=KEY)
    host, port = server.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(150)]
    try:
        time.sleep(0.5)
        started = time.monotonic()
        assert httpx.get(server.url + "/api/hello", timeout=10).status_code == 200
        assert time.monotonic() - started < 3
    finally:
        for sock in idle:
            sock.close()
    out = server.output()
    assert "the open-file limit is 256, so each worker accepts at most 192 connections at once" in out
    assert "ulimit -n 65536" in out and "LimitNOFILE=65536" in out


def test_a_usual_open_file_limit_is_not_warned_about(api_server: Server) -> None:
    assert "open-file limit" not in api_server.output()


@pytest.mark.parametrize("sent", [b"", b"GET /api/hello HTTP/1.1\r\nHost: x\r\n", b"keep-alive"],
                         ids=["silent", "half-a-request-head", "idle-keep-alive"])
def test_connections_without_a_request_are_closed_after_the_keep_alive_timeout(make_project, start_server,
                                                                               sent: bytes) -> None:
    """A connection that sends nothing, half a request head, or nothing after its last answer is
    closed by the server after --keep-alive-timeout (2 s here)."""
    server = start_server(make_project(API), "serve", "--keep-alive-timeout", "2", env=KEY)
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        if sent == b"keep-alive":
            sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b"200 OK" in sock.recv(65536)
        elif sent:
            sock.sendall(sent)
        started = time.monotonic()
        with pytest.raises((ConnectionResetError, AssertionError)):
            while True:  # read until the server closes (b"") or resets the connection
                assert sock.recv(65536)
        assert 1.5 < time.monotonic() - started < 6


# Defect 4: restart on the same port.

def test_restart_on_the_same_port_right_after_a_burst_of_closed_connections(make_project, start_server) -> None:
    """Issue 13, defect 4: connections the server closed sit in TIME-WAIT on its port; stopping
    and starting again on that port works at once."""
    project = make_project(API)
    port = free_port()
    first = start_server(project, "serve", env=KEY)
    first.stop()
    first = start_server(project, "serve", "--port", str(port), env=KEY)
    for _ in range(50):  # "Connection: close": the server closes first, so TIME-WAIT is on its side
        r = httpx.get(first.url + "/api/hello", headers={"Connection": "close"}, timeout=5)
        assert r.status_code == 200
    first.stop()
    states = subprocess.run(["ss", "-tan", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    assert "TIME-WAIT" in states, states  # the condition the old check tripped on
    second = start_server(project, "serve", "--port", str(port), env=KEY)
    assert httpx.get(second.url + "/api/hello", timeout=5).json() == {"hello": "world"}


def test_a_port_in_use_is_still_refused(make_project, start_server) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = start_server(make_project(API), "serve", "--port", str(port), env=KEY, ready=False)
        assert server.wait_exit() == 1
        assert f"127.0.0.1:{port} is already in use" in server.output()


SLOW_WORKERS = {  # the route loads slowly in granian's workers only, not in the command that checks the project
    "pages/api/hello.py": """
        import multiprocessing
        import time

        if multiprocessing.parent_process() is not None:
            time.sleep(8)

        async def get(request):
            return {'hello': 'world'}
        """,
}


@cites("docs/deployment.md", "even while the first one's workers are still loading, stops with")
@cites("docs/deployment.md", "`127.0.0.1:8000 is already in use; choose another with --port`, and no two servers ever")
def test_a_port_is_never_given_to_two_servers_while_the_first_starts(make_project, start_server) -> None:
    """granian's workers bind the port themselves (SO_REUSEPORT) once they have loaded the app. The
    port used to be checked and let go before that, so a second server started meanwhile was told
    it was free, both then listened on it and the kernel split the connections between two apps:
    a rare cross-talk between the suite's parallel servers, and between two deploys."""
    first = start_server(make_project(SLOW_WORKERS), "serve", env=KEY, ready=False)
    first.wait_for_output("pyxle serve: http://")  # the port is chosen; the workers are still loading
    port = first.url.rsplit(":", 1)[1]
    second = start_server(make_project(API, name="other"), "serve", "--port", port, env=KEY, ready=False)
    assert second.wait_exit() == 1, second.output()
    assert f"127.0.0.1:{port} is already in use; choose another with --port" in second.output()
    first.wait_ready()
    for _ in range(20):
        assert httpx.get(first.url + "/api/hello", timeout=10).json() == {"hello": "world"}


# Defect 5: a killed worker.

@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_killed_worker_is_restarted_and_the_server_keeps_serving(make_project, start_server, workers: str) -> None:
    """Issue 13, defect 5: `kill -9` of a server worker, with one worker or two: the server
    stays up, starts a new worker and answers again."""
    server = start_server(make_project(API), "serve", "--workers", workers, env=KEY)
    wait_until(lambda: len(granian_workers(server)) == int(workers))
    [victim, *_] = granian_workers(server)
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in granian_workers(server) and len(granian_workers(server)) == int(workers))
    wait_until(lambda: answers(server))
    assert server.proc.poll() is None
    assert "Unexpected exit from worker" in server.output()


LOADS_SLOWLY = {  # a worker takes over a second to load the project: one killed meanwhile had not started its app
    "pages/api/loading.py": """
        import multiprocessing
        import time

        if multiprocessing.parent_process() is not None:
            time.sleep(1.5)

        async def get(request):
            return {}
        """,
}


def kill_a_worker_and_its_replacement_as_it_loads(server: Server, victim: int, others: set[int]) -> None:
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: len(set(granian_workers(server)) - {victim, *others}) == 1, interval=0.02)
    [replacement] = set(granian_workers(server)) - {victim, *others}
    os.kill(replacement, signal.SIGKILL)  # within granian's 5.5 s, before its app has started


@cites("docs/deployment.md", "or `was killed with SIGKILL`")
def test_workers_killed_again_and_again_are_restarted_without_the_server_exiting(make_project, start_server) -> None:
    """granian gives up when a worker it started in place of one that died dies too within seconds,
    before its app has started; Pyxle starts the workers again after a pause, so even a crash loop
    never takes the server down."""
    server = start_server(make_project({**API, **LOADS_SLOWLY}), "serve", env=KEY)
    for n in range(1, 3):
        wait_until(lambda: answers(server), timeout=30)
        [victim] = granian_workers(server)
        kill_a_worker_and_its_replacement_as_it_loads(server, victim, set())
        wait_until(lambda n=n: server.output().count("server workers keep exiting; starting them again") == n, timeout=20)
    wait_until(lambda: answers(server), timeout=30)
    assert server.proc.poll() is None
    assert "was killed with SIGKILL before its app started" in server.output()


@cites("docs/deployment.md", "If a worker started in place of one that died dies too within seconds, before its app has "
                             "started (it cannot load the project), granian gives up on them and stops the others too, "
                             "with the requests they were serving; Pyxle then starts them all again")
def test_a_worker_killed_twice_within_seconds_restarts_the_healthy_ones_too(make_project, start_server) -> None:
    server = start_server(make_project({**API, **LOADS_SLOWLY}), "serve", "--workers", "2", env=KEY)
    wait_until(lambda: len(granian_workers(server)) == 2 and answers(server), timeout=30)
    victim, healthy = granian_workers(server)
    kill_a_worker_and_its_replacement_as_it_loads(server, victim, {healthy})
    server.wait_for_output("server workers keep exiting; starting them again")
    wait_until(lambda: answers(server) and len(granian_workers(server)) == 2, timeout=30)
    assert healthy not in granian_workers(server), "the healthy worker was stopped and started again too"
    assert server.proc.poll() is None


SLOW = {"pages/api/slow.py": "import asyncio\n\nasync def get(request):\n    await asyncio.sleep(2)\n    return {'slow': 'done'}\n",
        "pages/index.pyxl": "export default function Page() {\n  return <p>home</p>\n}\n"}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_workers_of_a_killed_server_finish_their_requests_and_exit_freeing_the_port(make_project, start_server,
                                                                                    workers: str) -> None:
    """`kill -9` of `pyxle serve` itself (the OOM killer's choice, say) cannot stop its workers:
    they notice their parent is gone, answer the request in progress, and exit with their Node
    renderers, so the port is free for the next start instead of served by orphans."""
    project = make_project({**API, **SLOW}, node=True)
    server = start_server(project, "serve", "--workers", workers, env=KEY)
    assert "home" in httpx.get(server.url + "/", timeout=10).text  # the renderers are running
    group = os.getpgid(server.proc.pid)
    result: dict[str, object] = {}

    def slow() -> None:
        try:
            result["r"] = httpx.get(server.url + "/api/slow", timeout=30).json()
        except httpx.HTTPError as exc:
            result["r"] = exc

    client = threading.Thread(target=slow)
    client.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGKILL)
    client.join(20)
    server.proc.wait(5)
    assert result["r"] == {"slow": "done"}
    wait_for_group_to_exit(group)
    assert "is gone; this worker stops" in server.output()
    port = server.url.rsplit(":", 1)[1]
    again = start_server(project, "serve", "--port", port, env=KEY)
    assert httpx.get(again.url + "/api/hello", timeout=5).json() == {"hello": "world"}


def test_a_worker_of_a_killed_server_waits_at_most_the_shutdown_timeout_for_a_request_that_never_ends(
        make_project, start_server) -> None:
    """With no supervisor left to enforce --shutdown-timeout, the orphaned worker enforces it: the
    request in progress is held about that long, then closed, and the worker exits."""
    server = start_server(make_project(API), "serve", "--shutdown-timeout", "2", env=KEY)
    group = os.getpgid(server.proc.pid)
    ended: list[float] = []

    def forever() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(server.url + "/api/forever", timeout=30)
        ended.append(time.monotonic())

    client = threading.Thread(target=forever, daemon=True)
    client.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    server.proc.wait(5)
    wait_for_group_to_exit(group)
    assert time.monotonic() - killed < 8
    client.join(5)
    assert ended and 1.5 < ended[0] - killed < 8


HELD = {"pages/api/held.py": """
    import asyncio
    import os
    import pathlib

    async def get(request):
        pathlib.Path(os.environ["HELD_DIR"], str(os.getpid())).touch()
        await asyncio.sleep(3600)
        return {"never": True}
    """}


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@cites("docs/deployment.md", "its workers notice at once,\nhowever many there are")
def test_every_worker_of_a_killed_server_stops_within_the_shutdown_timeout_however_many_there_are(
        make_project, start_server, tmp_path) -> None:
    """`kill -9` of `pyxle serve --workers 3` while each worker holds a request that never ends:
    all three notice at once and are gone about --shutdown-timeout later, not one after another
    (a worker once saw its parent gone only when the workers forked after it had exited)."""
    held = tmp_path / "held"
    held.mkdir()
    server = start_server(make_project({**API, **HELD}), "serve", "--workers", "3", "--shutdown-timeout", "3",
                          env={**KEY, "HELD_DIR": str(held)})
    wait_until(lambda: len(granian_workers(server)) == 3)
    workers = granian_workers(server)
    group = os.getpgid(server.proc.pid)

    def hold() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(server.url + "/api/held", timeout=30)

    clients: list[threading.Thread] = []
    while len(list(held.iterdir())) < 3 and len(clients) < 60:  # a new connection each: workers take turns
        clients.append(threading.Thread(target=hold, daemon=True))
        clients[-1].start()
        time.sleep(0.1)
    assert sorted(int(path.name) for path in held.iterdir()) == workers
    server.proc.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    server.proc.wait(5)
    wait_until(lambda: not any(running(pid) for pid in workers), timeout=30)
    stopped = time.monotonic() - killed
    wait_for_group_to_exit(group)
    assert stopped < 8, f"the last worker stopped {stopped:.1f}s after the kill"
    assert server.output().count("is gone; this worker stops") == 3


# Reloading with SIGHUP.

VERSION = "async def get(request):\n    return {{'version': {}}}\n"


def test_sighup_replaces_every_worker_with_the_current_code_without_failing_a_request(make_project,
                                                                                      start_server) -> None:
    """`kill -HUP` (systemd's ExecReload): new workers with the project as it is now, then the old
    ones stop after their requests; clients polling throughout, each request on a new connection,
    never get an error. (Each worker opened a socket of its own: a connection an old worker had
    taken, or that waited in its queue, as it stopped was closed unanswered, "Server disconnected":
    about one stop in three with six such clients.)"""
    project = make_project({"pages/api/version.py": VERSION.format(1)})
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    seen: list[object] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not done.is_set():
                try:
                    r = client.get("/api/version", headers={"Connection": "close"})
                    seen.append(r.json()["version"] if r.status_code == 200 else r.status_code)
                except httpx.HTTPError as exc:
                    seen.append(exc)
                time.sleep(0.02)

    pollers = [threading.Thread(target=poll) for _ in range(6)]  # new connections all the time
    for poller in pollers:
        poller.start()
    try:
        (project / "pages" / "api" / "version.py").write_text(VERSION.format(2))
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_output("Stopped old worker-2", timeout=40)
        time.sleep(0.5)
    finally:
        done.set()
        for poller in pollers:
            poller.join(20)
    assert set(seen) == {1, 2}, [s for s in seen if s not in (1, 2)][:5]
    assert seen[-1] == 2
    assert {httpx.get(server.url + "/api/version", headers={"Connection": "close"}).json()["version"]
            for _ in range(10)} == {2}
    assert server.proc.poll() is None


# A middleware that says when the app's start-up in its worker is done, and a route whose module takes
# 5 s to import once a file named "slow" is there (a worker slower to start than granian's 3.5 s).
STARTED = """
import os


class Started:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def told(message):
            if message["type"] == "lifespan.startup.complete":
                print(f"app started in {os.getpid()}", flush=True)
            await send(message)

        await self.app(scope, receive, told)
"""
SLOW_START = """
import os
import time
from pathlib import Path

if (Path(__file__).parents[2] / "slow").exists():
    time.sleep(5)


async def get(request):
    return {"pid": os.getpid()}
"""


@cites("docs/deployment.md", "An old worker is told to stop only once its successor's app has started")
def test_a_reload_stops_an_old_worker_only_once_its_successor_has_started(make_project, start_server) -> None:
    """granian stopped an old worker a fixed 3.5 s (and a second's grace) after spawning its successor:
    one slower to start was not ready by then, and the clients of the worker stopped waited for it.
    A reload now waits for the successor's app to start (and no longer than that for a quick one)."""
    project = make_project({"pages/api/pid.py": SLOW_START, "started.py": STARTED,
                            "pyxle.config.json": json.dumps({"middleware": ["started:Started"]})})
    server = start_server(project, "serve", env=KEY)
    old = httpx.get(server.url + "/api/pid").json()["pid"]
    (project / "slow").touch()
    server.proc.send_signal(signal.SIGHUP)
    said = server.wait_for_output("Stopped old worker-1", timeout=60)
    new = httpx.get(server.url + "/api/pid", headers={"Connection": "close"}).json()["pid"]
    assert new != old
    assert f"app started in {new}" in said[:said.index("Stopping old worker-1")]  # ready before the old one stopped


STAMPED = ("class Stamp:\n    def __init__(self, app):\n        self.app = app\n\n"
           "    async def __call__(self, scope, receive, send):\n        async def stamped(message):\n"
           "            if message['type'] == 'http.response.start':\n"
           "                message['headers'] = [*message['headers'], (b'x-stamp', b'{}')]\n"
           "            await send(message)\n\n        await self.app(scope, receive, stamped)\n")


def test_sighup_loads_the_projects_own_modules_as_they_are_now(make_project, start_server) -> None:
    """The new workers import the project's modules again (a helper a route imports, the
    middleware's module): the server process imported them once at start to check the project,
    and its workers, forked from it, must not serve those copies."""
    project = make_project({"pages/api/version.py": "from helper import VERSION\n\n\n"
                                                    "async def get(request):\n    return {'version': VERSION}\n",
                            "helper.py": "VERSION = 1\n", "stamp.py": STAMPED.format(1),
                            "pyxle.config.json": json.dumps({"middleware": ["stamp:Stamp"]})})
    server = start_server(project, "serve", env=KEY)
    answer = httpx.get(server.url + "/api/version")
    assert (answer.json(), answer.headers["x-stamp"]) == ({"version": 1}, "1")
    (project / "helper.py").write_text("VERSION = 2\n")
    (project / "stamp.py").write_text(STAMPED.format(2))
    server.proc.send_signal(signal.SIGHUP)
    server.wait_for_output("Stopped old worker-1", timeout=40)
    answer = httpx.get(server.url + "/api/version", headers={"Connection": "close"})
    assert (answer.json(), answer.headers["x-stamp"]) == ({"version": 2}, "2")



@cites("docs/deployment.md", "and answers with `Connection: close` for\na second before it stops")
def test_sighup_under_keep_alive_load_fails_no_request_not_even_a_post(make_project, start_server) -> None:
    """Clients that keep their connections open (a proxy's pool) and post throughout three reloads
    get an answer to every request: once its successor takes connections, each worker a reload replaces closes
    each connection after its next answer (`Connection: close`), so no request is sent on a
    connection as its worker stops (it was: "Server disconnected", a 502 for a POST through nginx,
    which retries only GETs)."""
    project = make_project({"pages/api/echo.py": """
        import os

        async def get(request):
            return {"pid": os.getpid()}

        async def post(request):
            return await request.json()
        """})
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    failures: list[str] = []
    seen: list[tuple[int, int, str]] = []  # (the client, the worker's pid, its Connection header) of each GET
    answered = 0

    def ask(http: httpx.Client, n: int) -> None:
        nonlocal answered
        r = http.post("/api/echo", json={"n": n}) if n % 2 else http.get("/api/echo")
        if r.status_code != 200:
            failures.append(f"{r.status_code} {r.text[:80]}")
            return
        answered += 1
        if n % 2 == 0:
            seen.append((n, r.json()["pid"], r.headers.get("connection", "")))

    told: list[int] = []  # per reload: how many answers of the workers it replaced said `Connection: close`
    kept_alive: list[tuple[int, int, str]] = []  # a replaced worker's answers without it, after one with it
    with kept_alive_clients(server, 8, ask, failures, pause=0.005):
        for reload in range(3):
            time.sleep(0.5)
            old = set(granian_workers(server))
            seen.clear()
            server.proc.send_signal(signal.SIGHUP)
            wait_until(lambda n=reload + 1: server.output().count("Stopped old worker-2") == n, timeout=60)
            # Once a replaced worker has said "close" to a client, each of its later answers to that
            # client says it too (another client's request in flight when it was told may not). When
            # it was told is not in the log: granian logs its respawns after new workers may serve.
            closing: set[tuple[int, int]] = set()
            answers = seen[:]  # the clients go on answering meanwhile
            for n, pid, connection in answers:
                if pid in old and connection == "close":
                    closing.add((n, pid))
                elif (n, pid) in closing:
                    kept_alive.append((n, pid, connection))
            told.append(sum(1 for _, pid, connection in answers if pid in old and connection == "close"))
    assert failures == [], failures[:5]
    assert answered > 100
    assert all(told) and kept_alive == [], (told, kept_alive[:10])



@cites("docs/deployment.md", "a worker the reload replaces takes\nno new connection")
def test_a_worker_a_reload_replaces_takes_no_new_connection_and_its_successor_takes_them(make_project,
                                                                                     start_server) -> None:
    """The signal that tells a worker a reload replaces it (SIGUSR1): from then on it takes no new
    connection, though it is idle; one waits in the socket's queue for the worker that replaces it
    (here, once the old one is killed). It answered at once, until it stopped."""
    project = make_project({"pages/api/pid.py": """
        import os

        async def get(request):
            return {"pid": os.getpid()}
        """})
    server = start_server(project, "serve", "--workers", "1", env=KEY)
    close = {"Connection": "close"}
    retired = httpx.get(server.url + "/api/pid", headers=close, timeout=10).json()["pid"]
    os.kill(retired, signal.SIGUSR1)
    time.sleep(0.5)  # the worker's loop has run its handler
    answered: list[httpx.Response] = []
    asking = threading.Thread(target=lambda: answered.append(httpx.get(server.url + "/api/pid", headers=close,
                                                                         timeout=60)))
    asking.start()
    asking.join(1.5)
    assert asking.is_alive() and not answered, "the worker a reload replaces took a new connection"
    os.kill(retired, signal.SIGKILL)
    asking.join(60)
    assert answered and answered[0].status_code == 200, answered
    assert answered[0].json()["pid"] != retired
    assert server.proc.poll() is None


@cites("docs/deployment.md", "A worker that dies leaves the connections waiting for it to\nthe worker started in its place")
def test_connections_waiting_for_a_worker_that_dies_are_answered_by_its_successor(make_project,
                                                                                 start_server) -> None:
    """A worker that stopped answering (SIGSTOP) and is then killed: the requests that came
    meanwhile waited in its socket's queue, and the worker started in its place answers them. Each
    worker had a socket of its own, which died with it: they were reset."""
    project = make_project({"pages/api/pid.py": """
        import os

        async def get(request):
            return {"pid": os.getpid()}
        """})
    server = start_server(project, "serve", "--workers", "1", env=KEY)
    dead = httpx.get(server.url + "/api/pid", headers={"Connection": "close"}, timeout=10).json()["pid"]
    os.kill(dead, signal.SIGSTOP)
    answered: list[object] = []

    def ask() -> None:
        try:
            answered.append(httpx.get(server.url + "/api/pid", headers={"Connection": "close"}, timeout=60).json())
        except httpx.HTTPError as exc:
            answered.append(exc)

    asking = [threading.Thread(target=ask) for _ in range(4)]
    for thread in asking:
        thread.start()
    time.sleep(1)  # connected, each in the queue
    os.kill(dead, signal.SIGKILL)
    for thread in asking:
        thread.join(60)
    assert len(answered) == 4 and all(isinstance(a, dict) and a["pid"] != dead for a in answered), answered
    assert server.proc.poll() is None


@cites("docs/deployment.md", "its clients move\nto the workers running, so after the reload they are spread over the new workers")
def test_after_a_reload_kept_alive_clients_are_spread_over_the_new_workers(make_project, start_server) -> None:
    """Every old worker was told as the reload began: all their kept-alive clients reconnected
    while only one worker took connections (the first new one), and stayed there: 16 of 16 on one
    worker of two after each reload, the other idle (a soak test saw the page's p99 more than
    double). Each old worker is now told once its successor takes connections."""
    project = make_project({"pages/api/pid.py": """
        import os

        async def get(request):
            return {"pid": os.getpid()}
        """})
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    last: dict[int, int] = {}  # client -> the worker that answered it last
    failures: list[str] = []

    def ask(http: httpx.Client, n: int) -> None:
        last[n] = http.get("/api/pid").json()["pid"]

    with kept_alive_clients(server, 16, ask, failures, pause=0.01):
        wait_until(lambda: len(last) == 16)
        old = set(granian_workers(server))
        server.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "Stopped old worker-2" in server.output(), timeout=90)
        new = set(granian_workers(server))
        wait_until(lambda: set(last.values()) <= new and len(new) == 2)  # every client on a new worker
        time.sleep(1)
        spread = sorted(list(last.values()).count(pid) for pid in new)
    assert not old & new and failures == [], (old, new, failures[:5])
    assert spread[0] >= 2, spread  # (16 and 0 before; an even split is not promised)


@cites("docs/deployment.md", "`pyxle serve`\ntells them with SIGUSR1: the workers keep that signal for this")
def test_a_worker_told_with_sigusr1_closes_each_connection_after_its_answer_and_keeps_serving(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project(API), "serve", env=KEY)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert "connection" not in client.get("/api/hello").headers  # kept alive
        (worker,) = granian_workers(server)
        os.kill(worker, signal.SIGUSR1)
        time.sleep(0.5)
        answer = client.get("/api/hello")
    assert answer.status_code == 200 and answer.headers["connection"] == "close"
    assert granian_workers(server) == [worker]  # told, not stopped: the reload stops it

def test_a_sighup_while_the_project_does_not_load_is_refused_and_the_workers_keep_serving(make_project,
                                                                                          start_server) -> None:
    """A reload that would start workers which exit at once (a syntax error deployed) is refused,
    naming the file and line: granian alone would have stopped every working worker for them."""
    project = make_project({"pages/api/version.py": VERSION.format(1)})
    server = start_server(project, "serve", env=KEY)
    (project / "pages" / "api" / "version.py").write_text("async def get(request:\n    return {}\n")
    os.killpg(server.proc.pid, signal.SIGHUP)  # to the whole group, as a closed terminal sends it
    out = server.wait_for_output("reload refused, the running workers keep serving: pages/api/version.py:1: SyntaxError")
    assert "hint: fix the syntax error" in out
    time.sleep(1)  # a worker that also checked would log it by now
    assert server.output().count("SIGHUP: checking") == 1  # workers inherit the handler, and leave it to the server
    deadline = time.monotonic() + 6  # longer than granian waits before stopping an old worker (3.5 s)
    while time.monotonic() < deadline:
        assert httpx.get(server.url + "/api/version", timeout=5).json() == {"version": 1}
        time.sleep(0.2)
    assert "Respawning" not in server.output() and server.proc.poll() is None
    (project / "pages" / "api" / "version.py").write_text(VERSION.format(3))
    server.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: httpx.get(server.url + "/api/version", timeout=5).json() == {"version": 3}, timeout=30)


@cites("docs/deployment.md", "A reload\nis refused the same way when the key has left a `.env` file since the start")
def test_a_sighup_after_the_secret_key_left_the_env_file_is_refused_with_shared_state(make_project,
                                                                                      start_server) -> None:
    """The key read from .env.production at start, gone from it at a reload, with two workers:
    start-up refuses that (each worker would sign with a random key of its own), and so must the
    reload. It was accepted: CSRF tokens failed across the new workers and sign_cookie raised."""
    project = make_project({"pages/api/version.py": VERSION.format(1),
                            ".env.production": f"PYXLE_SECRET_KEY={'k' * 40}\n"})
    server = start_server(project, "serve", "--workers", "2")  # the shell has no key
    # Both workers have started: a SIGHUP while one still starts is granian's to drop (flaked once under load).
    wait_until(lambda: len(granian_workers(server)) == 2 and server.output().count("Started worker-") == 2)
    workers = sorted(granian_workers(server))
    (project / ".env.production").write_text("# the key moved to the secret store\n")
    (project / "pages" / "api" / "version.py").write_text(VERSION.format(2))
    os.killpg(server.proc.pid, signal.SIGHUP)
    server.wait_for_output("reload refused, the running workers keep serving: PYXLE_SECRET_KEY is not set, "
                           "and this server shares state (--workers 2)")
    time.sleep(4)  # longer than granian takes to replace a worker (3.5 s), had it been asked to
    assert sorted(granian_workers(server)) == workers
    assert httpx.get(server.url + "/api/version", timeout=5).json() == {"version": 1}
    assert "using a random key" not in server.output()


@cites("docs/deployment.md", "A worker started in place of one that died, while others serve, that cannot load the "
                             "project as it is on disk then (a file edited, or a reload refused, since they started) "
                             "waits instead of exiting")
@cites("docs/deployment.md", "pyxle: worker 1234 cannot load the project as it is now and waits while the other workers "
                             "serve")
@cites("docs/deployment.md", "a waiting worker that finds the project loading again serves it as it is then, beside "
                             "workers still serving the code they started with")
@pytest.mark.parametrize("broken", ["api", "config"])
def test_a_worker_replaced_after_a_refused_reload_waits_and_the_others_keep_serving(make_project, start_server,
                                                                                   broken: str) -> None:
    """After a refused reload (a syntax error, or a broken pyxle.config.json, on disk), the worker
    that replaced one killed by the OOM killer loaded the broken project and exited: granian counted
    a crash loop and stopped the healthy worker too, and the site was down until the file was fixed."""
    project = make_project({"pages/api/version.py": VERSION.format(1)})
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    # Both workers have loaded the project: one still loading when the file breaks waits too, and
    # the count of that line below is off by one (a race of the test's, seen once in CI).
    wait_until(lambda: len(granian_workers(server)) == 2 and server.output().count("Started worker-") == 2)
    if broken == "api":
        (project / "pages" / "api" / "version.py").write_text("async def get(request:\n    return {}\n")
    else:
        (project / "pyxle.config.json").write_text('{"csrf": \n')
    server.proc.send_signal(signal.SIGHUP)
    server.wait_for_output("reload refused, the running workers keep serving")
    [victim, survivor] = granian_workers(server)
    os.kill(victim, signal.SIGKILL)
    out = server.wait_for_output("cannot load the project as it is now and waits while the other workers serve")
    assert ("pages/api/version.py:1: SyntaxError" if broken == "api" else "pyxle.config.json: invalid JSON at line 2") in out
    deadline = time.monotonic() + 8  # beyond granian's 5.5 s crash-loop window, and a retry or two
    while time.monotonic() < deadline:
        answer = httpx.get(server.url + "/api/version", headers={"connection": "close"}, timeout=5)
        assert answer.json() == {"version": 1}
        time.sleep(0.2)
    out = server.output()
    assert "crash loop" not in out and "keep exiting" not in out and "Traceback" not in out, out
    assert survivor in granian_workers(server) and len(granian_workers(server)) == 2
    assert out.count("cannot load the project as it is now") == 1, out  # the retries say nothing new
    (project / "pages" / "api" / "version.py").write_text(VERSION.format(3))
    (project / "pyxle.config.json").unlink(missing_ok=True)
    seen: set[int] = set()  # before any reload: the waiting worker loads the fixed files, the survivor keeps its own

    def both_versions() -> bool:
        seen.add(httpx.get(server.url + "/api/version", headers={"connection": "close"}, timeout=5).json()["version"])
        return seen == {1, 3}

    wait_until(both_versions, timeout=45)
    server.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: httpx.get(server.url + "/api/version", timeout=5).json() == {"version": 3}, timeout=30)
    assert server.proc.poll() is None


REFUSING_PLUGIN = """
from pyxle.plugins import PyxlePlugin

class Refusing(PyxlePlugin):
    name = "refusing"
    async def on_startup(self, ctx):
        if self.settings.get("dsn") != "ok":
            raise RuntimeError(f"cannot reach {self.settings.get('dsn')!r}")
"""


def _refusing_config(dsn: str) -> str:
    return json.dumps({"plugins": [{"name": "refusing", "module": "refusing", "attribute": "Refusing",
                                    "settings": {"dsn": dsn}}]})


@cites("docs/deployment.md", "its plugins started and stopped as at start")
def test_a_sighup_with_a_setting_a_plugin_refuses_is_refused_and_the_workers_keep_serving(make_project,
                                                                                         start_server) -> None:
    project = make_project({"pages/api/version.py": VERSION.format(1), "refusing.py": REFUSING_PLUGIN,
                            "pyxle.config.json": _refusing_config("ok")})
    server = start_server(project, "serve", env=KEY)
    (project / "pyxle.config.json").write_text(_refusing_config("db.invalid"))
    server.proc.send_signal(signal.SIGHUP)
    server.wait_for_output(f"reload refused, the running workers keep serving: {project / 'pyxle.config.json'}: "
                           "plugins[0]: plugin 'refusing' failed to start")
    deadline = time.monotonic() + 6  # longer than granian waits before stopping an old worker (3.5 s)
    while time.monotonic() < deadline:
        assert httpx.get(server.url + "/api/version", timeout=5).json() == {"version": 1}
        time.sleep(0.2)
    assert "Respawning" not in server.output() and server.proc.poll() is None


@cites("docs/deployment.md", "Other requests\n  in progress finish, for up to `--shutdown-timeout`")
@cites("docs/deployment.md", "A SIGTERM during a SIGHUP reload ends the reload: no further worker is replaced, and the\n"
                             "  workers it had not replaced yet stop with the new ones, within the same `--shutdown-timeout`")
def test_a_sigterm_during_a_sighup_reload_stops_the_server_without_finishing_the_reload(make_project,
                                                                                      start_server) -> None:
    """granian replaces the workers one by one, 3.5 s apart, and only looked at a SIGTERM sent
    meanwhile once every worker had been replaced: with 3 workers and `--shutdown-timeout 2` the
    server exited 11.7 s after it, answering new connections all along. The stop ends the reload:
    the server stops taking connections at once, cancels what still runs (requests that never end)
    once the shutdown timeout is over, and leaves no worker, old or new, behind."""
    project = make_project({"pages/api/version.py": VERSION.format(1), "pages/api/forever.py": API["pages/api/forever.py"]})
    server = start_server(project, "serve", "--workers", "3", "--shutdown-timeout", "2", env=KEY)
    wait_until(lambda: len(granian_workers(server)) == 3)

    def hang() -> None:  # a request that never ends, on some old worker
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(server.url + "/api/forever", timeout=30)

    for _ in range(6):
        threading.Thread(target=hang, daemon=True).start()
    time.sleep(0.5)  # each in progress
    server.proc.send_signal(signal.SIGHUP)
    server.wait_for_output("Respawning worker-1", timeout=40)
    time.sleep(0.5)  # in granian's pause between starting the new worker-1 and stopping the old one
    workers = granian_workers(server)
    assert len(workers) == 4
    server.proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    answered: list[float] = []  # when, after the SIGTERM, a new connection got an answer
    while server.proc.poll() is None and time.monotonic() - sent < 30:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(server.url + "/api/version", headers={"Connection": "close"}, timeout=2)
            answered.append(round(time.monotonic() - sent, 2))
        time.sleep(0.1)
    server.wait_exit(30)
    exited = time.monotonic() - sent
    out = server.output()
    assert exited < 4.5, f"exited {exited:.1f}s after the SIGTERM\n{out}"  # 2 s, and the polling's slack
    assert max(answered, default=0) < 1.5, answered
    assert "Respawning worker-2" not in out, out
    assert not any(running(pid) for pid in workers)


SLOW_TO_LOAD = """
    import time
    from pathlib import Path

    if Path({flag!r}).exists():  # the reload's check, not the first start: it is still loading at the stop
        time.sleep(30)

    async def get(request):
        return {{'ok': True}}
    """
INDEX = "export default function Index() {\n  return <p>served</p>\n}\n"


def reload_check(server: Server) -> int | None:
    """The pid of the server's reload check (``python -c "... check_worker()"``), if one runs."""
    for pid in granian_workers(server):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"check_worker()" in cmdline.read():
                return pid
    return None


def files_under(folder) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


@cites("docs/deployment.md", "A reload still being checked is ended too: the build it was making is discarded, and the\n"
                             "  served one stays as it was")
def test_a_sigterm_while_a_sighup_reload_is_checked_ends_the_check_and_keeps_the_served_build(
        make_project, start_server, tmp_path) -> None:
    """The check went on for seconds after the server had exited, in a process nobody waited for,
    and could still put its build in place of the served one (or leave a half-made one beside it)."""
    flag = tmp_path / "slow.flag"
    project = make_project({"pages/index.pyxl": INDEX, "pages/api/slow.py": SLOW_TO_LOAD.format(flag=str(flag))},
                           node=True)
    server = start_server(project, "serve", env=KEY)
    before = files_under(project / "dist")
    assert "server/pages/index.js" in "\n".join(before) or len(before) > 3, before
    flag.touch()
    server.proc.send_signal(signal.SIGHUP)
    found: list[int] = []
    wait_until(lambda: bool(found.append(reload_check(server) or 0) or found[-1]), timeout=30, interval=0.02)
    check = found[-1]
    try:
        wait_until(lambda: (project / ".dist.next").is_dir(), timeout=30)  # its build staged
        time.sleep(1)  # and its project loading
        server.proc.send_signal(signal.SIGTERM)
        server.wait_exit(30)
        exited = time.monotonic()
        while running(check) and time.monotonic() - exited < 10:
            time.sleep(0.1)
        assert not running(check), "the reload's check outlived the server by 10 s"
        assert files_under(project / "dist") == before
        assert not (project / ".dist.next").exists()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(check, signal.SIGKILL)


# Statuses outside HTTP's range.

BAD_STATUS = {
    "pages/api/status.py": """
        from starlette.responses import JSONResponse

        async def get(request):
            sent = request.query_params["s"]
            return JSONResponse({"a": 1}, status_code=True if sent == "true" else int(sent))
        """,
    "pages/bad.pyxl": """
        @server
        async def load(request):
            raise LoaderError("unavailable", status_code=int(request.query_params["s"]))

        @action
        async def act(request):
            raise ActionError("no", status_code=1000)

        export default function Bad() {
          return <p>never</p>
        }
        """,
}


def test_a_status_outside_200_to_599_is_a_500_and_the_worker_lives_on(make_project, start_server) -> None:
    """granian panics on such a status and its worker dies, with every request it was serving:
    an API route's, a loader's LoaderError's or an action's ActionError's status out of range."""
    server = start_server(make_project({**API, **SLOW, **BAD_STATUS}, node=True), "serve", env=KEY)
    result: dict[str, object] = {}
    slow = threading.Thread(target=lambda: result.update(r=httpx.get(server.url + "/api/slow", timeout=30).json()))
    slow.start()
    time.sleep(0.3)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for status in ("99", "150", "1000", "true"):
            r = client.get(f"/api/status?s={status}")
            assert r.status_code == 500 and r.json() == {"error": "Internal Server Error"}
        page = client.get("/bad?s=99")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        nav = client.get("/bad?s=1000", headers={"x-pyxle-navigation": "1"})
        assert nav.status_code == 500 and nav.json()["ok"] is False
        token = client.cookies["pyxle-csrf"]
        assert client.post("/api/__actions/bad/act", json={}, headers={"x-csrf-token": token}).status_code == 500
        assert client.get("/api/status?s=201").status_code == 201
    slow.join(20)
    assert result["r"] == {"slow": "done"}  # the request in progress on the same worker was answered
    out = server.wait_for_output("LoaderError status_code must be an int from 200 to 599, not 99")
    assert "invalid HTTP status 1000 for an answer" in out and "invalid HTTP status True for an answer" in out
    assert "ActionError status_code must be an int from 200 to 599, not 1000" in out
    assert "Unexpected exit" not in out and "panicked" not in out


# Defect 6: deeply nested JSON.

@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 100_000 + b"]" * 100_000])
def test_deeply_nested_json_to_an_api_route_is_a_400(api_server: Server, body: bytes) -> None:
    r = httpx.post(api_server.url + "/api/echo", content=body, headers={"content-type": "application/json"}, timeout=10)
    assert r.status_code == 400
    assert r.json() == {"error": "Malformed JSON body: nested too deeply"}
    assert "Traceback" not in api_server.output() and "RecursionError" not in api_server.output()
    assert httpx.post(api_server.url + "/api/echo", json={"a": [1]}).json() == {"type": "dict"}


def test_deeply_nested_json_to_an_action_is_a_400(make_project, start_server) -> None:
    server = start_server(make_project({"pages/index.pyxl": ACTION_PAGE}), "serve", env=KEY)
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        token = client.cookies["pyxle-csrf"]
        r = client.post("/api/__actions/index/save", content=b"[" * 100_000,
                        headers={"content-type": "application/json", "x-csrf-token": token})
        assert r.status_code == 400 and r.json() == {"ok": False, "error": "Malformed JSON body: nested too deeply"}
        ok = client.post("/api/__actions/index/save", json={"b": 1, "a": 2}, headers={"x-csrf-token": token})
        assert ok.json() == {"ok": True, "keys": ["a", "b"]}
    assert "Traceback" not in server.output()


# Risk 1: a body trickling in.

def test_a_body_sent_one_byte_a_second_is_answered_408(make_project, start_server) -> None:
    """Issue 13, risk 1: with --body-timeout 2, a client sending its declared 100-byte body one
    byte a second gets a 408 JSON answer after about 2 s, and the connection is closed."""
    server = start_server(make_project(API), "serve", "--body-timeout", "2", env=KEY)
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[")
        started = time.monotonic()
        answer = b""
        sock.settimeout(1)
        while time.monotonic() - started < 10 and b"\r\n\r\n" not in answer:
            try:
                answer += sock.recv(65536)
            except TimeoutError:
                sock.sendall(b"1")  # one more byte a second
        elapsed = time.monotonic() - started
        sock.settimeout(5)
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):  # the rest of the answer, until the server closes
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    assert 1.5 < elapsed < 5
    assert json.loads(body) == {"error": "Request body was not received within 2s"}
    assert b"connection: close" in head.lower()
    wait_until(lambda: '"POST /api/echo" 408' in server.output(), timeout=5)


def test_a_slow_plain_form_post_is_timed_while_csrf_reads_it(make_project, start_server) -> None:
    """CSRF reads the token field of plain form posts before the action runs; that read is timed too."""
    server = start_server(make_project({"pages/index.pyxl": ACTION_PAGE}), "serve", "--body-timeout", "1.5", env=KEY)
    cookie = httpx.get(server.url + "/").cookies["pyxle-csrf"].encode()
    started = time.monotonic()
    answer = raw_request(server.url, b"POST /api/__actions/index/save HTTP/1.1\r\nHost: x\r\nCookie: pyxle-csrf=" + cookie +
                         b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\ncsrf_token=", wait=10)
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 6, answer


def test_a_body_within_the_timeout_is_served(make_project, start_server) -> None:
    server = start_server(make_project(API), "serve", "--body-timeout", "3", env=KEY)
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n[1,")
        time.sleep(1)
        sock.sendall(b"2,3]")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")


# Risk 3: a client leaving mid-body.

def test_a_client_disconnecting_mid_body_is_one_info_line_and_a_499(api_server: Server) -> None:
    """Issue 13, risk 3: no traceback, no ERROR, no 500: one INFO line and 499 in the access log."""
    host, port = api_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[1,")
        time.sleep(0.5)
    wait_until(lambda: '"POST /api/echo" 499' in api_server.output(), timeout=10)
    out = api_server.output()
    lines = [line for line in out.splitlines() if "disconnected" in line]
    assert len(lines) == 1 and " INFO " in lines[0], lines
    assert "POST /api/echo: client disconnected before sending the whole body (499)" in lines[0]
    assert "Traceback" not in out and " ERROR " not in out and '" 500 ' not in out
    assert answers(api_server)



@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_a_client_leaving_a_streamed_answer_with_its_body_unsent_is_no_error(api_server: Server, method: str) -> None:
    """A fuzzer found it: Starlette's stream listens for the disconnect by reading the body, which
    raised the 499 once the answer had started: an ERROR traceback anyone could write to the log
    ("Caught handled exception, but response already started"; for HEAD an exception group)."""
    host, port = api_server.url.removeprefix("http://").split(":")
    for _ in range(2):
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(f"{method} /api/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc".encode())
            assert sock.recv(200).startswith(b"HTTP/1.1 200")
    wait_until(lambda: api_server.output().count(f'"{method} /api/stream" ') == 2, timeout=10)
    time.sleep(0.5)  # what the stream's end would log comes after its access line
    out = api_server.output()
    assert "Traceback" not in out and " ERROR " not in out, out[-3000:]
    assert answers(api_server)


@cites("docs/api-routes.md", "A chunked body with a malformed chunk (or one that stops before its last chunk)\n  is answered "
       "`400` with `{\"error\": \"Malformed request body: ...\"}` and `Connection: close`")
@cites("docs/deployment.md", "(`POST /api/upload: chunked request body was malformed or ended early (400)`) and a `400`")
@pytest.mark.parametrize("chunks", [b"zz\r\nhello\r\n0\r\n\r\n", b"3\r\nhello\r\n0\r\n\r\n"],
                         ids=["bad-size-line", "chunk-longer-than-its-size"])
def test_a_malformed_chunked_body_is_a_400_to_the_client_still_connected(api_server: Server, chunks: bytes) -> None:
    """A bad chunk reaches the app as granian's ``http.disconnect``, but the client is there,
    reading: a standard 400 naming the body, as uvicorn and nginx answer, not `499 <none>`; one
    INFO line, no traceback."""
    path = "/api/echo"
    answer = raw_request(api_server.url, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: "
                         b"application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer
    assert b"connection: close" in head.lower()
    assert json.loads(body) == {"error": "Malformed request body: a chunk is invalid, or the body ended early"}
    wait_until(lambda: f'"POST {path}" 400' in api_server.output(), timeout=10)
    out = api_server.output()
    lines = [line for line in out.splitlines() if "malformed or ended early" in line]
    assert len(lines) == 1 and " INFO " in lines[0], lines
    assert f"POST {path}: chunked request body was malformed or ended early (400)" in lines[0]
    # The 499 looked for is the access log's status and the INFO line's: a bare "499" would also
    # match a port such as 34997 (it did, in CI).
    assert "Traceback" not in out and " ERROR " not in out
    assert f'"POST {path}" 499' not in out and "(499)" not in out
    assert answers(api_server)


def test_a_client_leaving_mid_chunked_body_is_one_info_line_and_no_traceback(api_server: Server) -> None:
    """Issue 13 for a chunked body: granian cannot tell this from a bad chunk, so it is the same
    INFO line and a 400 (which no one reads), never an ERROR."""
    host, port = api_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n3\r\n[1,\r\n")
        time.sleep(0.5)
    wait_until(lambda: '"POST /api/echo" 400' in api_server.output(), timeout=10)
    out = api_server.output()
    assert "POST /api/echo: chunked request body was malformed or ended early (400)" in out
    assert "Traceback" not in out and " ERROR " not in out and '" 500 ' not in out
    assert answers(api_server)


# Risk 2: the shutdown deadline.

@pytest.mark.parametrize("where", ["flag", "env-file"])
def test_sigterm_waits_at_most_the_shutdown_timeout_for_a_request_that_never_ends(make_project, start_server,
                                                                                  where: str) -> None:
    """Issue 13, risk 2: with a shutdown timeout of 2 s (--shutdown-timeout, or PYXLE_SHUTDOWN_TIMEOUT
    in .env), a request that never ends delays exit by about 2 s, then it is cancelled (never answered,
    it gets a 503 saying why) and the server exits; no process of it is left."""
    if where == "flag":
        server = start_server(make_project(API), "serve", "--shutdown-timeout", "2", env=KEY)
    else:
        server = start_server(make_project({**API, ".env": "PYXLE_SHUTDOWN_TIMEOUT=2\n"}), "serve", env=KEY)
    group = os.getpgid(server.proc.pid)
    result: dict[str, object] = {}

    def forever() -> None:
        try:
            result["r"] = httpx.get(server.url + "/api/forever", timeout=30)
        except httpx.HTTPError as exc:
            result["r"] = exc

    client = threading.Thread(target=forever)
    client.start()
    time.sleep(0.5)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.wait_exit(timeout=20)
    elapsed = time.monotonic() - started
    client.join(10)
    assert 1.5 < elapsed < 6, elapsed
    answer = result["r"]
    assert isinstance(answer, httpx.Response) and answer.status_code == 503, answer
    assert answer.json() == {"error": "The server is shutting down"} and answer.headers["connection"] == "close"
    assert "Killing" not in server.output()  # it stopped by itself
    left = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True, check=False).stdout.split()
    assert left == []


def test_a_request_that_finishes_during_the_stop_still_gets_its_access_log_line(make_project, start_server) -> None:
    """The access log writes in batches (within 100 ms); a worker that stopped right after its last
    answer exited before the batch was written, so the line of a request answered 200 during a
    graceful stop was lost, in 3 of 3 runs."""
    server = start_server(make_project({**API, **SLOW}), "serve", "--shutdown-timeout", "10", env=KEY)
    result: dict[str, object] = {}
    client = threading.Thread(target=lambda: result.update(r=httpx.get(server.url + "/api/slow", timeout=30)))
    client.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    assert server.wait_exit(timeout=20) == 0
    client.join(10)
    assert result["r"].status_code == 200  # type: ignore[attr-defined]
    assert '"GET /api/slow" 200' in server.output()


@cites("docs/deployment.md", "A request sent on a kept-alive connection while\n  others finish is answered, with `Connection: close`")
def test_a_request_on_a_kept_alive_connection_during_the_stop_is_answered_and_its_connection_closed(
        make_project, start_server) -> None:
    """Once told to stop, granian read no request on an open keep-alive connection while another
    was in progress, and dropped the connection when that one ended: the client waited for nothing
    (a 502 through nginx's pool). The worker now tells granian only once nothing is in progress."""
    server = start_server(make_project({**API, **SLOW}), "serve", "--shutdown-timeout", "10", env=KEY)
    host, port = server.url.removeprefix("http://").split(":")
    slow: dict[str, object] = {}
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b" 200 " in sock.recv(65536)  # answered; the connection stays open
        client = threading.Thread(target=lambda: slow.update(r=httpx.get(server.url + "/api/slow", timeout=30)))
        client.start()
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        with contextlib.suppress(ConnectionError):
            while chunk := sock.recv(65536):  # to the end: the answer closes the connection
                answer += chunk
    client.join(10)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"connection: close" in head.lower() and b'"hello"' in body, answer
    assert slow["r"].status_code == 200  # type: ignore[attr-defined]
    assert server.wait_exit(timeout=20) == 0


PID = {"pages/api/pid.py": "import os\n\nasync def get(request):\n    return {'pid': os.getpid()}\n",
       "pages/api/slow.py": "import asyncio\n\nasync def get(request):\n    await asyncio.sleep(4)\n    return {'slow': 'done'}\n"}


def ask(sock: socket.socket, path: str) -> tuple[bytes, bytes]:
    """``GET path`` on an open connection: the answer's head (lowercase) and body."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536) or b"\0"  # a NUL where the server closed: the loop cannot spin
        assert not data.endswith(b"\0"), data
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.lower().split(b"\r\n") if line.startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return head.lower(), body


def connect_new(host: str, port: int) -> tuple[str, float]:
    """What a new connection sending a request gets (an answer, a refusal, a reset, nothing in 5 s),
    and how long that took."""
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(b"GET /api/pid HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            outcome = "answered" if sock.recv(65536) else "closed"
    except ConnectionError as exc:
        outcome = type(exc).__name__
    except TimeoutError:
        outcome = "nothing"
    return outcome, round(time.monotonic() - started, 2)


@cites("docs/deployment.md", "SIGTERM stops accepting connections: a new one is refused at once")
@cites("docs/deployment.md", "as is every answer from then on (`/readyz`\n  answers `503`)")
@cites("docs/deployment.md", "`\"starting\"` (before start-up is done, and while stopping)")
@pytest.mark.parametrize("workers", [1, 2])
def test_a_new_connection_during_the_stop_is_refused_at_once_while_requests_in_progress_finish(
        make_project, start_server, workers: int) -> None:
    """Once granian's workers were told to stop, a new connection was completed by the kernel and
    then waited unanswered in the listening socket's queue until the server exited (the shutdown
    timeout, 10 s by default) and was reset, unlogged: a load balancer waited instead of moving on,
    and a /readyz probe hung the same way. pyxle-framework 0.9 (uvicorn) refused them at once."""
    project = make_project(PID)
    port = free_port()
    server = start_server(project, "serve", "--port", str(port), "--workers", str(workers),
                          "--shutdown-timeout", "10", env=KEY)
    # Two kept-alive connections to every worker: one for a slow request, one for /readyz after it.
    pairs: dict[int, list[socket.socket]] = {}
    spare: list[socket.socket] = []
    try:
        while len(pairs) < workers or any(len(socks) < 2 for socks in pairs.values()):
            assert len(spare) < 200, {pid: len(socks) for pid, socks in pairs.items()}
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            owner = pairs.setdefault(json.loads(ask(sock, "/api/pid")[1])["pid"], [])
            (owner if len(owner) < 2 else spare).append(sock)
        slow: dict[int, tuple[bytes, bytes]] = {}

        def slowly(pid: int, sock: socket.socket) -> None:
            with contextlib.suppress(OSError, AssertionError):  # cut off: the check below says so
                slow[pid] = ask(sock, "/api/slow")

        clients = [threading.Thread(target=slowly, args=(pid, socks[0])) for pid, socks in pairs.items()]
        for client in clients:
            client.start()
        time.sleep(0.5)  # in progress on every worker
        server.proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        time.sleep(0.3)
        tries = [connect_new("127.0.0.1", port) for _ in range(6)]  # spread over every worker's socket
        assert all(outcome in ("ConnectionRefusedError", "ConnectionResetError") and took < 2
                   for outcome, took in tries), tries
        for pid, socks in pairs.items():
            head, body = ask(socks[1], "/readyz")
            assert head.startswith(b"http/1.1 503") and b"connection: close" in head, (pid, head)
            assert json.loads(body)["state"] == "starting", body
        for client in clients:
            client.join(10)
        assert {pid: answer[0].split(b"\r\n")[0] for pid, answer in slow.items()} == \
            dict.fromkeys(pairs, b"http/1.1 200 ok"), slow
        assert server.wait_exit(timeout=20) == 0
        assert time.monotonic() - sent < 8
    finally:
        for sock in [*spare, *(s for socks in pairs.values() for s in socks)]:
            sock.close()
    again = start_server(project, "serve", "--port", str(port), env=KEY)  # the port is free at once
    assert httpx.get(again.url + "/api/pid", timeout=5).status_code == 200


def test_sigterm_with_nothing_in_progress_exits_at_once(api_server: Server) -> None:
    started = time.monotonic()
    api_server.proc.send_signal(signal.SIGTERM)
    assert api_server.wait_exit(timeout=20) == 0
    assert time.monotonic() - started < 5


def test_a_new_connection_still_sending_its_request_head_holds_the_stop_until_the_shutdown_timeout(
        make_project, start_server) -> None:
    """What docs/deployment.md says of slow clients at shutdown: an idle keep-alive connection does
    not delay it; a new connection that has sent part of its first request head counts as a
    request in progress (granian waits for it) until --shutdown-timeout, and the server then exits
    all the same."""
    for partial, bounds in ((False, (0.0, 1.5)), (True, (1.5, 6.0))):
        server = start_server(make_project(API), "serve", "--shutdown-timeout", "2", env=KEY)
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            if partial:
                sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n")  # the head never ends
            else:
                sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n")
                assert b" 200 " in sock.recv(65536)  # answered; the connection stays open, idle
            time.sleep(0.3)
            started = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            assert server.wait_exit(timeout=20) == 0
            elapsed = time.monotonic() - started
        assert bounds[0] <= elapsed < bounds[1], (partial, elapsed)


# Limits given through the environment are checked like flags.

@pytest.mark.parametrize(("variable", "value", "message"), [
    ("PYXLE_BODY_TIMEOUT", "soon", 'PYXLE_BODY_TIMEOUT must be a number of seconds above 0 and under a year (got "soon")'),
    ("PYXLE_SHUTDOWN_TIMEOUT", "0", 'PYXLE_SHUTDOWN_TIMEOUT must be a number of seconds above 0 and under a year (got "0")'),
    ("PYXLE_SSR_QUEUE", "-1", 'PYXLE_SSR_QUEUE must be a whole number of renders, 0 or more (got "-1")'),
    ("PYXLE_SSR_QUEUE", "\u00b2", 'PYXLE_SSR_QUEUE must be a whole number of renders, 0 or more (got "\u00b2")'),
    ("PYXLE_KEEP_ALIVE_TIMEOUT", "1e12",
     'PYXLE_KEEP_ALIVE_TIMEOUT must be a number of seconds above 0 and under a year (got "1e12")'),
])
def test_an_invalid_limit_in_the_environment_stops_start_up(make_project, start_server, variable: str, value: str,
                                                          message: str) -> None:
    server = start_server(make_project(API), "serve", env={**KEY, variable: value}, ready=False)
    assert server.wait_exit() == 1
    assert f"pyxle: {message}" in server.output()


def test_the_limits_reach_the_workers_from_flags_and_env_files(make_project, start_server) -> None:
    """Flags become PYXLE_* variables; with those from .env files, every worker process reads them."""
    files = {**API, ".env": "PYXLE_SHUTDOWN_TIMEOUT=4\nPYXLE_SSR_TIMEOUT=2.5\n", "pages/api/limits.py": """
        import dataclasses
        async def get(request):
            return dataclasses.asdict(request.scope["app"].limits)
        """}
    server = start_server(make_project(files), "serve", "--workers", "2", "--body-timeout", "7", "--ssr-queue", "9",
                          "--worker-timeout", "45", env=KEY)
    for _ in range(6):  # new connections: both workers answer
        seen = httpx.get(server.url + "/api/limits", headers={"Connection": "close"}).json()
        assert seen == {"keep_alive_timeout": 30.0, "body_timeout": 7.0, "shutdown_timeout": 4.0, "worker_timeout": 45.0,
                        "ssr_timeout": 2.5, "ssr_queue": 9}


def test_an_invalid_limit_in_an_env_file_stops_start_up(make_project, start_server) -> None:
    project = make_project({**API, ".env": "PYXLE_KEEP_ALIVE_TIMEOUT=forever\n"})
    server = start_server(project, "serve", env=KEY, ready=False)
    assert server.wait_exit() == 1
    assert (f'pyxle: {project / ".env"}:1: PYXLE_KEEP_ALIVE_TIMEOUT must be a number of seconds above 0 and under a '
            'year (got "forever")') in server.output()


# Without PYXLE_SECRET_KEY, production refuses to start when state is shared.

@pytest.mark.parametrize(("args", "env", "files", "named"), [
    (["--workers", "2"], {}, {}, "--workers 2"),
    ([], {"PYXLE_REALTIME_BROKER": "redis"}, {}, "the realtime broker is redis"),
    ([], {"PYXLE_PAGE_CACHE_BACKEND": "redis"}, {}, "the page cache is in redis"),
    ([], {}, {"pyxle.config.json": '{"cache": {"backend": "redis"}}'}, "the page cache is in redis"),
    ([], {}, {"pyxle.config.json": '{"rateLimit": {"requests": 5, "redisUrl": "redis://127.0.0.1:1/0"}}'},
     "rateLimit.redisUrl"),
], ids=["workers", "realtime-broker", "page-cache", "page-cache-config", "rate-limit"])
def test_serve_refuses_to_start_without_a_secret_key_when_state_is_shared(make_project, start_server, args: list[str],
                                                                         env: dict[str, str], files: dict[str, str],
                                                                         named: str) -> None:
    server = start_server(make_project({**API, **files}), "serve", *args, env=env, ready=False)
    assert server.wait_exit() == 1
    out = server.output()
    assert "pyxle: PYXLE_SECRET_KEY is not set, and this server shares state" in out and named in out
    assert "secrets.token_urlsafe(48)" in out
    assert "Listening" not in out


def test_a_rate_limit_that_is_off_does_not_count_as_shared_state(make_project, start_server) -> None:
    """``requests: 0`` turns the limiter off and Redis is never asked: its URL refused start-up."""
    config = '{"rateLimit": {"requests": 0, "redisUrl": "redis://127.0.0.1:1/0"}}'
    server = start_server(make_project({**API, "pyxle.config.json": config}), "serve")
    assert "pyxle: warning: PYXLE_SECRET_KEY is not set" in server.output()
    assert answers(server)


def test_one_worker_without_a_secret_key_still_starts_with_a_warning(api_server_without_key: Server) -> None:
    assert "pyxle: warning: PYXLE_SECRET_KEY is not set" in api_server_without_key.output()
    assert answers(api_server_without_key)


def test_dev_with_a_shared_backend_and_no_secret_key_starts(make_project, start_server, redis_server) -> None:
    server = start_server(make_project(API), "dev", env={"PYXLE_REALTIME_BROKER": "redis",
                                                         "PYXLE_REALTIME_REDIS_URL": redis_server.url})
    assert answers(server)


@pytest.fixture
def api_server_without_key(make_project, start_server) -> Server:
    return start_server(make_project(API), "serve")


@cites("docs/deployment.md", "A flag given a malformed value\n  (`--body-timeout soon`, `--ssr-queue -3`, a timeout of `0` or of a year or more) is a usage\n"
                             "  error instead, as for any command-line tool: a message naming the flag and the value as typed,\n"
                             "  and exit code 2.")
@pytest.mark.parametrize(("flag", "value"), [
    ("--keep-alive-timeout", "40000000"), ("--body-timeout", "soon"), ("--body-timeout", "0"),
    ("--shutdown-timeout", "inf"), ("--ssr-timeout", "nan"), ("--worker-timeout", "1e12"), ("--ssr-queue", "-3"),
])
def test_a_malformed_limit_flag_is_a_usage_error_naming_the_flag_and_the_value_as_typed(
        make_project, start_server, flag: str, value: str) -> None:
    """A value the flag's type let through (40000000 seconds, inf) was refused later under its
    PYXLE_* variable and reformatted ('4e+07'), with exit code 1."""
    server = start_server(make_project(API), "serve", flag, value, env=KEY, ready=False)
    assert server.wait_exit() == 2
    out = server.output()
    rule = "a whole number of renders, 0 or more" if flag == "--ssr-queue" else "a number of seconds above 0 and under a year"
    assert f"Invalid value for '{flag}': must be {rule} (got \"{value}\")" in out, out
    assert "PYXLE_" not in out and "Traceback" not in out, out
