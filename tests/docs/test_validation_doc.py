"""docs/validation.md: the typed API route and the typed action, served as written; the 422
bodies shown are the real ones, over JSON, in the browser and without JavaScript."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites, doc_block


@pytest.fixture(scope="module")
def app(doc_project) -> Server:
    return doc_project("validation", node=True)


def test_the_typed_route_reads_path_query_and_headers(app: Server) -> None:
    assert httpx.get(app.url + "/api/orders/7").json() == {"title": "order 7", "items": []}
    too_many = httpx.get(app.url + "/api/orders/7", params={"limit": 51})
    assert too_many.status_code == 422 and list(too_many.json()["fields"]) == ["limit"]
    order = {"title": "Tea", "items": [{"sku": "t1", "qty": 2}]}
    assert httpx.put(app.url + "/api/orders/7", json=order, headers={"x-token": "t"}).json() == order
    assert list(httpx.put(app.url + "/api/orders/7", json=order).json()["fields"]) == ["x-token"]


@cites("docs/validation.md", "Every kind of bad input\nis a 422 like this, never a 500")
def test_the_api_422_shown_is_what_bad_input_gets(app: Server) -> None:
    bad = httpx.put(app.url + "/api/orders/7", json={"items": [{"sku": "t1", "qty": 0}]}, headers={"x-token": "t"})
    assert bad.status_code == 422
    assert bad.json() == json.loads(doc_block("docs/validation.md", "api-422"))


def _csrf(client: httpx.Client) -> str:
    client.get("/posts/new")
    return client.cookies["pyxle-csrf"]


def test_the_action_422_shown_is_what_a_short_title_gets(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = _csrf(client)
        short = client.post("/api/__actions/posts/new/save", json={"title": "x"}, headers={"x-csrf-token": token})
        saved = client.post("/api/__actions/posts/new/save", json={"title": "Tea time"}, headers={"x-csrf-token": token})
        taken = client.post("/api/__actions/posts/new/rename", json={}, headers={"x-csrf-token": token})
    assert short.status_code == 422 and short.json() == json.loads(doc_block("docs/validation.md", "action-422"))
    assert saved.json() == {"ok": True, "saved": "Tea time"}
    assert taken.status_code == 422 and taken.json()["fields"] == {"title": ["already taken"]}


@cites("docs/validation.md", "a form post whose fields fail\nvalidation is answered with the page itself, status 422")
def test_without_javascript_the_page_comes_back_with_the_errors_and_the_value(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = _csrf(client)
        answer = client.post("/api/__actions/posts/new/save", data={"title": "x", "csrf_token": token},
                             headers={"accept": "text/html"})
    assert answer.status_code == 422
    assert 'value="x"' in answer.text and "String should have at least 3 characters" in answer.text


@cites("docs/client.md", "`resetOnSuccess` (default `true`)")
def test_in_the_browser_on_error_shows_the_field_errors_and_a_success_clears_them(app: Server, page: PageWatch) -> None:
    """The example set its errors in onError only: after a successful submit the stale field error stayed."""
    page.page.goto(app.url + "/posts/new")
    page.hydrated()
    title = page.page.locator("input[name=title]")
    title.fill("ab")
    page.page.get_by_role("button", name="Save").click()
    stale = page.page.get_by_role("alert").filter(has_text="String should have at least 3 characters")
    stale.wait_for()
    title.fill("abcd")
    with page.page.expect_response(lambda r: r.url.endswith("/api/__actions/posts/new/save")) as saved:
        page.page.get_by_role("button", name="Save").click()
    assert saved.value.json() == {"ok": True, "saved": "abcd"}
    expect(title).to_have_value("")  # resetOnSuccess: the success has been handled
    expect(stale).to_have_count(0, timeout=2000)
