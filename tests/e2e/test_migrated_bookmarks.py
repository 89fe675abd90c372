"""A Pyxle 0.9 app on the plugins from the package index, run unchanged on React 18:
tests/fixtures/migrated/bookmarks.

`pyxle-db` (its migrations folder, `request.state.db` in loaders and actions) and `pyxle-auth`
(`useAuth` in the layout, a page guarded by `login_required` whose 401 renders `error.pyxl`, an
action guarded by `login_required_action`), with a plain global stylesheet.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import NODE_MODULES_REACT18, PageWatch, Server
from tests.e2e._migrated import computed, served


@pytest.fixture(scope="module")
def bookmarks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served("bookmarks", tmp_path_factory.mktemp("bookmarks"), NODE_MODULES_REACT18,
                      PYXLE_SECRET_KEY="b" * 48)


def test_every_page_answers_and_the_guarded_one_renders_the_error_page(bookmarks: Server) -> None:
    assert httpx.get(bookmarks.url + "/").status_code == 200
    assert httpx.get(bookmarks.url + "/signin").status_code == 200
    guarded = httpx.get(bookmarks.url + "/mine")
    assert guarded.status_code == 401  # login_required raised LoaderError(401): error.pyxl
    assert "Members only" in guarded.text and "Sign in to see your bookmarks" in guarded.text
    anonymous = httpx.Client(base_url=bookmarks.url)
    anonymous.get("/")
    token = anonymous.cookies["pyxle-csrf"]
    refused = anonymous.post("/api/__actions/mine/add_bookmark", json={"url": "https://example.com"},
                             headers={"x-csrf-token": token})
    assert refused.status_code == 401 and refused.json()["ok"] is False  # login_required_action
    assert (bookmarks.root / "data" / "bookmarks.db").read_bytes()[:16] == b"SQLite format 3\x00"  # type: ignore[attr-defined]


def test_sign_up_save_a_bookmark_and_sign_out_in_chromium(bookmarks: Server, page: PageWatch) -> None:
    browser = page.page
    browser.goto(bookmarks.url + "/mine")
    page.hydrated()
    assert browser.get_by_test_id("error").evaluate("(e) => getComputedStyle(e).borderTopColor") == "rgb(220, 38, 38)"
    browser.get_by_role("link", name="Sign in to see your bookmarks").click()
    browser.wait_for_url("**/signin")
    browser.get_by_label("Email").fill("lin@example.com")
    browser.get_by_label("Password").fill("correct horse")
    browser.get_by_role("button", name="Create account").click()

    browser.wait_for_url("**/mine")
    browser.get_by_role("heading", name="Saved by lin@example.com").wait_for()
    browser.get_by_test_id("who").wait_for()
    assert browser.get_by_test_id("who").inner_text() == "lin@example.com"  # useAuth, in the layout
    assert computed(browser, ".topbar", "display") == "flex"
    assert computed(browser, ".topbar", "background-color") == "rgb(30, 58, 138)"

    browser.get_by_label("Address").fill("https://www.python.org")
    browser.get_by_label("Title").fill("Python")
    browser.get_by_role("button", name="Save").click()
    browser.get_by_test_id("bookmarks").get_by_role("link", name="Python").wait_for()
    assert browser.get_by_label("Address").input_value() == ""  # resetOnSuccess

    browser.get_by_role("link", name="Bookmarks").click()
    browser.wait_for_url(bookmarks.url + "/")
    assert browser.get_by_test_id("total").inner_text() == "1 saved so far."  # the action's write was committed

    browser.get_by_role("button", name="Sign out").click()
    browser.get_by_role("link", name="Sign in").wait_for()
    browser.goto(bookmarks.url + "/mine")
    browser.get_by_role("heading", name="Members only").wait_for()
    guarded = f"{bookmarks.url}/mine"  # its two 401s (opened signed out), and the console's notes of them
    assert [problem for problem in page.problems() if not problem[1].endswith((f"401 {guarded}", f"({guarded})"))] == []
    assert page.problems().count(("http", f"401 {guarded}")) == 2
