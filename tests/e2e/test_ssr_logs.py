"""What SSR workers print, in the server's log on a real `pyxle serve`, in text and in JSON: console
output carries the id of the request it was rendered for (a `<Suspense>` part rendered after the
shell included); an error a render left uncaught is logged with its page and request id, and the
worker goes on; what Node writes to its own stderr (a fatal error's report) is one record, never raw
lines; and a replaced worker's line says why it was replaced."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites

DOC = "docs/observability.md"

SAYS = '''
@server
async def load(request):
    return {"x": 1}

export default function Says({ data }) {
  console.log("said during the render")
  console.error("an error line\\nand its second line")
  return <p>says</p>
}
'''
AFTER_SHELL = '''
import React, { Suspense, use } from 'react'
const waits = new WeakMap()
function Late({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, 200)))
  use(promise)
  if (typeof window === 'undefined') console.log('said after the shell')
  return <p id="late">late</p>
}
export default function Page({ data }) {
  return <main><Suspense fallback={<p>wait</p>}><Late data={data} /></Suspense></main>
}
'''
FAILS_LATE = '''
import React, { Suspense, use } from 'react'
const waits = new WeakMap()
function Fails({ data }) {
  if (typeof window === 'undefined') {
    let promise = waits.get(data)
    if (!promise) waits.set(data, promise = new Promise((_, reject) => setTimeout(() => reject(new Error('late failure')), 200)))
    use(promise)
  }
  return <p id="late">rendered in the browser</p>
}
export default function Page({ data }) {
  return <main><Suspense fallback={<p>loading</p>}><Fails data={data} /></Suspense></main>
}
'''
CRASH = '''
export default function Crash() {
  if (typeof window === 'undefined') {
    process.stderr.write("raw stderr from the component\\nline two\\n")
    setTimeout(function asyncNodeCrash() { process.abort() }, 10)
  }
  return <p>crash</p>
}
'''
UNCAUGHT = '''
export default function Uncaught() {
  if (typeof window === 'undefined') setTimeout(() => { throw new Error("thrown later") }, 10)
  return <p>uncaught</p>
}
'''
# A timer the module started as it loaded, outside any render, that throws once this page rendered.
MODULE_TIMER = '''
let armed = false
if (typeof window === 'undefined') {
  setInterval(() => { if (armed) { armed = false; throw new Error("thrown by the module's timer") } }, 20).unref()
}
export default function Armed() {
  armed = true
  return <p>armed</p>
}
'''
HANG = '''
export default function Hang() {
  if (typeof window === 'undefined') { while (true) {} }
  return <p>never</p>
}
'''
PAGES = {"pages/says.pyxl": SAYS, "pages/after-shell.pyxl": AFTER_SHELL, "pages/fails-late.pyxl": FAILS_LATE,
         "pages/crash.pyxl": CRASH, "pages/uncaught.pyxl": UNCAUGHT, "pages/armed.pyxl": MODULE_TIMER,
         "pages/hang.pyxl": HANG}


@pytest.fixture(scope="module", params=["text", "json"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp(f"ssr-logs-{request.param}") / "app", PAGES)
    with serving(root, "--ssr-timeout", "1", "--log-format", request.param, env=SHARED_SECRET) as running:
        yield running


def json_format(server: Server) -> bool:
    return "--log-format" in server.args and server.args[server.args.index("--log-format") + 1] == "json"


def records(server: Server, text: str, timeout: float = 10, *, level: str | None = None) -> list[tuple[str, str]]:
    """(request id, message) of each ``pyxle.ssr`` record (at ``level``, "error" say) whose message
    holds ``text``, once there is one."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        if json_format(server):
            for line in server.output().splitlines():
                if line.startswith("{"):
                    record = json.loads(line)
                    if record["logger"] == "pyxle.ssr" and text in record["message"] and level in (None, record["level"]):
                        found.append((record.get("request_id", "-"), record["message"]))
        else:  # a record goes on until a line starts with a time (a crash report has several lines)
            for entry in re.split(r"\n(?=\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)", server.output()):
                match = re.match(r"\S+Z (\w+) pyxle\.ssr \[([^\]]*)\]: (.*)", entry.rstrip("\n"), re.DOTALL)
                if match and text in match.group(3) and level in (None, match.group(1).lower()):
                    found.append((match.group(2), match.group(3)))
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@cites(DOC, "Console output of a component rendering on the server (`pyxle.ssr` logger) carries the id of the\n"
            "request it is rendered for")
@cites("docs/pages.md", "and with the id of the request it\n  was rendered for")
def test_console_output_of_a_render_carries_the_id_of_its_request(server: Server) -> None:
    """The worker's log messages were read outside the request: the id was "-" (absent in JSON)."""
    answer = httpx.get(server.url + "/says", timeout=30)
    assert answer.status_code == 200
    rid = answer.headers["x-request-id"]
    said = records(server, "said during the render")
    assert said and said[-1] == (rid, "console output from page 'says': said during the render")
    assert (rid, "console output from page 'says': an error line") in [
        (found_id, message.split("\n")[0]) for found_id, message in records(server, "an error line")]


@cites(DOC, "also when it comes from a `<Suspense>` part that finishes after the\nshell was sent")
def test_console_output_after_the_shell_carries_the_id_of_its_request(server: Server) -> None:
    """A `<Suspense>` part resolving after the shell was answered logs with the same request id."""
    ids = []
    for _ in range(3):  # each SSR worker, and one render after it learned that the page streams
        with httpx.stream("GET", server.url + "/after-shell", timeout=30) as answer:
            body = "".join(answer.iter_text())
            assert answer.status_code == 200 and '<p id="late">late</p>' in body
            ids.append(answer.headers["x-request-id"])
    deadline = time.monotonic() + 10
    while {rid for rid, _ in records(server, "said after the shell")} != set(ids):
        assert time.monotonic() < deadline, records(server, "said after the shell")
        time.sleep(0.05)
    assert all(message == "console output from page 'after-shell': said after the shell"
               for _, message in records(server, "said after the shell"))


def test_a_boundary_that_failed_after_the_shell_is_logged_with_the_id_of_its_request(server: Server) -> None:
    """The failure is logged just after the render's end, when the render is no longer in progress;
    a bot's request renders the whole page before answering, and is logged the same way. It is
    Pyxle's own message, not the component's: it was labelled `console output from page ...`."""
    ids = []
    for agent in ("Mozilla/5.0", "Mozilla/5.0 (compatible; Googlebot/2.1)"):
        answer = httpx.get(server.url + "/fails-late", headers={"user-agent": agent}, timeout=30)
        assert answer.status_code == 200
        ids.append(answer.headers["x-request-id"])
    deadline = time.monotonic() + 10
    while {rid for rid, _ in records(server, "late failure", level="error")} != set(ids):
        assert time.monotonic() < deadline, records(server, "late failure")
        time.sleep(0.05)
    for _, message in records(server, "late failure", level="error"):
        assert re.match(r"rendering page 'fails-late': a Suspense boundary left to the browser \(digest pyxle-\w+\) "
                        r"failed on the server at pages/fails-late\.pyxl:\d+:\d+: Error: late failure\n", message), message


def node_workers(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(os.getpgid(server.proc.pid)), "-f", "ssr/worker.mjs"],
                         capture_output=True, text=True, check=False).stdout
    return sorted(int(pid) for pid in out.split())


@cites(DOC, "An error that a render schedules and nothing catches (a timer that throws, a\n"
            "promise rejected with no handler) is one record at ERROR, with its stack and the id of that\nrequest")
@cites(DOC, "The\nworker goes on rendering, so no other request fails.")
def test_an_error_a_render_left_uncaught_is_logged_with_its_page_and_request_id(server: Server) -> None:
    """The timer's exception ended the worker: Node's report named no page, and the renders sent to
    that worker meanwhile failed."""
    workers = node_workers(server)
    answer = httpx.get(server.url + "/uncaught", timeout=30)
    assert answer.status_code == 200
    [(rid, message)] = records(server, "thrown later", level="error")
    assert rid == answer.headers["x-request-id"]
    assert message.startswith("uncaught exception from page 'uncaught': Error: thrown later\n    at ")
    assert httpx.get(server.url + "/says", timeout=30).status_code == 200
    assert node_workers(server) == workers  # the worker lives on


@cites(DOC, "(from code no render scheduled, such as a module's\n"
            "own timer: `uncaught exception in the SSR worker (the page it rendered last: 'index')`)")
def test_an_error_no_render_scheduled_names_the_page_its_worker_rendered_last(server: Server) -> None:
    assert httpx.get(server.url + "/armed", timeout=30).status_code == 200
    [(rid, message)] = records(server, "thrown by the module's timer", level="error")
    assert rid == "-"  # no request scheduled it
    assert message.startswith("uncaught exception in the SSR worker (the page it rendered last: 'armed'): "
                              "Error: thrown by the module's timer\n    at ")


@cites(DOC, "What an SSR worker's Node process prints by itself, such as its report of a fatal error, is\n"
            "one `pyxle.ssr` record at ERROR")
@cites(DOC, "the record of the worker's replacement says why: `replacing SSR worker 5084: it was killed by SIGABRT`")
def test_a_crash_report_of_node_is_one_record_and_the_replacement_says_why(server: Server) -> None:
    """Node writes a fatal error's report (here `process.abort()`'s, as a native module's failed
    assertion would) to its stderr itself: it reached the server's stderr as raw lines, followed by
    "replacing SSR worker N" with no reason."""
    assert httpx.get(server.url + "/crash", timeout=30).status_code == 200
    replaced = records(server, "killed by SIGABRT")
    assert replaced and re.fullmatch(r"replacing SSR worker (\d+): it was killed by SIGABRT", replaced[0][1])
    pid = re.search(r"\d+", replaced[0][1]).group()  # type: ignore[union-attr]
    reports = [message for _, message in records(server, f"SSR worker {pid} printed:\n", level="error")]
    assert len(reports) == 1 and "JavaScript stack trace" in reports[0] and "asyncNodeCrash" in reports[0]
    output = server.output()
    assert output.index("asyncNodeCrash") < output.index(replaced[0][1])  # the report, then its verdict
    assert httpx.get(server.url + "/says", timeout=30).status_code == 200  # the replacement serves


def test_a_worker_killed_for_a_hung_render_is_replaced_with_that_reason(server: Server) -> None:
    assert httpx.get(server.url + "/hang", timeout=30).status_code == 500
    replaced = [found for found in records(server, "longer than 1s") if found[1].startswith("replacing")]
    assert replaced and re.fullmatch(
        r"replacing SSR worker \d+: it was killed after rendering 'hang' for longer than 1s", replaced[0][1])


@cites(DOC, "(in JSON, one line with the whole report in\nits `message`)")
def test_every_line_of_a_json_server_is_json(server: Server) -> None:
    """After the requests above (console output, a crash report, a hung render): nothing the SSR
    workers wrote reached the server's stdout or stderr as a line of its own."""
    if not json_format(server):
        pytest.skip("text logs")
    httpx.get(server.url + "/crash", timeout=30)
    records(server, "asyncNodeCrash")
    time.sleep(0.5)
    lines = [line for line in server.output().splitlines() if not line.startswith("pyxle serve: http://")]
    assert lines and all(isinstance(json.loads(line), dict) for line in lines), server.output()
