"""A worker that crashes while serving (a C extension's segfault in a loader) is started again, each
time, on a real `pyxle serve`: the other workers keep serving, the port stays open, and the log
names the line that crashed it."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from tests.docs._blocks import cites

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
CRASHING = {
    "pages/l/segv.pyxl": """
        import ctypes

        @server
        async def load(request):
            ctypes.string_at(0)  # reads address 0: SIGSEGV
            return {}

        export default function Segv() {
          return <p>never</p>
        }
        """,
    "pages/api/ok.py": "async def get(request):\n    return {'ok': True}\n",
    "pages/api/exit.py": "import os\n\nasync def get(request):\n    os._exit(1)\n",
}


class Prober:
    """Asks for a healthy page on a new connection every 0.1 s, in a thread, and keeps what failed:
    (when it was sent, when it failed, why)."""

    def __init__(self, url: str) -> None:
        self.url, self.answered = url, 0
        self.failures: list[tuple[float, float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            sent = time.monotonic()
            try:
                answer = httpx.get(self.url, headers={"connection": "close"}, timeout=30)
                if answer.status_code == 200:
                    self.answered += 1
                else:
                    self.failures.append((sent, time.monotonic(), str(answer.status_code)))
            except httpx.HTTPError as exc:
                self.failures.append((sent, time.monotonic(), repr(exc)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(40)

    def lost_only_in(self, crashes: list[float]) -> bool:
        """Whether every probe that failed was one the crashing worker had taken as it died (its
        connection closed unanswered as a crash was seen): one in flight on a worker that crashes is
        lost, on any server. None refused, none failed otherwise."""
        return all(why.startswith("RemoteProtocolError") and any(sent <= crash and abs(failed - crash) < 0.1
                                                                  for crash in crashes)
                   for sent, failed, why in self.failures)


@cites("docs/deployment.md", "One whose app had started is started again each time it dies, however often: a page that "
                             "crashes its worker whenever it is asked for (a segfault in a loader) costs only the "
                             "requests that worker was serving as it died, and the other workers keep serving")
@cites("docs/deployment.md", "`worker-1 (pid 1234) died of SIGSEGV at pages/report.pyxl:12; its threads follow`")
@cites("docs/observability.md", "or of one that crashed (every thread's stack")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_worker_crashed_by_a_page_again_and_again_is_started_again_and_the_server_keeps_its_port(
        make_project, start_server, workers: str) -> None:
    """A page that segfaulted its worker, asked for twice a second apart, was taken by granian for
    a crash loop (the second worker died within 5.5 s of its start): it stopped the healthy workers
    too and left the port closed for seconds (20 of 45 probes refused), then longer each time. The
    log said `Unexpected exit from worker-1` and no more. With one worker, the probes wait for the
    next one (the server process holds the listening socket); with two, the other one serves.
    Two workers log in JSON here: the crashed worker's stacks are one record too."""
    json_logs = workers == "2"
    log_format = "json" if json_logs else "text"
    server = start_server(make_project(CRASHING, node=True), "serve", "--workers", workers, "--log-format", log_format,
                          env=KEY)
    prober, crashes = Prober(server.url + "/api/ok"), []
    try:
        for _ in range(6):  # with two workers, twice in a row on one of them: 31 times in 32
            with pytest.raises(httpx.RemoteProtocolError):  # its worker dies under it: closed unanswered
                httpx.get(server.url + "/l/segv", timeout=30)
            crashes.append(time.monotonic())
            time.sleep(1.2)
        time.sleep(2)
    finally:
        prober.stop()
    out = server.output()
    assert server.proc.poll() is None, out
    assert prober.lost_only_in(crashes), (prober.failures, crashes, out)
    assert prober.answered >= 10, out
    assert "crash loop" not in out.lower() and "keep exiting" not in out, out
    assert "Shutting down granian" not in out, out  # the workers that did not crash were never stopped
    crashed = "died of SIGSEGV at pages/l/segv.pyxl:5; its threads follow"
    assert out.count(crashed) == 6, out
    if json_logs:
        records = [json.loads(line) for line in out.splitlines()[1:] if line.strip()]  # each line is JSON
        [first, *_] = [r for r in records if crashed in r.get("message", "")]
        assert first["level"] == "error" and 'segv.pyxl", line 5 in load' in first["threads"], first


@cites("docs/deployment.md", "or `exited with code 1`")
def test_a_route_that_ends_its_worker_again_and_again_has_it_started_again_each_time(make_project,
                                                                                  start_server) -> None:
    """`os._exit(1)` in an API route, asked for three times a second apart, with one worker."""
    server = start_server(make_project(CRASHING, node=True), "serve", env=KEY)
    for _ in range(3):
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(server.url + "/api/exit", timeout=30)
        time.sleep(1.2)
    assert httpx.get(server.url + "/api/ok", timeout=30).json() == {"ok": True}
    out = server.output()
    assert server.proc.poll() is None and "crash loop" not in out.lower() and "keep exiting" not in out, out
    assert out.count(") exited with code 1\n") == 3, out
