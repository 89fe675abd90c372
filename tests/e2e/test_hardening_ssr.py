"""The SSR pool under production load: slow renders, console output, hung renders, saturation.

Each test starts a real `pyxle serve` with real Node render workers and loads it with real HTTP
clients; the render times are busy loops inside the React component.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server
from tests.docs._blocks import cites
from tests.e2e.test_hardening_server import wait_until

PAGE = '''
import os

@server
async def load(request):
    q = request.query_params
    if os.environ.get("LOADER_LOG"):
        with open(os.environ["LOADER_LOG"], "a") as log:
            log.write(q.get("n", "") + "\\n")
    return {"ms": int(q.get("ms", "0")), "log": q.get("log", ""), "hang": q.get("hang") == "1", "n": q.get("n", "")}

export default function Page({ data }) {
  if (data.hang) { while (true) {} }
  if (data.ms) { const end = Date.now() + data.ms; while (Date.now() < end) {} }
  if (data.log) {
    console.log("log line", data.log, { page: "index" })
    console.warn("warn line " + data.log)
    console.error("error line " + data.log)
    process.stdout.write("raw stdout " + data.log + "\\n")
  }
  return <p>rendered {data.ms} {data.n}</p>
}
'''
ERROR_PAGE = '''
export default function Failed({ data }) {
  return <h1>custom error {data.statusCode}</h1>
}
'''


def node_workers(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(os.getpgid(server.proc.pid)), "-f", "ssr/worker.mjs"],
                         capture_output=True, text=True, check=False).stdout
    return sorted(int(pid) for pid in out.split())


def get_all(server: Server, paths: list[str], timeout: float = 60) -> list[httpx.Response]:
    """All requests at once, each on its own connection."""
    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(lambda p: httpx.get(server.url + p, timeout=timeout), paths))



@pytest.fixture
def one_worker(make_project, start_server):  # type: ignore[no-untyped-def]
    """``one_worker(timeout, **env)`` -> a server with one SSR worker and that render timeout."""
    project = make_project({"pages/index.pyxl": PAGE, "pages/error.pyxl": ERROR_PAGE}, node=True)

    def start(timeout: float, *args: str, **env: str) -> Server:
        return start_server(project, "serve", "--ssr-workers", "1", *args,
                            env={"PYXLE_SSR_TIMEOUT": str(timeout), **env})

    return start


def test_renders_waiting_behind_slow_ones_are_not_declared_hung(one_worker) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, defect 1: four 800 ms renders on one worker with a 2 s timeout all answer 200,
    the log has no timeout, and the worker is never replaced (the queue is not render time)."""
    server = one_worker(2)
    httpx.get(server.url + "/", timeout=10)
    before = node_workers(server)
    for _ in range(3):  # the batching that broke it depends on arrival timing: try a few times
        responses = get_all(server, [f"/?ms=800&n={i}" for i in range(4)])
        assert [r.status_code for r in responses] == [200] * 4
    assert "longer than" not in server.output() and "replacing SSR worker" not in server.output()
    assert node_workers(server) == before


def test_a_burst_of_slow_renders_is_served_without_replacing_a_worker(make_project, start_server) -> None:
    """Issue 13, defect 1 under load: 240 requests sent at once (one asyncio client) for a 100 ms
    render on 2 workers with the default timeout: every one answers 200 within the time the
    renders take, and no worker is replaced."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "2")
    httpx.get(server.url + "/", timeout=10)
    before = node_workers(server)

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=240), timeout=60) as client:
            return await asyncio.gather(*(client.get(server.url + f"/?ms=100&n={i}") for i in range(240)))

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 240
    assert all(f"<!-- -->{i}</p>" in r.text for i, r in enumerate(responses))
    assert "replacing SSR worker" not in server.output()
    assert node_workers(server) == before


GARBLED = """
export default function Garbled() {
  if (typeof window === 'undefined' && !globalThis.__garbling) {
    // Makes the worker's own answer for this page unreadable, as a lone surrogate once did.
    globalThis.__garbling = true
    const stringify = JSON.stringify
    JSON.stringify = function (value, ...rest) {
      const text = stringify.call(this, value, ...rest)
      return value && typeof value.html === 'string' && value.html.includes('garbled page') ? text.slice(0, -2) : text
    }
  }
  return <p>garbled page</p>
}
"""


def test_an_answer_the_server_cannot_read_fails_its_render_at_once(make_project, start_server) -> None:
    """An unreadable answer was logged and skipped, so its render waited out the whole render
    timeout (20 s here) before the error page; now it fails at once, and the worker goes on."""
    project = make_project({"pages/index.pyxl": PAGE, "pages/error.pyxl": ERROR_PAGE, "pages/garbled.pyxl": GARBLED},
                           node=True)
    server = start_server(project, "serve", "--ssr-workers", "1", env={"PYXLE_SSR_TIMEOUT": "20"})
    assert httpx.get(server.url + "/", timeout=30).status_code == 200
    began = time.monotonic()
    garbled = httpx.get(server.url + "/garbled", timeout=60)
    assert garbled.status_code == 500 and time.monotonic() - began < 10
    server.wait_for_output("an SSR worker wrote a malformed answer")  # the log line may trail the answer
    assert httpx.get(server.url + "/", timeout=30).status_code == 200
    assert "replacing SSR worker" not in server.output()  # one unreadable answer is not a broken worker


def test_console_output_during_a_render_goes_to_the_log_tagged_with_the_page(one_worker) -> None:
    """Issue 13, defect 2: console.log/warn/error and process.stdout.write in a component answer
    200, reach the server log with the page named, and do not cost the worker its life."""
    server = one_worker(5)
    httpx.get(server.url + "/", timeout=10)
    before = node_workers(server)
    r = httpx.get(server.url + "/?log=alpha", timeout=10)
    assert r.status_code == 200 and "rendered" in r.text
    for text in ("log line alpha { page: 'index' }", "warn line alpha", "error line alpha", "raw stdout alpha"):
        server.wait_for_output(text)
        [line] = [line for line in server.lines if text in line]
        assert "index" in line.split(text)[0], f"the page is not named in: {line!r}"
    levels = {text: next(line for line in server.lines if text in line) for text in ("log line", "warn line", "error line")}
    assert " INFO " in levels["log line"] and " WARNING " in levels["warn line"] and " ERROR " in levels["error line"]
    assert node_workers(server) == before
    assert "replacing SSR worker" not in server.output()


def test_pages_that_log_do_not_disturb_clean_pages(make_project, start_server) -> None:
    """Issue 13, defect 2 under load: 40 logging renders mixed with 160 clean ones, all 200."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "2")
    paths = [f"/?log=x{i}" if i % 5 == 0 else f"/?n={i}" for i in range(200)]
    responses = get_all(server, paths, timeout=60)
    assert [r.status_code for r in responses] == [200] * 200
    assert all(f"<!-- -->{i}</p>" in r.text for i, r in enumerate(responses) if i % 5)
    assert "replacing SSR worker" not in server.output()


def test_error_pages_of_hung_renders_do_not_queue_behind_each_other(one_worker) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, risk 4: two hung renders on one worker with a 3 s timeout. The first answers its
    error page (error.pyxl, rendered) as soon as it is declared hung and a worker is back, not after
    the second one has timed out too (which would take another 3 s)."""
    server = one_worker(3)
    httpx.get(server.url + "/", timeout=10)
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(lambda: (httpx.get(server.url + "/?hang=1&n=1", timeout=30), time.monotonic() - started))
        time.sleep(0.2)
        second = pool.submit(lambda: (httpx.get(server.url + "/?hang=1&n=2", timeout=30), time.monotonic() - started))
        (r1, t1), (r2, t2) = first.result(), second.result()
    assert r1.status_code == 500 and "custom error" in r1.text
    assert r2.status_code == 500 and "custom error" in r2.text
    assert t1 < 5.5, f"the first error page took {t1:.1f}s: it waited for the second hung render"
    assert t2 < 12


@cites("docs/deployment.md", "renders that may wait for a busy SSR worker; a page request beyond them gets `503`")
def test_a_queue_of_zero_renders_on_an_idle_worker_and_refuses_only_what_would_wait(one_worker) -> None:  # type: ignore[no-untyped-def]
    """``--ssr-queue 0``: no render may wait, yet one an idle worker takes at once is not waiting.
    It answered 503 to every page, the worker idle and /readyz ready."""
    server = one_worker(5, "--ssr-queue", "0")
    for i in range(5):  # one at a time: the worker is idle for each
        assert httpx.get(server.url + f"/?n={i}", timeout=10).status_code == 200
    statuses = sorted(r.status_code for r in get_all(server, [f"/?ms=500&b={i}" for i in range(4)]))
    assert statuses[0] == 200 and statuses[-1] == 503, statuses  # one renders; those that would wait do not
    assert httpx.get(server.url + "/?after=1", timeout=10).status_code == 200


def test_saturation_queues_what_it_can_and_refuses_the_rest_fast(one_worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, saturation: 16 concurrent 300 ms renders on one worker whose timeout (1 s) lets it
    serve 3, with a queue of 4: no 500 at all; the renders the queue holds answer 200; the rest get
    a 503 with Retry-After at once, without running the page's loader."""
    loader_log = tmp_path / "loader.log"
    server = one_worker(1, PYXLE_SSR_QUEUE="4", LOADER_LOG=str(loader_log))
    httpx.get(server.url + "/", timeout=10)

    async def fetch(client: httpx.AsyncClient, i: int) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        r = await client.get(server.url + f"/?ms=300&n={i}")
        return r, time.monotonic() - started

    async def burst() -> list[tuple[httpx.Response, float]]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16), timeout=30) as client:
            return await asyncio.gather(*(fetch(client, i) for i in range(16)))

    timed = asyncio.run(burst())
    statuses = sorted(r.status_code for r, _ in timed)
    assert set(statuses) == {200, 503}, statuses
    assert 5 <= statuses.count(200) <= 8, statuses  # one rendering + four waiting (+ any arriving once one is done)
    for r, elapsed in timed:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "1" and elapsed < 1.0, (r.headers, elapsed)
            assert "text/html" in r.headers["content-type"] and "busy" in r.text
    assert "longer than" not in server.output()
    assert server.output().count("the SSR queue is full (4 renders waiting for 1 worker);") >= 1
    loads = loader_log.read_text().split()[1:]  # (the first request was the warm-up)
    assert len(loads) <= statuses.count(200) + 2, (loads, statuses)


@cites("docs/deployment.md", "A page request whose client leaves while its render waits in the queue is dropped "
       "from it, so visitors who gave up do not keep the workers busy for no one (its access line says `499`, as "
       "nginx's does); the renders already sent to a worker (up to 16 each) still run")
def test_a_render_waiting_in_the_queue_is_dropped_when_its_client_leaves(one_worker) -> None:  # type: ignore[no-untyped-def]
    """Forty 150 ms renders on one worker whose clients all leave after half a second: the renders
    still in the queue then are dropped, not rendered for no one (the worker takes 16 ahead, which
    run), so the next visitor waits for those only; the gone requests are logged as 499s."""
    server = one_worker(10)
    httpx.get(server.url + "/", timeout=10)
    sockets = []
    for i in range(40):
        sock = socket.create_connection(httpx.URL(server.url).netloc.decode().split(":"))
        sock.sendall(f"GET /?ms=150&log=gone{i}x HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        sockets.append(sock)
    time.sleep(0.5)
    for sock in sockets:
        sock.close()
    started = time.monotonic()
    assert httpx.get(server.url + "/?n=after", timeout=30).status_code == 200
    waited = time.monotonic() - started
    time.sleep(0.5)
    rendered = len(re.findall(r"log line gone\d+x", server.output()))
    assert rendered <= 24, (rendered, waited)  # 1 + 16 sent ahead, and a few taken before their client was heard
    assert server.output().count('" 499 ') >= 10 or server.output().count(" 499 ") >= 10, server.output()[-3000:]


def test_four_times_what_the_timeout_allows_is_served_with_the_default_queue(one_worker) -> None:
    """Issue 13, saturation: 16 concurrent 250 ms renders on one worker with a 1 s timeout (4 per
    timeout): with the default queue every one answers 200, the last after about 4 s."""
    server = one_worker(1)
    httpx.get(server.url + "/", timeout=10)
    responses = get_all(server, [f"/?ms=250&n={i}" for i in range(16)])
    assert [r.status_code for r in responses] == [200] * 16
    assert "longer than" not in server.output() and "replacing SSR worker" not in server.output()


def test_a_hung_render_is_still_declared_hung_within_the_timeout(one_worker) -> None:
    """The timeout still works: a render that never returns answers 500 after about the timeout
    and its worker is replaced; the renders queued behind it are served."""
    server = one_worker(1)
    httpx.get(server.url + "/", timeout=10)
    before = node_workers(server)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        hung = pool.submit(httpx.get, server.url + "/?hang=1", timeout=30)
        time.sleep(0.2)
        fine = [pool.submit(httpx.get, server.url + f"/?n={i}", timeout=30) for i in range(3)]
        assert hung.result().status_code == 500
        assert time.monotonic() - started < 4  # the timeout, then a new worker renders the error page
        assert [f.result().status_code for f in fine] == [200] * 3
    server.wait_for_output("longer than 1s")
    assert re.search(r"rendering 'index' took longer than 1s", server.output())
    # The killed worker is gone, and the pool is back to one (the spare started for the renders
    # waiting behind the hung one stops once they are served): a moment after the log line, on a
    # busy machine (seen in CI: the killed worker still listed beside the spare).
    wait_until(lambda: len(node_workers(server)) == 1 and node_workers(server) != before, timeout=10)


@pytest.mark.parametrize("to_group", [False, True], ids=["to-pyxle", "to-the-group"])
def test_sigterm_during_a_hung_render_leaves_no_process_behind(one_worker, to_group: bool) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, risk 2: the shutdown deadline (1 s) is shorter than the render timeout (30 s): the
    request is cancelled at the deadline (a 503: the server is stopping) with a render hung in its
    Node worker, the server worker stops, and that Node worker goes with it (it would otherwise spin
    forever, orphaned), also when the SIGTERM went to the whole group, which the Node workers ignore."""
    server = one_worker(30, "--shutdown-timeout", "1")
    group = os.getpgid(server.proc.pid)
    httpx.get(server.url + "/", timeout=10)
    [node] = node_workers(server)
    with ThreadPoolExecutor(1) as pool:
        hung = pool.submit(httpx.get, server.url + "/?hang=1", timeout=30)
        time.sleep(0.5)
        if to_group:
            os.killpg(group, signal.SIGTERM)
        else:
            server.proc.send_signal(signal.SIGTERM)
        server.wait_exit(timeout=20)
        assert hung.result().status_code == 503
    deadline = time.monotonic() + 5
    while subprocess.run(["pgrep", "-g", str(group)], capture_output=True, check=False).stdout:
        assert time.monotonic() < deadline, f"left behind: node worker {node}"
        time.sleep(0.1)


STREAMED = '''
import os

@server
async def load(request):
    with open(os.environ["LOADER_LOG"], "a") as log:
        log.write("streamed\\n")
    return {}

import React, { Suspense, use } from 'react'

const waits = new WeakMap()  // one wait per render, so the shell goes first
function Late({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('the late part'), 1500)))
  return <p id="late">{use(promise)}</p>
}

export default function Page({ data }) {
  return <main><h1>shell</h1><Suspense fallback={<p>loading</p>}><Late data={data} /></Suspense></main>
}
'''


def group_processes(group: int) -> list[str]:
    """The command lines of the processes still in process group ``group``, read from /proc."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == group:  # after the name: state, ppid, pgrp
                left.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError, IndexError):
            pass  # it exited meanwhile
    return left


@cites("docs/deployment.md", "sends SIGTERM to every process of the service at once, as `timeout` or `kill -TERM -- -PGID` "
                             "does; the server stops the same way, since the Node render workers ignore it: they finish "
                             "the renders in progress and exit with their server worker")
def test_sigterm_to_the_whole_group_lets_renders_in_flight_finish(make_project, start_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM to the process group (systemd's default KillMode, ``timeout``, ``kill -- -PGID``):
    the Node workers got it too and died at once, so a render and a streamed page in flight
    failed, and each worker was "replaced" while the server stopped. Now they ignore it, as
    Ctrl-C: both pages are answered whole, no worker is replaced, and nothing is left behind."""
    project = make_project({"pages/index.pyxl": PAGE, "pages/streamed.pyxl": STREAMED}, node=True)
    loaded = tmp_path / "loaded"
    loaded.touch()
    server = start_server(project, "serve", "--ssr-workers", "2", env={"LOADER_LOG": str(loaded)})
    group = os.getpgid(server.proc.pid)
    httpx.get(server.url + "/", timeout=10)
    assert len(node_workers(server)) == 2
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(httpx.get, server.url + "/?ms=1500&n=slow", timeout=30)
        streamed = pool.submit(httpx.get, server.url + "/streamed", timeout=30)
        while sorted(loaded.read_text().split()) != ["slow", "streamed"]:
            time.sleep(0.02)
        time.sleep(0.3)  # both are rendering now (a render takes 1.5 s)
        os.killpg(group, signal.SIGTERM)
        assert slow.result().status_code == 200 and "<!-- -->slow</p>" in slow.result().text
        assert streamed.result().status_code == 200 and "the late part" in streamed.result().text
    assert server.wait_exit(timeout=20) == 0
    assert "replacing SSR worker" not in server.output()
    assert "Unknown child process" not in server.output()
    assert group_processes(group) == []


@cites("docs/pages.md", "those sent ahead to a worker whose render holds it (a loop that runs long or forever) "
                        "move to another worker within about a second, rather than wait out the timeout behind it")
def test_renders_sent_ahead_to_a_hung_worker_go_to_an_idle_one(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Two workers, one hung in an endless render (6 s timeout): the pages sent ahead to it waited
    out the whole timeout behind the hang while the other worker sat idle. Now each fast page answers
    within 3 s, the hung one fails alone at the timeout, and only its worker is replaced."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "2", env={"PYXLE_SSR_TIMEOUT": "6"})
    httpx.get(server.url + "/", timeout=10)

    async def fast(client: httpx.AsyncClient, n: int) -> tuple[int, float, str]:
        began = time.monotonic()
        answer = await client.get(server.url + f"/?ms=100&n={n}")
        return answer.status_code, time.monotonic() - began, answer.text

    async def load() -> tuple[httpx.Response, list[tuple[int, float, str]]]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16), timeout=30) as client:
            hung = asyncio.ensure_future(client.get(server.url + "/?hang=1"))
            await asyncio.sleep(0.3)  # it is rendering now, in one of the two workers
            answers = await asyncio.gather(*(fast(client, n) for n in range(8)))
            return await hung, answers

    hung, answers = asyncio.run(load())
    assert [status for status, _, _ in answers] == [200] * 8
    assert max(took for _, took, _ in answers) < 3, [round(took, 2) for _, took, _ in answers]
    assert all(f"<!-- -->{n}</p>" in text for n, (_, _, text) in enumerate(answers))
    assert hung.status_code == 500
    # (its line is logged just before the 500 is sent, and may reach this process after it)
    assert server.wait_for_output("replacing SSR worker").count("replacing SSR worker") == 1


def timed_burst(server: Server, held: str, pages: int) -> tuple[httpx.Response, float, list[tuple[int, float, str]]]:
    """``held`` sent first, then, once it is rendering, ``pages`` fast pages at once: its answer and
    how long it took, and each fast page's status, time and text."""
    async def fast(client: httpx.AsyncClient, n: int) -> tuple[int, float, str]:
        began = time.monotonic()
        answer = await client.get(server.url + f"/?n={n}")
        return answer.status_code, time.monotonic() - began, answer.text

    async def load() -> tuple[httpx.Response, float, list[tuple[int, float, str]]]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=pages + 1), timeout=60) as client:
            began = time.monotonic()
            first = asyncio.ensure_future(client.get(server.url + held))
            await asyncio.sleep(0.3)  # it is rendering now, in the only SSR worker
            answers = await asyncio.gather(*(fast(client, n) for n in range(pages)))
            answer = await first
            return answer, time.monotonic() - began, answers

    return asyncio.run(load())


def wait_for_workers(server: Server, count: int, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while len(workers := node_workers(server)) != count and time.monotonic() < deadline:
        time.sleep(0.1)
    return workers


@cites("docs/pages.md", "With one SSR worker, or all of them held, a spare worker is started for the pages waiting "
                        "(one per held worker, at most as many as the pool's size; logged: "
                        "`starting a spare SSR worker`)")
@cites("docs/deployment.md", "With one, a render that holds it (a loop) does not hold up the other pages: those behind it "
                             "go to a spare worker started for them, rather than wait out the render timeout")
def test_with_one_ssr_worker_pages_behind_a_hung_render_go_to_a_spare(one_worker) -> None:  # type: ignore[no-untyped-def]
    """A pool of one (the default with --workers 2 on 2 cores), one render in an endless loop (10 s
    timeout): the 20 pages behind it had no other worker to move to, and half of them waited out
    the whole timeout (a probe). Now a spare worker takes them, each answers within a few seconds,
    the hung one still fails at its timeout, and the pool is back to one Node process."""
    server = one_worker(10, "--workers", "1")
    httpx.get(server.url + "/", timeout=10)
    [before] = node_workers(server)
    hung, took, answers = timed_burst(server, "/?hang=1", 20)
    assert [status for status, _, _ in answers] == [200] * 20
    assert max(took for _, took, _ in answers) < 5, sorted(round(took, 2) for _, took, _ in answers)
    assert all(f"<!-- -->{n}</p>" in text for n, (_, _, text) in enumerate(answers))
    assert hung.status_code == 500 and "custom error" in hung.text and 9.5 < took < 14, took
    assert server.wait_for_output("replacing SSR worker").count("replacing SSR worker") == 1
    assert server.output().count("starting a spare SSR worker") == 1
    after = wait_for_workers(server, 1)
    assert len(after) == 1 and after != [before], (before, after)
    assert httpx.get(server.url + "/?n=after", timeout=10).status_code == 200


def test_with_one_ssr_worker_a_long_render_that_ends_leaves_one_worker(one_worker) -> None:  # type: ignore[no-untyped-def]
    """A pool of one held 3 s by a render that then ends: the pages behind it go to a spare and
    answer before it does; it answers 200, nothing is killed, and once the renders are done the
    pool is back to one Node process."""
    server = one_worker(10, "--workers", "1")
    httpx.get(server.url + "/", timeout=10)
    slow, took, answers = timed_burst(server, "/?ms=3000&n=slow", 12)
    assert [status for status, _, _ in answers] == [200] * 12
    assert all(f"<!-- -->{n}</p>" in text for n, (_, _, text) in enumerate(answers))
    # (sent 0.3 s after it: each answered before it did, however long the spare took to start)
    last_fast = max(seconds for _, seconds, _ in answers)
    assert last_fast + 0.3 < took, (took, sorted(round(seconds, 2) for _, seconds, _ in answers))
    assert slow.status_code == 200 and "<!-- -->slow</p>" in slow.text and took >= 3
    assert len(wait_for_workers(server, 1)) == 1, node_workers(server)
    assert "replacing SSR worker" not in server.output()
    assert httpx.get(server.url + "/?n=after", timeout=10).text.count("<!-- -->after</p>") == 1


def test_renders_moved_off_a_slow_worker_are_answered_once(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """A 4 s render that ends (timeout 6 s): the pages sent ahead to its worker move to the other
    one and answer at once; the slow worker answers the slow page and stays (it drops the pages
    moved off it, rendered once, by the other): each request has its own page."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "2", env={"PYXLE_SSR_TIMEOUT": "6"})
    httpx.get(server.url + "/", timeout=10)
    before = node_workers(server)

    async def load() -> tuple[httpx.Response, list[tuple[int, float]]]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16), timeout=30) as client:
            async def fast(n: int) -> tuple[int, float]:
                began = time.monotonic()
                answer = await client.get(server.url + f"/?ms=50&n={n}")
                assert f"<!-- -->{n}</p>" in answer.text
                return answer.status_code, time.monotonic() - began

            slow = asyncio.ensure_future(client.get(server.url + "/?ms=4000"))
            await asyncio.sleep(0.3)
            answers = await asyncio.gather(*(fast(n) for n in range(8)))
            return await slow, answers

    slow, answers = asyncio.run(load())
    assert [status for status, _ in answers] == [200] * 8
    assert max(took for _, took in answers) < 2.5, [round(took, 2) for _, took in answers]
    assert slow.status_code == 200 and "<!-- -->4000<!-- -->" in slow.text
    assert httpx.get(server.url + "/?n=after", timeout=10).text.count("<!-- -->after</p>") == 1
    assert "replacing SSR worker" not in server.output() and node_workers(server) == before


@cites("docs/pages.md", "A render moved off a held worker is rendered once, by the worker it moved to")
@cites("docs/pages.md", "a worker held by a render that ends stays")
def test_a_burst_of_long_renders_renders_each_page_once_and_keeps_the_workers(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """A probe: 4 pages at once whose renders take 1.5 s each (big props, none hung) on the default
    2 workers. Those sent ahead to a worker moved to a spare, and the held worker rendered them
    again once free (its console output logged with no request id, ``[-]``); and both workers were
    stopped as idle spares beyond the size, so the pool was replaced on every burst. Now each page
    renders once, for its own request, and the same two workers are there after the burst."""
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "2")
    httpx.get(server.url + "/", timeout=10)
    before = node_workers(server)
    assert len(before) == 2
    responses = get_all(server, [f"/?ms=1500&log=u{i}&n={i}" for i in range(4)])
    assert [r.status_code for r in responses] == [200] * 4
    assert all(f"<!-- -->{i}</p>" in r.text for i, r in enumerate(responses))
    time.sleep(3)  # a render done again would log after the answers went
    lines = [line for line in server.output().splitlines() if "console output from page 'index': log line u" in line]
    for i in range(4):
        mine = [line for line in lines if f"log line u{i} " in line]
        assert len(mine) == 1, lines
        assert "[-]" not in mine[0], lines
    wait_until(lambda: node_workers(server) == before, timeout=10)
    assert "replacing SSR worker" not in server.output()


STREAM = '''
@server
async def load(request):
    return {"delay": int(request.query_params.get("d", "500")), "n": request.query_params.get("n", "")}

import React, { Suspense, use } from 'react'

const waits = new WeakMap()  // one wait per render (the props object), so the shell never waits
function Slow({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(() => resolve('slow part ' + data.n), data.delay)))
  return <p id="slow">{use(promise)}</p>
}

export default function Page({ data }) {
  return <main><h1>shell</h1><Suspense fallback={<p id="fallback">loading</p>}><Slow data={data} /></Suspense></main>
}
'''


@pytest.mark.parametrize("ssr_workers", ["1", "2"])
def test_streamed_pages_sent_behind_a_long_render_keep_their_streamed_part(make_project, start_server,
                                                                          ssr_workers: str) -> None:
    """With one SSR worker, the streams sent ahead behind a 2 s render were taken off it and given
    back to it under the same ids; the abort it was sent for the first copy's stream then ended the
    live one, and the page ended on its fallback, with no error logged (a probe)."""
    project = make_project({"pages/index.pyxl": PAGE, "pages/stream.pyxl": STREAM}, node=True)
    server = start_server(project, "serve", "--ssr-workers", ssr_workers, env={"PYXLE_SSR_TIMEOUT": "8"})
    for _ in range(4):  # every SSR worker learns that the page suspends: from then on it streams
        httpx.get(server.url + "/stream?d=10", timeout=30)

    async def load() -> list[httpx.Response]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16), timeout=30) as client:
            slow = asyncio.ensure_future(client.get(server.url + "/?ms=2000"))
            await asyncio.sleep(0.1)
            streams = await asyncio.gather(*(client.get(server.url + f"/stream?d=500&n={n}") for n in range(3)))
            await slow
            return list(streams)

    for n, answer in enumerate(asyncio.run(load())):
        assert answer.status_code == 200 and f"slow part {n}<" in answer.text, answer.text[-300:]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_render_timeout_is_logged_on_one_line_without_a_trailing_newline(one_worker, log_format: str) -> None:
    """A render past the timeout has no JavaScript stack to show: its error was logged as
    "...: %s\\n%s" with an empty stack, a blank line in the text log and a trailing "\\n" in the
    JSON message."""
    server = one_worker(1, "--log-format", log_format)
    assert httpx.get(server.url + "/?hang=1", timeout=30).status_code == 500
    out = server.wait_for_output("longer than 1s")
    [line] = [line for line in out.splitlines() if "took longer than 1s" in line and "rendering pages/" in line]
    if log_format == "json":
        message = json.loads(line)["message"]
        assert message == "rendering pages/index.pyxl failed: rendering 'index' took longer than 1s", message
    else:
        assert line.endswith("rendering pages/index.pyxl failed: rendering 'index' took longer than 1s"), line
        assert line + "\n\n" not in out, out
