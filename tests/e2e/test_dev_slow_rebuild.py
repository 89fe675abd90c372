"""`pyxle dev` when a save lands while a rebuild is still running: the rebuild is Pyxle's own work,
not a stuck loop, so the worker is left to finish it and apply the saves in order; a worker that
is restarted anyway (a page that loops as it imports) and then meets a broken file shows the
overlay and waits for the fix, instead of exiting and being started again. A real `pyxle dev`,
edits on disk and Chromium. The rebuild is made slow on purpose by a PostCSS plugin that sleeps
while a flag file exists (and says when it started), not by the machine's load."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e.test_dev_stuck_worker import LOOP, RESTARTED

COUNTER = '''
import {{ useState }} from 'react'
import './counter.css'

export default function Counter() {{
  const [n, setN] = useState(0)
  return <button data-testid="counter" onClick={{() => setN(n + 1)}}>{label} {{n}}</button>
}}
'''
BROKEN = COUNTER.replace("useState(0)", "useState(0")  # a JSX syntax error, reported at line 7

HOME = '''
import Counter from '../components/Counter.jsx'

export default function Home() {
  return <main><h1 data-testid="greeting">home</h1><Counter /></main>
}
'''

# Every build reprocesses the stylesheet (a `dir-dependency` says it reads a folder); while the
# flag file is there, the plugin writes `<flag>.started` and sleeps, as a big rebuild takes time.
SLOW_POSTCSS = '''
const fs = require('fs')
module.exports = {{ plugins: [{{
  postcssPlugin: 'slow',
  Once(root, {{ result }}) {{
    result.messages.push({{ type: 'dir-dependency', plugin: 'slow', dir: __dirname, parent: result.opts.from }})
    if (!fs.existsSync({flag!r})) return
    fs.writeFileSync({flag!r} + '.started', '')
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, {ms})
    fs.appendFileSync({flag!r} + '.done', 'x')
  }},
}}] }}
'''
SLEEP = 6.0  # seconds a slow build takes: well over the 2 s after which a loop counts as stuck


def slow_project(make_project, flag: Path, label: str = "count"):  # type: ignore[no-untyped-def]
    return make_project({"pages/index.pyxl": HOME, "components/Counter.jsx": COUNTER.format(label=label),
                         "components/counter.css": "button { color: rgb(1, 2, 3); }\n",
                         "postcss.config.cjs": SLOW_POSTCSS.format(flag=str(flag), ms=int(SLEEP * 1000))},
                        node=True)


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def slow_builds_from_now(flag: Path) -> Path:
    """Make the next builds slow; the file that appears once one of them is running."""
    started = flag.with_name(flag.name + ".started")
    started.unlink(missing_ok=True)
    flag.touch()
    return started


@cites("docs/getting-started.md", "A rebuild after an edit is left to finish the same way")
@cites("docs/client.md", "Saves in quick\nsuccession are applied one at a time, in order, and end on the last one")
def test_a_syntax_error_saved_during_a_slow_rebuild_shows_the_overlay_and_its_fix_keeps_state(
        make_project, start_server, page: PageWatch, tmp_path: Path) -> None:
    flag = tmp_path / "slow"
    project = slow_project(make_project, flag)
    component = project / "components" / "Counter.jsx"
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    counter = page.page.get_by_test_id("counter")
    counter.click()
    assert counter.text_content() == "count 1"
    page.page.evaluate("window.__marker = 'kept'")

    started = slow_builds_from_now(flag)
    component.write_text(COUNTER.format(label="edited"))  # a valid edit: its rebuild is slow
    wait_for(started)
    time.sleep(2.5)  # the worker's loop has been held by the rebuild for over 2 s
    component.write_text(BROKEN.format(label="edited"))  # saved while that rebuild runs
    flag.unlink()

    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="components/Counter.jsx:7").wait_for(timeout=60000)
    assert "hint:" in overlay.text_content()
    component.write_text(COUNTER.format(label="fixed"))
    counter.filter(has_text="fixed 1").wait_for(timeout=30000)

    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    output = server.output()
    assert RESTARTED not in output and "SIGKILL" not in output and "exited with code" not in output, output


PAGE = '''
@server
async def load(request):
    return {{"v": "{v}"}}

export default function Home({{ data }}) {{
  return <p data-testid="v">home {{data.v}}</p>
}}
'''


@cites("docs/getting-started.md", "A worker restarted into a file that does not build shows its error in the\n"
                                  "overlay, as the running one does, and applies the fix when it is saved")
def test_a_worker_restarted_into_a_broken_page_shows_the_overlay_and_applies_the_fix(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": PAGE.format(v="first")}, node=True)
    index = project / "pages" / "index.pyxl"
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.page.get_by_test_id("v").filter(has_text="home first").wait_for(timeout=15000)

    index.write_text(LOOP + PAGE.format(v="loops").lstrip("\n"))  # the worker's loop stops for good
    time.sleep(4)
    # The save that restarts it, with a JSX syntax error (line 5): the new worker cannot build.
    index.write_text(PAGE.format(v="broken").replace("<p data", "<p <data").lstrip("\n"))
    server.wait_for_output(RESTARTED, timeout=30)

    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="pages/index.pyxl:6").wait_for(timeout=60000)
    assert "hint:" in overlay.text_content()
    index.write_text(PAGE.format(v="fixed").lstrip("\n"))
    page.page.get_by_test_id("v").filter(has_text="home fixed").wait_for(timeout=30000)

    output = server.output()
    assert "exited with code" not in output and output.count(RESTARTED) == 1, output


def test_a_worker_killed_during_a_build_leaves_no_node_stack_in_the_log(make_project, start_server,
                                                                        tmp_path: Path) -> None:
    """A rebuild held past PYXLE_WORKER_TIMEOUT while a file is saved is replaced like a stuck
    loading worker; its bundler process then writes the outcome to nobody, and says nothing."""
    flag = tmp_path / "slow"
    project = slow_project(make_project, flag)
    component = project / "components" / "Counter.jsx"
    server = start_server(project, "dev", "--ssr-workers", "1", env={"PYXLE_WORKER_TIMEOUT": "2"})

    started = slow_builds_from_now(flag)
    component.write_text(COUNTER.format(label="edited"))
    wait_for(started)
    time.sleep(2.5)
    component.write_text(COUNTER.format(label="again"))
    server.wait_for_output(RESTARTED, timeout=30)
    flag.unlink()
    wait_for(flag.with_name(flag.name + ".done"))  # the killed worker's build has ended: it wrote its outcome
    time.sleep(2)

    output = server.output()
    assert "EPIPE" not in output and "node:events" not in output, output


def test_a_fix_saved_during_the_build_of_a_page_that_loops_as_it_imports_restarts_the_worker(
        make_project, start_server, tmp_path: Path) -> None:
    """The save was made while the loop was held by a build, not stuck yet: once the page just built
    loops as it imports, that save is one the loop never took up, and restarts the worker."""
    flag = tmp_path / "slow"
    project = slow_project(make_project, flag)
    index = project / "pages" / "index.pyxl"
    (project / "pages" / "api").mkdir()
    (project / "pages" / "api" / "hello.py").write_text("async def get(request):\n    return {'ok': True}\n")
    server = start_server(project, "dev", "--ssr-workers", "1")

    started = slow_builds_from_now(flag)
    index.write_text(LOOP + HOME.lstrip("\n"))
    wait_for(started)
    index.write_text(HOME.lstrip("\n").replace(">home<", ">fixed<"))  # during the build
    flag.unlink()
    server.wait_for_output(RESTARTED, timeout=60)
    deadline = time.monotonic() + 60
    while "fixed" not in (text := _page(server.url)):
        assert time.monotonic() < deadline, text[:500]
        time.sleep(0.2)


def _page(url: str) -> str:
    try:
        return httpx.get(url + "/", timeout=2).text
    except httpx.HTTPError:
        return ""
