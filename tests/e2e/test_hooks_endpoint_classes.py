"""Route hooks wrap an API route written as a Starlette ``HTTPEndpoint`` class as they wrap method
functions: an auth hook protects it. WebSocket handlers stay outside hooks, as the seed says."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.conftest import SHARED_SECRET, Server, serving, write_project
from tests.docs._blocks import cites

HOOKS = '''
from starlette.responses import JSONResponse

async def deny(context, request, call_next):
    if request.headers.get("x-deny"):
        return JSONResponse({"error": "denied by hook"}, status_code=401)
    return await call_next(request)

async def tag(context, request, call_next):
    request.state.hooked = context.target
    response = await call_next(request)
    response.headers["x-hooked"] = f"{context.path} {request.method} {','.join(context.allowed_methods)}"
    return response
'''

FILES = {
    "hooks.py": HOOKS,
    "pages/api/accounts.py": '''
        from starlette.endpoints import HTTPEndpoint
        from starlette.responses import JSONResponse

        class Users(HTTPEndpoint):
            async def get(self, request):
                return JSONResponse({"users": [], "hooked": request.state.hooked, "mine": self.scope is request.scope})

            def post(self, request):  # a plain def runs in the threadpool, hooks around it all the same
                return {"created": True}, 201

        async def websocket(ws):
            await ws.accept()
            await ws.send_text("hi " + str(ws.scope.get("state", {}).get("hooked")))
            await ws.close()
        ''',
    "pages/api/own-options.py": '''
        from starlette.endpoints import HTTPEndpoint
        from starlette.responses import Response

        class Preflight(HTTPEndpoint):
            async def get(self, request):
                return {"ok": True}

            async def options(self, request):
                return Response(status_code=200, headers={"x-own": "options"})
        ''',
    "pages/api/fn.py": "async def get(request):\n    return {'fn': True}\n\nasync def post(request):\n    return {}\n",
    "pyxle.config.json": json.dumps({"routeMiddleware": {"apis": ["hooks:deny", "hooks:tag"]}}),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("hooked") / "app", FILES, None)
    with serving(root, env=SHARED_SECRET) as served:
        yield served


@cites("docs/middleware.md", "An `HTTPEndpoint` class is wrapped as method functions are")
@cites("docs/middleware.md", "so an auth hook protects it too")
@cites("docs/api-routes.md", "[Route hooks](middleware.md#route-hooks) wrap its methods as they wrap functions")
def test_a_denying_hook_answers_for_an_http_endpoint_class_route(server: Server) -> None:
    with httpx.Client(base_url=server.url, headers={"x-deny": "1"}) as client:
        for method in ("GET", "POST", "HEAD"):
            r = client.request(method, "/api/accounts")
            assert r.status_code == 401, method
        assert client.get("/api/accounts").json() == {"error": "denied by hook"}
        assert client.get("/api/fn").status_code == 401  # as for a function route


@cites("docs/middleware.md", "`call_next` runs the class's method for the request's method (`get` for `HEAD` unless the class has `head`)")
def test_a_hook_adds_its_header_to_an_http_endpoint_class_answer(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        r = client.get("/api/accounts")
        assert r.status_code == 200
        assert r.json() == {"users": [], "hooked": "api", "mine": True}  # request.state set by the hook
        assert r.headers["x-hooked"] == "/api/accounts GET GET,HEAD,POST,OPTIONS"
        created = client.post("/api/accounts")
        assert created.status_code == 201 and created.json() == {"created": True}
        assert created.headers["x-hooked"].startswith("/api/accounts POST ")
        head = client.head("/api/accounts")  # answered by get, through the hooks
        assert head.status_code == 200 and head.content == b""
        assert head.headers["x-hooked"].startswith("/api/accounts HEAD ")


@cites("docs/middleware.md", "A method a route does not serve is answered before the hooks, for functions and classes alike")
@cites("docs/api-routes.md", "its `Allow` listing `OPTIONS` too")
def test_a_method_an_http_endpoint_class_lacks_is_its_405_as_for_a_function_route(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        r = client.put("/api/accounts", headers={"x-deny": "1"})  # answered before the hooks, as for a function
        assert r.status_code == 405 and r.json() == {"error": "Method Not Allowed"}
        assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS" and "x-hooked" not in r.headers
        fn = client.put("/api/fn")
        assert fn.status_code == 405 and fn.headers["allow"] == "GET, HEAD, POST, OPTIONS"


@cites("docs/api-routes.md", "`OPTIONS` without an `options` method answered as above")
@cites("docs/middleware.md", "the `204` to an `OPTIONS` that no `options` handler answers")
def test_options_to_an_http_endpoint_class_without_options_is_204_with_allow(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        r = client.options("/api/accounts", headers={"x-deny": "1"})  # a preflight needs no credentials
        assert r.status_code == 204 and r.content == b""
        assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS" and "x-hooked" not in r.headers
        fn = client.options("/api/fn")
        assert fn.status_code == 204 and fn.headers["allow"] == "GET, HEAD, POST, OPTIONS"
        own = client.options("/api/own-options")  # a class's own options method answers it, through the hooks
        assert own.status_code == 200 and own.headers["x-own"] == "options"
        assert own.headers["x-hooked"] == "/api/own-options OPTIONS GET,HEAD,OPTIONS"


@cites("docs/middleware.md", "WebSocket handlers run outside hooks")
def test_websocket_handlers_still_run_outside_hooks(server: Server) -> None:
    async def greeted() -> str:
        async with websockets.connect(server.ws_url + "/api/accounts", additional_headers={"x-deny": "1"}) as ws:
            return str(await ws.recv())

    assert asyncio.run(greeted()) == "hi None"  # the denying hook never ran, nor the tagging one
