"""The SSR worker pool under failure: every request answered, the next one served normally."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import REPO, Server
from tests.docs._blocks import cites

PAGE = '''
@server
async def load(request):
    return {"mode": request.query_params.get("mode", "ok")}

export default function Page({ data }) {
  if (data.mode === "throw") throw new Error("render boom")
  if (data.mode === "hang") { while (true) {} }
  return <p data-testid="ok">rendered {data.mode}</p>
}
'''


@pytest.fixture
def ssr_server(make_project, start_server) -> Server:
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    return start_server(project, "serve", "--ssr-workers", "1", env={"PYXLE_SSR_TIMEOUT": "1"})


def ok(server: Server) -> None:
    r = httpx.get(server.url + "/?mode=fine", timeout=10)
    assert r.status_code == 200 and "rendered <!-- -->fine" in r.text


def node_workers(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(os.getpgid(server.proc.pid)), "-f", "ssr/worker.mjs"],
                         capture_output=True, text=True, check=False).stdout
    return [int(pid) for pid in out.split()]


def test_render_that_throws_is_a_500_and_the_next_request_is_fine(ssr_server: Server) -> None:
    ok(ssr_server)
    r = httpx.get(ssr_server.url + "/?mode=throw", timeout=10)
    assert r.status_code == 500
    assert "render boom" not in r.text and "Internal Server Error" in r.text  # serve never leaks the error
    ssr_server.wait_for_output("render boom", 5)  # the log has it
    ok(ssr_server)


def test_render_that_never_returns_times_out_and_the_worker_is_replaced(ssr_server: Server) -> None:
    ok(ssr_server)
    before = node_workers(ssr_server)
    start = time.monotonic()
    r = httpx.get(ssr_server.url + "/?mode=hang", timeout=15)
    assert r.status_code == 500 and time.monotonic() - start < 8
    ok(ssr_server)
    after = node_workers(ssr_server)
    assert len(after) == 1 and after != before  # the hung worker was killed and replaced


def test_worker_killed_mid_render_answers_and_recovers(ssr_server: Server) -> None:
    ok(ssr_server)
    [pid] = node_workers(ssr_server)
    result: dict[str, httpx.Response] = {}
    in_flight = threading.Thread(target=lambda: result.update(r=httpx.get(ssr_server.url + "/?mode=hang", timeout=15)))
    in_flight.start()
    time.sleep(0.3)  # the render is now running in that worker
    os.kill(pid, signal.SIGKILL)
    in_flight.join(15)
    assert result["r"].status_code == 500
    for _ in range(3):
        ok(ssr_server)
    assert pid not in node_workers(ssr_server)


def test_renders_queued_behind_a_hang_are_served(ssr_server: Server) -> None:
    """One worker: the hung render fails alone; the renders sent after it go to the replacement."""
    ok(ssr_server)
    with ThreadPoolExecutor(4) as pool:
        hung = pool.submit(httpx.get, ssr_server.url + "/?mode=hang", timeout=15)
        time.sleep(0.2)
        fine = [pool.submit(httpx.get, ssr_server.url + f"/?mode=fine{i}", timeout=15) for i in range(3)]
        assert hung.result().status_code == 500
        for i, future in enumerate(fine):
            r = future.result()
            assert r.status_code == 200 and f"rendered <!-- -->fine{i}" in r.text


def test_server_workers_share_the_cores_for_rendering(make_project, start_server) -> None:
    """Without --ssr-workers, each of N server workers starts cores // N renderers (at least one),
    so --workers does not multiply the Node processes competing for the same cores."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "k" * 40})
    expected = 2 * max(1, (os.cpu_count() or 2) // 2)
    deadline = time.monotonic() + 20
    while len(node_workers(server)) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # nothing more starts after that
    assert len(node_workers(server)) == expected
    ok(server)


@cites("docs/deployment.md", "`--workers 4` on 8 cores starts 2 per worker")
def test_four_server_workers_on_eight_cores_start_two_renderers_each(make_project, start_server, tmp_path) -> None:
    """The docs' example on a machine of 8 cores: this one has fewer, so every Python process of
    the server is told 8 (os.cpu_count, patched by a sitecustomize on its path)."""
    eight = tmp_path / "eight-cores"
    eight.mkdir()
    (eight / "sitecustomize.py").write_text("import os\nos.cpu_count = lambda: 8\n")
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--workers", "4",
                          env={"PYXLE_SECRET_KEY": "k" * 40, "PYTHONPATH": f"{eight}{os.pathsep}{REPO / 'src'}"})
    deadline = time.monotonic() + 60
    while len(node_workers(server)) < 8 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # nothing more starts after that
    assert len(node_workers(server)) == 8
    ok(server)


def test_page_requests_during_dev_reloads_start_no_render_workers_of_their_own(make_project, start_server) -> None:
    """A dev reload publishes its new pool before the pool has started; renders that reach it
    meanwhile used to start workers the pool then forgot, which ran until the server stopped."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    ok(server)
    stop = threading.Event()

    def browse() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    client.get(server.url + "/?mode=busy")

    browsers = [threading.Thread(target=browse) for _ in range(4)]
    for thread in browsers:
        thread.start()
    try:
        for edit in range(5):
            (project / "pages" / "index.pyxl").write_text(PAGE.replace("rendered", f"edit {edit} rendered"))
            deadline = time.monotonic() + 30
            while server.output().count("reloaded routes after change to pages/index.pyxl") <= edit:
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.05)
            time.sleep(0.5)  # requests keep reaching the new pool as it starts
    finally:
        stop.set()
        for thread in browsers:
            thread.join(20)
    deadline = time.monotonic() + 15  # each replaced pool lets its workers finish, then stops them
    while len(node_workers(server)) > 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(node_workers(server)) == 1, node_workers(server)
    assert "edit 4 rendered" in httpx.get(server.url + "/?mode=x", timeout=10).text
