"""Pages in a real headless Chromium: SSR, hydration, head, CSS, error and not-found pages."""

from __future__ import annotations

import re

import httpx

from tests.conftest import PageWatch, Server


def test_server_renders_html_before_any_script_runs(demo_server: Server) -> None:
    r = httpx.get(demo_server.url + "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.startswith("<!DOCTYPE html>")
    root = html.split('<div id="pyxle-root">', 1)[1]
    assert "<h1>Welcome to Pyxle</h1>" in root and '<output data-testid="count">0</output>' in root
    head = html.split("</head>", 1)[0]
    assert head.count("<title>") == 1 and "<title>Home · Pyxle demo</title>" in head  # page over layout
    assert '<meta name="description" content="The Pyxle demo app"/>' in head
    assert re.search(r'<link rel="stylesheet" href="/_pyxle/[^"]+\.css">', head)
    assert re.search(r'<script type="module" src="/_pyxle/[^"]+\.js"></script>', html)
    assert '<script type="application/json" id="pyxle-props">' in html


def test_hydration_makes_the_counter_interactive_without_warnings(demo_server: Server, page: PageWatch) -> None:
    page.page.goto(demo_server.url + "/")
    page.hydrated()
    count = page.page.get_by_test_id("count")
    assert count.text_content() == "0"
    page.page.get_by_label("increment").click()
    page.page.get_by_label("increment").click()
    page.page.get_by_label("decrement").click()
    assert count.text_content() == "1"
    assert page.problems() == []


def test_head_and_css_are_applied(demo_server: Server, page: PageWatch) -> None:
    page.page.goto(demo_server.url + "/")
    page.hydrated()
    assert page.page.title() == "Home · Pyxle demo"
    assert page.page.evaluate("getComputedStyle(document.body).color") == "rgb(20, 20, 40)"  # global CSS
    weight = page.page.evaluate("getComputedStyle(document.querySelector('output')).fontWeight")
    assert weight == "700"  # CSS module, same class name on server and client


def test_dynamic_detail_page_over_sqlite(demo_server: Server, page: PageWatch) -> None:
    user = httpx.post(demo_server.url + "/api/users", json={"name": "Hopper", "email": "hopper@example.com"}).json()["user"]
    response = page.page.goto(f"{demo_server.url}/users/{user['id']}")
    assert response is not None and response.status == 200
    page.hydrated()
    assert page.page.get_by_test_id("user-name").text_content() == "Hopper"
    assert page.page.title() == "Hopper · Pyxle demo"  # def HEAD(data)
    page.page.goto(demo_server.url + "/users")
    assert page.page.get_by_role("link", name="Hopper").count() == 1
    assert page.problems() == []


def test_loader_error_renders_nearest_error_page_with_status(demo_server: Server, page: PageWatch) -> None:
    response = page.page.goto(demo_server.url + "/users/999999")
    assert response is not None and response.status == 404
    page.hydrated()
    assert page.page.get_by_test_id("error-status").text_content() == "404"
    assert page.page.get_by_test_id("error-message").text_content() == "No such user"
    assert page.page.title() == "404 · Pyxle demo"
    assert [p for p in page.problems() if "999999" not in p[1]] == []  # the 404 document itself is expected


def test_unknown_url_renders_not_found_page(demo_server: Server, page: PageWatch) -> None:
    response = page.page.goto(demo_server.url + "/no/such/page")
    assert response is not None and response.status == 404
    assert page.page.get_by_test_id("not-found").text_content() == "Page not found"
    assert page.page.title() == "Not found · Pyxle demo"
    api = httpx.get(demo_server.url + "/api/no-such-route")
    assert api.status_code == 404 and api.json() == {"error": "Not Found"}  # API paths stay JSON
    nav = httpx.get(demo_server.url + "/no/such/page", headers={"x-pyxle-navigation": "1"})
    assert nav.status_code == 404 and nav.json()["ok"] is False


def test_assets_are_immutable_and_compressed(demo_server: Server) -> None:
    html = httpx.get(demo_server.url + "/").text
    assert re.search(r'<script type="module" src="(/_pyxle/[^"]+\.js)"', html)
    script = re.search(r'<link rel="modulepreload" href="(/_pyxle/chunks/[^"]+\.js)">', html).group(1)  # React
    plain = httpx.get(demo_server.url + script, headers={"accept-encoding": "identity"})
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"].startswith("text/javascript")
    for encoding in ("br", "gzip"):
        r = httpx.get(demo_server.url + script, headers={"accept-encoding": encoding})
        assert r.headers["content-encoding"] == encoding and int(r.headers["content-length"]) < len(plain.content) / 2
    assert httpx.get(demo_server.url + "/_pyxle/..%2f..%2fdb.py").status_code == 404


def test_every_demo_page_hydrates_without_a_single_warning(demo_server: Server, page: PageWatch) -> None:
    user = httpx.post(demo_server.url + "/api/users", json={"name": "Hydra", "email": "hydra@example.com"}).json()["user"]
    for path in ("/", "/users", f"/users/{user['id']}", "/chat"):
        response = page.page.goto(demo_server.url + path)
        assert response is not None and response.status == 200, path
        page.hydrated()
        page.page.wait_for_timeout(200)  # let effects and any recoverable-error reports run
    assert page.problems() == []
