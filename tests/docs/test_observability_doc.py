"""docs/observability.md: the request-id route, the access line, Server-Timing and the
Prometheus scrape settings, as shown."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx

from tests.docs._blocks import cites, doc_block, write_project
from tests.docs.conftest import serve_doc_project

ITEM = "async def get(request):\n    return {'id': request.path_params['id']}\n"


@cites("docs/observability.md", "Every response carries `X-Request-Id` (or the header named by `requestIdHeader`): 32 hex digits")
def test_the_route_answers_the_id_the_response_carries(tmp_path: Path) -> None:
    server = serve_doc_project(write_project("observability", tmp_path / "app"))
    try:
        answer = httpx.get(server.url + "/api/whoami")
    finally:
        server.stop()
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"])
    assert answer.json() == {"request": answer.headers["x-request-id"]}


def test_the_json_access_line_has_the_fields_shown(tmp_path: Path) -> None:
    root = write_project("observability", tmp_path / "app")
    (root / "pages" / "api" / "items").mkdir(parents=True)
    (root / "pages" / "api" / "items" / "[id].py").write_text(ITEM)
    (root / "pyxle.config.json").write_text('{"logFormat": "json"}')
    server = serve_doc_project(root)
    try:
        rid = httpx.get(server.url + "/api/items/7", headers={"user-agent": "curl/8.5.0"}).headers["x-request-id"]
        deadline = time.monotonic() + 10
        while rid not in server.output() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    raw = next(x for x in server.output().splitlines() if rid in x and '"pyxle.access"' in x)
    assert raw.isascii() and '": ' not in raw and '", "' not in raw  # compact, ASCII only
    line = json.loads(raw)
    shown = json.loads(doc_block("docs/observability.md", "access-line"))
    assert line.keys() == shown.keys()
    same = ("level", "logger", "method", "path", "route", "status", "client", "user_agent")
    assert {k: line[k] for k in same} == {k: shown[k] for k in same}


@cites("docs/observability.md", "With `\"serverTiming\": true` responses tell the browser's developer tools where the time went")
def test_server_timing_names_loader_render_and_total(make_project) -> None:
    root = make_project({
        "pyxle.config.json": '{"observability": {"serverTiming": true}}',
        "pages/index.pyxl": ("@server\nasync def load(request):\n    return {}\n\n\n"
                             "export default function Home() {\n  return <p>home</p>\n}\n"),
    }, node=True)
    server = serve_doc_project(root, node=True)
    try:
        header = httpx.get(server.url + "/").headers["server-timing"]
    finally:
        server.stop()
    shown = doc_block("docs/observability.md", "server-timing").split(": ", 1)[1]
    assert re.sub(r"dur=[\d.]+", "dur=", header) == re.sub(r"dur=[\d.]+", "dur=", shown.strip())


@cites("docs/observability.md", "answers\nin Prometheus's text format to `Authorization: Bearer <metricsEndpointToken>`; anything else\ngets `401`")
def test_the_scrape_settings_shown_reach_the_metrics(tmp_path: Path) -> None:
    scrape = doc_block("docs/observability.md", "prometheus")
    path = re.search(r"metrics_path: (\S+)", scrape).group(1)
    token = re.search(r'credentials: "([^"]+)"', scrape).group(1)
    root = write_project("observability", tmp_path / "app")
    (root / "pyxle.config.json").write_text(json.dumps({"observability": {"metricsEndpoint": True}}))
    server = serve_doc_project(root, env={"PYXLE_METRICS_TOKEN": token})
    try:
        httpx.get(server.url + "/api/whoami")
        assert httpx.get(server.url + path).status_code == 401
        deadline = time.monotonic() + 10
        while True:  # request figures are written once a second
            metrics = httpx.get(server.url + path, headers={"authorization": f"Bearer {token}"})
            if 'route="/api/whoami"' in metrics.text or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        server.stop()
    assert metrics.status_code == 200 and "pyxle_http_requests_total" in metrics.text
    assert 'route="/api/whoami"' in metrics.text
