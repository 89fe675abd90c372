"""docs/examples/site: the complete pages whose parts docs/pages.md, docs/client.md and
docs/compiler.md show, served by `pyxle serve` with React rendered on the server and driven
in Chromium; and the outputs those docs show."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, PageWatch, Server
from tests.docs._blocks import cites, doc_block
from tests.docs.conftest import pyxle_run, serve_doc_project

SITE = REPO / "docs" / "examples" / "site"
NAV = {"x-pyxle-navigation": "1"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(SITE, root)
    (root / "pages" / "reports.pyxl").write_text(doc_block("docs/client.md", "create-slots"))
    server = serve_doc_project(root, node=True)
    server.root = root  # type: ignore[attr-defined]
    yield server
    server.stop()


def csrf(client: httpx.Client) -> dict[str, str]:
    client.get("/")
    return {"x-csrf-token": client.cookies["pyxle-csrf"]}


def test_the_loader_renders_the_post_and_a_missing_one_is_the_404_error_page(site: Server) -> None:
    found = httpx.get(site.url + "/blog/hello")
    assert found.status_code == 200 and "<h1>Hello</h1>" in found.text and "<title>Hello</title>" in found.text
    missing = httpx.get(site.url + "/blog/nope")
    assert missing.status_code == 404 and "404<!-- -->: <!-- -->Post not found" in missing.text


@cites("docs/pages.md", "`layoutData` maps each layout/template file (relative to\n  `pages/`) that has a loader to its data")
def test_the_navigation_json_shown_is_what_the_page_answers(site: Server) -> None:
    answer = httpx.get(site.url + "/blog/hello", headers=NAV)
    shown = json.loads(doc_block("docs/pages.md", "navigation-json"))
    got = answer.json()
    assert {key: got[key] for key in shown} == shown
    assert answer.headers["vary"].split(", ") == ["x-pyxle-navigation", "Accept-Encoding"]


@cites("docs/pages.md", "A loader may return a Starlette `Response` instead of data; the page answers with it")
def test_the_account_layout_redirects_a_visitor_and_serves_a_user(site: Server) -> None:
    visitor = httpx.get(site.url + "/account")
    assert visitor.status_code == 307 and visitor.headers["location"] == "/login?next=/account"
    assert httpx.get(site.url + "/account", headers=NAV).json()["redirect"] == "/login?next=/account"
    user = httpx.get(site.url + "/account", cookies={"user": "ada"})
    assert user.status_code == 200 and "Signed in as <!-- -->ada" in user.text


@cites("docs/pages.md", "`invalidate_routes(result, *urls)` adds `x-pyxle-invalidate: /a, /b` to the response")
@cites("docs/pages.md", '| returns a dict | 200 | `{"ok": true, ...dict}` |')
@cites("docs/pages.md", '| its status | `{"ok": false, "error": message, "data": {...}}`')
@cites("docs/pages.md", '| unknown page or action | 404 | `{"ok": false, "error": "Unknown action ...", "code": "unknown_action"}` |')
def test_the_add_user_action_answers_as_the_table_says(site: Server) -> None:
    with httpx.Client(base_url=site.url) as client:
        token = csrf(client)
        added = client.post("/api/__actions/users/add_user", json={"name": "Grace", "email": "g@example.com"},
                            headers=token)
        refused = client.post("/api/__actions/users/add_user", json={"name": ""}, headers=token)
        wrong_method = client.get("/api/__actions/users/add_user")
        unknown = client.post("/api/__actions/users/nope", json={}, headers=token)
    assert added.status_code == 200 and added.headers["x-pyxle-invalidate"] == "/users"
    assert added.json()["ok"] is True and added.json()["user"]["name"] == "Grace"
    assert refused.status_code == 400
    assert refused.json() == {"ok": False, "error": "A name is required", "data": {"field": "name"}}
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    assert unknown.status_code == 404 and unknown.json()["error"].startswith("Unknown action")
    assert unknown.json()["code"] == "unknown_action"


def test_the_compiler_example_page_renders_and_its_action_runs(site: Server) -> None:
    page = httpx.get(site.url + "/people")
    assert "<title>Users</title>" in page.text and "<li>Ada</li>" in page.text
    with httpx.Client(base_url=site.url) as client:
        refused = client.post("/api/__actions/people/add_user", json={"name": ""}, headers=csrf(client))
    assert refused.json() == {"ok": False, "error": "A name is required"}


@cites("docs/client.md", "`priority`\n  (eager, `fetchpriority=\"high\"`, one `<link rel=\"preload\">` in the head)")
def test_the_gallery_renders_its_images_and_scripts_on_the_server(site: Server) -> None:
    html = httpx.get(site.url + "/gallery").text
    head = html.split("</head>")[0]
    assert head.count('rel="preload"') == 1 and 'href="/hero.jpg"' in head
    assert 'fetchPriority="high"' in html or 'fetchpriority="high"' in html
    assert 'srcSet="https://cdn.example.com/photo.jpg?w=640&amp;q=70 640w' in html
    assert 'window.dataLayer = window.dataLayer || []' in head  # beforeInteractive: in the served head


def test_the_sign_in_form_renders_loading_on_the_server(site: Server) -> None:
    html = httpx.get(site.url + "/signin").text
    assert '<button disabled="">Sign in</button>' in html


def test_the_built_dist_is_the_tree_shown(site: Server) -> None:
    dist = site.root / "dist"  # type: ignore[attr-defined]
    shown = [line.split()[0] for line in doc_block("docs/pages.md", "dist-tree").splitlines()[1:]]
    assert shown == ["manifest.json", "server/ssr-<hash>.mjs", "server/pages/*.py", "server/python/...", "public/_pyxle/..."]
    manifest = json.loads((dist / "manifest.json").read_text())
    assert re.fullmatch(r"server/ssr-\w+\.mjs", manifest["ssrBundle"]) and (dist / manifest["ssrBundle"]).is_file()
    assert list((dist / "server" / "pages").rglob("*.py"))
    assert json.loads((dist / "manifest.json").read_text())["python"]["base"] == "pages"  # (the site has no API route)
    assets = list((dist / "public" / "_pyxle").rglob("*.js"))
    assert assets and all(Path(f"{a}.br").is_file() and Path(f"{a}.gz").is_file() for a in assets)


def test_the_three_head_forms_give_the_title(make_project) -> None:
    forms = doc_block("docs/pages.md", "head-forms").splitlines()
    component = "\n\nexport default function P() {\n  return <p>x</p>\n}\n"
    loader = "@server\nasync def load(request):\n    return {'post': {'title': 'Post title'}}\n\n"
    root = make_project({
        "pages/one.pyxl": forms[0] + component,
        "pages/two.pyxl": forms[1] + component,
        "pages/three.pyxl": "\n".join(forms[2:]) + "\n\n" + loader + component,
    })
    server = serve_doc_project(root)
    try:
        assert "<title>Home</title>" in httpx.get(server.url + "/one").text
        two = httpx.get(server.url + "/two").text
        assert "<title>Home</title>" in two and '<meta name="description" content="...">' in two
        assert "<title>Post title</title>" in httpx.get(server.url + "/three").text
    finally:
        server.stop()


def test_the_two_loaders_error_shown_is_what_pyxle_check_prints(make_project) -> None:
    root = make_project({"pages/two.pyxl": (
        "@server\nasync def a(request):\n    return {}\n\n@server\nasync def b(request):\n    return {}\n\n"
        "export default function P() {\n  return <p/>\n}\n")})
    run = pyxle_run(root, "check", str(root))
    assert run.returncode == 1
    assert doc_block("docs/compiler.md", "two-loaders") in run.stdout + run.stderr


@cites("docs/client.md", "`createSlots` is called with the page's props")
@cites("docs/client.md", "The\npage and every layout also get every slot given as a `slots` prop")
def test_create_slots_reads_the_page_props_and_the_page_lists_its_slots_prop(site: Server) -> None:
    answer = httpx.get(site.url + "/reports")
    html = answer.text.replace("<!-- -->", "")
    assert answer.status_code == 200, html[:500]
    assert '<header><a href="/">Home</a><b>Reports</b></header>' in html
    assert "<h1>Reports, filling header</h1>" in html


# Chromium last: its event loop stays for the module.

def test_users_page_slots_and_form_in_the_browser(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/users")
    page.hydrated()
    assert page.page.title() == "Users"
    assert page.page.locator("header").inner_text() == "HomeUsers, for ada"
    page.page.locator("input[name=name]").fill("Linus")
    page.page.locator("input[name=email]").fill("l@example.com")
    page.page.get_by_role("button", name="Add").click()
    page.page.locator("#message", has_text="Added Linus").wait_for()
    page.page.get_by_role("button", name="Add").click()  # the form was reset: no name
    page.page.locator("form [role=alert]", has_text="A name is required").wait_for()  # Form's own message
    assert page.page.get_by_text("A name is required").count() == 1  # shown once
    assert page.page.locator("#message").inner_text() == ""  # the success message is cleared


def test_use_action_updates_optimistically_and_rolls_back(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/stars")
    page.hydrated()
    page.page.get_by_role("button", name="Star").click()
    page.page.locator("output", has_text="true").wait_for()
    page.page.get_by_role("button", name="Pick a missing item").click()
    page.page.get_by_role("button", name="Unstar").click()
    page.page.get_by_role("alert").filter(has_text="No such item").wait_for()
    assert page.page.get_by_role("button", name="Unstar").is_visible()  # rolled back


def test_navigate_from_code_shows_the_page_client_side(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 1")
    page.page.get_by_role("button", name="Search for tea").click()
    page.page.get_by_role("heading", name="Results for tea").wait_for()
    assert page.page.evaluate("window.__marker") == 1  # no full load
    assert page.page.url.endswith("/search?q=tea")
