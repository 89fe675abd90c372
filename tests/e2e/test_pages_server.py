"""`.pyxl` pages on the server: navigation JSON, loaders, layouts, actions, `pyxle check`, reloads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import Server, server_env, serving, write_project
from tests.docs._blocks import cites

NAV = {"x-pyxle-navigation": "1"}

INDEX = '''
import React from 'react'

HEAD = "<title>Home</title>"

@server
async def load(request):
    return {"greeting": "hi", "n": int(request.query_params.get("n", "1"))}

@action
async def save(request):
    body = await request.json()
    if not body.get("name"):
        raise ActionError("name is required", data={"field": "name"})
    return invalidate_routes({"saved": body["name"], "tags": body.get("tags")}, "/", "/blog")

@action
async def upload(request):
    body = await request.json()
    return {"filename": body["file"].filename, "size": len(await body["file"].read())}

@action(name="explode")
async def crash(request):
    raise RuntimeError("secret detail 1234")

@action
async def dated(request):
    import datetime
    if (await request.json()).get("fail"):
        raise ActionError("secret 9012", data={"when": datetime.date(2020, 1, 1)})
    return {"when": datetime.date(2020, 1, 1)}

export default function Home({ data }) {
  return <h1>{data.greeting}</h1>
}
'''

LAYOUT = '''
@server
async def load(request):
    return {"site": "Demo"}

export default function Layout({ children }) { return <main>{children}</main> }
'''

BLOG_LAYOUT = '''
@server
async def load(request):
    return {"section": "blog"}

export default function BlogLayout({ children }) { return <div>{children}</div> }
'''

POST = '''
import datetime

def HEAD(data):
    return [f"<title>{data['slug']}</title>", '<meta name="description" content="post">']

@server
async def load(request):
    slug = request.path_params["slug"]
    if slug == "missing":
        raise LoaderError("Post not found", status_code=404, data={"slug": slug})
    if slug == "bad":
        return {"post": {"when": datetime.date(2020, 1, 1)}}
    if slug == "boom":
        raise ValueError("loader bug")
    if slug == "dated-error":
        raise LoaderError("secret 5678", status_code=400, data={"when": datetime.date(2020, 1, 1)})
    if slug == "headless":
        return {"post": {}}  # HEAD reads data['slug']: a KeyError there
    return {"slug": slug}, 201 if slug == "new" else 200

export default function Post({ data }) { return <article>{data.slug}</article> }
'''

KINDS = '''
import enum
import uuid


class Color(enum.Enum):
    RED = "red"


def payload():
    return {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "color": Color.RED, "ids": [uuid.UUID(int=1)]}
'''

KINDS_PAGE = '''
from kinds import payload

@server
async def load(request):
    return payload()

@action
async def typed(request):
    return payload()

export default function Kinds({ data }) { return <p>{data.id}</p> }
'''

HOOKS = '''
async def tag(context, request, call_next):
    response = await call_next(request)
    response.headers["x-page-hook"] = f"{context.target}:{context.path}:{context.has_loader}"
    return response
'''


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pages") / "app"
    files = {
        "pages/index.pyxl": INDEX, "pages/layout.pyxl": LAYOUT, "pages/blog/layout.pyxl": BLOG_LAYOUT,
        "pages/blog/[slug].pyxl": POST, "pages/about.pyxl": "export default function About() { return <p>About</p> }\n",
        "kinds.py": KINDS, "pages/kinds.pyxl": KINDS_PAGE,
        "pages/api/kinds.py": "from kinds import payload\n\nasync def get(request):\n    return payload()\n",
        "hooks.py": HOOKS, "pyxle.config.json": json.dumps({"routeMiddleware": {"pages": ["hooks:tag"]}}),
    }
    with serving(write_project(root, files, None), env={"PYXLE_SECRET_KEY": "p" * 40}) as server:
        yield server


def test_navigation_json(pages: Server) -> None:
    r = httpx.get(pages.url + "/?n=5", headers=NAV)
    assert r.status_code == 200 and r.headers["vary"] == "x-pyxle-navigation, Accept-Encoding"
    assert r.json() == {"ok": True, "routePath": "/", "props": {"data": {"greeting": "hi", "n": 5},
                        "layoutData": {"layout.pyxl": {"site": "Demo"}}}, "headMarkup": "<title>Home</title>",
                        "headLevels": ["", "<title>Home</title>"], "prefetchTtl": 0}


@cites("docs/migrating.md", "`props.layoutData`\n  is keyed by layout file, and an unknown URL answers JSON")
def test_nested_layout_data_and_head_function_and_status(pages: Server) -> None:
    r = httpx.get(pages.url + "/blog/new", headers=NAV)
    assert r.status_code == 201
    body = r.json()
    assert body["props"] == {"data": {"slug": "new"},
                             "layoutData": {"layout.pyxl": {"site": "Demo"}, "blog/layout.pyxl": {"section": "blog"}}}
    assert body["headMarkup"] == '<title>new</title>\n<meta name="description" content="post">'


def test_page_without_loader(pages: Server) -> None:
    body = httpx.get(pages.url + "/about", headers=NAV).json()
    assert body["ok"] is True and body["props"]["data"] == {}


# What the layouts above the blog's pages load: an error's navigation JSON carries it, as the page's does.
BLOG_LAYOUTS = {"layout.pyxl": {"site": "Demo"}, "blog/layout.pyxl": {"section": "blog"}}


@cites("docs/migrating.md", "`routePath` is the URL's path (0.9: the pattern), a loader's error is\n  `{\"ok\": false, \"routePath\", \"error\": {\"message\", \"statusCode\", \"data\", \"type\"}, \"layoutData\"}`")
def test_loader_error_carries_status_and_data(pages: Server) -> None:
    r = httpx.get(pages.url + "/blog/missing", headers=NAV)
    assert r.status_code == 404
    assert r.json() == {"ok": False, "routePath": "/blog/missing",
                        "error": {"message": "Post not found", "statusCode": 404, "data": {"slug": "missing"},
                                  "type": "LoaderError"}, "layoutData": BLOG_LAYOUTS}


@cites("docs/migrating.md", "`props.layoutData`\n  is keyed by layout file, and an unknown URL answers JSON")
def test_navigation_json_for_an_unknown_url_varies_on_the_navigation_header(pages: Server) -> None:
    r = httpx.get(pages.url + "/nowhere", headers=NAV)
    assert r.status_code == 404 and r.json()["ok"] is False and r.json()["routePath"] == "/nowhere"
    assert "x-pyxle-navigation" in [v.strip() for v in r.headers["vary"].split(",")]


def test_unserialisable_loader_data_names_page_and_key_path(pages: Server) -> None:
    r = httpx.get(pages.url + "/blog/bad", headers=NAV)
    assert r.status_code == 500
    assert r.json() == {"ok": False, "routePath": "/blog/bad",
                        "error": {"message": "Internal Server Error", "statusCode": 500, "data": {},
                                  "type": "ServerError"}, "layoutData": BLOG_LAYOUTS}
    pages.wait_for_output("data.post.when: date is not JSON-serialisable")
    assert "pages/blog/[slug].pyxl: loader load()" in pages.output()


def assert_the_generic_500(pages: Server, path: str, hidden: str) -> None:
    """``path`` answers as a loader's unexpected exception does: the documented navigation JSON,
    and the 500 error page for a document, neither showing ``hidden``."""
    nav = httpx.get(pages.url + path, headers=NAV)
    assert nav.status_code == 500 and nav.json() == {
        "ok": False, "routePath": path,
        "error": {"message": "Internal Server Error", "statusCode": 500, "data": {}, "type": "ServerError"},
        "layoutData": BLOG_LAYOUTS}
    page = httpx.get(pages.url + path)
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "<h1>500</h1>" in page.text and hidden not in page.text


def test_a_head_function_that_raises_is_answered_like_a_loader_bug(pages: Server) -> None:
    assert_the_generic_500(pages, "/blog/headless", "KeyError")
    pages.wait_for_output("KeyError: 'slug'")


def test_a_loader_error_with_data_json_cannot_carry_is_a_500_naming_the_key_path(pages: Server) -> None:
    assert_the_generic_500(pages, "/blog/dated-error", "5678")
    pages.wait_for_output("raised LoaderError with data that is not JSON-serialisable: data.when: date")


def test_loader_exception_traceback_points_at_pyxl_line(pages: Server) -> None:
    r = httpx.get(pages.url + "/blog/boom", headers=NAV)
    assert r.status_code == 500 and "loader bug" not in r.text
    pages.wait_for_output("ValueError: loader bug")
    line = POST.lstrip("\n").splitlines().index('        raise ValueError("loader bug")') + 1
    assert f'[slug].pyxl", line {line}, in load' in pages.output()


def test_html_document_embeds_props_safely(pages: Server, make_project, start_server) -> None:
    r = httpx.get(pages.url + "/blog/hello")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<title>hello</title>" in r.text and '"slug":"hello"' in r.text
    project = make_project({"pages/x.pyxl": '''
        @server
        async def load(request):
            return {"evil": "</script><script>alert(1)</script><!-- \\u2028"}

        export default function X() { return null }
        '''})
    html = httpx.get(start_server(project).url + "/x").text
    props = html.split('id="pyxle-props">', 1)[1].split("</script>", 1)[0]
    assert "<" not in props and "\u2028" not in props
    assert json.loads(props)["data"]["evil"] == "</script><script>alert(1)</script><!-- \u2028"


def test_page_hooks_wrap_pages(pages: Server) -> None:
    assert httpx.get(pages.url + "/", headers=NAV).headers["x-page-hook"] == "page:/:True"
    assert httpx.get(pages.url + "/about", headers=NAV).headers["x-page-hook"] == "page:/about:False"


@contextmanager
def _client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """A client holding the CSRF cookie from a first GET, and the matching header."""
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"]}


def test_action_json_and_form_bodies(pages: Server) -> None:
    with _client(pages) as (client, csrf):
        r = client.post("/api/__actions/index/save", json={"name": "Ada"}, headers=csrf)
        assert r.status_code == 200 and r.json() == {"ok": True, "saved": "Ada", "tags": None}
        assert r.headers["x-pyxle-invalidate"] == "/, /blog"
        form = client.post("/api/__actions/index/save", data={"name": "Bo", "tags": ["a", "b"]}, headers=csrf)
        assert form.json() == {"ok": True, "saved": "Bo", "tags": "b"}  # the last value, as 0.9's Form sent it
        multipart = client.post("/api/__actions/index/upload", files={"file": ("a.txt", b"hello")}, headers=csrf)
        assert multipart.json() == {"ok": True, "filename": "a.txt", "size": 5}


def test_an_action_body_that_is_not_json_is_a_client_error(pages: Server) -> None:
    with _client(pages) as (client, csrf):
        for body, error in (("[1,", "Malformed JSON body: "), ("", "Request body is empty; expected JSON")):
            r = client.post("/api/__actions/index/save", content=body,
                            headers={**csrf, "content-type": "application/json"})
            assert r.status_code == 400 and r.json()["error"].startswith(error), body


def test_action_error_and_crash(pages: Server) -> None:
    with _client(pages) as (client, csrf):
        r = client.post("/api/__actions/index/save", json={}, headers=csrf)
        assert r.status_code == 400
        assert r.json() == {"ok": False, "error": "name is required", "data": {"field": "name"}}
        crash = client.post("/api/__actions/index/explode", json={}, headers=csrf)
        assert crash.status_code == 500 and crash.json() == {"ok": False, "error": "Internal Server Error"}
        assert "1234" not in crash.text
    pages.wait_for_output("RuntimeError: secret detail 1234")


def test_an_action_answer_json_cannot_carry_is_a_500_with_ok_false(pages: Server) -> None:
    with _client(pages) as (client, csrf):
        for body in ({}, {"fail": True}):  # returned, or in an ActionError's data
            r = client.post("/api/__actions/index/dated", json=body, headers=csrf)
            assert r.status_code == 500 and r.json() == {"ok": False, "error": "Internal Server Error"}, body
            assert "9012" not in r.text
    pages.wait_for_output("action dated() of page 'index' returned data that is not JSON-serialisable: data.when: date")
    pages.wait_for_output("raised an ActionError with an answer that is not JSON-serialisable: ActionError.data.when")


@cites("docs/api-routes.md", "A `UUID` is sent as its string and an `Enum` member as its value, as from a page's loader")
@cites("docs/pages.md", "A `UUID` is sent as its string and an `Enum` member as its value, from a loader or an action")
def test_a_uuid_and_an_enum_are_sent_alike_from_a_loader_an_action_and_an_api_route(pages: Server) -> None:
    """Loaders and actions sent them as strings; the same dict returned by an API route was a 500."""
    sent = {"id": "12345678-1234-5678-1234-567812345678", "color": "red", "ids": ["00000000-0000-0000-0000-000000000001"]}
    loaded = httpx.get(pages.url + "/kinds", headers=NAV)
    assert (loaded.status_code, loaded.json()["props"]["data"]) == (200, sent)
    with _client(pages) as (client, csrf):
        acted = client.post("/api/__actions/kinds/typed", json={}, headers=csrf)
        assert (acted.status_code, acted.json()) == (200, {"ok": True, **sent})
    routed = httpx.get(pages.url + "/api/kinds")
    assert (routed.status_code, routed.json()) == (200, sent)


def test_action_404_405_and_csrf(pages: Server) -> None:
    with _client(pages) as (client, csrf):
        assert client.post("/api/__actions/index/nope", json={}, headers=csrf).status_code == 404
        assert client.post("/api/__actions/nowhere/save", json={}, headers=csrf).json()["ok"] is False
        wrong_method = client.get("/api/__actions/index/save")
        assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
        assert client.post("/api/__actions/index/save", json={"name": "x"}).status_code == 403  # no header
    assert httpx.post(pages.url + "/api/__actions/index/save", json={"name": "x"}).status_code == 403  # no cookie


def test_page_rejects_other_methods(pages: Server) -> None:
    with _client(pages) as (client, csrf):
        r = client.put("/about", headers=csrf)
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS"


def test_demo_users_page_and_action_over_sqlite(demo_server: Server) -> None:
    with _client(demo_server) as (client, csrf):
        bad = client.post("/api/__actions/users/index/add_user", data={"name": "", "email": "x"}, headers=csrf)
        assert bad.status_code == 400 and bad.json()["ok"] is False
        ok = client.post("/api/__actions/users/index/add_user", data={"name": "Page", "email": "page@example.com"},
                         headers=csrf)
        assert ok.json()["ok"] is True and ok.headers["x-pyxle-invalidate"] == "/users, /"
        dup = client.post("/api/__actions/users/index/add_user", data={"name": "Page", "email": "page@example.com"},
                          headers=csrf)
        assert dup.status_code == 409
        for wrong in ({"name": 5, "email": []}, {"name": ["a", "b"], "email": "x@example.com"}):
            typed = client.post("/api/__actions/users/index/add_user", json=wrong, headers=csrf)
            assert typed.status_code == 400 and typed.json()["ok"] is False, wrong
        for wrong in ({}, {"id": "abc", "starred": True}, {"id": 1, "starred": "yes"}):
            star = client.post("/api/__actions/users/index/toggle_star", json=wrong, headers=csrf)
            assert star.status_code == 400 and star.json()["ok"] is False, wrong
        nav = client.get("/users", headers=NAV).json()
        assert {"id": ok.json()["user"]["id"], "name": "Page", "email": "page@example.com", "starred": False} in \
            nav["props"]["data"]["users"]
        assert nav["props"]["layoutData"] == {"layout.pyxl": {"site": "Pyxle demo"}}
        assert "<title>Users · Pyxle demo</title>" in nav["headMarkup"]


def _pyxle(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], capture_output=True, text=True, env=server_env(),
                          check=False)


def test_files_get_no_csrf_cookie_while_pages_and_json_do(demo_server: Server) -> None:
    """Built assets (``Cache-Control: public, immutable``) and public/ files carried a fresh CSRF
    cookie for every visitor without one: a CDN in front either refused to keep them or handed one
    visitor's cookie to all. The router's navigation JSON shows no form either: it sets none."""
    page = httpx.get(demo_server.url + "/")
    assert page.headers["set-cookie"].startswith("pyxle-csrf=")
    asset = re.search(r'/_pyxle/[^"]+\.js', page.text).group(0)
    for path in (asset, "/robots.txt"):
        for headers in ({}, {"Range": "bytes=0-9"}):
            answer = httpx.get(demo_server.url + path, headers=headers)
            assert answer.status_code in (200, 206) and "set-cookie" not in answer.headers, (path, answer.headers)
    refusal = httpx.post(demo_server.url + "/api/__actions/users/index/create", json={})
    assert refusal.status_code == 403 and refusal.headers["set-cookie"].startswith("pyxle-csrf=")
    navigation = httpx.get(demo_server.url + "/", headers={"x-pyxle-navigation": "1"})
    assert navigation.status_code == 200 and "set-cookie" not in navigation.headers


@cites("docs/security.md", "name the cookie\n  with the `__Host-` prefix")
def test_a_host_prefixed_csrf_cookie_is_set_as_browsers_require_and_guards_actions(make_project,
                                                                                    start_server) -> None:
    project = make_project({
        "pyxle.config.json": json.dumps({"csrf": {"cookieName": "__Host-pyxle-csrf", "cookieSecure": True}}),
        "pages/index.pyxl": """
            @action
            async def save(request):
                return {"saved": True}

            export default function Home() { return <p>home</p> }
            """,
    })
    server = start_server(project)
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-pyxle-csrf=") and "; Path=/" in cookie and "; Secure" in cookie
        assert "domain" not in cookie.lower()  # what browsers require of a __Host- cookie
        token = cookie.split(";", 1)[0].split("=", 1)[1]
        headers = {"Cookie": f"__Host-pyxle-csrf={token}"}
        saved = httpx.post(server.url + "/api/__actions/index/save", json={}, headers={**headers, "x-csrf-token": token})
        assert saved.status_code == 200 and saved.json()["saved"] is True
        planted = httpx.post(server.url + "/api/__actions/index/save", json={},
                             headers={"Cookie": f"pyxle-csrf={token}", "x-csrf-token": token})
        assert planted.status_code == 403  # a cookie under the unprefixed name is not the token


@cites("docs/security.md", "in\n  any case (`__host-`, `__SECURE-`), as browsers match the prefixes.")
@pytest.mark.parametrize(("name", "prefix"), [("__Host-pyxle-csrf", "__Host-"), ("__host-x", "__Host-"),
                                              ("__HOST-x", "__Host-"), ("__secure-x", "__Secure-")])
def test_a_host_prefixed_csrf_cookie_without_cookie_secure_stops_start_up(make_project, start_server, name: str,
                                                                          prefix: str) -> None:
    """Chromium matches the prefixes in any case: "__host-x" without Secure was accepted at start,
    then dropped by the browser, and every action answered 403."""
    project = make_project({"pyxle.config.json": json.dumps({"csrf": {"cookieName": name}}),
                            "pages/index.pyxl": "export default function Home() { return <p>home</p> }\n"})
    server = start_server(project, ready=False)
    assert server.wait_exit(30) != 0
    assert f'csrf.cookieName "{name}" needs "cookieSecure": true (browsers drop a {prefix} cookie' in server.output()


@cites("docs/compiler.md", "| one loader per page | `a page has at most one @server loader; b() is a second one (the first is a() at line 2)` |")
@cites("docs/compiler.md", "| actions are async | `@action save() must be async def` |")
def test_check_reports_errors_with_location_and_hint(make_project) -> None:
    project = make_project({
        "pages/ok.pyxl": "export default function Ok() { return null }\n",
        "pages/two.pyxl": ("@server\nasync def a(request):\n    return {}\n\n@server\nasync def b(request):\n"
                           "    return {}\n\nexport default function T() { return null }\n"),
        "pages/sync.pyxl": "@action\ndef save(request):\n    return {}\n\nexport default function S() { return null }\n",
    })
    result = _pyxle("check", str(project))
    assert result.returncode == 1
    assert "pages/two.pyxl:6:1: a page has at most one @server loader; b() is a second one (the first is a() at line 2)" in result.stdout
    assert "pages/sync.pyxl:2:1: @action save() must be async def" in result.stdout
    assert "hint:" in result.stdout and "^" in result.stdout
    assert "checked 3 files: 2 errors" in result.stderr
    clean = make_project({"pages/ok.pyxl": "export default function Ok() { return null }\n"}, name="clean")
    good = _pyxle("check", str(clean))
    assert good.returncode == 0 and "checked 1 file: 0 errors" in good.stdout


def test_routes_lists_pages_with_loader_and_actions(pages: Server) -> None:
    rows = {r["pattern"]: r for r in json.loads(_pyxle("routes", pages.args[1], "--json").stdout)}
    assert rows["/"]["kind"] == "page" and rows["/"]["loader"] == "load"
    assert rows["/"]["actions"] == ["save", "upload", "explode", "dated"]
    assert rows["/blog/{slug}"]["file"] == "pages/blog/[slug].pyxl"


@cites("docs/compiler.md", "| loaders are async | `@server loader load() must be async def` |")
def test_compile_error_stops_serve_with_location(make_project, start_server) -> None:
    project = make_project({"pages/bad.pyxl": "@server\ndef load(request):\n    return {}\n\nexport default function B() { return null }\n"})
    server = start_server(project, ready=False)
    assert server.wait_exit() == 1
    assert "pages/bad.pyxl:2:1: @server loader load() must be async def" in server.output()


def test_dev_recompiles_changed_pyxl(make_project, start_server) -> None:
    page = "@server\nasync def load(request):\n    return {{'v': {v}}}\n\nexport default function P() {{ return null }}\n"
    project = make_project({"pages/p.pyxl": page.format(v=1)})
    server = start_server(project, "dev")
    assert httpx.get(server.url + "/p", headers=NAV).json()["props"]["data"] == {"v": 1}
    (project / "pages/p.pyxl").write_text(page.format(v=2))
    deadline = time.monotonic() + 10
    while httpx.get(server.url + "/p", headers=NAV).json().get("props", {}).get("data") != {"v": 2}:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)


TAG_PAGE = '''
COUNT = {"renders": 0}

@server
async def load(request):
    COUNT["renders"] += 1
    return {"data": {"name": request.path_params["name"], "renders": COUNT["renders"]}, "revalidate": 3600}

@action
async def retag(request):
    return invalidate_routes({"done": True}, "/tag/日本", "/tag/a,b")

export default function Tag({ data }) {
  return <p>{data.name} rendered {data.renders}</p>
}
'''


def test_invalidating_a_page_whose_path_is_not_ascii_works_and_purges_it(make_project, start_server) -> None:
    """A header is Latin-1: ``/tag/日本`` in ``x-pyxle-invalidate`` made the action answer 500 after
    its work was done. Such paths (and commas, the list's separator) travel percent-encoded."""
    server = start_server(make_project({"pages/tag/[name].pyxl": TAG_PAGE}, node=True))
    with httpx.Client(base_url=server.url, timeout=10) as client:
        first = client.get("/tag/日本")
        assert "rendered <!-- -->1" in first.text and first.headers["x-pyxle-cache"] == "MISS"
        assert client.get("/tag/日本").headers["x-pyxle-cache"] == "HIT"
        client.get("/no-such-page")  # the CSRF cookie (a stored page sets none, nor does navigation JSON)
        done = client.post("/api/__actions/tag/x/retag", json={},  # (a dynamic page: its URL form)
                           headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
        assert done.status_code == 200 and done.json() == {"ok": True, "done": True}
        assert done.headers["x-pyxle-invalidate"] == "/tag/%E6%97%A5%E6%9C%AC, /tag/a%2Cb"
        again = client.get("/tag/日本")
        assert again.headers["x-pyxle-cache"] == "MISS" and "rendered <!-- -->2" in again.text
