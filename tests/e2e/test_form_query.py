"""A form posted without JavaScript comes back to the page it was on with that page's query string,
on a real `pyxle serve`: after a success, with an `ActionError`'s message, and in a 422 re-render's
loader; a Referer's raw UTF-8 comes back percent-encoded as UTF-8, and another site's is still refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

FORMS = '''
from pydantic import BaseModel, Field

class Draft(BaseModel):
    title: str = Field(min_length=3)

@server
async def load(request):
    query = request.query_params
    return {"page": query.get("page", "1"), "sort": query.get("sort", "-"),
            "problem": query.get("pyxle-action-error", "")}

@action
async def save(request):
    return {"saved": True}

@action
async def close(request):
    raise ActionError("Closed for today")

@action
async def draft(request, body: Draft):
    return {"title": body.title}

import { Form } from 'pyxle/client'

export default function Forms({ data, action }) {
  return (
    <main>
      <h1>Page {data.page} by {data.sort}</h1>
      {data.problem && <p role="alert">{data.problem}</p>}
      <Form action="save"><button type="submit">Save</button></Form>
      <Form action="close"><button type="submit">Close</button></Form>
      <Form action="draft">
        <label>Title <input name="title" /></label>
        {action && action.fields.title && <p data-testid="title-error">{action.fields.title.join(' ')}</p>}
        <button type="submit">Draft</button>
      </Form>
    </main>
  )
}
'''

TAG = '''
@action
async def follow(request):
    return {"followed": request.path_params["name"]}

import { Form } from 'pyxle/client'

export default function Tag() {
  return <Form action="follow"><button type="submit">Follow</button></Form>
}
'''

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("form-query") / "app",
                         {"pages/forms.pyxl": FORMS, "pages/tag/[name].pyxl": TAG})
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "q" * 40}) as server:
        yield server


@contextmanager
def _client(app: Server, page: str) -> Iterator[tuple[httpx.Client, str]]:
    """A client that has loaded ``page`` as a browser does, and the CSRF token of its forms."""
    with httpx.Client(base_url=app.url) as client:
        html = client.get(page).text
        yield client, re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


def _post(app: Server, action: str, referer: str | bytes, **fields: str) -> httpx.Response:
    with _client(app, "/forms") as (client, token):
        return client.post(f"/api/__actions/{action}", data={"_csrf_token": token, **fields},
                           headers={**HTML, "referer": referer})


@cites("docs/pages.md", "Back keeps the page's query string: a post from `/forms?page=3&sort=name` lands on\n"
                        "  `/forms?page=3&sort=name`")
def test_a_no_js_post_goes_back_to_the_page_with_its_query_string(app: Server) -> None:
    answer = _post(app, "forms/save", app.url + "/forms?page=3&sort=name")
    assert answer.status_code == 303 and answer.headers["location"] == "/forms?page=3&sort=name"


@cites("docs/pages.md", "(one already in the query is replaced, and a success drops it)")
def test_an_action_error_re_renders_the_page_with_its_query_and_the_message_replacing_an_old_one(app: Server) -> None:
    answer = _post(app, "forms/close", app.url + "/forms?page=3&pyxle-action-error=Old&sort=name")
    assert answer.status_code == 400
    html = answer.text.replace("<!-- -->", "")
    assert "<h1>Page 3 by name</h1>" in html and '<p role="alert">Closed for today</p>' in html
    success = _post(app, "forms/save", app.url + "/forms?page=3&pyxle-action-error=Old&sort=name")
    assert success.headers["location"] == "/forms?page=3&sort=name"


@cites("docs/pages.md", "A page re-rendered with a 422's field errors is rendered\n  with that query too")
def test_a_422_re_render_runs_the_pages_loader_with_its_query_string(app: Server) -> None:
    answer = _post(app, "forms/draft", app.url + "/forms?page=3&sort=name", title="ab")
    assert answer.status_code == 422
    assert "<h1>Page <!-- -->3<!-- --> by <!-- -->name</h1>" in answer.text
    assert "at least 3 characters" in answer.text


@cites("docs/pages.md", "A `Referer` sent with raw bytes\n  beyond ASCII (`/tag/日本` unencoded) comes back "
                        "percent-encoded as UTF-8 (`/tag/%E6%97%A5%E6%9C%AC`)")
def test_a_referer_of_raw_utf8_bytes_comes_back_percent_encoded_as_utf8(app: Server) -> None:
    referer = (app.url + "/tag/日本?from=東").encode()
    answer = _post(app, "tag/日本/follow", referer)
    assert answer.status_code == 303 and answer.headers["location"] == "/tag/%E6%97%A5%E6%9C%AC?from=%E6%9D%B1"


def test_another_sites_referer_with_a_query_still_goes_back_to_the_page_that_owns_the_action(app: Server) -> None:
    for referer in ("http://evil.example/forms?page=3", app.url + "//evil.example/forms?page=3"):
        answer = _post(app, "forms/close", referer)
        html = answer.text.replace("<!-- -->", "")
        assert answer.status_code == 400 and "<h1>Page 1 by -</h1>" in html, referer
        assert '<p role="alert">Closed for today</p>' in html, referer


def test_a_form_posted_without_javascript_in_chromium_comes_back_to_the_page_with_its_query(
        app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(app.url + "/forms?page=3&sort=name")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Save").click()
        assert tab.url == app.url + "/forms?page=3&sort=name"
        with tab.expect_navigation() as closed:
            tab.get_by_role("button", name="Close").click()
        assert closed.value.status == 400 and tab.url == app.url + "/api/__actions/forms/close"
        assert tab.get_by_role("alert").all_inner_texts() == ["Closed for today"]  # the loader's: the Form leaves it to the page
        assert tab.get_by_role("heading").inner_text() == "Page 3 by name"
        tab.get_by_label("Title").fill("ab")
        tab.get_by_role("button", name="Draft").click()
        tab.get_by_test_id("title-error").wait_for()
        assert tab.get_by_role("heading").inner_text() == "Page 3 by name"  # the re-render's loader saw the query
    finally:
        context.close()
