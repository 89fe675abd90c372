"""docs/middleware.md: its middleware, background task and route hooks, served as written with
`--workers 2` (every worker imports the project's own modules from its root)."""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server
from tests.docs._blocks import cites, doc_block, write_project
from tests.docs.conftest import pyxle_run

KEY = {"x-api-key": "secret"}


@pytest.fixture(scope="module")
def app(doc_project) -> Server:
    return doc_project("middleware", "--workers", "2", env=SHARED_SECRET)  # several workers need one key


@cites("docs/middleware.md", "so `\"app_middleware:Timing\"` finds `app_middleware.py` beside `pyxle.config.json`")
def test_the_middleware_times_every_response_in_every_worker(app: Server) -> None:
    for _ in range(6):  # several connections: both workers answer some
        answer = httpx.get(app.url + "/healthz")
        assert float(answer.headers["x-response-time"]) >= 0


@cites("docs/middleware.md", "(Request ids need no middleware of yours: every response carries `X-Request-Id`")
def test_every_kind_of_answer_carries_its_own_request_id(app: Server) -> None:
    """A route's answer, a hook's refusal and its on_error answer, Pyxle's own 404, 405 and 413, and
    the health check: each carries a fresh id of 32 hex digits, with only Timing as middleware."""
    with httpx.Client(base_url=app.url) as client:
        answers = [client.get("/api/users/1", headers=KEY), client.get("/api/users/1"),
                   client.get("/api/users/2", headers=KEY), client.get("/no/such/page"),
                   client.delete("/api/users/1", headers=KEY),
                   client.post("/api/signup", content=b" " * (10 * 1024 * 1024 + 1), headers=KEY),  # the default limit
                   client.get("/healthz")]
    assert [a.status_code for a in answers] == [200, 401, 404, 404, 405, 413, 200]
    ids = [a.headers.get("x-request-id", "") for a in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in ids) and len(set(ids)) == len(ids), ids


@cites("docs/middleware.md", "a `Middleware(cls, **options)`, a `(cls, {options})` pair")
def test_a_middleware_given_its_options_as_in_starlette_runs(doc_project) -> None:
    server = doc_project("middleware-options")
    assert httpx.get(server.url + "/healthz").status_code == 200
    refused = httpx.get(server.url + "/healthz", headers={"host": "evil.test"})
    assert (refused.status_code, refused.text) == (400, "Invalid host header")


@cites("docs/middleware.md", "`pyxle: pyxle.config.json: middleware[0] 'app_middleware:Nope' cannot be imported")
def test_a_middleware_that_cannot_be_imported_stops_start_up_naming_it(tmp_path) -> None:
    root = write_project("middleware", tmp_path / "app")
    (root / "pyxle.config.json").write_text('{"middleware": ["app_middleware:Nope"]}')
    run = pyxle_run(root, "serve", str(root), "--port", "0")
    assert run.returncode == 1
    assert ("pyxle: pyxle.config.json: middleware[0] 'app_middleware:Nope' cannot be imported: AttributeError: "
            "module 'app_middleware' has no attribute 'Nope'\n    hint: a middleware is named") in run.stderr


def written(log: Path, text: str) -> str:
    """``log``'s text once ``text`` is in it (a task writes it after the answer), or as it is after 10 s."""
    deadline = time.monotonic() + 10
    while not (log.exists() and text in log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return log.read_text() if log.exists() else ""


@cites("docs/middleware.md", "what you add runs once the response is sent")
def test_the_signup_task_runs_after_the_response(app: Server) -> None:
    answer = httpx.post(app.url + "/api/signup", json={"email": "ada@example.com"}, headers=KEY)
    assert answer.json() == {"ok": True}
    assert written(app.root / "signups.txt", "ada@example.com") == "ada@example.com\n"  # type: ignore[attr-defined]


@cites("docs/middleware.md", "the answer does not wait for it")
def test_the_welcome_task_queued_by_the_route_runs(app: Server) -> None:
    answer = httpx.post(app.url + "/api/welcome", json={"email": "grace@example.com"}, headers=KEY)
    assert answer.json() == {"queued": True}
    assert written(app.root / "welcomed.txt", "grace@example.com") == "grace@example.com\n"  # type: ignore[attr-defined]


@cites("docs/middleware.md", 'return JSONResponse({"error": "Missing API key"}, status_code=401)  # short-circuit')
def test_the_class_hook_refuses_a_request_without_the_key(app: Server) -> None:
    refused = httpx.get(app.url + "/api/users/1")
    assert refused.status_code == 401 and refused.json() == {"error": "Missing API key"}


def test_both_hooks_wrap_the_route(app: Server) -> None:
    answer = httpx.get(app.url + "/api/users/1", headers=KEY)
    assert answer.json() == {"name": "Ada"}
    assert answer.headers["x-route"] == "/api/users/{id}"
    assert answer.headers["server-timing"].startswith("app;dur=")


@cites("docs/middleware.md", "whose `KeyError` (a `LookupError`) `RequireKey.on_error` turns into a 404")
def test_on_error_turns_a_lookup_error_into_404(app: Server) -> None:
    missing = httpx.get(app.url + "/api/users/2", headers=KEY)
    assert missing.status_code == 404 and missing.json() == {"error": "Not found"}


def test_the_route_dict_shown_is_what_a_hook_reads(tmp_path) -> None:
    from tests.docs.conftest import serve_doc_project

    root = write_project("middleware", tmp_path / "app")
    (root / "show.py").write_text(
        "from starlette.responses import JSONResponse\n\n"
        "async def route(context, request, call_next):\n"
        "    return JSONResponse(request.scope['pyxle']['route'])\n")
    (root / "pyxle.config.json").write_text('{"routeMiddleware": {"apis": ["show:route"]}}')
    server = serve_doc_project(root)
    try:
        seen = httpx.get(server.url + "/api/users/1").json()
    finally:
        server.stop()
    shown = ast.literal_eval(doc_block("docs/middleware.md", "route-dict"))
    assert seen.keys() == shown.keys()
    assert seen["sourceAbsolutePath"] == str(root / "pages" / "api" / "users" / "[id].py")
    assert len(seen["contentHash"]) == len(shown["contentHash"])
    same = {k: v for k, v in shown.items() if k not in ("sourceAbsolutePath", "contentHash")}
    assert {k: seen[k] for k in same} == same


BOOM = '''
class Boom:
    """Fails on one path, as a middleware with a bug would."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/api/boom":
            raise RuntimeError("middleware failed")
        await self.app(scope, receive, send)
'''


@cites("docs/middleware.md", "So your middleware\nsees every request the rate limit lets through, and its own failures are still answered with a\n"
       "JSON 500, security headers and a request id")
def test_user_middleware_sits_inside_the_rate_limit_and_the_error_net(tmp_path) -> None:
    from tests.docs.conftest import serve_doc_project

    root = write_project("middleware", tmp_path / "app")
    (root / "boom.py").write_text(BOOM)
    (root / "pyxle.config.json").write_text(
        '{"middleware": ["app_middleware:Timing", "boom:Boom"], "rateLimit": {"requests": 2, "window": 600}}')
    server = serve_doc_project(root)
    try:
        failed = httpx.get(server.url + "/api/boom")
        assert failed.status_code == 500 and failed.json() == {"error": "Internal Server Error"}
        assert failed.headers["x-content-type-options"] == "nosniff" and len(failed.headers["x-request-id"]) == 32
        served = httpx.get(server.url + "/api/users/1", headers=KEY)
        assert served.status_code == 200 and "x-response-time" in served.headers
        limited = httpx.get(server.url + "/api/users/1", headers=KEY)
        assert limited.status_code == 429 and "x-response-time" not in limited.headers  # never reached Timing
    finally:
        server.stop()
    assert "RuntimeError: middleware failed" in server.output()


RAISING_PAGE = '''
@server
async def load(request):
    raise KeyError("nope")

@action
async def find(request):
    raise KeyError("nope")

export default function P({ data }) { return <p>x</p> }
'''


@cites("docs/middleware.md", "`on_error` sees what an API route's function raises, and only that: what a page loader or a\n"
       "server action raises is answered before the hooks see it (the error page; the action's JSON 500)")
def test_on_error_never_sees_what_a_loader_or_an_action_raises(tmp_path) -> None:
    """The doc's complete config lists RequireKey (its on_error a 404 for a LookupError) under
    "actions", which read as if an action's KeyError became a 404: it is a 500, as in 0.9.4."""
    from tests.docs.conftest import serve_doc_project

    root = write_project("middleware", tmp_path / "app")
    (root / "pages" / "finder.pyxl").write_text(RAISING_PAGE.lstrip("\n"))
    (root / "pyxle.config.json").write_text('{"routeMiddleware": {"pages": ["hooks:RequireKey"], '
                                            '"actions": ["hooks:RequireKey"]}}')
    server = serve_doc_project(root, node=True, env=SHARED_SECRET)
    try:
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/finder", headers=KEY).status_code == 500
            token = client.get("/healthz").cookies.get("pyxle-csrf") or client.cookies.get("pyxle-csrf")
            action = client.post("/api/__actions/finder/find", json={}, headers={**KEY, "x-csrf-token": token or ""})
    finally:
        server.stop()
    assert action.status_code == 500 and action.json()["ok"] is False, action.text


@cites("docs/middleware.md", "the 500 handler, the body size limit, the body timeout, the rate limit, **your middleware**")
@cites("docs/middleware.md", "a 413 for a body whose declared\n`Content-Length` is over `maxBodySize`, are answered outside it and carry none of its headers; a\n"
       "streamed body that crosses the limit is found as the app reads it, so that 413 passes through it")
def test_a_413_is_answered_outside_the_middleware_and_lacks_its_header(app: Server) -> None:
    """The list put the body size limit inside the user's middleware; a declared 413 never reaches it."""
    too_big = 10 * 1024 * 1024 + 1  # the default maxBodySize, plus one

    def streamed():
        for _ in range(11):
            yield b" " * (1024 * 1024)

    with httpx.Client(base_url=app.url) as client:
        declared = client.post("/api/signup", content=b" " * too_big, headers=KEY)
        chunked = client.post("/api/signup", content=streamed(), headers=KEY)
        fine = client.get("/healthz")
    assert (declared.status_code, chunked.status_code) == (413, 413), (declared.text, chunked.text)
    assert "x-response-time" not in declared.headers and "x-response-time" in chunked.headers
    assert "x-response-time" in fine.headers
