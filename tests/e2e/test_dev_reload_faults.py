"""`pyxle dev` around its reloads and its stops: a request in flight during a reload, the browsers'
event streams when the server stops or restarts, and edits to the data and asset files components
import. A real `pyxle dev`, edits on disk, HTTP clients and Chromium."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, pyxle_command, server_env, ssr_bundle
from tests.docs._blocks import cites

SLOW = '''
import asyncio

@server
async def load(request):
    await asyncio.sleep(3)
    return {"v": "%s"}

export default function Slow({ data }) {
  return <p data-testid="v">slow {data.v}</p>
}
'''


def test_a_page_request_in_flight_during_a_reload_still_gets_its_page(make_project, start_server) -> None:
    """Its loader ends after the reload closed the old render pool: it renders with the new one."""
    project = make_project({"pages/slow.pyxl": SLOW % "old"}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    answers: list[httpx.Response | Exception] = []

    def fetch() -> None:
        try:
            answers.append(httpx.get(server.url + "/slow", timeout=20))
        except httpx.HTTPError as exc:
            answers.append(exc)

    request = threading.Thread(target=fetch)
    request.start()
    time.sleep(0.5)  # the loader is sleeping
    (project / "pages" / "slow.pyxl").write_text((SLOW % "old").lstrip("\n") + "# an edit\n")
    server.wait_for_output("reloaded routes after change to pages/slow.pyxl", timeout=15)
    request.join(25)
    assert len(answers) == 1 and isinstance(answers[0], httpx.Response), answers
    assert answers[0].status_code == 200, answers[0].text
    assert re.search(r"slow (<!-- -->)?old", answers[0].text)


def test_a_render_asked_of_a_closed_pool_fails_at_once(make_project, tmp_path: Path) -> None:
    """A closed pool (a reload replaced it, or the server stops) starts no worker for a late render,
    which would then wait forever: it fails with a RenderError naming why."""
    from pyxle.ssr import RenderError, SsrPool

    project = make_project({"pages/index.pyxl": "export default function Home() { return <p>home</p> }\n"},
                           node=True)
    built = subprocess.run([*pyxle_command(), "build", str(project)], cwd=project, env=server_env(),
                           capture_output=True, text=True, timeout=120, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    bundle = ssr_bundle(project / "dist")

    async def scenario() -> None:
        pool = SsrPool(bundle, size=1, timeout=5)
        await pool.start()
        answer = await pool.render({"page": "index", "routePath": "/", "csrfToken": ""}, "{}")
        assert "home" in answer["html"]
        await pool.close()
        started = time.monotonic()
        with pytest.raises(RenderError, match="closed"):
            await asyncio.wait_for(pool.render({"page": "index", "routePath": "/", "csrfToken": ""}, "{}"), 10)
        assert time.monotonic() - started < 1

    asyncio.run(scenario())


def test_stopping_pyxle_dev_with_an_open_event_stream_is_prompt(make_project, start_server) -> None:
    """An open tab's event stream is a request that never ends: the server ends it as it stops,
    instead of waiting for it until the worker is killed."""
    project = make_project({"pages/index.pyxl": "export default function Home() { return <p>home</p> }\n"},
                           node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    with httpx.Client(timeout=30) as client, client.stream("GET", server.url + "/__pyxle/events") as events:
        lines = events.iter_lines()
        assert next(lines) == "retry: 500"
        started = time.monotonic()
        os.killpg(server.proc.pid, signal.SIGINT)
        server.wait_exit(30)
        took = time.monotonic() - started
    assert "refused to gracefully stop" not in server.output(), server.output()
    assert took < 5, f"pyxle dev took {took:.1f}s to stop:\n{server.output()}"


PAGE = 'export default function Home() {\n  return <h1 data-testid="label">%s</h1>\n}\n'


def test_an_open_page_reloads_for_edits_made_while_the_server_was_stopped(make_project, start_server,
                                                                          page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": PAGE % "before"}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    port = server.url.rsplit(":", 1)[1]
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'kept'")
    time.sleep(1.5)  # its event stream has said hello: the same build, so no reload
    assert page.page.evaluate("window.__marker") == "kept"

    server.stop()
    (project / "pages" / "index.pyxl").write_text(PAGE % "edited while stopped")
    start_server(project, "dev", "--ssr-workers", "1", "--port", port)
    page.page.get_by_test_id("label").filter(has_text="edited while stopped").wait_for(timeout=20000)


IMPORTS = '''
import info from '../components/data.json'
import font from '../components/font.woff'

export default function Home() {
  return <main><p data-testid="info">{info.v}</p><p data-testid="font">{font}</p></main>
}
'''


def _font_url(url: str) -> str:
    found = re.search(r'data-testid="font">([^<]+)<', httpx.get(url, timeout=10).text)
    assert found, "the page names its font"
    return found.group(1)


@pytest.fixture
def importing_project(make_project) -> Path:
    project = make_project({"pages/index.pyxl": IMPORTS, "components/data.json": '{"v": "first"}\n'}, node=True)
    (project / "components" / "font.woff").write_bytes(b"wOFF first")
    return project


def test_an_edit_to_a_json_file_a_component_imports_reaches_the_page(importing_project: Path, start_server) -> None:
    server = start_server(importing_project, "dev", "--ssr-workers", "1")
    assert "first" in httpx.get(server.url + "/", timeout=10).text
    (importing_project / "components" / "data.json").write_text('{"v": "second"}\n')
    server.wait_for_output("reloaded routes after change to components/data.json", timeout=15)
    assert "second" in httpx.get(server.url + "/", timeout=10).text


def test_an_edit_to_a_font_a_component_imports_reaches_the_page(importing_project: Path, start_server) -> None:
    server = start_server(importing_project, "dev", "--ssr-workers", "1")
    before = _font_url(server.url + "/")
    (importing_project / "components" / "font.woff").write_bytes(b"wOFF second, longer")
    server.wait_for_output("reloaded routes after change to components/font.woff", timeout=15)
    after = _font_url(server.url + "/")
    assert after != before
    assert httpx.get(server.url + after, timeout=10).content == b"wOFF second, longer"


ENV_PLUGIN = '''
import os
from pyxle.plugins import PyxlePlugin

class Greeter(PyxlePlugin):
    name = "greeter"
    async def on_startup(self, ctx):
        ctx.register("greeter.greeting", os.environ.get("GREETING", "unset"))
'''
GREETING_API = '''
from pyxle.plugins import plugin

async def get(request):
    return {"greeting": plugin("greeter.greeting")}
'''


@cites("docs/getting-started.md", "When the project has [plugins](migrating.md#plugins), an edit to a `.env` file is applied")
def test_an_edit_to_a_dotenv_file_restarts_the_plugins_with_its_values(make_project, start_server) -> None:
    config = {"plugins": [{"name": "greeter", "module": "greeter", "attribute": "Greeter"}]}
    project = make_project({"greeter.py": ENV_PLUGIN, "pages/api/greeting.py": GREETING_API,
                            "pyxle.config.json": json.dumps(config), ".env": "GREETING=hello\n"})
    server = start_server(project, "dev")
    assert httpx.get(server.url + "/api/greeting").json() == {"greeting": "hello"}
    (project / ".env").write_text("GREETING=bonjour\n")
    deadline = time.monotonic() + 40  # in a new worker
    while True:
        try:
            if httpx.get(server.url + "/api/greeting").json() == {"greeting": "bonjour"}:
                break
        except httpx.HTTPError:
            pass  # between the old worker and the new one
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.2)


def test_ctrl_c_stops_the_ssr_workers_with_the_server_and_none_is_replaced(make_project, start_server) -> None:
    """Ctrl-C reaches the whole process group, the Node workers too: they leave stopping to the
    server, so none dies first and is "replaced" while the server stops."""
    project = make_project({"pages/index.pyxl": "export default function Home() { return <p>home</p> }\n"},
                           node=True)
    for command in ("serve", "dev"):
        server = start_server(project, command, "--ssr-workers", "2")
        assert "<p>home</p>" in httpx.get(server.url + "/", timeout=30).text
        os.killpg(server.proc.pid, signal.SIGINT)
        server.wait_exit(30)
        assert "replacing SSR worker" not in server.output(), server.output()
