"""docs/deployment.md, "Health checks": what /healthz and /readyz answer, and when."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from pyxle.app import create_app
from pyxle.config import load_config
from tests.conftest import Server, server_env
from tests.docs._blocks import cites, doc_block
from tests.docs.conftest import serve_doc_project


@cites("docs/deployment.md", "| `/readyz` | `200` while the app serves: routes loaded, plugins and SSR workers started;")
@cites("docs/deployment.md", "| `/healthz` | `200` while the process serves requests (liveness) |")
@cites("docs/deployment.md", "`503` before and after that")
@cites("docs/deployment.md", '`"starting"` (before start-up is done, and while stopping)')
def test_readyz_is_503_until_the_app_has_started_and_after_it_stops(tmp_path: Path) -> None:
    (tmp_path / "pages" / "api").mkdir(parents=True)
    (tmp_path / "pages" / "api" / "x.py").write_text("async def get(request):\n    return {}\n")
    app = create_app(load_config(tmp_path, mode="production", environ={}), mode="production")
    client = TestClient(app)
    starting = {"status": "ok", "ready": False, "state": "starting", "uptime": 0.0, "checks": {}}
    assert client.get("/readyz").status_code == 503 and client.get("/readyz").json() == starting
    assert client.get("/healthz").status_code == 200 and client.get("/healthz").json() == starting
    with client:  # the lifespan start-up: plugins, SSR workers, realtime
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ready"] is True and ready.json()["state"] == "ready"
    assert client.get("/readyz").status_code == 503


@cites("docs/deployment.md", "Both answer the same JSON, with the keys pyxle-framework 0.9 gave them (`status`, `ready`,\n`uptime`, `checks`)")
@cites("docs/deployment.md", "0.9's `metrics` summary is not in it")
@cites("docs/deployment.md", "that worker's Node render workers alive out of its pool's size")
def test_health_answers_0_9s_shape_with_the_ssr_pool_and_the_uptime(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "index.pyxl").write_text("export default function Page() {\n  return <p>hi</p>\n}\n")
    server = serve_doc_project(root, "--ssr-workers", "2", node=True)
    try:
        time.sleep(0.3)
        for path in ("/healthz", "/readyz"):
            answer = httpx.get(server.url + path)
            body = answer.json()
            assert answer.status_code == 200, body
            assert body["status"] == "ok" and body["ready"] is True and body["state"] == "ready"
            assert body["checks"] == {"ssr_pool": {"ok": True, "alive": 2, "size": 2}}
            assert 0.2 < body["uptime"] < 60
            shown = json.loads(doc_block("docs/deployment.md", "health-answer"))
            assert {**body, "uptime": shown["uptime"]} == shown  # the docs' example is what a server answers
            assert "metrics" not in body
    finally:
        server.stop()


@cites("docs/deployment.md", "and while none of the worker's SSR workers is alive (readiness)")
@cites("docs/deployment.md", 'or `"degraded"`\n(started, but a check fails: `checks` says which)')
def test_readyz_is_503_while_no_ssr_worker_is_alive(tmp_path: Path) -> None:
    """Both Node render workers killed; their replacements are made slow to start (a preload that
    waits while a marker file exists), so the time without one is long enough to be seen."""
    root = tmp_path / "app"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "index.pyxl").write_text("export default function Page() {\n  return <p>hi</p>\n}\n")
    marker = tmp_path / "slow"
    preload = tmp_path / "slow.cjs"
    preload.write_text(f"if (require('fs').existsSync({str(marker)!r})) {{ const t = Date.now() + 3000; while (Date.now() < t) {{}} }}\n")
    server = serve_doc_project(root, "--ssr-workers", "2", node=True, env={"NODE_OPTIONS": f"--require {preload}"})
    try:
        marker.write_text("")
        nodes = subprocess.run(["pgrep", "-f", "worker.mjs"], capture_output=True, text=True, check=False).stdout.split()
        mine = [pid for pid in nodes if str(root) in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(mine) == 2
        for pid in mine:
            os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while (ready := httpx.get(server.url + "/readyz")).status_code == 200:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert ready.status_code == 503 and ready.json()["ready"] is False and ready.json()["state"] == "degraded"
        assert ready.json()["checks"]["ssr_pool"]["ok"] is False and ready.json()["checks"]["ssr_pool"]["size"] == 2
        assert httpx.get(server.url + "/healthz").status_code == 200
        marker.unlink()
        deadline = time.monotonic() + 30
        while httpx.get(server.url + "/readyz").status_code != 200:  # the replacements have started
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
    finally:
        server.stop()


@cites("docs/deployment.md", "after an edit that breaks the project")
@cites("docs/deployment.md", 'answers `503` with `"state": "broken"` and `/healthz` stays `200`')
def test_after_a_broken_dev_edit_readyz_is_503_and_healthz_200_until_fixed(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "pages" / "api").mkdir(parents=True)
    route = root / "pages" / "api" / "x.py"
    route.write_text("async def get(request):\n    return {'x': 1}\n")
    server = serve_doc_project(root, command="dev")
    try:
        route.write_text("async def get(request):\n    return {'x': 1\n")
        deadline = time.monotonic() + 60
        while httpx.get(server.url + "/api/x").status_code != 500 and time.monotonic() < deadline:
            time.sleep(0.1)
        ready = httpx.get(server.url + "/readyz")
        assert ready.status_code == 503 and ready.json()["state"] == "broken" and ready.json()["ready"] is False
        assert httpx.get(server.url + "/healthz").status_code == 200
        route.write_text("async def get(request):\n    return {'x': 2}\n")
        while httpx.get(server.url + "/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(server.url + "/api/x").json() == {"x": 2}
    finally:
        server.stop()


@cites("docs/deployment.md", "starting sees a refused connection rather than the `503`")
def test_pyxle_serve_accepts_no_connection_until_a_worker_has_started(tmp_path: Path) -> None:
    """A plugin that takes 3 s to start: probes meanwhile cannot connect, then find the app ready."""
    (tmp_path / "pages" / "api").mkdir(parents=True)
    (tmp_path / "pages" / "api" / "x.py").write_text("async def get(request):\n    return {}\n")
    (tmp_path / "slow.py").write_text(
        "import asyncio\nfrom pyxle.plugins import PyxlePlugin\n\n\nclass Slow(PyxlePlugin):\n    name = 'slow'\n\n"
        "    async def on_startup(self, ctx):\n        await asyncio.sleep(3)\n\n\nplugin = Slow()\n")
    (tmp_path / "pyxle.config.json").write_text('{"plugins": [{"name": "slow", "module": "slow"}]}')
    server = Server(["serve", str(tmp_path), "--host", "127.0.0.1", "--port", "0"], tmp_path, server_env())
    try:
        deadline = time.monotonic() + 30
        while not server.url:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.02)
        answers = []
        while time.monotonic() < deadline:
            try:
                answers.append(httpx.get(server.url + "/readyz", timeout=0.5).status_code)
            except httpx.TransportError:
                answers.append("refused")
            if answers[-1] == 200:
                break
            time.sleep(0.1)
    finally:
        server.stop()
    assert answers[0] == "refused" and answers[-1] == 200 and 503 not in answers, answers
