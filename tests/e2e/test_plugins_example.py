"""examples/auth in Chromium: sign up, a members-only page, sign out, sign in, with pyxle-db and
pyxle-auth from the package index and `useAuth` from pyxle/client."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import REPO, Server, link_node_modules, server_env, serving

EXAMPLE = REPO / "examples" / "auth"


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("auth-example") / "auth"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("data", "dist", ".pyxle-build", "node_modules"))
    link_node_modules(root)
    with serving(root, env={"PYXLE_SECRET_KEY": "a" * 48}) as server:
        server.root = root  # type: ignore[attr-defined]
        yield server


def test_the_members_page_sends_anonymous_visitors_to_sign_in(auth_app: Server) -> None:
    r = httpx.get(auth_app.url + "/account")
    assert r.status_code == 307 and r.headers["location"] == "/login"


def test_sign_up_see_the_members_page_sign_out_and_sign_in_again(auth_app: Server, page) -> None:  # type: ignore[no-untyped-def]
    browser = page.page
    browser.goto(auth_app.url + "/")
    page.hydrated()
    browser.get_by_role("link", name="Sign up").click()
    browser.wait_for_url("**/signup")
    browser.get_by_label("Email").fill("grace@example.com")
    browser.get_by_label("Password").fill("a long enough password")
    browser.get_by_role("button", name="Sign up").click()

    browser.wait_for_url("**/account")
    assert "Signed in as grace@example.com" in browser.locator("#account-email").inner_text()
    browser.locator("#signed-in-as").wait_for()
    assert browser.locator("#signed-in-as").inner_text() == "grace@example.com"  # useAuth, in the layout

    browser.get_by_label("New note").fill("remember the milk")
    browser.get_by_role("button", name="Add note").click()
    browser.locator("#notes li", has_text="remember the milk").wait_for()

    browser.get_by_role("button", name="Sign out").click()
    browser.get_by_role("link", name="Sign in").wait_for()
    browser.goto(auth_app.url + "/account")
    browser.wait_for_url("**/login")  # the session is gone on the server too

    browser.get_by_label("Email").fill("grace@example.com")
    browser.get_by_label("Password").fill("not the password!")
    browser.get_by_role("button", name="Sign in").click()
    assert browser.get_by_role("alert").inner_text() != ""
    browser.get_by_label("Password").fill("a long enough password")
    browser.get_by_role("button", name="Sign in").click()
    browser.wait_for_url("**/account")
    browser.locator("#notes li", has_text="remember the milk").wait_for()  # kept in the SQLite file
    wrong_password = f"{auth_app.url}/auth/login"  # the one failed request, and the console's note of it
    assert [problem for problem in page.problems() if wrong_password not in problem[1]] == []
    assert ("http", f"401 {wrong_password}") in page.problems()


def test_a_signed_in_page_is_rendered_with_its_user_for_use_auth(auth_app: Server) -> None:
    with httpx.Client(base_url=auth_app.url) as client:
        client.get("/")
        client.headers["x-csrf-token"] = client.cookies["pyxle-csrf"]
        assert client.post("/auth/signup", json={"email": "linus@example.com", "password": "another long one"}).status_code == 201
        html = client.get("/").text
        assert '<script type="application/json" id="pyxle-auth">' in html
        assert '"email":"linus@example.com"' in html and '"login":"/auth/login"' in html
    anonymous = httpx.get(auth_app.url + "/").text
    assert '"user":null' in anonymous and "linus@example.com" not in anonymous
    database = auth_app.root / "data" / "app.db"  # type: ignore[attr-defined]
    assert database.read_bytes()[:16] == b"SQLite format 3\x00"


def test_thirty_concurrent_notes_through_pyxle_db_are_all_written(auth_app: Server) -> None:
    """pyxle-db runs SQLite in asyncio.to_thread; with Python's default of cores + 4 threads, the
    writers waiting for the lock held every thread, the COMMIT that would free it never ran, and
    from ten concurrent writes on "database is locked" answered 500 after five seconds. (Threads,
    not asyncio.run: this module's browser tests leave Playwright's loop running in this thread.)"""
    from concurrent.futures import ThreadPoolExecutor

    with httpx.Client(base_url=auth_app.url, timeout=30) as client:
        client.get("/")
        signup = client.post("/auth/signup", json={"email": "many@example.com", "password": "a long password"},
                             headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
        assert signup.status_code == 201
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(lambda n: client.post("/api/__actions/account/add_note", json={"body": f"note {n}"},
                                                          headers=token).status_code, range(30)))
        page = client.get("/account")
    assert answers == [200] * 30
    assert all(f"note {n}<" in page.text for n in range(30))
    assert "database is locked" not in auth_app.output()


def test_with_pyxle_auth_pages_of_anonymous_visitors_are_stored_and_a_signed_in_one_is_not(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """pyxle-auth puts its seed in every request's scope, ``{"user": None}`` for a visitor who has
    not signed in; the cache took any seed for a signed-in user, so with the plugin no page was
    ever stored (a 0.9 app with ``cache`` routes got ``private, no-cache`` everywhere)."""
    root = tmp_path_factory.mktemp("auth-cache") / "auth"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("data", "dist", ".pyxle-build", "node_modules"))
    link_node_modules(root)
    config = json.loads((root / "pyxle.config.json").read_text())
    (root / "pyxle.config.json").write_text(json.dumps({**config, "cache": {"/login": 60}}))
    server = Server(["serve", str(root), "--port", "0"], root, server_env(PYXLE_SECRET_KEY="a" * 48))
    try:
        server.wait_ready(timeout=120)
        with httpx.Client(base_url=server.url) as anonymous:
            anonymous.get("/")
            first, second = anonymous.get("/login"), anonymous.get("/login")
            assert first.headers["x-pyxle-cache"] == "MISS" and second.headers["x-pyxle-cache"] == "HIT"
            assert second.headers["cache-control"].startswith("public, s-maxage=60")
        with httpx.Client(base_url=server.url) as member:
            member.get("/")
            member.headers["x-csrf-token"] = member.cookies["pyxle-csrf"]
            assert member.post("/auth/signup", json={"email": "ada@example.com", "password": "a long password"}).status_code == 201
            mine = member.get("/login")
            assert "x-pyxle-cache" not in mine.headers and mine.headers["cache-control"] == "private, no-cache"
        assert "ada@example.com" not in httpx.get(server.url + "/login").text
    finally:
        server.stop()
