"""Metrics across the life of server workers: a worker killed or crashed leaves no figure behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import SHARED_SECRET, Server, server_env
from tests.docs._blocks import cites

TOKEN = "metrics-token-for-tests"
CONFIG = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
ECHO_WS = '''
async def websocket(ws):
    await ws.accept()
    async for text in ws.iter_text():
        await ws.send_text(text)
'''
PID = "import os\n\nasync def get(request):\n    return {'pid': os.getpid()}\n"


def open_websockets(server: Server) -> float:
    text = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
    [line] = [line for line in text.splitlines() if line.startswith("pyxle_websocket_connections ")]
    return float(line.split()[1])


def worker_pid(server: Server) -> int | None:
    try:
        return int(httpx.get(server.url + "/api/pid", timeout=2).json()["pid"])
    except httpx.HTTPError:
        return None


@cites("docs/observability.md", "the connections and renders of a worker that was killed or\ncrashed leave them at the first scrape after it is gone")
def test_a_killed_workers_open_websockets_leave_the_gauge_once_it_is_restarted(make_project, start_server,
                                                                             tmp_path: Path) -> None:
    """`kill -9` of the worker holding three WebSockets: granian starts a new one, and the next
    scrape counts only the socket really open (on the new worker), not the dead worker's three;
    the dead worker's live-gauge file is gone from the metrics directory."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    project = make_project({"pages/api/echo.py": ECHO_WS, "pages/api/pid.py": PID,
                            "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, "serve", env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})

    async def scenario() -> tuple[float, int, float]:
        held = [await websockets.connect(server.ws_url + "/api/echo") for _ in range(3)]
        for ws in held:
            await ws.send("ping")
            assert await ws.recv() == "ping"
        before = open_websockets(server)
        victim = worker_pid(server)
        assert victim is not None
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while worker_pid(server) in (None, victim):
            assert time.monotonic() < deadline, server.output()
            await asyncio.sleep(0.2)
        async with websockets.connect(server.ws_url + "/api/echo") as ws:
            await ws.send("ping")
            assert await ws.recv() == "ping"
            after = open_websockets(server)
        for ws in held:
            ws.transport.abort()  # their worker is gone
        return before, victim, after

    before, victim, after = asyncio.run(scenario())
    assert (before, after) == (3, 1)
    assert not list(metrics_dir.glob(f"gauge_live*_{victim}.db"))


@cites("docs/observability.md", "stops at start-up, naming the variable")
def test_a_metrics_folder_that_cannot_be_written_stops_start_up_naming_the_variable(make_project, start_server,
                                                                                  tmp_path: Path) -> None:
    """A folder never created, or a file in its place: every worker would fail on its first
    request (health checks included), so `pyxle serve` refuses to start instead."""
    project = make_project({"pages/api/pid.py": PID, "pyxle.config.json": json.dumps(CONFIG)})
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for chosen in (tmp_path / "never" / "made", a_file):
        server = start_server(project, "serve", env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(chosen)},
                              ready=False)
        assert server.wait_exit() == 1
        output = server.output()
        assert f"PROMETHEUS_MULTIPROC_DIR={chosen}: the metric files cannot be written there" in output
        assert "hint: create the folder, writable by the server's user, or unset PROMETHEUS_MULTIPROC_DIR" in output
        assert "Traceback" not in output and "pyxle serve: http" not in output


@contextlib.contextmanager
def nearly_full_tmpfs(mount_point: Path, left: int = 8192) -> Iterator[Path]:
    """A 2 MiB tmpfs at ``mount_point`` with ``left`` bytes free (the rest in ``fill``)."""
    mount_point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                      capture_output=True, check=False).returncode:
        pytest.skip("needs to mount a tmpfs (root, mount)")
    try:
        stat = os.statvfs(mount_point)
        (mount_point / "fill").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - left))
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)  # at once, even while a server holds files


@cites("docs/observability.md", "while the folder has less than 1 MiB free the workers write no\nmetrics and keep serving")
@cites("docs/observability.md", "`metrics are not written: the metrics folder /run/metrics has 8 KiB free, less than 1.0 MiB`")
@cites("docs/observability.md", "Start-up warns when the folder has less than 16 MiB free")
def test_a_full_metrics_folder_stops_the_metrics_not_the_workers(make_project, start_server, tmp_path: Path) -> None:
    """PROMETHEUS_MULTIPROC_DIR on a full tmpfs: prometheus-client's memory-mapped writes killed
    every worker with SIGBUS (`Unexpected exit from worker-2`, then a crash loop, every request
    refused) and nothing named the folder. Now the site answers, the log says why the metrics
    stand still, and once there is room they are written again, the requests meanwhile counted."""
    routes = {f"pages/api/{name}.py": PID for name in ("a", "b", "c", "d", "e")}
    project = make_project({**routes, "pyxle.config.json": json.dumps(CONFIG)})
    with nearly_full_tmpfs(tmp_path / "metrics") as folder:
        server = start_server(project, "serve", "--workers", "2",
                              env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(folder)})
        assert f"the metrics folder {folder} has 8 KiB free" in server.output()
        statuses = []
        for n in range(30):  # a new connection each time, so both workers answer some
            statuses.append(httpx.get(server.url + f"/api/{'abcde'[n % 5]}", headers={"connection": "close"},
                                      timeout=5).status_code)
            time.sleep(0.05)
        time.sleep(1.5)  # the flush that would have written them
        assert statuses == [200] * 30
        assert httpx.get(server.url + "/readyz", timeout=5).status_code == 200
        output = server.output()
        assert "Unexpected exit" not in output, output
        assert f"metrics are not written: the metrics folder {folder} has 8 KiB free, less than 1.0 MiB" in output

        (folder / "fill").unlink()

        def all_counted() -> bool:
            httpx.get(server.url + "/api/a", headers={"connection": "close"}, timeout=5)  # a flush on some worker
            text = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
            counted = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                          if line.startswith("pyxle_http_requests_total{") and re.search('route="/api/[b-e]"', line))
            return counted == 24  # the six requests to each of b to e, kept while there was no room

        deadline = time.monotonic() + 20
        while not all_counted():
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.3)
        assert "metrics are written again" in server.output()
        server.stop()


@cites("docs/observability.md", "These lines are the worker's, not a request's: they carry no request id (`[-]` in text)")
def test_the_not_written_error_carries_no_request_id(make_project, start_server, tmp_path: Path) -> None:
    """The metrics flush is worker-wide, but its timer was set inside the request that found no
    flush pending, so it ran in that request's context: the "not written" ERROR (and whatever else
    a flush logs) carried the id of an unrelated earlier request, pointing an operator at it."""
    project = make_project({"pages/api/a.py": PID, "pyxle.config.json": json.dumps({**CONFIG, "accessLog": False})})
    with nearly_full_tmpfs(tmp_path / "metrics", left=1536 * 1024) as folder:  # room, until filled below
        server = start_server(project, env={"PROMETHEUS_MULTIPROC_DIR": str(folder)})
        assert httpx.get(server.url + "/api/a").status_code == 200
        stat = os.statvfs(folder)
        (folder / "more").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 8192))
        deadline = time.monotonic() + 15
        while "metrics are not written: " not in server.output():  # the room is looked at once a second
            assert time.monotonic() < deadline, server.output()
            assert httpx.get(server.url + "/api/a").status_code == 200
            time.sleep(0.2)
        [line] = [line for line in server.lines if "metrics are not written: " in line]
        assert "ERROR pyxle [-]: metrics are not written" in line, server.output()
        server.stop()


HIT = "async def get(request):\n    return {'ok': True}\n"


def hits_in(directory: Path) -> float:
    """The requests to /api/hit that the workers' metric files hold (read as a scrape reads them)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return sum(sample.value for metric in registry.collect() for sample in metric.samples
               if sample.name == "pyxle_http_requests_total" and sample.labels.get("route") == "/api/hit")


def hit(server: Server, times: int) -> None:
    for _ in range(times):  # a connection each, so the kernel spreads them over the workers
        assert httpx.get(server.url + "/api/hit", headers={"connection": "close"}).status_code == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["stop", "reload"])
@cites("docs/observability.md", "A worker\nthat stops or is replaced by a reload (SIGTERM, SIGHUP) writes them as it goes, so nothing is\nlost")
def test_a_stop_or_a_reload_right_after_requests_loses_none_of_their_figures(make_project, start_server,
                                                                              tmp_path: Path, sig: signal.Signals) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    project = make_project({"pages/api/hit.py": HIT, "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, "serve", "--workers", "2",
                          env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    hit(server, 30)
    os.kill(server.proc.pid, sig)  # within the second the figures wait in each worker
    if sig == signal.SIGTERM:
        assert server.wait_exit() == 0
    else:
        server.wait_for_output("Stopped old worker-2", 30)
    assert hits_in(metrics_dir) == 30


@cites("docs/observability.md", "one killed with SIGKILL, or crashing, loses the requests of its last second at most:\nthey are never counted")
def test_a_worker_killed_with_sigkill_loses_at_most_its_last_second_of_figures(make_project, start_server,
                                                                                tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    project = make_project({"pages/api/hit.py": HIT, "pages/api/pid.py": PID, "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, "serve", env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    victim = worker_pid(server)
    assert victim is not None
    hit(server, 10)
    time.sleep(1.5)  # written
    hit(server, 10)
    os.kill(victim, signal.SIGKILL)  # within a second of those: not written yet
    deadline = time.monotonic() + 30
    while worker_pid(server) in (None, victim):
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.2)
    assert 10 <= hits_in(metrics_dir) < 20


def per_process_files(directory: Path) -> list[str]:
    """The counter and histogram files named after a worker's pid (prometheus-client's names)."""
    return sorted(path.name for path in directory.glob("*.db") if re.fullmatch(r"(counter|histogram)_\d+\.db", path.name))


@cites("docs/observability.md", "so the folder holds the files of the running workers and one\nset for all those gone")
def test_reloads_leave_the_metrics_folder_and_the_figures_as_they_were(make_project, start_server,
                                                                        tmp_path: Path) -> None:
    """Each SIGHUP replaced both workers and left their counter and histogram files behind for
    good: 4 more files per reload, every scrape reading them all (a soak with two reloads ended
    with 14 files for 2 workers, one deploy a day adds 1,460 a year). Now a scrape (or the next
    worker's start) folds the files of workers gone into one set, and no request is lost."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    project = make_project({"pages/api/hit.py": HIT, "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, "serve", "--workers", "2",
                          env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    for reload in range(1, 4):
        hit(server, 10)
        os.kill(server.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while server.output().count("Stopped old worker-2") < reload:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
    hit(server, 10)
    time.sleep(1.5)  # written
    text = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
    scraped = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                  if line.startswith("pyxle_http_requests_total{") and 'route="/api/hit"' in line)
    assert scraped == 40
    assert hits_in(metrics_dir) == 40
    assert len(per_process_files(metrics_dir)) <= 4, per_process_files(metrics_dir)  # the two running workers'


SEED = '''
import sys
from prometheus_client import CollectorRegistry, Counter

requests = Counter("pyxle_http_requests_total", "seeded", ("route", "method", "status"), registry=CollectorRegistry())
requests.labels("/api/hit", "GET", "200").inc(int(sys.argv[1]))
'''

FOLD_KILLED_AFTER_THE_REPLACE = '''
import os, re, signal, sys
from pyxle.observability import _metrics

unlink = os.unlink

def killed_before_removing_a_folded_file(path, *args, **kwargs):
    if re.search(r"(counter|histogram)_[0-9]+[.]db$", os.fspath(path)):
        os.kill(os.getpid(), signal.SIGKILL)  # the archive holds their figures, the files are still there
    return unlink(path, *args, **kwargs)

os.unlink = killed_before_removing_a_folded_file
_metrics.fold_gone_processes(sys.argv[1])
'''


@cites("docs/observability.md", "the next scrape or\nworker start finishes that work before anything else, so a worker is never counted twice")
def test_a_fold_killed_after_writing_the_archive_counts_no_worker_twice(make_project, start_server,
                                                                         tmp_path: Path) -> None:
    """A process killed while it folded the files of workers gone, after it put the new archive
    in place and before it removed their files, left those files beside an archive that already
    held their figures: every scrape after it counted those workers twice. Now the next fold
    finishes the interrupted one first (its journal names the files), so each request counts once."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {**server_env(), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    for hits in (3, 4):  # two workers gone, 7 requests between them
        subprocess.run([sys.executable, "-c", SEED, str(hits)], env=env, check=True)
    seeded = per_process_files(metrics_dir)
    assert len(seeded) == 2, seeded
    killed = subprocess.run([sys.executable, "-c", FOLD_KILLED_AFTER_THE_REPLACE, str(metrics_dir)], env=env,
                            capture_output=True, text=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (metrics_dir / "counter_archive.db").exists() and per_process_files(metrics_dir) == seeded

    project = make_project({"pages/api/pid.py": PID, "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, "serve", env={**SHARED_SECRET, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    text = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
    scraped = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                  if line.startswith("pyxle_http_requests_total{") and 'route="/api/hit"' in line)
    assert scraped == 7, text
    assert not set(seeded) & set(per_process_files(metrics_dir))
    assert not [path.name for path in metrics_dir.iterdir() if path.suffix in (".fold", ".new", ".tmp")]
