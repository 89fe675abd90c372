"""Observability on a real `pyxle serve`: request ids, logs, Server-Timing, metrics across workers."""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import pytest
import websockets

from tests.conftest import SHARED_SECRET, Server, free_port, server_env
from tests.docs._blocks import cites

HELLO = '''
import logging
log = logging.getLogger("app")

async def get(request):
    log.warning("hello from the handler")
    return {"message": "hi"}
'''
ITEM = "import os\n\nasync def get(request):\n    return {'id': request.path_params['id'], 'pid': os.getpid()}\n"
ECHO_WS = '''
async def websocket(ws):
    await ws.accept()
    async for text in ws.iter_text():
        await ws.send_text(text)
'''
PAGE = '''
import asyncio

@server
async def load(request):
    await asyncio.sleep(0.02)
    return {"name": "Ada"}

@action
async def save(request):
    await asyncio.sleep(0.02)
    return {"saved": True}

export default function Home({ data }) {
  return <h1>Hello {data.name}</h1>
}
'''
TOKEN = "metrics-token-for-tests"


def _wait_for(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _json_lines(server: Server) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in list(server.lines) if line.startswith("{")]


def test_every_response_carries_a_fresh_request_id_and_incoming_ids_are_ignored_by_default(make_project, start_server):
    server = start_server(make_project({"pages/api/hello.py": HELLO}))
    first = httpx.get(server.url + "/api/hello", headers={"x-request-id": "chosen-by-client"})
    second = httpx.get(server.url + "/api/missing")
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert second.status_code == 404
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in ids) and ids[0] != ids[1]


def test_incoming_request_id_is_used_only_when_trusted_and_plain(make_project, start_server):
    config = {"observability": {"trustIncomingRequestId": True, "requestIdHeader": "X-Correlation-Id"}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    r = httpx.get(server.url + "/api/hello", headers={"x-correlation-id": "upstream-42"})
    assert r.headers["x-correlation-id"] == "upstream-42" and "x-request-id" not in r.headers
    injected = httpx.get(server.url + "/api/hello", headers={"x-correlation-id": "a b\tc"})
    assert re.fullmatch(r"[0-9a-f]{32}", injected.headers["x-correlation-id"])  # not plain: a fresh one


OWN_ID = '''
from starlette.responses import JSONResponse

async def get(request):
    return JSONResponse({"ok": 1}, headers={"X-Request-Id": "mine"})
'''


NO_SECURITY_HEADERS = {"X-Content-Type-Options": None, "Referrer-Policy": None, "X-Frame-Options": None}


@cites("docs/observability.md", "A response whose handler set that header itself carries\nPyxle's id only")
@pytest.mark.parametrize("config", [{}, {"securityHeaders": NO_SECURITY_HEADERS}, {"observability": {"serverTiming": True}}],
                         ids=["default", "no security headers", "server timing"])
def test_a_handlers_own_request_id_header_is_replaced_by_the_one_the_logs_carry(make_project, start_server, config):
    """Two `x-request-id` headers went out, and a client reading the first got an id no log line had."""
    server = start_server(make_project({"pages/api/own.py": OWN_ID, "pyxle.config.json": json.dumps(config)}))
    answer = httpx.get(server.url + "/api/own")
    sent = answer.headers.get_list("x-request-id")
    assert answer.status_code == 200 and len(sent) == 1 and re.fullmatch(r"[0-9a-f]{32}", sent[0]), sent
    server.wait_for_output('"GET /api/own" 200')
    assert any(sent[0] in line for line in list(server.lines) if '"GET /api/own"' in line)


def test_request_ids_can_be_turned_off(make_project, start_server):
    config = {"observability": {"requestId": False}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    assert "x-request-id" not in httpx.get(server.url + "/api/hello").headers


def test_json_logs_carry_request_id_route_status_duration_and_user_agent(make_project, start_server):
    project = make_project({"pages/api/hello.py": HELLO, "pages/api/items/[id].py": ITEM,
                            "pyxle.config.json": json.dumps({"observability": {"logFormat": "json", "accessLog": True}})})
    server = start_server(project)
    r = httpx.get(server.url + "/api/items/7", headers={"user-agent": "probe/1.0"})
    rid = r.headers["x-request-id"]
    access = _wait_for(lambda: [e for e in _json_lines(server) if e.get("request_id") == rid and "route" in e])
    assert access, server.output()
    entry = access[0]
    assert entry["route"] == "/api/items/{id}" and entry["path"] == "/api/items/7"
    assert entry["status"] == 200 and entry["duration_ms"] >= 0 and entry["user_agent"] == "probe/1.0"
    hello = httpx.get(server.url + "/api/hello")
    app_line = _wait_for(lambda: [e for e in _json_lines(server) if e.get("message") == "hello from the handler"])
    assert app_line and app_line[0]["request_id"] == hello.headers["x-request-id"]


def test_text_logs_carry_the_request_id_in_app_and_error_lines(make_project, start_server):
    crash = "async def get(request):\n    raise LookupError('no such thing')\n"
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pages/api/crash.py": crash}))
    hello = httpx.get(server.url + "/api/hello").headers["x-request-id"]
    failed = httpx.get(server.url + "/api/crash")
    assert failed.status_code == 500
    crash_id = failed.headers["x-request-id"]
    assert _wait_for(lambda: any(f"[{hello}]: hello from the handler" in line for line in server.lines)), server.output()
    assert _wait_for(lambda: any(f"ERROR pyxle.error [{crash_id}]" in line for line in server.lines)), server.output()
    assert _wait_for(lambda: any('"GET /api/hello" 200' in line and hello in line for line in server.lines))


OFF_LOOP = '''
import asyncio
import logging
log = logging.getLogger("app")

def blocking(text):
    log.warning(text)

async def get(request):
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, blocking, "from run_in_executor")
    await asyncio.to_thread(blocking, "from to_thread")
    return {}
'''


@cites("docs/observability.md", "Code run in a thread of the event loop's default executor (`asyncio.to_thread`, "
       "`loop.run_in_executor(None, ...)`) logs with it too")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_line_logged_from_run_in_executor_carries_the_request_id(make_project, start_server, log_format):
    """The loop's default executor ran each call in the thread's own (empty) context: a record
    logged from ``run_in_executor(None, fn)`` had no id (``[-]``, no ``request_id``), while
    ``asyncio.to_thread``, which copies the context itself, had it."""
    config = {"logFormat": log_format, "accessLog": False}
    server = start_server(make_project({"pages/api/off.py": OFF_LOOP, "pyxle.config.json": json.dumps(config)}))
    answer = httpx.get(server.url + "/api/off")
    assert answer.status_code == 200
    rid = answer.headers["x-request-id"]
    for text in ("from run_in_executor", "from to_thread"):
        if log_format == "json":
            found = _wait_for(lambda text=text: [e for e in _json_lines(server) if e.get("message") == text])
            assert found and found[0].get("request_id") == rid, server.output()
        else:
            found = _wait_for(lambda text=text: [line for line in server.lines if line.rstrip().endswith(": " + text)])
            assert found and f"WARNING app [{rid}]: {text}" in found[0], server.output()


BEFORE_ACCEPT_WS = "async def websocket(ws):\n    raise RuntimeError('refused before accept')\n"
HEX_ID = re.compile(r"[0-9a-f]{32}")


async def _refusal(url: str) -> websockets.InvalidStatus:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(url):
            pass
    return refused.value


@cites("docs/observability.md", "So does a refused WebSocket handshake (`403`, `429`)")
@pytest.mark.parametrize("headers", [{}, {"securityHeaders": NO_SECURITY_HEADERS}], ids=["default", "no security headers"])
def test_websocket_handshake_refusals_carry_a_request_id(make_project, start_server, headers):
    """403 (no such route, a handler that fails before accept) and 429 (rate-limited) answers to
    a WebSocket handshake carry X-Request-Id, as every HTTP response does."""
    config = {"rateLimit": {"requests": 3, "window": 60}, **headers}
    project = make_project({"pages/api/echo.py": ECHO_WS, "pages/api/early.py": BEFORE_ACCEPT_WS,
                            "pyxle.config.json": json.dumps(config)})
    server = start_server(project)

    async def handshakes() -> list[tuple[int, str | None]]:
        answers = [await _refusal(server.ws_url + "/api/nowhere"), await _refusal(server.ws_url + "/api/early")]
        async with websockets.connect(server.ws_url + "/api/echo"):
            pass
        answers.append(await _refusal(server.ws_url + "/api/echo"))  # the fourth in the window
        return [(a.response.status_code, a.response.headers.get("x-request-id")) for a in answers]

    answers = asyncio.run(handshakes())
    assert [status for status, _ in answers] == [403, 403, 429]
    ids = [rid for _, rid in answers]
    assert all(rid and HEX_ID.fullmatch(rid) for rid in ids) and len(set(ids)) == 3, answers


@cites("docs/observability.md", "the `101` that accepts\none does not, since granian sends no header given with the accept: that connection's id is in its\naccess-log line")
def test_an_accepted_websocket_has_its_request_id_in_the_access_log_but_not_in_its_101(make_project, start_server):
    """granian sends none of the headers an app gives with ``websocket.accept``: the 101 has no
    X-Request-Id, and the connection's access-log line is where its id is found."""
    config = {"observability": {"logFormat": "json", "accessLog": True, "trustIncomingRequestId": True}}
    server = start_server(make_project({"pages/api/echo.py": ECHO_WS, "pyxle.config.json": json.dumps(config)}))

    async def accepted() -> dict[str, str]:
        async with websockets.connect(server.ws_url + "/api/echo",
                                      additional_headers={"x-request-id": "ws-chosen-7"}) as ws:
            await ws.send("ping")
            assert await ws.recv() == "ping"
            assert ws.response is not None and ws.response.status_code == 101
            return dict(ws.response.headers)

    assert "x-request-id" not in asyncio.run(accepted())
    logged = _wait_for(lambda: [e for e in _json_lines(server) if e.get("request_id") == "ws-chosen-7" and "route" in e])
    assert logged and logged[0]["path"] == "/api/echo", server.output()


def test_server_timing_is_opt_in_and_names_loader_action_and_render(make_project, start_server):
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    off = start_server(project)
    assert "server-timing" not in httpx.get(off.url + "/").headers
    off.stop()
    (project / "pyxle.config.json").write_text(json.dumps({"observability": {"serverTiming": True}}))
    server = start_server(project, "serve", "--skip-build")
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/")
        assert "Ada</h1>" in page.text
        timing = dict(re.findall(r"(\w+);dur=([\d.]+)", page.headers["server-timing"]))
        assert set(timing) == {"loader", "render", "total"}
        assert float(timing["loader"]) >= 15 and float(timing["total"]) >= float(timing["loader"])
        action = client.post("/api/__actions/index/save", json={}, headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
        assert action.json()["saved"] is True
        assert re.match(r"action;dur=[\d.]+, total;dur=[\d.]+$", action.headers["server-timing"])


def _scrape(server: Server, token: str | None = TOKEN) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.get(server.url + "/api/__pyxle/metrics", headers=headers)


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith((name + "{", name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_cover_every_worker_and_need_the_token(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
    project = make_project({"pages/api/items/[id].py": ITEM, "pyxle.config.json": json.dumps(config)})
    server = start_server(project, "serve", "--workers", "2", env=SHARED_SECRET)
    pids = set()
    for n in range(40):  # a new connection each time, so both workers answer some
        r = httpx.get(server.url + f"/api/items/{n}", headers={"connection": "close"})
        pids.add(r.json()["pid"])
    assert len(pids) == 2
    assert _scrape(server, None).status_code == 401
    assert _scrape(server, "wrong").status_code == 401

    def counted() -> float:
        return _sample(_scrape(server).text, "pyxle_http_requests_total", route="/api/items/{id}", status="200") == 40

    assert _wait_for(counted), _scrape(server).text
    text = _scrape(server).text
    assert _sample(text, "pyxle_http_request_duration_seconds_count", route="/api/items/{id}", status="200") == 40
    assert 'le="+Inf"' in text


def test_metrics_count_renders_and_open_websockets(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
    project = make_project({"pages/index.pyxl": PAGE, "pages/api/echo.py": ECHO_WS,
                            "pyxle.config.json": json.dumps(config)}, node=True)
    server = start_server(project)
    for _ in range(3):
        assert "Ada</h1>" in httpx.get(server.url + "/").text

    async def with_open_socket() -> tuple[float, float]:
        async with websockets.connect(server.ws_url + "/api/echo") as ws:
            await ws.send("ping")
            assert await ws.recv() == "ping"
            during = _sample(_scrape(server).text, "pyxle_websocket_connections")
        await asyncio.sleep(0.3)
        return during, _sample(_scrape(server).text, "pyxle_websocket_connections")

    during, after = asyncio.run(with_open_socket())
    assert (during, after) == (1, 0)
    def rendered() -> str | None:
        text = _scrape(server).text
        return text if _sample(text, "pyxle_ssr_render_duration_seconds_count", page="index") == 3 else None

    text = rendered() or _wait_for(rendered)
    assert text, _scrape(server).text
    assert _sample(text, "pyxle_ssr_renders_in_flight") == 0 and "pyxle_ssr_queue_depth" in text
    assert _sample(text, "pyxle_http_requests_total", route="/", status="200") == 3


def test_metrics_path_is_configurable_and_warns_without_a_token(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointPath": "/internal/metrics"}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    assert "has no metricsEndpointToken" in server.output()
    r = httpx.get(server.url + "/internal/metrics")  # loopback: allowed without a token
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert httpx.get(server.url + "/api/__pyxle/metrics").status_code == 404


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP", "Forwarded"])
def test_metrics_without_a_token_refuse_a_request_that_came_through_a_proxy(make_project, start_server, header):
    """nginx on the same machine hands every visitor over from loopback: its headers give it away."""
    config = {"observability": {"metricsEndpoint": True}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    assert _scrape(server, None).status_code == 200
    r = httpx.get(server.url + "/api/__pyxle/metrics", headers={header: "203.0.113.9"})
    assert r.status_code == 401 and "pyxle_http_requests_total" not in r.text


@cites("docs/observability.md", "anything else\ngets `401` (`{\"error\": \"Unauthorized\"}`)")
def test_metrics_refusals_are_json_errors(make_project, start_server):
    """A scrape without the token got `text/plain` "Unauthorized", and another method "Method Not
    Allowed", where every other refusal of Pyxle's is a JSON error."""
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    for token in (None, "wrong"):
        r = _scrape(server, token)
        assert (r.status_code, r.json()) == (401, {"error": "Unauthorized"})
        assert r.headers["www-authenticate"] == "Bearer"
    r = httpx.options(server.url + "/api/__pyxle/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert (r.status_code, r.json(), r.headers["allow"]) == (405, {"error": "Method Not Allowed"}, "GET, HEAD")


def test_metrics_token_scheme_is_matched_whatever_its_case(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    for scheme, status in (("bearer", 200), ("BEARER", 200), ("Basic", 401), ("Bearer" + TOKEN, 401)):
        r = httpx.get(server.url + "/api/__pyxle/metrics", headers={"authorization": f"{scheme} {TOKEN}"})
        assert r.status_code == status, scheme


def test_a_metrics_path_that_is_also_a_route_stops_start_up_naming_both(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN, "metricsEndpointPath": "/api/ok"}}
    server = start_server(make_project({"pages/api/ok.py": HELLO, "pyxle.config.json": json.dumps(config)}), ready=False)
    assert server.wait_exit() == 1
    assert ("pyxle.config.json: observability.metricsEndpointPath /api/ok is also the URL of pages/api/ok.py"
            in server.output())


@cites("docs/observability.md", "The path is taken in its canonical form, as `exemptPaths` are: `/api/ok/` is `/api/ok`")
def test_a_metrics_path_with_a_trailing_slash_over_a_route_stops_start_up_too(make_project, start_server):
    """"/api/ok/" slipped past the check: the metrics were served nowhere (a 307 to /api/ok, the route)."""
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN, "metricsEndpointPath": "/api/ok/"}}
    server = start_server(make_project({"pages/api/ok.py": HELLO, "pyxle.config.json": json.dumps(config)}), ready=False)
    assert server.wait_exit() == 1
    assert ("pyxle.config.json: observability.metricsEndpointPath /api/ok is also the URL of pages/api/ok.py"
            in server.output())


def test_a_metrics_path_with_a_trailing_slash_is_served_without_it(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointPath": "/internal//metrics/"}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}))
    r = httpx.get(server.url + "/internal/metrics")
    assert r.status_code == 200 and "pyxle_http_requests_total" in r.text


@pytest.mark.parametrize("path,message", [
    ("/healthz", "/healthz is Pyxle's health check"),
    ("/readyz", "/readyz is Pyxle's health check"),
    ("/_pyxle/metrics", "/_pyxle/metrics is under /_pyxle/, where Pyxle serves the build's assets"),
    ("/robots.txt", "/robots.txt is also the URL of the public file public/robots.txt, which it would hide"),
])
def test_a_metrics_path_over_a_health_check_assets_or_a_public_file_stops_start_up(make_project, start_server,
                                                                                     path, message):
    """The metrics answered /healthz instead (401 to every probe: containers marked unhealthy), or
    hid a public file; /_pyxle/ was blamed on a pages/_pyxle that does not exist."""
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": TOKEN, "metricsEndpointPath": path}}
    project = make_project({"pages/api/ok.py": HELLO, "public/robots.txt": "User-agent: *\n",
                            "pyxle.config.json": json.dumps(config)})
    server = start_server(project, ready=False)
    assert server.wait_exit() == 1
    assert f"pyxle.config.json: observability.metricsEndpointPath {message}" in server.output()
    assert "hint: choose another metricsEndpointPath" in server.output()


def test_metrics_token_can_come_from_the_environment(make_project, start_server):
    config = {"observability": {"metricsEndpoint": True}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}),
                          env={"PYXLE_METRICS_TOKEN": TOKEN})
    assert _scrape(server, None).status_code == 401 and _scrape(server).status_code == 200


@cites("docs/observability.md", "one\nthat answers carry for their own sake (`Content-Type`, `Set-Cookie`, `Location`, ...) stops start-up")
@pytest.mark.parametrize("config,message", [
    ({"observability": {"otelSampleRatio": 2}}, "observability.otelSampleRatio must be a number from 0 to 1"),
    ({"observability": {"metricsEndpointPath": "metrics"}}, 'observability.metricsEndpointPath must be a path starting with "/"'),
    ({"observability": {"logLevel": "loud"}}, "observability.logLevel must be one of DEBUG, INFO"),
    ({"observability": {"requestIdHeader": "Content-Type"}},  # the handler's own would be dropped for the id
     ('observability.requestIdHeader must be a header name of its own (no spaces or separators), not one answers '
      'carry for their own sake')),
    ({"rateLimit": {"requests": -1}}, "rateLimit.requests must be an integer >= 0"),
    ({"rateLimit": {"requests": 5, "window": 0}}, "rateLimit.window must be a number of seconds greater than 0"),
])
def test_bad_observability_or_rate_limit_config_stops_start_up(make_project, start_server, config, message):
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}),
                          ready=False)
    assert server.wait_exit() != 0
    assert message in server.output() and "pyxle.config.json" in server.output()


def test_with_json_logs_every_line_the_server_prints_is_json_start_up_notes_included(make_project, start_server):
    """A collector reading JSON lines gets none it cannot parse: the config's warnings, the missing
    secret key's warning and the "pyxle serve: http://..." line are records like the rest."""
    config = {"observability": {"logFormat": "json"}, "unknownKey": 1}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}),
                          env={"PYXLE_SECRET_KEY": ""})
    assert httpx.get(server.url + "/api/hello").status_code == 200
    server.wait_for_output("hello from the handler")
    lines = [line for line in server.output().splitlines() if line.strip()]
    assert all(line.startswith("{") for line in lines), server.output()
    records = [json.loads(line) for line in lines]
    warnings = [r["message"] for r in records if r["level"] == "warning" and r["logger"] == "pyxle"]
    assert any("unknownKey" in message for message in warnings), records
    assert any(message.startswith("PYXLE_SECRET_KEY is not set") for message in warnings), records
    assert any(r["level"] == "info" and r["message"].startswith("pyxle serve: http://") for r in records), records


@cites("docs/deployment.md", "`--port 0` picks a free port; the banner line on stderr says which")
@cites("docs/observability.md", "is a record of the `pyxle` logger too, written whatever `logLevel` is")
def test_with_json_logs_the_banner_is_shown_whatever_log_level(make_project, start_server):
    """At logLevel WARNING or above, the INFO record of "pyxle serve: http://..." was dropped in
    JSON (in text it is printed): a server on --port 0 never said which port it took."""
    config = {"observability": {"logFormat": "json", "logLevel": "CRITICAL"}}
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}),
                          env=SHARED_SECRET)  # found by its banner, on --port 0
    assert httpx.get(server.url + "/api/hello").json() == {"message": "hi"}
    banner = [json.loads(line) for line in server.output().splitlines() if "pyxle serve: http://" in line]
    assert [(r["level"], r["logger"]) for r in banner] == [("info", "pyxle")], server.output()


@cites("docs/deployment.md", "so failures are one clear message and exit code 1")
@cites("docs/observability.md", "is a record of the `pyxle` logger too, written whatever `logLevel` is")
@pytest.mark.parametrize("setting,message", [
    ({"PYXLE_SECRET_KEY": ""}, "PYXLE_SECRET_KEY is not set, and this server shares state (--workers 2)"),
    ({**SHARED_SECRET, "PYXLE_HOST": "web.invalid"}, 'PYXLE_HOST "web.invalid" does not resolve to an address'),
])
def test_with_json_logs_the_error_that_stops_start_up_is_shown_whatever_log_level(make_project, setting, message):
    """At logLevel CRITICAL, a refused start exited 1 in JSON without a word (in text it is printed)."""
    config = {"observability": {"logFormat": "json", "logLevel": "CRITICAL"}}
    project = make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)})
    server = Server(["serve", str(project), "--workers", "2"], project, server_env(**setting))
    assert server.wait_exit() == 1
    records = [json.loads(line) for line in server.output().splitlines() if line.strip()]
    assert any(r["level"] == "error" and message in r["message"] for r in records), server.output()


PRINTS = """
import sys

async def get(request):
    print("a\\nb")
    print("to stderr", file=sys.stderr)
    print("no newline yet", end="", flush=True)
    sys.stdout.buffer.write(b'{"raw": "bytes"}\\n')
    sys.stdout.buffer.flush()
    return {"printed": True}
"""


@cites("docs/observability.md", "what the app prints in JSON (`print()` in a loader, an action or an API route): one record of the `print` logger per call")
@cites("docs/observability.md", "at `info` from stdout and `warning` from stderr, with the request id, shown whatever `logLevel` is")
def test_with_json_logs_what_the_app_prints_is_one_record_per_print(make_project):
    """print() wrote plain lines to stdout/stderr, one per line of the text."""
    config = {"observability": {"logFormat": "json", "logLevel": "ERROR"}}  # prints are shown all the same
    project = make_project({"pages/api/say.py": PRINTS, "pyxle.config.json": json.dumps(config)})
    port = free_port()
    server = Server(["serve", str(project), "--host", "127.0.0.1", "--port", str(port)], project, server_env())
    try:
        r = _wait_for(lambda: _get_or_none(f"http://127.0.0.1:{port}/api/say"), timeout=30)
        assert r is not None, server.output()
        _printed_records_are_json(server, r)
    finally:
        server.stop()


def _get_or_none(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def _printed_records_are_json(server: Server, r: httpx.Response) -> None:
    assert r.json() == {"printed": True}
    rid = r.headers["x-request-id"]
    server.wait_for_output("no newline yet")
    server.wait_for_output('"raw"')
    lines = [line for line in server.output().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    printed = [(e["level"], e["message"]) for e in records if e.get("logger") == "print"]
    assert printed == [("info", "a\nb"), ("warning", "to stderr"), ("info", "no newline yet")], server.output()
    assert all(e["request_id"] == rid for e in records if e.get("logger") == "print")
    assert {"raw": "bytes"} in records  # the bytes as written


@cites("docs/observability.md", "An error that stops start-up\nover a value `pyxle.config.json` refuses is in the format the file's own `logFormat` names")
@pytest.mark.parametrize("config,env,message", [
    ({"observability": {"logFormat": "json"}}, {"PYXLE_SSR_TIMEOUT": "abc"},
     'PYXLE_SSR_TIMEOUT must be a number of seconds above 0 and under a year (got "abc")'),
    ({"observability": {"logFormat": "json", "metricsEndpoint": True, "metricsEndpointPath": "/healthz"}}, {},
     "observability.metricsEndpointPath /healthz is Pyxle's health check"),
    ({"rateLimit": {"requests": "many"}}, {"PYXLE_LOG_FORMAT": "json"}, "rateLimit.requests"),
    # the file's own logFormat, when the file refuses another of its values (probe: plain text)
    ({"logFormat": "json", "maxBodySize": -1}, {}, "maxBodySize must be an integer greater than 0 (got -1)"),
    ({"observability": {"logFormat": "json"}, "starlette": {"port": 0}}, {}, "starlette.port"),
    ({"logFormat": "text", "maxBodySize": -1}, {"--log-format": "json"}, "maxBodySize must be an integer"),  # the flag wins
])
def test_with_json_logs_the_error_that_stops_start_up_is_json_too(make_project, start_server, config, env, message):
    """The notes were records, the error that ended start-up plain text (two lines with a hint);
    then still plain text when the file that said "json" had a value refused."""
    flags = [item for name, value in env.items() if name.startswith("--") for item in (name, value)]
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": json.dumps(config)}), "serve",
                          *flags, env={k: v for k, v in env.items() if not k.startswith("--")}, ready=False)
    assert server.wait_exit() == 1
    lines = [line for line in server.output().splitlines() if line.strip()]
    assert all(line.startswith("{") for line in lines), server.output()
    errors = [r for r in map(json.loads, lines) if r["level"] == "error"]
    assert len(errors) == 1 and message in errors[0]["message"] and errors[0]["logger"] == "pyxle", lines


@cites("docs/observability.md", "A file that is not JSON at all cannot say: its error is plain text")
@cites("docs/observability.md", "(`--log-format` and `PYXLE_LOG_FORMAT` still come first)")
@pytest.mark.parametrize("config,env", [
    ('{"logFormat": "json", "maxBodySize": 1,}', {}),  # a trailing comma: not JSON
    ('{"logFormat": "json", "maxBodySize": -1}', {"PYXLE_LOG_FORMAT": "text"}),  # the variable wins
    ('{"logFormat": "json", "maxBodySize": -1}', {"--log-format": "text"}),  # the flag wins
    ('{"observability": {"logFormat": "console"}, "maxBodySize": -1}', {}),
])
def test_the_error_that_stops_start_up_is_text_unless_json_is_asked_for(make_project, start_server, config, env):
    flags = [item for name, value in env.items() if name.startswith("--") for item in (name, value)]
    server = start_server(make_project({"pages/api/hello.py": HELLO, "pyxle.config.json": config}), "serve", *flags,
                          env={k: v for k, v in env.items() if not k.startswith("--")}, ready=False)
    assert server.wait_exit() == 1
    lines = [line for line in server.output().splitlines() if line.strip()]
    assert lines and lines[-1].startswith("pyxle: ") and "pyxle.config.json" in lines[-1], server.output()
    assert not any(line.startswith("{") for line in lines), server.output()


LOUD = '''
@server
async def load(request):
    return {"x": 1}

export default function Loud({ data }) {
  console.log("an info line of the render")
  console.warn("a warning of the render")
  return <p>loud</p>
}
'''
LEVELS = '''
import logging

async def get(request):
    return {name: logging.getLevelName(logging.getLogger(name).getEffectiveLevel()) for name in ("pyxle", "pyxle.ssr")}
'''


@cites("docs/observability.md", "`logLevel` sets the level of Pyxle's loggers")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_log_level_applies_to_pyxles_loggers_in_the_workers(make_project, start_server, command):
    """granian set the level of its ``_granian`` logger in the dict ``pyxle`` shared with it: in the
    workers Pyxle logged at INFO whatever ``logLevel`` said, and granian's own start-up lines showed."""
    files = {"pages/index.pyxl": LOUD, "pages/api/levels.py": LEVELS}
    quiet = start_server(make_project({**files, "pyxle.config.json": json.dumps({"observability": {"logLevel": "WARNING"}})},
                                      node=True), command)
    assert httpx.get(quiet.url + "/").status_code == 200
    quiet.wait_for_output("console output from page 'index': a warning of the render")
    assert "an info line of the render" not in quiet.output() and "worker-1" not in quiet.output(), quiet.output()
    assert httpx.get(quiet.url + "/api/levels").json() == {"pyxle": "WARNING", "pyxle.ssr": "WARNING"}
    loud = start_server(make_project({**files, "pyxle.config.json": json.dumps({"observability": {"logLevel": "DEBUG"}})},
                                     "debug", node=True), command)
    assert httpx.get(loud.url + "/api/levels").json() == {"pyxle": "DEBUG", "pyxle.ssr": "DEBUG"}
    assert httpx.get(loud.url + "/").status_code == 200
    loud.wait_for_output("console output from page 'index': an info line of the render")


NOISY = '''
import logging
import warnings

log = logging.getLogger("app.noisy")

async def get(request):
    warnings.warn("a user warning from a route")
    log.info("with its stack", stack_info=True)
    return {"ok": True}
'''


@cites("docs/observability.md", "a Python warning (`warnings.warn`) is a record of the `py.warnings` logger")
def test_with_json_logs_warnings_and_stacks_are_json_too(make_project, start_server):
    """``warnings`` wrote its own plain-text lines to stderr, and a ``stack_info=True`` stack was
    dropped from the JSON record (text prints it)."""
    config = {"observability": {"logFormat": "json"}}
    server = start_server(make_project({"pages/api/noisy.py": NOISY, "pyxle.config.json": json.dumps(config)}))
    rid = httpx.get(server.url + "/api/noisy").headers["x-request-id"]
    server.wait_for_output("with its stack")
    warned = _wait_for(lambda: [e for e in _json_lines(server) if e["logger"] == "py.warnings"])
    lines = [line for line in server.output().splitlines() if line.strip()]
    assert all(line.startswith("{") for line in lines), server.output()
    assert len(warned) == 1 and warned[0]["level"] == "warning" and warned[0]["request_id"] == rid, warned
    assert "UserWarning: a user warning from a route" in warned[0]["message"]
    stacked = [e for e in _json_lines(server) if e.get("message") == "with its stack"]
    assert stacked[0]["stack"].startswith("Stack (most recent call last):") and "noisy.py" in stacked[0]["stack"]


def test_text_logs_print_warnings_and_stacks_as_python_does(make_project, start_server):
    server = start_server(make_project({"pages/api/noisy.py": NOISY}))
    assert httpx.get(server.url + "/api/noisy").status_code == 200
    out = server.wait_for_output("Stack (most recent call last):")
    assert re.search(r"noisy\.py:\d+: UserWarning: a user warning from a route\n", out), out
    assert "py.warnings" not in out


TRACEBACKS = """
import sys
import threading
import traceback


def fail():
    raise ValueError("the route failed")


async def get(request):
    try:
        fail()
    except ValueError:
        traceback.print_exc()
    try:
        fail()
    except ValueError as error:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stdout)
    print("to stderr", file=sys.stderr)
    side = threading.Thread(target=fail, name="side")
    side.start()
    side.join()
    print("done")
    return {"printed": True}
"""


@cites("docs/observability.md", "a traceback the app prints (`traceback.print_exc()`, a thread's uncaught exception) is one record too")
def test_with_json_logs_a_printed_traceback_is_one_record(make_project, start_server):
    """The traceback module writes a traceback line by line: each line was a record of its own."""
    config = {"observability": {"logFormat": "json"}}
    server = start_server(make_project({"pages/api/fail.py": TRACEBACKS, "pyxle.config.json": json.dumps(config)}))
    r = httpx.get(server.url + "/api/fail")
    assert r.json() == {"printed": True}
    server.wait_for_output('"done"')
    lines = [line for line in server.output().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    printed = [e for e in records if e.get("logger") == "print"]
    tracebacks = [e for e in printed if "Traceback (most recent call last)" in e["message"]]
    assert [(e["level"], e["message"].count("Traceback")) for e in tracebacks] == [
        ("warning", 1), ("info", 1), ("warning", 1)], server.output()
    for e in tracebacks:
        assert e["message"].rstrip("\n").endswith("ValueError: the route failed"), e
        assert 'in fail\n    raise ValueError("the route failed")' in e["message"], e
    assert tracebacks[2]["message"].startswith("Exception in thread side:\nTraceback"), tracebacks[2]
    assert all(e["request_id"] == r.headers["x-request-id"] for e in tracebacks[:2])
    others = [e["message"] for e in printed if e not in tracebacks]
    assert others == ["to stderr", "done"], server.output()


SPLIT_PRINTS = """
import sys

async def get(request):
    print("a\\n", "b")
    print("c\\n", "d\\n", sep="", file=sys.stderr)
    print("e\\n")
    print("f", end="")
    print("g")
    print("h")
    return {"printed": True}
"""


@cites("docs/observability.md", "logger per call, whatever lines it holds")
def test_with_json_logs_a_print_whose_arguments_end_in_newlines_is_still_one_record(make_project, start_server):
    """``print("a\\n", "b")`` was two records: the first write ended in a newline."""
    config = {"observability": {"logFormat": "json"}}
    server = start_server(make_project({"pages/api/say.py": SPLIT_PRINTS, "pyxle.config.json": json.dumps(config)}))
    r = httpx.get(server.url + "/api/say")
    assert r.json() == {"printed": True}
    server.wait_for_output('"h"')
    lines = [line for line in server.output().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    printed = [(e["level"], e["message"]) for e in records if e.get("logger") == "print"]
    assert printed == [("info", "a\n b"), ("warning", "c\nd\n"), ("info", "e\n"), ("info", "fg"), ("info", "h")], printed
    assert all(e["request_id"] == r.headers["x-request-id"] for e in records if e.get("logger") == "print")
