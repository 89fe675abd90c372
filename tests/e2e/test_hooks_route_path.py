"""What a route hook reads as the route's path, on a real `pyxle serve`: the pattern as
pyxle-framework 0.7 to 0.9 gave it (Starlette's: ``{slug:path}`` for a catch-all; an optional
catch-all is its bare prefix when the URL has no slug), in ``context.path`` and in
``scope["pyxle"]["route"]["path"]``. Pyxle's own labels (metrics, the access log) keep the
pattern ``pyxle routes`` prints."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

HOOKS = '''
async def echo(context, request, call_next):
    response = await call_next(request)
    response.headers["x-hook-path"] = context.path
    response.headers["x-scope-path"] = request.scope["pyxle"]["route"]["path"]
    return response
'''

PAGE = '''
@server
async def load(request):
    return {"params": dict(request.path_params)}

@action
async def save(request):
    return {"saved": True}

export default function Page({ data }) { return <p id="params">{JSON.stringify(data.params)}</p> }
'''

API = "async def get(request):\n    return {'params': dict(request.path_params)}\n"

PAGES = ("docs/[...slug]", "shop/[[...slug]]", "p/[id]", "blog/index", "index")
APIS = ("files/[...path]", "opt/[[...rest]]", "users/[id]")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    files = {"hooks.py": HOOKS, **{f"pages/{name}.pyxl": PAGE for name in PAGES},
             **{f"pages/api/{name}.py": API for name in APIS},
             "pyxle.config.json": json.dumps({
                 "routeMiddleware": {"pages": ["hooks:echo"], "apis": ["hooks:echo"], "actions": ["hooks:echo"]},
                 "observability": {"logFormat": "json", "accessLog": True, "metricsEndpoint": True}})}
    with serving(write_project(tmp_path_factory.mktemp("hook-path"), files), env={"PYXLE_SECRET_KEY": "p" * 40}) as server:
        yield server


def _paths(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 200, response.text
    return response.headers["x-hook-path"], response.headers["x-scope-path"]


@cites("docs/middleware.md", "catch-all as `{slug:path}`")
@cites("docs/migrating.md", "its `path`, like `context.path`, is the pattern as 0.9 wrote it")
@pytest.mark.parametrize(("url", "expected"), [
    ("/docs/a/b", "/docs/{slug:path}"),
    ("/docs/a", "/docs/{slug:path}"),
    ("/shop", "/shop"),
    ("/shop/a/b", "/shop/{slug:path}"),
    ("/p/1", "/p/{id}"),
    ("/blog", "/blog"),
    ("/", "/"),
])
def test_a_page_hook_sees_the_route_pattern_as_pyxle_0_9_wrote_it(server: Server, url: str, expected: str) -> None:
    assert _paths(httpx.get(server.url + url)) == (expected, expected)
    navigation = httpx.get(server.url + url, headers={"x-pyxle-navigation": "1"})
    assert _paths(navigation) == (expected, expected)


@cites("docs/middleware.md", "an optional catch-all (`[[...slug]]`) is two patterns")
@pytest.mark.parametrize(("url", "expected"), [
    ("/api/files/a/b", "/api/files/{path:path}"),
    ("/api/opt", "/api/opt"),
    ("/api/opt/a/b", "/api/opt/{rest:path}"),
    ("/api/users/7", "/api/users/{id}"),
])
def test_an_api_hook_sees_the_route_pattern_as_pyxle_0_9_wrote_it(server: Server, url: str, expected: str) -> None:
    assert _paths(httpx.get(server.url + url)) == (expected, expected)


@cites("docs/middleware.md", "For an action, `/api/__actions/` and that pattern")
@pytest.mark.parametrize(("page", "expected"), [
    ("p/[id]", "/api/__actions/p/{id}/save"),
    ("docs/[...slug]", "/api/__actions/docs/{slug:path}/save"),
    ("shop/[[...slug]]", "/api/__actions/shop/save"),
    ("blog/index", "/api/__actions/blog/save"),
    ("index", "/api/__actions/index/save"),
])
def test_an_action_hook_sees_the_path_pyxle_0_9_gave_the_action(server: Server, page: str, expected: str) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.get("/p/1")
        saved = client.post(f"/api/__actions/{page}/save", json={},
                            headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
    assert saved.json() == {"ok": True, "saved": True}
    assert _paths(saved) == (expected, expected)


@cites("docs/middleware.md", "the access log and metrics label a route with the pattern `pyxle routes` prints")
def test_the_access_log_and_metrics_keep_the_pattern_pyxle_routes_prints(server: Server) -> None:
    ids = {url: httpx.get(server.url + url).headers["x-request-id"] for url in ("/docs/x/y", "/shop", "/api/opt/q")}
    routes: dict[str, str] = {}
    deadline = time.monotonic() + 10
    while len(routes) < len(ids) and time.monotonic() < deadline:
        for line in list(server.lines):
            if line.startswith("{") and '"route"' in line:
                entry = json.loads(line)
                routes.update({url: entry["route"] for url, rid in ids.items() if entry.get("request_id") == rid})
        time.sleep(0.05)
    assert routes == {"/docs/x/y": "/docs/{slug...}", "/shop": "/shop/{slug...?}", "/api/opt/q": "/api/opt/{rest...?}"}
    wanted, labels = {"/docs/{slug...}", "/shop/{slug...?}", "/api/opt/{rest...?}"}, set()
    while not wanted <= labels and time.monotonic() < deadline + 10:  # metrics are gathered after the response
        metrics = httpx.get(server.url + "/api/__pyxle/metrics")
        assert metrics.status_code == 200, metrics.text
        labels = set(re.findall(r'^pyxle_http_requests_total\{.*?route="([^"]*)"', metrics.text, re.MULTILINE))
        time.sleep(0.05)
    assert wanted <= labels, labels
