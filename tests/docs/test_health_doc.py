"""docs/deployment.md, "Health checks": what /healthz and /readyz answer, and when."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from pyxle.app import create_app
from pyxle.config import load_config
from tests.conftest import Server, server_env
from tests.docs._blocks import cites
from tests.docs.conftest import serve_doc_project


@cites("docs/deployment.md", "`503 {\"status\": \"starting\"}` before")
def test_readyz_is_503_until_the_app_has_started_and_after_it_stops(tmp_path: Path) -> None:
    (tmp_path / "pages" / "api").mkdir(parents=True)
    (tmp_path / "pages" / "api" / "x.py").write_text("async def get(request):\n    return {}\n")
    app = create_app(load_config(tmp_path, mode="production", environ={}), mode="production")
    client = TestClient(app)
    assert client.get("/readyz").status_code == 503 and client.get("/readyz").json() == {"status": "starting"}
    assert client.get("/healthz").json() == {"status": "ok"}
    with client:  # the lifespan start-up: plugins, SSR workers, realtime
        assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/readyz").status_code == 503


@cites("docs/deployment.md", "after an edit that breaks the project")
@cites("docs/deployment.md", 'answers `503 {"status": "broken"}` and `/healthz` stays `200`')
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
        assert ready.status_code == 503 and ready.json() == {"status": "broken"}
        assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
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
