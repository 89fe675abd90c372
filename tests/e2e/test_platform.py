"""The platform under every route, against a real server: config, middleware, hooks, CSRF, CORS,
security headers, static files, health checks, access log."""

from __future__ import annotations

import base64
import datetime
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

MIDDLEWARE = '''
class Tag:
    """Appends its name to x-order on the way out, so the test sees the nesting."""
    def __init__(self, app, name):
        self.app, self.name = app, name
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope.setdefault("order_in", []).append(self.name)
        async def tagged(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-order-out", self.name.encode()))
                message = {**message, "headers": headers}
            await send(message)
        await self.app(scope, receive, tagged)

class First(Tag):
    def __init__(self, app): super().__init__(app, "first")

class Second(Tag):
    def __init__(self, app): super().__init__(app, "second")
'''

HOOKS = '''
from starlette.responses import JSONResponse
from pyxle import RouteHook

async def timing(context, request, call_next):
    response = await call_next(request)
    response.headers["x-hook-fn"] = context.path
    return response

class Gate(RouteHook):
    def on_pre_call(self, request, context):
        if request.headers.get("x-block"):
            return JSONResponse({"blocked": True, "route": context.as_dict()}, status_code=401)
    async def on_post_call(self, request, response, context):
        response.headers["x-hook-class"] = ",".join(context.allowed_methods)
    def on_error(self, request, context, exc):
        if isinstance(exc, LookupError):
            return JSONResponse({"handled": str(exc)}, status_code=404)
'''

PLATFORM_FILES = {
    "mw.py": MIDDLEWARE,
    "hooks.py": HOOKS,
    "pages/api/order.py": "async def get(request): return {'in': request.scope['order_in']}\n",
    "pages/api/ctx.py": """
        async def get(request):
            route = request.scope['pyxle']['route']
            assert type(route) is dict  # a plain dict, as hooks written for earlier releases read it
            return route
        """,
    "pages/api/missing.py": "async def get(request):\n    raise LookupError('no such thing')\n",
    "pages/api/cls.py": """
        from starlette.endpoints import HTTPEndpoint
        from starlette.responses import JSONResponse
        class Thing(HTTPEndpoint):
            async def get(self, request): return JSONResponse({'class': True})
        """,
    "pages/api/submit.py": "async def post(request): return {'accepted': True}\n",
    "pages/api/hooks-in/x.py": "async def post(request): return {'accepted': True}\n",
    "pages/api/hooksmith.py": "async def post(request): return {'accepted': True}\n",
    "pages/api/webhooks/stripe.py": "async def post(request): return {'accepted': True}\n",
    "pages/api/own-header.py": """
        from starlette.responses import JSONResponse
        async def get(request): return JSONResponse({}, headers={'X-Frame-Options': 'SAMEORIGIN'})
        """,
    "pages/api/public-clash.py": "async def get(request): return {'route': True}\n",
    "public/hello.txt": "hello from public\n",
    "public/style.css": "body { color: red }\n",
    "public/api/public-clash.py": "file, not route\n",
    "secret.txt": "TOP SECRET\n",
    "pyxle.config.json": json.dumps({
        "middleware": ["mw:First", "mw:Second"],
        "routeMiddleware": {"apis": ["hooks:timing", "hooks:Gate"]},
        "csrf": {"apiRoutes": ["/api/hooks-in", "/api/submit", "/api/webhooks"], "exemptPaths": ["/api/webhooks"]},
        "cors": {"origins": ["https://app.example.com"], "credentials": True, "maxAge": 123},
        "securityHeaders": {"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"},
    }),
}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("platform") / "app", PLATFORM_FILES, None)
    os.symlink(root / "secret.txt", root / "public" / "leak.txt")
    with serving(root, "--log-format", "json", env={"PYXLE_SECRET_KEY": "k" * 40}) as server:
        yield server


def test_middleware_order_first_listed_is_outermost(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/order")
    assert r.json() == {"in": ["first", "second"]}
    assert r.headers.get_list("x-order-out") == ["second", "first"]  # inner adds first on the way out


def test_function_and_class_hooks_wrap_function_endpoints(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/order")
    assert r.headers["x-hook-fn"] == "/api/order"
    assert r.headers["x-hook-class"] == "GET,HEAD,OPTIONS"


def test_hook_short_circuit_and_context(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/ctx", headers={"x-block": "1"})
    assert r.status_code == 401
    route = r.json()["route"]
    assert route["target"] == "api" and route["path"] == "/api/ctx"
    assert route["source"] == "api/ctx.py"
    assert route["sourceAbsolutePath"].endswith("/pages/api/ctx.py")
    assert route["module"] == "pages.api.ctx" and len(route["contentHash"]) == 16 and route["head"] == []
    assert route["allowedMethods"] == ["GET", "HEAD", "OPTIONS"] and route["hasLoader"] is False


def test_context_is_attached_to_the_scope(platform: Server) -> None:
    assert httpx.get(platform.url + "/api/ctx").json()["path"] == "/api/ctx"


def test_hook_on_error_turns_exception_into_response(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/missing")
    assert r.status_code == 404 and r.json() == {"handled": "no such thing"}


def test_hooks_wrap_http_endpoint_classes_too(platform: Server) -> None:
    blocked = httpx.get(platform.url + "/api/cls", headers={"x-block": "1"})
    assert blocked.status_code == 401 and blocked.json()["route"]["path"] == "/api/cls"
    r = httpx.get(platform.url + "/api/cls")
    assert r.status_code == 200 and r.json() == {"class": True}
    assert r.headers["x-hook-fn"] == "/api/cls" and r.headers["x-hook-class"] == "GET,HEAD,OPTIONS"


def _token(client: httpx.Client, base: str) -> str:
    client.get(base + "/")  # any page path issues the cookie
    return client.cookies["pyxle-csrf"]


def test_csrf_cookie_is_issued_on_first_get_to_a_protected_path(platform: Server) -> None:
    for path in ("/", "/api/submit"):  # a page path, and an API route that opted in
        r = httpx.get(platform.url + path)
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("pyxle-csrf=") and "Path=/" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert "HttpOnly" not in cookie
    with httpx.Client() as client:
        client.get(platform.url + "/")
        again = client.get(platform.url + "/")
        assert "set-cookie" not in again.headers  # a valid cookie is not replaced


def test_api_route_without_csrf_sets_no_csrf_cookie(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/order")
    assert r.status_code == 200 and "set-cookie" not in r.headers


@cites("docs/security.md", "Nor does the JSON `404` of a URL under `/api/` (or an `api/` folder) that nothing answers")
@cites("docs/security.md", "is checked like any other path; where nothing answers it at all, its JSON `404` sets no cookie")
def test_an_api_url_no_route_answers_sets_no_csrf_cookie_and_stays_checked(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/nope")
    assert r.status_code == 404 and r.json() == {"error": "Not Found"} and "set-cookie" not in r.headers
    refused = httpx.post(platform.url + "/api/nope")  # a plugin's endpoint may answer it: checked
    assert refused.status_code == 403 and refused.headers["set-cookie"].startswith("pyxle-csrf=")


def test_csrf_opted_in_api_route_accept_and_refuse(platform: Server) -> None:
    url = platform.url + "/api/submit"
    with httpx.Client() as client:
        token = _token(client, platform.url)
        assert client.post(url, headers={"x-csrf-token": token}).json() == {"accepted": True}
        missing = client.post(url)
        assert missing.status_code == 403 and "csrf" in json.dumps(missing.json()).lower()
        wrong = client.post(url, headers={"x-csrf-token": token[:-2] + "xx"})
        assert wrong.status_code == 403
    assert httpx.post(url).status_code == 403  # no cookie at all


def test_csrf_forged_signature_is_refused(platform: Server) -> None:
    nonce = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    forged = f"{nonce}.{'A' * 43}"  # right shape, signed by someone without the secret
    r = httpx.post(platform.url + "/api/submit", headers={"x-csrf-token": forged, "cookie": f"pyxle-csrf={forged}"})
    assert r.status_code == 403


def test_csrf_tokens_with_non_ascii_bytes_are_refused_or_replaced_never_a_500(platform: Server) -> None:
    """A cookie planted by a sibling subdomain, or a hostile header or form field, with bytes
    outside ASCII: the comparison must not raise."""
    r = httpx.get(platform.url + "/", headers={"cookie": b"pyxle-csrf=a.\xe9"})
    assert r.status_code == 404 and r.headers["set-cookie"].startswith("pyxle-csrf=")  # no page at / here
    with httpx.Client() as client:
        token = _token(client, platform.url)
        r = client.post(platform.url + "/api/submit", headers={"x-csrf-token": b"\xe9"})
        assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
        r = client.post(platform.url + "/api/submit", content=b"csrf_token=%C3%A9",
                        headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
        assert client.post(platform.url + "/api/submit", headers={"x-csrf-token": token}).status_code == 200


def test_csrf_exempt_and_prefix_boundaries(platform: Server) -> None:
    assert httpx.post(platform.url + "/api/webhooks/stripe").json() == {"accepted": True}  # exemptPaths wins
    assert httpx.post(platform.url + "/api/hooksmith").json() == {"accepted": True}  # not under /api/hooks-in
    assert httpx.post(platform.url + "/api/hooks-in/x").status_code == 403


def test_csrf_actions_path_is_protected_by_default(platform: Server) -> None:
    r = httpx.post(platform.url + "/api/__actions/index/save", json={})
    assert r.status_code == 403


def test_cors_preflight_and_simple_request(platform: Server) -> None:
    pre = httpx.options(platform.url + "/api/submit", headers={
        "origin": "https://app.example.com", "access-control-request-method": "POST",
        "access-control-request-headers": "x-csrf-token, content-type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://app.example.com"
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert pre.headers["access-control-max-age"] == "123"
    assert "x-csrf-token" in pre.headers["access-control-allow-headers"].lower()
    other = httpx.options(platform.url + "/api/submit", headers={
        "origin": "https://evil.example.com", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in other.headers
    simple = httpx.get(platform.url + "/api/order", headers={"origin": "https://app.example.com"})
    assert simple.headers["access-control-allow-origin"] == "https://app.example.com"


def test_security_headers_default_overridden_and_handler_wins(platform: Server) -> None:
    r = httpx.get(platform.url + "/api/order")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    assert httpx.get(platform.url + "/api/own-header").headers["x-frame-options"] == "SAMEORIGIN"
    assert httpx.get(platform.url + "/nope").headers["x-content-type-options"] == "nosniff"  # errors too


def test_static_files(platform: Server) -> None:
    r = httpx.get(platform.url + "/hello.txt")
    assert r.status_code == 200 and r.text == "hello from public\n"
    assert r.headers["content-type"].startswith("text/plain")
    assert httpx.get(platform.url + "/style.css").headers["content-type"].startswith("text/css")
    again = httpx.get(platform.url + "/hello.txt", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304
    since = httpx.get(platform.url + "/hello.txt", headers={"if-modified-since": r.headers["last-modified"]})
    assert since.status_code == 304
    head = httpx.head(platform.url + "/hello.txt")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "18"
    assert httpx.get(platform.url + "/api/public-clash").json() == {"route": True}  # a route wins


@pytest.mark.parametrize("value", ["bytes=abc", "bytes=9-2", "items=0-1", "bytes=", "0-4", "bytes=0-1,x"])
def test_a_malformed_range_gets_the_whole_static_file(platform: Server, value: str) -> None:
    r = httpx.get(platform.url + "/hello.txt", headers={"range": value})
    assert r.status_code == 200 and r.text == "hello from public\n"


def test_a_valid_range_gets_its_part_and_one_past_the_end_416(platform: Server) -> None:
    part = httpx.get(platform.url + "/hello.txt", headers={"range": "bytes=0-4"})
    assert part.status_code == 206 and part.text == "hello"
    assert part.headers["content-range"] == "bytes 0-4/18"
    beyond = httpx.get(platform.url + "/hello.txt", headers={"range": "bytes=99-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == "bytes */18"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
                                  "//etc/passwd", "/leak.txt", "/hello.txt/..", "/.%2e/secret.txt"])
def test_static_traversal_is_404(platform: Server, path: str) -> None:
    import socket

    host, port = platform.url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port))) as sock:  # raw, so no client normalises the path
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    assert status in (400, 404), data[:200]
    assert b"TOP SECRET" not in data and b"root:" not in data


def test_health_and_ready(platform: Server) -> None:
    for path in ("/healthz", "/readyz"):
        answer = httpx.get(platform.url + path)
        assert answer.status_code == 200 and answer.json()["status"] == "ok" and answer.json()["ready"] is True


def test_project_routes_win_over_health_paths(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/x.py": "async def get(r): return {}\n",
                                        "pages/healthz.pyxl": "export default function H() { return null }\n"}))
    r = httpx.get(server.url + "/healthz", headers={"x-pyxle-navigation": "1"})
    assert r.headers["content-type"].startswith("application/json") and r.json()["ok"] is True


def test_json_access_log(platform: Server) -> None:
    httpx.get(platform.url + "/api/order?x=1")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in platform.lines if line.startswith("{")]
        hits = [entry for entry in lines if entry.get("path") == "/api/order"]
        if hits:
            break
        time.sleep(0.05)
    entry = hits[-1]
    assert entry["method"] == "GET" and entry["status"] == 200 and entry["duration_ms"] >= 0


def test_json_log_records_carry_utc_times_like_the_access_lines(make_project, start_server) -> None:
    """With the machine's zone elsewhere, an error record and an access line of the same moment
    say the same time, in UTC with its Z (a collector would misplace local times without a zone)."""
    project = make_project({"pages/api/boom.py": "async def get(r):\n    raise RuntimeError('boom')\n"})
    server = start_server(project, "serve", "--log-format", "json", env={"TZ": "Asia/Tokyo"})
    assert httpx.get(server.url + "/api/boom").status_code == 500
    server.wait_for_output('"logger":"pyxle.access"')
    records = [json.loads(line) for line in server.lines if line.startswith("{")]
    error = next(r for r in records if r["logger"] == "pyxle.error")
    access = next(r for r in records if r["logger"] == "pyxle.access")
    now = datetime.datetime.now(datetime.timezone.utc)
    for record in (error, access):
        assert record["time"].endswith("Z")
        stamp = datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        assert abs((now - stamp).total_seconds()) < 120


@cites("docs/observability.md", "In text, a record's time and\nan access line's are UTC too, ending in `Z` as in JSON")
def test_text_log_records_carry_utc_times_like_the_access_lines(make_project, start_server) -> None:
    """Probe: with TZ=Asia/Kolkata the access line said 12:58:05Z (UTC) and the error record of the
    same request 07:58:05,268 in local time with no zone: two clocks in one log."""
    project = make_project({"pages/api/boom.py": "async def get(r):\n    raise RuntimeError('boom')\n"})
    server = start_server(project, "serve", env={"TZ": "Asia/Kolkata"})
    rid = httpx.get(server.url + "/api/boom").headers["x-request-id"]
    server.wait_for_output('"GET /api/boom" 500')
    server.wait_for_output(f"ERROR pyxle.error [{rid}]")
    error = next(line for line in server.lines if f"ERROR pyxle.error [{rid}]" in line)
    access = next(line for line in server.lines if '"GET /api/boom" 500' in line and rid in line)
    now = datetime.datetime.now(datetime.timezone.utc)
    stamps = []
    for line, form in ((error, "%Y-%m-%dT%H:%M:%S.%fZ"), (access, "%Y-%m-%dT%H:%M:%SZ")):
        stamp = datetime.datetime.strptime(line.split(" ", 1)[0], form).replace(tzinfo=datetime.timezone.utc)
        assert abs((now - stamp).total_seconds()) < 120, line  # UTC, not Kolkata's +05:30
        stamps.append(stamp)
    assert abs((stamps[0] - stamps[1]).total_seconds()) < 5, (error, access)


def test_text_access_log_and_off_switch(make_project, start_server) -> None:
    project = make_project({"pages/api/x.py": "async def get(r): return {}\n"})
    on = start_server(project)
    httpx.get(on.url + "/api/x")
    time.sleep(0.3)
    assert any('"GET /api/x" 200' in line for line in on.lines)
    off = start_server(project, "serve", "--no-access-log")
    httpx.get(off.url + "/api/x")
    time.sleep(0.3)
    assert not any('"GET /api/x"' in line for line in off.lines)


def test_a_path_cannot_forge_a_line_of_the_text_logs(make_project, start_server) -> None:
    """A decoded %0a in a path would start a line of its own: control characters, quotes and
    backslashes are written as \\xHH, as nginx does, in the access log and the error log."""
    project = make_project({"pages/api/[...x].py": "async def get(r):\n    raise RuntimeError('boom')\n"})
    server = start_server(project)
    forged = '2026-12-02T00:00:00Z 203.0.113.9 "GET /admin" 200 1.0ms'
    path = "/nothing%0a" + forged.replace(" ", "%20").replace('"', "%22") + "%1b%5b2J"
    assert httpx.get(server.url + path).status_code == 400  # refused for its control characters, and logged
    out = server.wait_for_output("\\x0A2026-12-02T00:00:00Z 203.0.113.9 \\x22GET /admin\\x22")
    assert not any(line.startswith(forged) for line in server.lines)
    assert "\x1b" not in out and "\\x1B[2J" in out
    assert httpx.get(server.url + "/api/x%22y%5Cz").status_code == 500
    server.wait_for_output("Unhandled error in GET /api/x\\x22y\\x5Cz")


@pytest.mark.parametrize("config,message", [
    ({"csrf": {"cookieSameSite": "loose"}}, "csrf.cookieSameSite must be one of strict, lax, none"),
    ({"starlette": {"port": "eighty"}}, "starlette.port must be an integer"),
    ({"middleware": ["nope.module:Thing"]}, "middleware[0] 'nope.module:Thing' cannot be imported"),
    ({"routeMiddleware": {"apis": ["nope:hook"]}}, "routeMiddleware.apis[0] 'nope:hook' cannot be imported"),
    ({"cors": {"origins": "https://x.com"}}, "cors.origins must be"),
])
def test_config_errors_stop_startup(make_project, start_server, config: dict, message: str) -> None:
    project = make_project({"pages/api/x.py": "async def get(r): return {}\n", "pyxle.config.json": json.dumps(config)})
    server = start_server(project, ready=False)
    assert server.wait_exit() == 1
    assert message in server.output()


def test_unknown_config_key_warns(make_project, start_server) -> None:
    project = make_project({"pages/api/x.py": "async def get(r): return {}\n",
                            "pyxle.config.json": json.dumps({"pagesDri": "pages"})})
    server = start_server(project)
    assert "pagesDri" in server.output() and "pagesDir" in server.output()


@cites("docs/configuration.md", "`.env.local`: your machine's values, **not committed**; they override both files above")
def test_env_files_and_precedence(make_project, start_server) -> None:
    project = make_project({
        "pages/api/env.py": "import os\nasync def get(r): return {k: os.environ.get(k) for k in ('A', 'B', 'C', 'D')}\n",
        ".env": "A=env\nB=env\nC=env\nD=env\n",
        ".env.local": "B=local\n",
        ".env.production": "B=production\nC=production\n",
        ".env.development": "B=development\nC=development\n",
        ".env.production.local": "D=production-local\n",
    })
    server = start_server(project, env={"A": "shell"})
    # .env.local overrides .env.<mode> (0.9 and Next.js order): a machine's value beats the committed one
    assert httpx.get(server.url + "/api/env").json() == {"A": "shell", "B": "local", "C": "production",
                                                        "D": "production-local"}
    dev = start_server(project, "dev")
    assert httpx.get(dev.url + "/api/env").json()["C"] == "development"
    assert httpx.get(dev.url + "/api/env").json()["B"] == "local"


def test_print_config_masks_secrets(make_project, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import server_env

    project = make_project({"pages/api/x.py": "async def get(r): return {}\n",
                            "pyxle.config.json": json.dumps({"starlette": {"port": 9000}})})
    out = subprocess.run([sys.executable, "-m", "pyxle", "dev", str(project), "--print-config", "--port", "9100"],
                         capture_output=True, text=True, check=True,
                         env=server_env(PYXLE_SECRET_KEY="s" * 40, PYXLE_HOST="0.0.0.0")).stdout
    config = json.loads(out)
    assert config["starlette"] == {"host": "0.0.0.0", "port": 9100}  # env over file, CLI over env
    assert "s" * 40 not in out and config["secretKey"] == "********"


def test_short_secret_key_is_refused(make_project, start_server) -> None:
    project = make_project({"pages/api/x.py": "async def get(r): return {}\n"})
    server = start_server(project, env={"PYXLE_SECRET_KEY": "short"}, ready=False)
    assert server.wait_exit() == 1
    assert "secrets.token_urlsafe" in server.output()


def test_generated_secret_warns_with_one_worker(make_project, start_server) -> None:
    project = make_project({"pages/api/x.py": "async def post(r): return {'ok': True}\n"})
    server = start_server(project, "serve")
    assert server.output().count("PYXLE_SECRET_KEY") == 1  # warned once
    assert httpx.post(server.url + "/api/x").json() == {"ok": True}


def test_the_secret_key_is_shared_by_workers(make_project, start_server) -> None:
    project = make_project({"pages/api/x.py": "async def post(r): return {'ok': True}\n",
                            "pyxle.config.json": json.dumps({"csrf": {"apiRoutes": True}})})
    server = start_server(project, "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "k" * 40})
    assert "PYXLE_SECRET_KEY" not in server.output()
    with httpx.Client() as client:
        token = _token(client, server.url)
        # A token minted by one worker is accepted by every worker (new connection each time).
        for _ in range(10):
            r = httpx.post(server.url + "/api/x", headers={"x-csrf-token": token}, cookies={"pyxle-csrf": token})
            assert r.status_code == 200


@cites("docs/security.md", "nor Pyxle's own\n  `/healthz`, `/readyz` and metrics endpoint: a load balancer's probe every few seconds needs no\n"
       "  token (a page of your own at `/healthz` gets one as any page does)")
def test_health_checks_and_metrics_hand_out_no_csrf_cookie_while_pages_still_do(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Every probe of /healthz was handed a freshly signed token cookie, as if it were a page."""
    config = {"observability": {"metricsEndpoint": True, "metricsEndpointToken": "t" * 32},
              "csrf": {"apiRoutes": True}}  # the metrics path is under /api/: checked with this too
    server = start_server(make_project({"pages/index.pyxl": "export default function P() { return <p>hi</p> }\n",
                                        "pyxle.config.json": json.dumps(config)}, node=True), "serve")
    for path in ("/healthz", "/readyz", "/api/__pyxle/metrics"):
        answer = httpx.get(server.url + path, headers={"authorization": "Bearer " + "t" * 32})
        assert answer.status_code == 200 and "set-cookie" not in answer.headers, (path, answer.headers)
    assert "pyxle-csrf=" in httpx.get(server.url + "/").headers["set-cookie"]
    own = start_server(make_project({"pages/healthz.pyxl": "export default function H() { return <p>mine</p> }\n"},
                                    "own", node=True), "serve")
    page = httpx.get(own.url + "/healthz")
    assert "mine" in page.text and "pyxle-csrf=" in page.headers["set-cookie"]
