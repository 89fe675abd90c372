"""API routes in an ``api/`` folder below ``pages/`` at any depth (``pages/admin/api/health.py``), as
pyxle-framework 0.9 served them: listed, served, checked and documented like those of ``pages/api/``."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import Server, pyxle_command, server_env, serving, write_project
from tests.docs._blocks import cites

ECHO = "async def get(request): return {'file': __file__.rsplit('/', 1)[-1], 'params': dict(request.path_params)}\n"
NESTED = {
    "pages/api/hello.py": "async def get(request): return {'hello': True}\n",
    "pages/admin/api/health.py": "async def get(request): return {'admin': 1}\n",
    "pages/admin/api/index.py": ECHO,
    "pages/admin/api/users/[id].py": ECHO,
    "pages/admin/api/files/[...path].py": ECHO,
    "pages/docs/api/[[...topic]].py": ECHO,
    "pages/(team)/x/api/ping.py": ECHO,
    "pages/s/[slug]/api/v2/summary.py": """
        async def get(request): return {'slug': request.path_params['slug']}
        async def post(request, slug: str): return {'posted': slug, 'body': await request.json()}
        """,
    "pages/s/[slug]/api/ws.py": """
        async def websocket(ws):
            await ws.accept()
            await ws.send_text('hi ' + ws.path_params['slug'])
            await ws.close()
        """,
    "pages/admin/api/_utils.py": "async def get(request): return {'private': True}\n",
    "pages/admin/helpers.py": "async def get(request): return {'helper': True}\n",
    "pages/admin/apis/thing.py": "async def get(request): return {'apis': True}\n",
}
# What pyxle-framework 0.9.4's `pyxle routes` lists for these files (its {x:path} is our {x...}).
PATTERNS = {
    "/api/hello", "/admin/api/health", "/admin/api", "/admin/api/users/{id}", "/admin/api/files/{path...}",
    "/docs/api/{topic...?}", "/x/api/ping", "/s/{slug}/api/v2/summary", "/s/{slug}/api/ws",
}


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(), check=False)


@pytest.fixture(scope="module")
def nested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("nested"), NESTED, None)


@pytest.fixture(scope="module")
def server(nested: Path):
    with serving(nested) as running:
        yield running


def test_routes_lists_api_routes_of_nested_api_folders(nested: Path) -> None:
    run = pyxle(nested, "routes", ".", "--json")
    assert run.returncode == 0, run.stderr
    rows = {row["pattern"]: row for row in json.loads(run.stdout)}
    assert set(rows) == PATTERNS
    assert rows["/admin/api/health"]["kind"] == "api" and rows["/admin/api/health"]["file"] == "pages/admin/api/health.py"


@cites("docs/api-routes.md", "An `api/` folder at any depth holds API routes as `pages/api/` does")
@pytest.mark.parametrize("path,expected", [
    ("/admin/api/health", {"admin": 1}),
    ("/admin/api", {"file": "index.py", "params": {}}),
    ("/admin/api/users/7", {"file": "[id].py", "params": {"id": "7"}}),
    ("/admin/api/files/a/b.txt", {"file": "[...path].py", "params": {"path": "a/b.txt"}}),
    ("/docs/api", {"file": "[[...topic]].py", "params": {}}),
    ("/docs/api/a/b", {"file": "[[...topic]].py", "params": {"topic": "a/b"}}),
    ("/x/api/ping", {"file": "ping.py", "params": {}}),
    ("/s/my-post/api/v2/summary", {"slug": "my-post"}),
    ("/api/hello", {"hello": True}),
])
def test_serve_answers_them(server: Server, path: str, expected: dict) -> None:
    r = httpx.get(server.url + path)
    assert r.status_code == 200, r.text
    assert r.json() == expected


@cites("docs/api-routes.md", "A `.py` file in no `api/` folder (`pages/admin/helpers.py`) is a helper module")
@pytest.mark.parametrize("path", ["/admin/api/_utils", "/admin/helpers", "/admin/apis/thing"])
def test_helpers_and_other_folders_are_no_routes(server: Server, path: str) -> None:
    assert httpx.get(server.url + path).status_code == 404


def test_post_with_a_typed_param_and_no_csrf_check_by_default(server: Server) -> None:
    """Unchecked, as an API route of pages/api/ is while csrf.apiRoutes does not name it."""
    r = httpx.post(server.url + "/s/abc/api/v2/summary", json={"n": 1})
    assert r.status_code == 200, r.text
    assert r.json() == {"posted": "abc", "body": {"n": 1}}
    assert "pyxle-csrf" not in r.headers.get("set-cookie", "")


def test_a_websocket_of_a_nested_route_is_no_page_for_the_origin_check(server: Server) -> None:
    async def talk() -> str:
        url = server.url.replace("http", "ws") + "/s/abc/api/ws"
        async with websockets.connect(url, origin="https://elsewhere.example") as ws:
            return str(await ws.recv())

    assert asyncio.run(talk()) == "hi abc"


@cites("docs/api-routes.md", "the same `csrf.apiRoutes` setting (its prefixes may name them: `\"/admin/api\"`)")
@pytest.mark.parametrize("setting,checked,unchecked", [
    ("true", ["/admin/api/health", "/s/abc/api/v2/summary"], []),
    ('["/admin/api"]', ["/admin/api/health"], ["/s/abc/api/v2/summary"]),
])
def test_csrf_api_routes_covers_them(tmp_path: Path, setting: str, checked: list[str], unchecked: list[str]) -> None:
    files = {**NESTED, "pages/admin/api/health.py": "async def post(request): return {'ok': True}\n",
             "pyxle.config.json": json.dumps({"csrf": {"apiRoutes": json.loads(setting)}})}
    with serving(write_project(tmp_path / "app", files, None)) as running:
        for path in checked:
            r = httpx.post(running.url + path, json={})
            assert r.status_code == 403 and r.json()["code"] == "csrf_failed", (path, r.text)
        for path in unchecked:
            assert httpx.post(running.url + path, json={}).status_code == 200, path


def test_openapi_documents_them(nested: Path) -> None:
    run = pyxle(nested, "openapi", ".")
    assert run.returncode == 0, run.stderr
    paths = json.loads(run.stdout)["paths"]
    assert "/admin/api/health" in paths
    assert [p["name"] for p in paths["/s/{slug}/api/v2/summary"]["post"]["parameters"]] == ["slug"]


def test_check_reads_them(tmp_path: Path) -> None:
    project = write_project(tmp_path / "app", {**NESTED, "pages/admin/api/broken.py": "x = 1\n"}, None)
    run = pyxle(project, "check", ".")
    assert run.returncode == 1
    assert "pages/admin/api/broken.py: defines no handler" in run.stdout, run.stdout


@cites("docs/api-routes.md", "An `api/` folder holds no pages: a `.pyxl` in one stops start-up with")
def test_a_page_in_a_nested_api_folder_is_refused_by_name(tmp_path: Path) -> None:
    """pyxle-framework 0.9.4 refused it too: an api/ folder holds API routes."""
    page = "export default function P() { return <p>x</p>; }\n"
    project = write_project(tmp_path / "app", {**NESTED, "pages/admin/api/page.pyxl": page}, None)
    run = pyxle(project, "routes", ".")
    assert run.returncode == 1
    assert ("pages/admin/api/page.pyxl: pages/admin/api/ holds only API routes (.py files), not .pyxl pages; "
            "hint: move the page out of it") in run.stderr, run.stderr


PAGE_SOCKET = '''
async def websocket(ws):
    await ws.accept()
    await ws.send_text("page " + ws.path_params["topic"])
    await ws.close()


import React from 'react'
export default function Topic() { return <p>topic</p> }
'''


def test_a_pages_websocket_at_a_url_with_an_api_segment_keeps_the_origin_check(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Pages always get the Origin check: a page at /docs/api (``pages/docs/[topic].pyxl``) is no API
    route because its URL has an ``api`` segment, while an API route's socket beside it stays open."""
    project = make_project({"pages/docs/[topic].pyxl": PAGE_SOCKET, "pages/s/[slug]/api/ws.py": NESTED["pages/s/[slug]/api/ws.py"]})
    server = start_server(project)

    async def run() -> None:
        async with websockets.connect(server.ws_url + "/docs/api", origin=server.url) as ws:
            assert await ws.recv() == "page api"
        async with websockets.connect(server.ws_url + "/docs/api", origin="https://evil.example") as ws:
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
            assert (ws.close_code, ws.close_reason) == (1008, "origin not allowed")
        async with websockets.connect(server.ws_url + "/s/abc/api/ws", origin="https://evil.example") as ws:
            assert await ws.recv() == "hi abc"

    asyncio.run(run())
