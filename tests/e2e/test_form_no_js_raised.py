"""Two answers of action URLs that were left raw, on a real `pyxle serve`: a form posted without
JavaScript whose action raises `HTTPException(401, "Sign in first")` showed the browser
`{"ok":false,"error":"Sign in first"}`, where every other failed no-JS post gets a page; and the
file-path form of a dynamic page's action URL (`/api/__actions/items/[id]/save`) ran the action
without its path parameters (a `KeyError` and a 500 in an action that reads them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

GUARD = """
from starlette.exceptions import HTTPException

@action
async def publish(request):
    raise HTTPException(401, detail="Sign in first", headers={"WWW-Authenticate": "Bearer"})

import { Form } from 'pyxle/client'

export default function Guard() {
  return <main><h1>Guard</h1><Form action="publish"><button>Publish</button></Form></main>
}
"""

CLUB_LAYOUT = """
from starlette.exceptions import HTTPException

@action
async def join(request):
    raise HTTPException(403, detail="Members only")

import { Form } from 'pyxle/client'

export default function Club({ children }) {
  return <div><Form action="join"><button>Join</button></Form>{children}</div>
}
"""

ITEM = """
@action
async def save(request):
    return {"id": request.path_params["id"]}

export default function Item() {
  return <h1>Item</h1>
}
"""

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("no-js-raised") / "app", {
        "pages/guard.pyxl": GUARD, "pages/club/layout.pyxl": CLUB_LAYOUT,
        "pages/club/not-found.pyxl": "export default function Missing() {\n  return <h1>No such club page</h1>\n}\n",
        "pages/items/[id].pyxl": ITEM,
    })
    with serving(root, "--ssr-workers", "1") as server:
        yield server


@contextmanager
def _client(app: Server, page: str) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=app.url, timeout=30) as client:
        client.get(page)
        yield client, client.cookies["pyxle-csrf"]


@cites("docs/pages.md", "An `HTTPException` of 400 or more the action raises gets\n  that page too, its `detail` the message")
def test_a_no_js_post_whose_action_raises_a_4xx_gets_the_page_with_its_detail(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = PageWatch(context.new_page())
        page.page.goto(app.url + "/guard")
        with page.page.expect_response(lambda r: "/api/__actions/" in r.url) as answered:
            page.page.get_by_role("button", name="Publish").click()
        assert answered.value.status == 401 and answered.value.headers["content-type"].startswith("text/html")
        page.page.get_by_role("heading", name="Guard").wait_for()  # the page, rendered again
        assert page.page.locator("[data-pyxle-form-error]").text_content() == "Sign in first"
        assert '"ok"' not in page.page.locator("body").inner_text()  # no JSON shown
    finally:
        context.close()


def test_a_script_still_gets_the_raised_4xx_as_json(app: Server) -> None:
    with _client(app, "/guard") as (client, token):
        answer = client.post("/api/__actions/guard/publish", json={}, headers={"x-csrf-token": token})
    assert (answer.status_code, answer.json()) == (401, {"ok": False, "error": "Sign in first"})
    assert answer.headers["www-authenticate"] == "Bearer"


def test_a_layout_action_raising_a_4xx_on_an_error_page_gets_the_error_page_with_a_way_back(app: Server) -> None:
    with _client(app, "/club/nowhere") as (client, token):
        answer = client.post("/api/__actions/club/not-found/join", data={"_csrf_token": token},
                             headers={**HTML, "referer": app.url + "/club/nowhere"})
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    assert "Members only" in answer.text and '<a href="/club/nowhere">Back to the page</a>' in answer.text


@cites("docs/pages.md", "At a dynamic page's file path (`/api/__actions/posts/[id]/like`) the page's pattern reads the\n"
                        "path as a URL, as Pyxle 0.9 routed it: the action gets `id` `\"[id]\"`.")
def test_the_file_path_form_of_a_dynamic_pages_action_url_gives_the_action_the_path_as_its_url(app: Server) -> None:
    """It ran the action without path parameters (a KeyError, 500); Pyxle 0.9 matched it against the
    page's pattern, so `id` is the segment as written."""
    with _client(app, "/items/7") as (client, token):
        by_url = client.post("/api/__actions/items/7/save", json={}, headers={"x-csrf-token": token})
        by_file = client.post("/api/__actions/items/[id]/save", json={}, headers={"x-csrf-token": token})
    assert (by_url.status_code, by_url.json()) == (200, {"ok": True, "id": "7"})
    assert (by_file.status_code, by_file.json()) == (200, {"ok": True, "id": "[id]"})
    assert "KeyError: 'id'" not in app.output()
