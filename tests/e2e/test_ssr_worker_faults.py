"""SSR workers under production faults, on a real `pyxle build` + `pyxle serve --skip-build`: a
pool whose workers cannot start for a while fills itself again in the background, with no page
request to prompt it; and an asynchronous error in a component is logged with its page while the
worker goes on rendering everyone else's pages."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import Server, pyxle_command, server_env, ssr_bundle
from tests.docs._blocks import cites

OK = '''
@server
async def load(request):
    return {"n": 1}

export default function Ok({ data }) {
  return <p>ok {data.n}</p>
}
'''
# Errors a render schedules and nobody catches: Node's default is to end the process.
TIMER_THROWS = '''
export default function TimerThrows() {
  if (typeof window === 'undefined') setTimeout(() => { throw new Error('async boom') }, 0)
  return <p>timer</p>
}
'''
REJECTS = '''
export default function Rejects() {
  if (typeof window === 'undefined') Promise.reject(new Error('rejected for nothing'))
  return <p>rejects</p>
}
'''
# A `node` first on PATH that fails to start while its flag file exists, as a node upgraded in
# place, a full disk or a missing library would; it counts the starts it refused.
NODE_WRAPPER = '''#!/bin/sh
if [ -e "{flag}" ]; then echo x >> "{refused}"; exit 3; fi
exec "{node}" "$@"
'''


# A `node` first on PATH whose workers, while its flag file exists, start and load the bundle, then
# exit 300 ms later (a bundle that ends its process on a timer); it counts every start.
NODE_DIES_SOON = '''#!/bin/sh
echo x >> "{starts}"
if [ -e "{flag}" ]; then exec "{node}" --import "{dies}" "$@"; fi
exec "{node}" "$@"
'''

def build_and_serve(root: Path, start_server: Callable[..., Server], *args: str, **env: str) -> Server:
    """`pyxle build`, then `pyxle serve --skip-build`, as a deployment runs them."""
    built = subprocess.run([*pyxle_command(), "build"], cwd=root, env=server_env(), capture_output=True, text=True,
                           timeout=180, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    return start_server(root, "serve", "--skip-build", *args, env=env)


def node_workers(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(os.getpgid(server.proc.pid)), "-f", "ssr/worker.mjs"],
                         capture_output=True, text=True, check=False).stdout
    return sorted(int(pid) for pid in out.split())


def pool_check(server: Server) -> tuple[int, dict[str, int]]:
    """/readyz's status and its ``ssr_pool`` check: what a load balancer's probe sees."""
    answer = httpx.get(server.url + "/readyz", timeout=5)
    return answer.status_code, answer.json()["checks"]["ssr_pool"]


def wait_for_pool(server: Server, status: int, alive: int, timeout: float) -> float:
    """Poll /readyz only (no page request) until it answers ``status`` with ``alive`` workers;
    the seconds that took."""
    began = time.monotonic()
    while True:
        seen = pool_check(server)
        if seen[0] == status and seen[1]["alive"] == alive:
            return time.monotonic() - began
        assert time.monotonic() - began < timeout, f"/readyz still answers {seen} after {timeout}s"
        time.sleep(0.2)


class BrokenNode:
    """The wrapper above, and the switch that breaks it."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.flag = folder / "broken"
        self.refused = folder / "refused"
        real = shutil.which("node")
        assert real is not None
        wrapper = folder / "node"
        wrapper.write_text(NODE_WRAPPER.format(flag=self.flag, refused=self.refused, node=real))
        wrapper.chmod(0o755)
        self.path = f"{folder}{os.pathsep}{os.environ['PATH']}"

    def refusals(self) -> int:
        return len(self.refused.read_text().splitlines()) if self.refused.exists() else 0


def broken_node_server(make_project, start_server, tmp_path: Path) -> tuple[Server, BrokenNode]:  # type: ignore[no-untyped-def]
    node = BrokenNode(tmp_path / "bin")
    project = make_project({"pages/index.pyxl": OK}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "2", PATH=node.path)
    assert len(node_workers(server)) == 2
    return server, node


@cites("docs/pages.md", "With no page request needed, a worker that cannot be started is tried again in the "
                        "background, 0.5 s later, then twice as long after each failure, up to every 30 s")
@cites("docs/deployment.md", "a server whose `/readyz` turned `503` for want of SSR workers answers `200` again by "
                             "itself, with no page request to prompt it")
@cites("docs/deployment.md", "While none runs, pages answer `500` at once rather than wait for the next try")
def test_a_pool_left_without_workers_fills_again_with_no_page_request(make_project, start_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Both workers killed while Node cannot start: /readyz said 503 `alive 0` for good, since only
    a page request started workers again, and a load balancer sends none to a machine it took out."""
    server, node = broken_node_server(make_project, start_server, tmp_path)
    node.flag.touch()
    for pid in node_workers(server):
        os.kill(pid, signal.SIGKILL)
    wait_for_pool(server, 503, 0, 10)
    server.wait_for_output("could not start an SSR worker", 10)
    time.sleep(4)  # starts refused meanwhile: a few, not one per event-loop turn
    assert 2 <= node.refusals() <= 10, node.refusals()
    began = time.monotonic()
    assert httpx.get(server.url + "/", timeout=10).status_code == 500 and time.monotonic() - began < 2
    node.flag.unlink()
    assert wait_for_pool(server, 200, 2, 20) < 17  # the next try comes within the 30 s cap... sooner here
    assert len(node_workers(server)) == 2
    assert httpx.get(server.url + "/", timeout=10).status_code == 200
    output = server.wait_for_output("the SSR pool is whole again", 5)  # said once its workers have run 2 s
    assert len(re.findall(r"the SSR pool is short of workers \(0 of 2 running\)", output)) == 1, output
    assert len(re.findall(r"the SSR pool is whole again \(2 of 2 workers running\)", output)) == 1, output
    assert output.index("short of workers") < output.index("whole again")


@cites("docs/deployment.md", "The log says `could not start an SSR worker: ...; the SSR pool is short of workers "
                             "(0 of 2 running) ...` once, and `the SSR pool is whole again (2 of 2 workers running)` "
                             "once it is")
@cites("docs/deployment.md", "while some do, they serve every render")
def test_a_pool_missing_one_worker_fills_again_and_says_so(make_project, start_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One worker of two killed while Node cannot start: the pool stayed at 1 of 2 for good, even
    under load (the pool started workers only when none was left), and the log never said so."""
    server, node = broken_node_server(make_project, start_server, tmp_path)
    node.flag.touch()
    os.kill(node_workers(server)[0], signal.SIGKILL)
    server.wait_for_output("could not start an SSR worker", 10)
    assert pool_check(server) == (200, {"ok": True, "alive": 1, "size": 2})  # one worker still serves
    assert httpx.get(server.url + "/", timeout=10).status_code == 200
    node.flag.unlink()
    wait_for_pool(server, 200, 2, 20)
    assert len(node_workers(server)) == 2
    output = server.wait_for_output("the SSR pool is whole again (2 of 2 workers running)", 5)
    assert output.count("the SSR pool is short of workers (1 of 2 running)") == 1, output


@cites("docs/deployment.md", "A pool that loses more workers while short says so again, each time fewer run than "
                             "its last line counted (`1 of 2`, then `0 of 2`)")
def test_a_short_pool_that_loses_its_last_worker_says_so(make_project, start_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pool short of one worker (logged `1 of 2 running`) that then lost the other logged nothing
    more: the log still read as if one worker served while every page answered 500. CI met it when
    two workers killed together were seen one event-loop turn apart."""
    server, node = broken_node_server(make_project, start_server, tmp_path)
    node.flag.touch()
    first, second = node_workers(server)
    os.kill(first, signal.SIGKILL)
    server.wait_for_output("the SSR pool is short of workers (1 of 2 running)", 10)
    os.kill(second, signal.SIGKILL)
    wait_for_pool(server, 503, 0, 10)
    output = server.wait_for_output("the SSR pool is short of workers (0 of 2 running)", 10)
    assert re.search(r"ERROR pyxle\.ssr .*could not start an SSR worker: .*short of workers \(0 of 2 running\)", output)
    node.flag.unlink()
    output = server.wait_for_output("the SSR pool is whole again (2 of 2 workers running)", 25)
    assert output.count("short of workers") == 2, output  # the tries between are at DEBUG


@cites("docs/deployment.md", "Each of those answers is logged as `rendering pages/index.pyxl failed: no SSR worker is "
                             "running: ...`, the\nfirst at once with the JavaScript stack, then at most one line every "
                             "ten seconds, without it, which says how\nmany it stands for (`... (and 1204 more such "
                             "answers since the last line)`); the answers held back are\nlogged once the pool has a "
                             "worker again, before its `whole again` line.")
def test_pages_answered_500_while_no_ssr_worker_runs_are_logged_sparsely(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """The bundle gone and the workers killed: each page request logged a record with the bundle's
    whole JavaScript stack (25 MB of log in 10 s under load)."""
    project = make_project({"pages/index.pyxl": OK}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "1")
    bundle = ssr_bundle(project / "dist")
    bundle.rename(bundle.with_name("gone.mjs"))  # a bad deploy
    for pid in node_workers(server):
        os.kill(pid, signal.SIGKILL)
    server.wait_for_output("could not start an SSR worker", 15)
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: httpx.get(server.url + "/", timeout=10).status_code, range(30)))
    assert codes == [500] * 30, codes
    bundle.with_name("gone.mjs").rename(bundle)
    out = server.wait_for_output("the SSR pool is whole again", 45)
    lines = [line for line in out.splitlines() if "rendering pages/index.pyxl failed: no SSR worker " in line]
    held = [int(found.group(1)) if (found := re.search(r"\(and (\d+) more such answers since the last line\)$", line))
            else 0 for line in lines]
    assert len(lines) + sum(held) == 30 and 2 <= len(lines) <= 4, lines  # every answer counted, by the pool's return
    stack = out.splitlines()[out.splitlines().index(lines[0]) + 1]
    assert stack.lstrip().startswith("at "), out  # the first with its stack
    for line in lines[1:]:
        after = out.splitlines()[out.splitlines().index(line) + 1]
        assert not after.lstrip().startswith("at "), out  # the others without
    assert out.index(lines[-1]) < out.index("the SSR pool is whole again"), out


@cites("docs/pages.md", "An error a component schedules and nothing catches (a timer that throws, a promise "
                        "rejected with no handler) is logged with its page and stops nothing: the worker goes on "
                        "rendering.")
def test_asynchronous_errors_of_a_page_fail_no_other_render(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """A timer that throws and a promise rejected with no handler, scheduled by renders: each killed
    its worker, so renders of a clean page on it answered 500, and the log blamed the clean page
    ("rendering pages/ok.pyxl failed: the SSR worker exited during the render")."""
    project = make_project({"pages/ok.pyxl": OK, "pages/timer.pyxl": TIMER_THROWS, "pages/rejects.pyxl": REJECTS},
                           node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "2")
    workers = node_workers(server)
    statuses: list[int] = []
    stop = threading.Event()

    def clean_client() -> None:
        with httpx.Client(base_url=server.url, timeout=15) as client:
            while not stop.is_set():
                statuses.append(client.get("/ok").status_code)

    with ThreadPoolExecutor(4) as clients:
        running = [clients.submit(clean_client) for _ in range(4)]
        with httpx.Client(base_url=server.url, timeout=15) as bad:
            for n in range(20):  # 5 a second for 4 s
                assert bad.get("/timer" if n % 2 else "/rejects").status_code == 200
                time.sleep(0.2)
        stop.set()
        for future in running:
            future.result()
    assert len(statuses) > 20 and set(statuses) == {200}, [s for s in statuses if s != 200]
    assert node_workers(server) == workers  # none died, none was replaced
    output = server.output()
    assert "replacing SSR worker" not in output and "exited during the render" not in output, output
    server.wait_for_output("uncaught exception from page 'timer': Error: async boom", 5)
    server.wait_for_output("unhandled rejection from page 'rejects': Error: rejected for nothing", 5)


@cites("docs/deployment.md", "A replacement that dies within 2 s of starting with no render under way (a bundle "
                             "that ends its process on a timer) counts as one that could not be started, so a crash "
                             "loop waits as long between tries")
@cites("docs/pages.md", "one that dies within 2 s of starting with no render under way counts as one that could not "
                        "be started")
def test_workers_that_die_soon_after_starting_are_restarted_with_a_pause(make_project, start_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Workers that started, then died 300 ms later, every time: each was replaced at once, about
    four Node starts a second per worker for as long as it lasted, and a log line each time. A
    replacement that dies that soon now counts as a start that failed: the pause between tries
    doubles, the log says so once, and the pool fills again once the cause is gone."""
    folder = tmp_path / "bin"
    folder.mkdir()
    flag, starts, dies = folder / "dying", folder / "starts", folder / "dies.mjs"
    dies.write_text("setTimeout(() => process.exit(7), 300)\n")
    wrapper = folder / "node"
    wrapper.write_text(NODE_DIES_SOON.format(flag=flag, starts=starts, dies=dies, node=shutil.which("node")))
    wrapper.chmod(0o755)
    project = make_project({"pages/index.pyxl": OK}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "2",
                             PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")
    assert len(node_workers(server)) == 2
    flag.touch()
    before = len(starts.read_text().splitlines())
    for pid in node_workers(server):
        os.kill(pid, signal.SIGKILL)
    time.sleep(5)
    restarts = len(starts.read_text().splitlines()) - before
    assert restarts <= 8, f"{restarts} workers started in 5 s"
    flag.unlink()
    assert wait_for_pool(server, 200, 2, 40) < 35
    assert httpx.get(server.url + "/", timeout=10).status_code == 200
    output = server.wait_for_output("the SSR pool is whole again (2 of 2 workers running)", 10)
    said = [int(n) for n in re.findall(r"could not start an SSR worker: .*short of workers \((\d) of 2", output)]
    assert said and said == sorted(set(said), reverse=True), output  # once, and again only when fewer run
    assert output.count("could not start an SSR worker") == len(said), output
    assert re.search(r"an SSR worker exited [\d.]+s after it started", output), output


EXITS = '''
export default function Exits() {
  if (typeof window === 'undefined') process.exit(3)
  return <p>never</p>
}
'''


@cites("docs/deployment.md", "one that dies in a render (a page whose render ends its process) is started again at once, "
                             "so the other pages keep rendering")
def test_a_page_that_ends_its_worker_on_every_render_fails_alone(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Such a replacement counted as a start that failed: the pool waited with no worker at all, and
    every page answered 500 while one client asked for the bad one (a probe: 44 of 53 failed)."""
    project = make_project({"pages/index.pyxl": OK, "pages/exits.pyxl": EXITS}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "2")
    done = threading.Event()

    def crash() -> None:
        while not done.is_set():
            httpx.get(server.url + "/exits", timeout=30)
            time.sleep(0.3)

    crasher = threading.Thread(target=crash)
    crasher.start()
    try:
        statuses = []
        for _ in range(40):
            statuses.append(httpx.get(server.url + "/", timeout=30).status_code)
            time.sleep(0.15)
    finally:
        done.set()
        crasher.join()
    assert statuses.count(200) == len(statuses), statuses
    assert "could not start an SSR worker" not in server.output()


# Values with no text form: String() throws for each (no toString; one that throws; a Proxy that
# throws on every read; a revoked Proxy).
THROWN = {
    "nullproto": "Object.create(null)",
    "evil": '{ toString() { throw new Error("evil") } }',
    "trap": 'new Proxy({}, { get() { throw new Error("trap") } })',
    "revoked": "(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy })()",
}
THROWS = '''
export default function Page() {{
  throw {value}
}}
'''
# A boundary whose data rejects with such a value after the shell went out.
LATE_REJECTS = '''
import { Suspense, use } from 'react'

const waits = new WeakMap()
function Late({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((_, reject) => setTimeout(() => reject(Object.create(null)), 200)))
  return <p>{use(promise)}</p>
}

export default function Page({ data }) {
  return <main><h1>shell</h1><Suspense fallback={<p>loading</p>}><Late data={data} /></Suspense></main>
}
'''


def thrown_pages() -> dict[str, str]:
    return {"pages/ok.pyxl": OK, **{f"pages/{name}.pyxl": THROWS.format(value=value) for name, value in THROWN.items()}}


def fails_at_once(server: Server, path: str) -> httpx.Response:
    began = time.monotonic()
    answer = httpx.get(server.url + path, timeout=30)
    took = time.monotonic() - began
    assert answer.status_code == 500 and took < 1.5, (path, answer.status_code, round(took, 2))
    return answer


@cites("docs/pages.md", "One that throws is answered at once, whatever it threw (a value with no text form too, such "
                        "as `Object.create(null)`), and its worker goes on")
def test_a_render_that_throws_a_value_with_no_text_form_is_answered_at_once(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """`throw Object.create(null)` (and the like): turning it into the answer's text threw again in the
    worker's catch block, so no answer went out; each request took the whole SSR timeout (10 s), then
    its worker was killed and replaced."""
    project = make_project(thrown_pages(), node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "1", PYXLE_SSR_TIMEOUT="5")
    workers = node_workers(server)
    for name in THROWN:
        fails_at_once(server, f"/{name}")
    assert httpx.get(server.url + "/ok", timeout=10).status_code == 200
    assert node_workers(server) == workers
    output = server.wait_for_output("rendering pages/revoked.pyxl failed", 5)
    assert "rendering pages/nullproto.pyxl failed: [Object: null prototype] {}" in output, output
    assert "replacing SSR worker" not in output and "uncaught exception" not in output, output


def test_pyxle_dev_shows_a_thrown_value_with_no_text_form_at_once(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Under `pyxle dev` the overlay said the render took longer than 10 s, after 10 s."""
    project = make_project(thrown_pages(), node=True)
    server = start_server(project, "dev", env={"PYXLE_SSR_TIMEOUT": "5"})
    for name in ("nullproto", "evil"):
        answer = fails_at_once(server, f"/{name}")
        assert "render error: " in answer.text and "took longer" not in answer.text, answer.text[:2000]
    assert "render error: [Object: null prototype] {}" in httpx.get(server.url + "/nullproto", timeout=10).text


@cites("docs/pages.md", "the\n  answer carries only a digest (`pyxle-` and 8 characters), the error and its stack go to the\n"
                        "  server's log with that digest")
def test_a_boundary_rejected_with_a_value_with_no_text_form_is_logged_with_its_digest(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """The log line meant to carry the digest threw as it was made (a template string of the value):
    the log said `uncaught exception from page 'late': TypeError: Cannot convert object to primitive
    value`, and the digest the browser got was in it nowhere."""
    project = make_project({"pages/late.pyxl": LATE_REJECTS}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "1")
    answer = httpx.get(server.url + "/late", timeout=10)
    assert answer.status_code == 200 and "<h1>shell</h1>" in answer.text
    [digest] = re.findall(r'\$RX\("B:\d+","(pyxle-[0-9a-f]{8})"', answer.text)
    output = server.wait_for_output(f"(digest {digest}) failed on the server: [Object: null prototype] {{}}", 5)
    assert "uncaught exception" not in output, output


HANGS = '''
export default function Loop() {
  while (true) {}
}
'''


@cites("docs/observability.md", "Other records carry `request_id` when logged during a request")
@cites("docs/pages.md", "A worker replaced during a render (killed past the timeout, or exited) is logged with the id of "
                        "the request whose render it was")
def test_a_worker_replaced_during_a_render_is_logged_with_that_requests_id(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """The pool's watchdog ran in the context of the request that armed it: the line saying the worker
    was killed carried the id of the request before (`curl /`), not of the one that hung. A worker
    that exited in a render (a page calling process.exit) was logged with no request id."""
    project = make_project({"pages/index.pyxl": OK, "pages/loop.pyxl": HANGS, "pages/exits.pyxl": EXITS}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "1", PYXLE_SSR_TIMEOUT="2")
    before = httpx.get(server.url + "/", timeout=10)
    assert before.status_code == 200
    hung = httpx.get(server.url + "/loop", timeout=30)
    assert hung.status_code == 500
    output = server.wait_for_output("replacing SSR worker", 5)
    [line] = [line for line in output.splitlines() if "replacing SSR worker" in line]
    assert f"WARNING pyxle.ssr [{hung.headers['x-request-id']}]: " in line, (line, before.headers["x-request-id"])
    assert "it was killed after rendering 'loop' for longer than 2s" in line
    exits = httpx.get(server.url + "/exits", timeout=30)
    assert exits.status_code == 500
    output = server.wait_for_output("it exited with code 3", 5)
    [line] = [line for line in output.splitlines() if "it exited with code 3" in line]
    assert f"WARNING pyxle.ssr [{exits.headers['x-request-id']}]: replacing SSR worker " in line, line


STREAMS = '''
import React, { Suspense, use } from 'react'
const waits = new WeakMap()
function Later({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, 1500)))
  use(promise)
  return <p id="late">late</p>
}
export default function Page({ data }) {
  return <main><h1 id="shell">Streams</h1><Suspense fallback={<p id="fallback">loading</p>}><Later data={data} /></Suspense></main>
}
'''


def test_a_stream_cut_short_by_another_pages_hung_render_is_logged_with_its_page_and_why(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """One SSR worker streams /stream's page when /loop's render hangs on it: killing the worker past
    the timeout ends the stream too. Its log line said only "streaming a page stopped: the SSR worker
    stopped while streaming the page", with neither the page nor the other page's hang."""
    project = make_project({"pages/index.pyxl": OK, "pages/loop.pyxl": HANGS, "pages/stream.pyxl": STREAMS}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "1", PYXLE_SSR_TIMEOUT="2")
    with ThreadPoolExecutor(2) as pool:
        streamed = pool.submit(httpx.get, server.url + "/stream", timeout=30)
        time.sleep(0.3)  # its shell is out; the worker waits on its Suspense part
        hung = pool.submit(httpx.get, server.url + "/loop", timeout=30)
        page, loop = streamed.result(), hung.result()
    assert page.status_code == 200 and 'id="fallback"' in page.text and 'id="late"' not in page.text
    assert loop.status_code == 500
    output = server.wait_for_output("streaming page 'stream' stopped", 5)
    [line] = [line for line in output.splitlines() if "streaming page 'stream' stopped" in line]
    assert f"ERROR pyxle.error [{page.headers['x-request-id']}]: " in line, line
    assert line.endswith("the SSR worker stopped while streaming the page: it was killed after rendering 'loop' "
                         "for longer than 2s"), line
