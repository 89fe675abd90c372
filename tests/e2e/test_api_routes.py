"""API-route behaviour beyond the seed's examples, against a real `pyxle serve` process."""

from __future__ import annotations

import asyncio
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.conftest import Server, server_env, serving, write_project
from tests.docs._blocks import cites

ROUTES = {
    "db_helper.py": "GREETING = 'from the project root'\n",
    "pages/api/when.py": ("import datetime\n"
                          "async def get(request):\n"
                          "    kind = request.query_params.get('kind')\n"
                          "    if kind == 'nan':\n"
                          "        return {'ratio': float('nan')}\n"
                          "    if kind in ('deep', 'deep-datetime'):  # deeper than orjson goes, not the standard library\n"
                          "        tree = datetime.datetime(2026, 1, 1) if kind == 'deep-datetime' else 1\n"
                          "        for _ in range(300):\n"
                          "            tree = {'k': tree}\n"
                          "        return {'tree': tree}\n"
                          "    if kind in ('list', 'dict'):  # nested deeper than Python's recursion limit\n"
                          "        tree = []\n"
                          "        for _ in range(2000):\n"
                          "            tree = [tree] if kind == 'list' else {'k': tree}\n"
                          "        return {'tree': tree}\n"
                          "    return {'event': {'at': datetime.datetime(2026, 1, 1)}}\n"),
    "pages/api/index.py": "async def get(request): return {'route': 'api index'}\n",
    "pages/api/root.py": "from db_helper import GREETING\nasync def get(request): return {'greeting': GREETING}\n",
    "pages/api/users/index.py": "async def get(request): return {'route': 'users index'}\n",
    "pages/api/users/me.py": "async def get(request): return {'route': 'me'}\n",
    "pages/api/users/[id].py": "async def get(request): return {'route': 'user', 'params': dict(request.path_params)}\n",
    "pages/api/users/[id]/posts/[post-id].py": "async def get(request): return dict(request.path_params)\n",
    "pages/api/files/[...path].py": "async def get(request): return dict(request.path_params)\n",
    "pages/api/docs/[[...slug]].py": "async def get(request): return dict(request.path_params)\n",
    "pages/api/shop/[[...slug]].py": "async def get(request): return {'slug': request.path_params.get('slug', 'index')}\n",
    "pages/api/typed/[[...slug]].py": "async def get(request, slug: str = 'index'): return {'slug': slug}\n",
    "pages/api/(admin)/stats.py": "async def get(request): return {'route': 'stats'}\n",
    "pages/api/_private.py": "async def get(request): return {'route': 'private'}\n",
    "pages/api/_lib/helper.py": "async def get(request): return {'route': 'private dir'}\n",
    "pages/api/tuple.py": "async def get(request): return {'made': True}, 201\n",
    "pages/api/list.py": "def get(request): return [1, 2, 3]\n",
    "pages/api/none.py": "async def get(request): return None\n",
    "pages/api/guarded.py": """
        from pyxle.runtime import ActionError, LoaderError, ValidationActionError
        async def get(request):
            kind = request.query_params["kind"]
            if kind == "action":
                raise ActionError("Sign in to do that.", status_code=401)
            if kind == "loader":
                raise LoaderError("Gone", status_code=410, data={"since": 2024})
            raise ValidationActionError(fields={"title": ["required"]})
        """,
    "pages/api/guarded-class.py": """
        from starlette.endpoints import HTTPEndpoint
        from pyxle.runtime import ActionError, LoaderError

        class Guarded(HTTPEndpoint):
            async def get(self, request):
                if request.query_params["kind"] == "action":
                    raise ActionError("Sign in to do that.", status_code=401)
                raise LoaderError("Gone", status_code=410, data={"since": 2024})

            def post(self, request):  # a plain def runs in the thread pool: the same answers
                raise ActionError("Check the form.", status_code=400, fields={"title": ["required"]})
        """,
    "pages/api/things.py": """
        from starlette.endpoints import HTTPEndpoint

        class Things(HTTPEndpoint):
            async def get(self, request):
                return {"things": [1, 2]}

            def post(self, request):
                return {"made": True}, 201

            async def put(self, request):
                return [1, 2, 3]

            async def delete(self, request):
                return None
        """,
    "pages/api/no-content.py": """
        from starlette.responses import JSONResponse
        async def get(request):
            if request.query_params.get("kind") == "response":
                return JSONResponse({"a": 1}), 304
            return {"a": 1}, 204
        """,
    "pages/api/everything.py": """
        from starlette.responses import PlainTextResponse
        async def endpoint(request):
            return PlainTextResponse(request.method)
        """,
    "pages/api/methods.py": """
        async def get(request): return {'m': 'get'}
        async def post(request): return {'m': 'post'}
        def put(request): return {'m': 'put'}
        async def patch(request): return {'m': 'patch'}
        async def delete(request): return {'m': 'delete'}
        """,
    "pages/api/custom-options.py": """
        from starlette.responses import Response
        async def post(request): return {'ok': True}
        async def options(request): return Response(status_code=200, headers={'x-custom': '1'})
        """,
    "pages/api/slow-sync.py": """
        import time
        def get(request):
            time.sleep(1.0)
            return {'slept': True}
        """,
    "pages/api/fast.py": "async def get(request): return {'fast': True}\n",
    "pages/api/echo-json.py": "async def post(request): return {'got': await request.json()}\n",
    "pages/api/length.py": "async def post(request): return {'n': len(await request.body())}\n",
    "pages/api/twice.py": """
        async def post(request):
            if request.query_params["first"] == "body":
                raw = await request.body()
                return {"raw": len(raw), "json": await request.json(), "form": dict(await request.form())}
            form = dict(await request.form())
            if request.query_params["first"] == "form-json":
                return {"form": form, "json": await request.json()}
            return {"form": form, "raw": len(await request.body())}
        """,
    "pages/api/boom.py": """
        async def get(request):
            raise RuntimeError('secret database password is hunter2')
        """,
    "pages/api/teapot.py": """
        from starlette.exceptions import HTTPException
        async def get(request):
            raise HTTPException(418, 'short and stout')
        """,
    "streams.py": """
        import asyncio
        from starlette.responses import StreamingResponse

        CLOSED = []  # the streams whose generator has finished, by their ?id

        def stream(request):
            async def lines():
                try:
                    while True:
                        yield '{"tick": 1}\\n'
                        await asyncio.sleep(0.5)
                finally:
                    CLOSED.append(request.query_params['id'])
            return StreamingResponse(lines(), media_type=request.query_params.get('type', 'application/x-ndjson'))
        """,
    "pages/api/endless.py": """
        from streams import CLOSED, stream

        async def get(request):
            return {'closed': CLOSED} if 'closed' in request.query_params else stream(request)
        """,
    "pages/api/endless-class.py": """
        from starlette.endpoints import HTTPEndpoint
        from streams import stream

        class Ticks(HTTPEndpoint):
            async def get(self, request):
                return stream(request)
        """,
    "pages/api/ws-only.py": """
        async def websocket(ws):
            await ws.accept()
            await ws.send_text('hi ' + ws.path_params.get('x', ''))
            await ws.close()
        """,
    "pages/api/ws/[x].py": """
        async def websocket(ws):
            await ws.accept()
            await ws.send_text('param ' + ws.path_params['x'])
            await ws.close()
        """,
}


@pytest.fixture(scope="module")
def routes_server(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("routes"), {**ROUTES, "pyxle.config.json": '{"maxBodySize": 1000}'}, None)
    with serving(root) as server:
        yield server


def get(server: Server, path: str, **kw) -> httpx.Response:
    return httpx.get(server.url + path, **kw)


def then_fast(server: Server, request: str) -> bytes:
    """The raw bytes answering ``request`` (``"HEAD /path"``) and then ``GET /api/fast``, pipelined on
    one socket: read up to the GET's body, so anything sent between the two answers shows."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"{request} HTTP/1.1\r\nHost: {host}\r\n\r\n"
                     f"GET /api/fast HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while b'{"fast":true}' not in raw:
            data = sock.recv(65536)
            assert data, raw
            raw += data
    return raw


@pytest.mark.parametrize("path,expected", [
    ("/api", {"route": "api index"}),
    ("/api/users", {"route": "users index"}),
    ("/api/users/me", {"route": "me"}),  # static beats dynamic
    ("/api/users/42", {"route": "user", "params": {"id": "42"}}),
    ("/api/users/7/posts/9", {"id": "7", "post_id": "9"}),  # [post-id] -> post_id
    ("/api/files/a/b/c.txt", {"path": "a/b/c.txt"}),  # catch-all keeps slashes
    ("/api/docs", {}),  # optional catch-all matches its folder, without the parameter (as 0.9 and Next.js)
    ("/api/docs/x/y", {"slug": "x/y"}),
    ("/api/stats", {"route": "stats"}),  # (group) left out of the URL
    ("/api/root", {"greeting": "from the project root"}),  # project root importable
])
def test_file_routing(routes_server: Server, path: str, expected: dict) -> None:
    r = get(routes_server, path)
    assert r.status_code == 200, r.text
    assert r.json() == expected


@pytest.mark.parametrize("path", ["/api/_private", "/api/_lib/helper", "/api/files", "/api/nope", "/api/users/1/2"])
def test_private_and_unknown_paths_are_404_json(routes_server: Server, path: str) -> None:
    r = get(routes_server, path)
    assert r.status_code == 404
    assert r.json() == {"error": "Not Found"}


@cites("docs/api-routes.md", '`request.path_params.get("slug")` is `None` there; a typed handler gives it a default')
@pytest.mark.parametrize("path,slug", [("/api/shop", "index"), ("/api/shop/a/b", "a/b"), ("/api/typed", "index"),
                                       ("/api/typed/a", "a")])
def test_an_optional_catch_all_at_its_folder_has_no_parameter(routes_server: Server, path: str, slug: str) -> None:
    """As in Pyxle 0.9: an app's ``.get("slug", default)`` or ``is None`` check gets its default,
    where ``""`` was given."""
    assert get(routes_server, path).json() == {"slug": slug}


@cites("docs/api-routes.md", "A path with a trailing slash that would match without it is redirected (307) to that URL, its\n"
       "  query kept")
def test_trailing_slash_redirects(routes_server: Server) -> None:
    r = get(routes_server, "/api/users/me/?a=1")
    assert r.status_code == 307 and r.headers["location"] == "/api/users/me?a=1"


@pytest.mark.parametrize("path,location", [
    ("/api/files/a/b/", "/api/files/a/b"), ("/api/docs/x/", "/api/docs/x"), ("/api/docs/", "/api/docs")])
def test_trailing_slash_redirects_where_a_catch_all_would_also_take_it(routes_server: Server, path: str,
                                                                        location: str) -> None:
    """A catch-all matches the path with its slash too (and kept the slash in its value): the
    redirect docs/api-routes.md promises comes first."""
    r = get(routes_server, path + "?q=1")
    assert r.status_code == 307 and r.headers["location"] == location + "?q=1"


@cites("docs/api-routes.md", "Nor is a slash sent as `%2F`\n  (`/api/users/me%2F`)")
@pytest.mark.parametrize("path", ["/api/users/me%2F", "/api/users/me%2f", "/api/docs/x%2F"])
def test_a_slash_sent_as_2f_is_no_trailing_slash_and_never_redirects_to_itself(routes_server: Server, path: str) -> None:
    """It decodes to a trailing slash, and the redirect, made from the bytes sent, named the same
    URL again: a browser looped until "too many redirects"."""
    r = get(routes_server, path)
    assert r.status_code != 307 and "location" not in r.headers, r.headers


@cites("docs/api-routes.md", "the path is matched decoded, where `%2F` is a slash like any other, so a\n  `[param]` "
       "never holds one (with `users/[id].py`, `/api/users/me%2F` and `/api/users/a%2Fb` are a\n  404) and a catch-all "
       "keeps it (`/api/files/a%2F` gives `{\"path\": \"a/\"}`)")
def test_a_slash_sent_as_2f_is_matched_as_a_slash(routes_server: Server) -> None:
    for path in ("/api/users/me%2F", "/api/users/a%2Fb"):
        r = get(routes_server, path)
        assert (r.status_code, r.json()) == (404, {"error": "Not Found"}), path
    assert get(routes_server, "/api/files/a%2F").json() == {"path": "a/"}
    assert get(routes_server, "/api/files/a%2Fb").json() == {"path": "a/b"}


def test_return_value_short_forms(routes_server: Server) -> None:
    r = get(routes_server, "/api/tuple")
    assert r.status_code == 201 and r.json() == {"made": True}
    assert get(routes_server, "/api/list").json() == [1, 2, 3]
    r = get(routes_server, "/api/none")  # not a response: a server error, named in the log
    assert r.status_code == 500 and r.json() == {"error": "Internal Server Error"}


def test_method_functions_head_options_405(routes_server: Server) -> None:
    url = routes_server.url + "/api/methods"
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        assert httpx.request(method, url).json() == {"m": method.lower()}
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    options = httpx.options(url)
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    other = httpx.request("QUERY", routes_server.url + "/api/fast")
    assert other.status_code == 405 and other.headers["allow"] == "GET, HEAD, OPTIONS"
    assert other.json() == {"error": "Method Not Allowed"}
    post_only = httpx.get(routes_server.url + "/api/custom-options")
    assert post_only.status_code == 405 and post_only.headers["allow"] == "POST, OPTIONS"
    custom = httpx.options(routes_server.url + "/api/custom-options")
    assert custom.status_code == 200 and custom.headers["x-custom"] == "1"


@cites("docs/api-routes.md", "A streamed `get` answers `HEAD` at its first chunk and is stopped there")
def test_head_on_an_endless_stream_answers_at_once_and_closes_the_generator(routes_server: Server) -> None:
    logged = len(routes_server.output())
    for n, path in enumerate(("/api/endless?type=application/x-ndjson", "/api/endless?type=text/plain",
                              "/api/endless?type=text/event-stream", "/api/endless-class?type=text/plain")):
        began = time.monotonic()
        raw = then_fast(routes_server, f"HEAD {path}&id={n}")
        took = time.monotonic() - began
        head, _, rest = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"content-type: " + path.split("type=")[1].encode() in head, raw
        assert rest.startswith(b"HTTP/1.1 200"), raw  # no body between: the next answer is the GET's
        assert took < 2, f"{path}: headers and the next answer after {took:.2f}s"
    deadline = time.monotonic() + 5
    while sorted(closed := get(routes_server, "/api/endless?closed").json()["closed"]) != ["0", "1", "2", "3"]:
        assert time.monotonic() < deadline, closed  # each generator's finally ran (none still streaming)
        time.sleep(0.1)
    assert "Traceback" not in routes_server.output()[logged:] and "HeadSent" not in routes_server.output()


@cites("docs/api-routes.md", "Any other (`TRACE`, a made-up one) is the\n  `405` above, with "
       "`Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`")
@cites("docs/api-routes.md", "answers its status with `{\"error\": \"Sign in to do that.\"}`, plus `\"data\"` and\n"
       "  `\"fields\"` when given")
def test_an_action_or_loader_error_raised_in_a_route_answers_its_status_as_json(routes_server: Server) -> None:
    """A sign-in guard written for actions (pyxle-auth's) raises ActionError(401): it was a 500."""
    logged = len(routes_server.output())
    answers = {kind: get(routes_server, f"/api/guarded?kind={kind}") for kind in ("action", "loader", "fields")}
    assert (answers["action"].status_code, answers["action"].json()) == (401, {"error": "Sign in to do that."})
    assert (answers["loader"].status_code, answers["loader"].json()) == (410, {"error": "Gone", "data": {"since": 2024}})
    assert (answers["fields"].status_code, answers["fields"].json()) == (
        422, {"error": "Validation failed", "fields": {"title": ["required"]}})
    assert "Traceback" not in routes_server.output()[logged:]


def test_an_action_or_loader_error_raised_in_an_endpoint_class_answers_its_status_as_json(routes_server: Server) -> None:
    """The class's dispatch let them escape: a 500, logged as unhandled, where a function gave its status."""
    logged = len(routes_server.output())
    action = get(routes_server, "/api/guarded-class?kind=action")
    assert (action.status_code, action.json()) == (401, {"error": "Sign in to do that."})
    loader = get(routes_server, "/api/guarded-class?kind=loader")
    assert (loader.status_code, loader.json()) == (410, {"error": "Gone", "data": {"since": 2024}})
    fields = httpx.post(routes_server.url + "/api/guarded-class")  # from a plain def, in the thread pool
    assert (fields.status_code, fields.json()) == (400, {"error": "Check the form.", "fields": {"title": ["required"]}})
    assert "Traceback" not in routes_server.output()[logged:]


@cites("docs/api-routes.md", "An `HTTPEndpoint` class's methods return the same")
def test_an_endpoint_class_method_returns_the_short_forms_of_a_function(routes_server: Server) -> None:
    """A dict was a 500 whose log said only `'dict' object is not callable`, naming no method or file."""
    url = routes_server.url + "/api/things"
    assert httpx.get(url).json() == {"things": [1, 2]}
    made = httpx.post(url)
    assert (made.status_code, made.json()) == (201, {"made": True})
    assert httpx.put(url).json() == [1, 2, 3]
    logged = len(routes_server.output())
    nothing = httpx.delete(url)
    assert (nothing.status_code, nothing.json()) == (500, {"error": "Internal Server Error"})
    assert "Things.delete() in pages/api/things.py returned NoneType" in routes_server.wait_for_output("Things.delete()")[logged:]


@cites("docs/api-routes.md", "A `dict` or `list` that JSON cannot carry is that server error too, its\nlog line naming the key")
def test_a_dict_json_cannot_carry_is_a_500_whose_log_names_the_file_and_the_key(routes_server: Server) -> None:
    """The log said only Starlette's `Object of type datetime is not JSON serializable`, from its
    own frames: neither the route's file nor where in the dict."""
    logged = len(routes_server.output())
    answer = get(routes_server, "/api/when")
    assert (answer.status_code, answer.json()) == (500, {"error": "Internal Server Error"})
    line = "get() in pages/api/when.py returned data that is not JSON-serialisable: data.event.at: datetime is not JSON-serialisable"
    assert line in routes_server.wait_for_output(line)[logged:]
    answer = get(routes_server, "/api/when?kind=nan")
    assert (answer.status_code, answer.json()) == (500, {"error": "Internal Server Error"})
    line = "get() in pages/api/when.py returned data that is not JSON-serialisable: data.ratio: nan is not valid JSON"
    assert line in routes_server.wait_for_output(line)[logged:]


@cites("docs/api-routes.md", "data nested deeper\nthan the encoder goes, near Python's recursion limit of about a thousand levels, is named by its\n"
                            "path down to 256 levels, with its depth")
@pytest.mark.parametrize(("kind", "path"), [("list", "data.tree[0][0][0]"), ("dict", "data.tree.k.k.k")])
def test_data_nested_too_deeply_is_a_500_whose_log_names_the_file_and_the_key_path(routes_server: Server, kind: str,
                                                                                  path: str) -> None:
    """The log had only a bare `RecursionError` traceback from Starlette's `JSONResponse.render`."""
    logged = len(routes_server.output())
    answer = get(routes_server, f"/api/when?kind={kind}")
    assert (answer.status_code, answer.json()) == (500, {"error": "Internal Server Error"})
    line = f"get() in pages/api/when.py returned data that is not JSON-serialisable: {path}"
    output = routes_server.wait_for_output(line)[logged:]
    assert "nested 2001 levels deep, too deep to encode (flatten it)" in output
    assert "RecursionError" not in output  # the line ends the traceback, as a loader's does



@cites("docs/api-routes.md", "data.event.at: datetime is not JSON-serialisable ...`, however deep the key")
def test_data_300_levels_deep_is_sent_and_a_datetime_that_deep_is_named(routes_server: Server) -> None:
    """The log blamed the nesting ("more than 256 levels deep") for a datetime 300 levels down, and
    the docs said such data could not be sent, which the standard library's encoder does."""
    deep = get(routes_server, "/api/when?kind=deep")
    assert deep.status_code == 200 and deep.text.count('{"k":') == 300
    logged = len(routes_server.output())
    answer = get(routes_server, "/api/when?kind=deep-datetime")
    assert (answer.status_code, answer.json()) == (500, {"error": "Internal Server Error"})
    line = "get() in pages/api/when.py returned data that is not JSON-serialisable: data.tree" + ".k" * 300
    output = routes_server.wait_for_output(line)[logged:]
    assert line + ": datetime is not JSON-serialisable" in output and "levels deep" not in output

@cites("docs/api-routes.md", "A status that carries no content (`(body, 204)`, `(body, 304)`) is sent without the body and\nwithout a `Content-Length` header")
@pytest.mark.parametrize("query", ["", "?kind=response"])
def test_a_204_or_304_status_from_a_tuple_sends_no_content_length(routes_server: Server, query: str) -> None:
    """RFC 9110: a 204 carries no Content-Length. The body's length (7) was sent, with no body."""
    raw = then_fast(routes_server, f"GET /api/no-content{query}")
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == (b"HTTP/1.1 304 Not Modified" if query else b"HTTP/1.1 204 No Content"), raw
    assert b"content-length" not in head.lower(), raw
    assert rest.startswith(b"HTTP/1.1 200"), raw  # no body between: the next answer is the GET's


def test_endpoint_serves_every_method_the_router_serves_and_refuses_the_others(routes_server: Server) -> None:
    url = routes_server.url + "/api/everything"
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        assert httpx.request(method, url).text == method
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    for method in ("TRACE", "PROPFIND", "FOO"):  # 0.9 refused them; endpoint() answered them all
        refused = httpx.request(method, url)
        assert refused.status_code == 405 and refused.json() == {"error": "Method Not Allowed"}, (method, refused.text)
        assert refused.headers["allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"


def test_plain_def_handlers_do_not_block_the_event_loop(routes_server: Server) -> None:
    with ThreadPoolExecutor(4) as pool:
        slow = pool.submit(get, routes_server, "/api/slow-sync", timeout=10)
        time.sleep(0.1)
        start = time.monotonic()
        fast = [pool.submit(get, routes_server, "/api/fast") for _ in range(3)]
        assert all(f.result().json() == {"fast": True} for f in fast)
        fast_elapsed = time.monotonic() - start
        assert slow.result().json() == {"slept": True}
    assert fast_elapsed < 0.8  # answered while the sync handler was still sleeping


@cites("docs/api-routes.md", "A form posted to a\nhandler that calls `request.json()` first is a malformed JSON body (`400`)")
def test_malformed_json_is_400(routes_server: Server) -> None:
    url = routes_server.url + "/api/echo-json"
    assert httpx.post(url, json={"a": [1]}).json() == {"got": {"a": [1]}}
    form = httpx.post(url, data={"a": "1"})
    assert form.status_code == 400 and form.json()["error"].startswith("Malformed JSON body")
    r = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"].startswith("Malformed JSON body")
    r = httpx.post(url, content=b"")
    assert r.status_code == 400 and "empty" in r.json()["error"]


@cites("docs/api-routes.md", "`await request.body()` keeps the bytes, so `request.json()` or\n`request.form()` may follow it")
@cites("docs/api-routes.md", "`request.form()` keeps nothing else, and a\n`request.body()` or `request.json()` after it raises "
       "`RuntimeError: Stream consumed` (Starlette's;\nthe request is answered `500`)")
def test_a_body_read_again_after_body_works_and_after_form_is_starlettes_stream_consumed(routes_server: Server) -> None:
    url = routes_server.url + "/api/twice"
    read = httpx.post(url + "?first=body", json={"a": 1})
    assert read.json() == {"raw": len(b'{"a":1}'), "json": {"a": 1}, "form": {}}, read.text
    for then in ("form", "form-json"):  # request.body(), then request.json(), after request.form()
        failed = httpx.post(url + f"?first={then}", data={"a": "1"})
        assert failed.status_code == 500 and "Stream consumed" not in failed.text
    out = routes_server.wait_for_output('"json": await request.json()}', timeout=20)  # the second one's traceback
    assert out.count("RuntimeError: Stream consumed") >= 2, out[-4000:]


def test_body_over_limit_is_413(routes_server: Server) -> None:
    url = routes_server.url + "/api/length"
    assert httpx.post(url, content=b"x" * 1000).json() == {"n": 1000}
    r = httpx.post(url, content=b"x" * 1001)
    assert r.status_code == 413 and "limit" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(20):
            yield b"x" * 100

    r = httpx.post(url, content=chunks())
    assert r.status_code == 413 and "limit" in r.json()["error"]
    assert get(routes_server, "/api/fast").status_code == 200
    # Refused before CSRF or any user code runs (a page's POST without a token would be a 403),
    # and with the security headers every answer carries.
    r = httpx.post(routes_server.url + "/some/page", content=b"x" * 1001)
    assert r.status_code == 413 and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["connection"] == "close"


def test_unhandled_exception_is_generic_500_with_traceback_in_log(routes_server: Server) -> None:
    r = get(routes_server, "/api/boom")
    assert r.status_code == 500
    assert r.json() == {"error": "Internal Server Error"}
    assert "hunter2" not in r.text and "Traceback" not in r.text
    deadline = time.monotonic() + 5
    while "hunter2" not in routes_server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = routes_server.output()
    assert "Traceback" in log and "RuntimeError: secret database password is hunter2" in log and "boom.py" in log
    assert get(routes_server, "/api/fast").json() == {"fast": True}  # still healthy


def test_http_exception_keeps_status(routes_server: Server) -> None:
    r = get(routes_server, "/api/teapot")
    assert r.status_code == 418 and r.json() == {"error": "short and stout"}


def test_websocket_only_route_refuses_http_with_426(routes_server: Server) -> None:
    r = get(routes_server, "/api/ws-only")
    assert r.status_code == 426
    assert r.headers["upgrade"] == "websocket"
    assert "WebSocket" in r.json()["error"]


def test_websocket_path_params_and_refusals(routes_server: Server) -> None:
    async def run() -> None:
        async with websockets.connect(routes_server.ws_url + "/api/ws/abc") as ws:
            assert await ws.recv() == "param abc"
        async with websockets.connect(routes_server.ws_url + "/api/ws-only") as ws:
            assert await ws.recv() == "hi "
        for refused in ("/api/fast", "/api/nope"):  # HTTP-only route, unknown route
            with pytest.raises(InvalidStatus) as info:
                async with websockets.connect(routes_server.ws_url + refused):
                    pass
            assert info.value.response.status_code == 403

    asyncio.run(run())


@cites("docs/api-routes.md", "A WebSocket upgrade to a route without a `websocket` handler (or to no route) is refused (`403`)")
def test_an_upgrade_to_the_health_checks_metrics_or_openapi_is_refused_with_403(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    # They answered it with their HTTP response and 101's headers: "WS /healthz" 200 in the log.
    config = '{"observability": {"metricsEndpoint": true}, "openapi": {"enabled": true, "production": true}}'
    server = start_server(make_project({"pyxle.config.json": config}))
    paths = ("/healthz", "/readyz", "/api/__pyxle/metrics", "/api/docs", "/api/docs.json")

    async def run() -> None:
        for path in paths:
            with pytest.raises(InvalidStatus) as info:
                async with websockets.connect(server.ws_url + path):
                    pass
            assert info.value.response.status_code == 403, path

    asyncio.run(run())
    for path in paths:
        server.wait_for_output(f'"WS {path}" 403')
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"  # HTTP as before


def test_dev_shows_error_detail_serve_does_not(make_project, start_server) -> None:
    project = make_project({"pages/api/boom.py": "async def get(request):\n    raise ValueError('detail here')\n"})
    dev = start_server(project, "dev")
    body = httpx.get(dev.url + "/api/boom").json()
    assert body["error"] == "Internal Server Error"
    assert body["exception"] == "ValueError: detail here"
    assert any("boom.py" in line for line in body["traceback"])


@pytest.mark.parametrize("files,expected", [
    ({"pages/api/bad.py": "async def get(request):\n    return {'x': 1\n"}, "pages/api/bad.py:2: SyntaxError"),
    ({"pages/api/bad.py": "import json\nx = 1 / 0\nasync def get(request): pass\n"},
     "pages/api/bad.py:2: ZeroDivisionError while importing: division by zero"),
    ({"pages/api/bad.py": "import db\nasync def get(request): pass\n", "db.py": "import os\nURL = os.environ['NO_SUCH_URL']\n"},
     "pages/api/bad.py:1: KeyError while importing: 'NO_SUCH_URL' (raised at db.py:2: URL = os.environ['NO_SUCH_URL'])"),
    ({"pages/api/bad.py": "from ._rates import X\nasync def get(request): pass\n", "pages/api/_rates.py": "X = 1\nY = 1 / 0\n"},
     "pages/api/bad.py:1: ZeroDivisionError while importing: division by zero (raised at pages/api/_rates.py:2: Y = 1 / 0)"),
    ({"pages/api/bad.py": "import broken\nasync def get(request): pass\n", "broken.py": "X = 1\ndef f(:\n"},
     "pages/api/bad.py:1: SyntaxError while importing: invalid syntax (broken.py, line 2) (raised at broken.py:2: def f(:)"),
    ({"pages/api/bad.py": "X = 1\n"}, "pages/api/bad.py: defines no handler"),
    ({"pages/api/a.py": "async def get(r): pass\n", "pages/api/a/index.py": "async def get(r): pass\n"},
     "route conflict: pages/api/a.py and pages/api/a/index.py both map to /api/a"),
    ({"pages/api/[a].py": "async def get(r): pass\n", "pages/api/[b].py": "async def get(r): pass\n"},
     "route conflict: pages/api/[a].py and pages/api/[b].py both map to /api/{param}"),
])
def test_broken_route_stops_startup_naming_file_and_line(make_project, start_server, files, expected) -> None:
    server = start_server(make_project(files), "serve", ready=False)
    assert server.wait_exit() != 0
    assert expected in server.output()


@cites("docs/api-routes.md", "Functions named after methods beside it\n  are not served, as in 0.9")
@cites("docs/api-routes.md", "`pages/api/proxy.py: endpoint() answers every method; get() beside it is not served`")
def test_endpoint_answers_every_method_and_a_helper_named_get_beside_it_is_not_served(make_project,
                                                                                      start_server) -> None:
    """0.9 served ``endpoint`` alone; a route with a local helper ``def get(key)`` stopped start-up here."""
    project = make_project({"pages/api/proxy.py": """
        STORE = {"k": "v"}

        def get(key):
            return STORE[key]

        async def endpoint(request):
            return {"method": request.method, "k": get("k")}
        """})
    server = start_server(project, "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "k" * 40})
    assert httpx.get(server.url + "/api/proxy").json() == {"method": "GET", "k": "v"}
    assert httpx.post(server.url + "/api/proxy", json={}).json() == {"method": "POST", "k": "v"}
    note = "pages/api/proxy.py: endpoint() answers every method; get() beside it is not served"
    assert server.output().count(note) == 1, server.output()  # the CLI's check says it, not each worker


@cites("docs/api-routes.md", "A `head` function beside method functions is not a handler, as in 0.9, and start-up says so\n"
                             "  (`pages/api/items.py: head() is not a handler; HEAD is answered from get()`)")
def test_a_head_function_beside_method_functions_is_named_at_start_up_and_head_runs_get(make_project,
                                                                                         start_server) -> None:
    """It was ignored without a word: its author expected it to answer HEAD."""
    project = make_project({"pages/api/items.py": """
        async def get(request):
            return {"from": "get"}

        async def head(request):
            raise RuntimeError("never called")
        """})
    server = start_server(project, "serve", env={"PYXLE_SECRET_KEY": "k" * 40})
    answer = httpx.head(server.url + "/api/items")
    assert answer.status_code == 200 and answer.headers["content-length"] == str(len(b'{"from":"get"}'))
    note = "pages/api/items.py: head() is not a handler; HEAD is answered from get()"
    assert server.output().count(note) == 1, server.output()


def test_cli_errors_are_one_line(tmp_path: Path, make_project, start_server) -> None:
    missing = start_server(tmp_path / "nowhere", ready=False)
    assert missing.wait_exit() == 1 and "pyxle: no such folder" in missing.output()
    (tmp_path / "empty").mkdir()
    no_pages = start_server(tmp_path / "empty", ready=False)
    assert no_pages.wait_exit() == 1 and "has no pages/ folder" in no_pages.output()
    project = make_project({"pages/api/x.py": "async def get(r): return {}\n"})
    first = start_server(project)
    port = first.url.rsplit(":", 1)[1]
    clash = Server(["serve", str(project), "--port", port], project, server_env())
    try:
        assert clash.wait_exit() == 1
        assert f"127.0.0.1:{port} is already in use" in clash.output()
    finally:
        clash.stop()


def test_routes_command_json(routes_server: Server) -> None:
    import json
    import subprocess
    import sys

    root = Path(routes_server.args[1])
    out = subprocess.run([sys.executable, "-m", "pyxle", "routes", str(root), "--json"], capture_output=True,
                         text=True, env=server_env(), check=True).stdout
    rows = {r["pattern"]: r for r in json.loads(out)}
    assert rows["/api/users/{id}"]["file"] == "pages/api/users/[id].py"
    assert rows["/api/methods"]["methods"] == ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    assert rows["/api/ws-only"]["websocket"] is True and rows["/api/ws-only"]["methods"] == []
    assert rows["/api/docs/{slug...?}"]["file"] == "pages/api/docs/[[...slug]].py"
    text = subprocess.run([sys.executable, "-m", "pyxle", "routes", str(root)], capture_output=True, text=True,
                          env=server_env(), check=True).stdout
    assert "/api/files/{path...}" in text and "pages/api/files/[...path].py" in text


def test_serve_with_workers(make_project, start_server) -> None:
    project = make_project({"pages/api/pid.py": "import os\nasync def get(r): return {'pid': os.getpid()}\n"})
    server = start_server(project, "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "k" * 40})
    pids = set()
    for _ in range(60):
        with httpx.Client() as client:  # new connection each time, so both workers get a turn
            pids.add(client.get(server.url + "/api/pid").json()["pid"])
        if len(pids) == 2:
            break
    assert len(pids) == 2


def test_dev_reloads_changed_added_removed_route_files(make_project, start_server) -> None:
    project = make_project({"pages/api/a.py": "async def get(r): return {'v': 1}\n"})
    server = start_server(project, "dev")

    def wait_for(path: str, predicate) -> httpx.Response:
        deadline = time.monotonic() + 10
        while True:
            r = httpx.get(server.url + path)
            if predicate(r) or time.monotonic() > deadline:
                return r
            time.sleep(0.05)

    assert httpx.get(server.url + "/api/a").json() == {"v": 1}
    (project / "pages/api/a.py").write_text("async def get(r): return {'v': 2}\n")
    assert wait_for("/api/a", lambda r: r.status_code == 200 and r.json() == {"v": 2}).json() == {"v": 2}
    (project / "pages/api/b.py").write_text("async def get(r): return {'b': True}\n")
    assert wait_for("/api/b", lambda r: r.status_code == 200).json() == {"b": True}
    (project / "pages/api/b.py").unlink()
    assert wait_for("/api/b", lambda r: r.status_code == 404).status_code == 404
    (project / "pages/api/a.py").write_text("async def get(r):\n    return {'v': \n")  # broken edit
    broken = wait_for("/api/a", lambda r: r.status_code == 500)
    assert broken.status_code == 500 and "pages/api/a.py:2: SyntaxError" in broken.json()["detail"]
    (project / "pages/api/a.py").write_text("async def get(r): return {'v': 3}\n")  # fixed
    assert wait_for("/api/a", lambda r: r.status_code == 200).json() == {"v": 3}
