"""Where a form posted without JavaScript sends the browser back to, on a real `pyxle serve`: the page
the form was on, never the action's own URL (which answers only POST) and never another host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

NEW_POST = '''
from pydantic import BaseModel, Field

class Post(BaseModel):
    title: str = Field(min_length=3)

@server
async def load(request):
    return {"heading": "New post", "problem": request.query_params.get("pyxle-action-error", "")}

@action
async def save(request, body: Post):
    return {"saved": body.title}

@action
async def publish(request):
    raise ActionError("Publishing is closed")

import { Form } from 'pyxle/client'

export default function NewPost({ data, action }) {
  const errors = (action && action.fields) || {}
  return (
    <main>
      <h1>{data.heading}</h1>
      {data.problem && <p role="alert">{data.problem}</p>}
      <Form action="save">
        <label>Title <input name="title" defaultValue={action ? action.values.title : ''} /></label>
        {errors.title && <p data-testid="title-error">{errors.title.join(' ')}</p>}
        <button type="submit">Save</button>
      </Form>
    </main>
  )
}
'''

POST = '''
from pydantic import BaseModel, Field

class Edit(BaseModel):
    title: str = Field(min_length=3)

@server
async def load(request):
    return {"id": request.path_params["id"]}

@action
async def rename(request, body: Edit):
    return {"renamed": body.title}

import { Form } from 'pyxle/client'

export default function Post({ data, action }) {
  return (
    <main>
      <h1>Post {data.id}</h1>
      {action && <p data-testid="error">{action.fields.title.join(' ')}</p>}
      <Form action="rename"><input name="title" /><button type="submit">Rename</button></Form>
    </main>
  )
}
'''

CATCH_ALL = '''
@action
async def note(request):
    return {"noted": True}

import { Form } from 'pyxle/client'

export default function Anything() {
  return <Form action="note"><button type="submit">Note</button></Form>
}
'''

HTML = {"accept": "text/html,application/xhtml+xml"}
SAVE = "/api/__actions/posts/new/save"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/posts/new.pyxl": NEW_POST, "pages/posts/[id].pyxl": POST, "pages/[...slug].pyxl": CATCH_ALL}
    with serving(write_project(tmp_path_factory.mktemp("form-redirects"), files),
                 env={"PYXLE_SECRET_KEY": "f" * 40}) as server:
        yield server


@contextmanager
def _form(server: Server, page: str) -> Iterator[tuple[httpx.Client, str, str]]:
    """A client that has loaded ``page`` as a browser does: (client, the form's action, its token)."""
    with httpx.Client(base_url=server.url) as client:
        html = client.get(server.url + page).text  # a full URL: "//host/x" stays a path of this server
        action = re.search(r'<form[^>]* action="([^"]+)"', html).group(1)
        token = re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)
        yield client, action, token


@cites("docs/validation.md", "Submitting again from there goes back to the page the form is on")
def test_fixing_the_input_after_a_no_js_re_render_lands_back_on_the_page(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(server.url + "/posts/new")
        tab.get_by_label("Title").fill("ab")
        tab.get_by_role("button", name="Save").click()
        tab.get_by_test_id("title-error").wait_for()
        assert tab.url == server.url + SAVE  # the answer to the post, as the browser shows any
        assert tab.get_by_label("Title").input_value() == "ab"
        tab.get_by_label("Title").fill("Hello")
        with tab.expect_navigation() as landed:
            tab.get_by_role("button", name="Save").click()
        assert landed.value.status == 200
        assert tab.url == server.url + "/posts/new"
        assert tab.get_by_role("heading").inner_text() == "New post"
    finally:
        context.close()


def test_a_post_whose_referer_is_the_action_url_is_sent_to_the_page_that_owns_the_action(server: Server) -> None:
    with _form(server, "/posts/new") as (client, action, token):
        response = client.post(action, data={"csrf_token": token, "title": "Hello"},
                               headers={**HTML, "referer": server.url + SAVE})
    assert response.status_code == 303 and response.headers["location"] == "/posts/new"


def test_an_action_error_after_a_re_render_goes_back_to_the_page_with_its_message(server: Server) -> None:
    with _form(server, "/posts/new") as (client, _, token):
        response = client.post("/api/__actions/posts/new/publish", data={"csrf_token": token},
                               headers={**HTML, "referer": server.url + SAVE + "?pyxle-action-error=x"})
        assert response.status_code == 400  # the page again, its loader seeing the message as after a 303
        assert '<p role="alert">Publishing is closed</p>' in response.text


def test_a_dynamic_page_post_from_its_action_url_goes_back_to_the_url_of_the_page(server: Server) -> None:
    with _form(server, "/posts/7") as (client, action, token):
        assert action == "/api/__actions/posts/7/rename"
        response = client.post(action, data={"csrf_token": token, "title": "Renamed"},
                               headers={**HTML, "referer": server.url + action})
    assert response.status_code == 303 and response.headers["location"] == "/posts/7"


def test_a_second_failed_post_from_the_re_rendered_page_renders_the_same_page_again(server: Server) -> None:
    with _form(server, "/posts/7") as (client, action, token):
        response = client.post(action, data={"csrf_token": token, "title": "x"},
                               headers={**HTML, "referer": server.url + action})
    assert response.status_code == 422
    assert "<h1>Post <!-- -->7</h1>" in response.text and "at least 3 characters" in response.text


@cites("docs/pages.md", "never to an action's URL or to a `//host` path")
def test_a_scheme_relative_referer_path_never_sends_the_browser_to_another_host(server: Server) -> None:
    with _form(server, "//evil.example/x") as (client, action, token):
        assert action == "/api/__actions/evil.example/x/note"
        response = client.post(action, data={"csrf_token": token},
                               headers={**HTML, "referer": server.url + "//evil.example/x"})
    assert response.status_code == 303 and response.headers["location"] == "/evil.example/x"


def test_a_backslash_or_foreign_referer_falls_back_to_the_page_path(server: Server) -> None:
    for referer in (server.url + "/\\evil.example/x", "http://evil.example/posts/new", ""):
        with _form(server, "/posts/new") as (client, action, token):
            response = client.post(action, data={"csrf_token": token, "title": "Hello"},
                                   headers={**HTML, "referer": referer})
        assert response.status_code == 303 and response.headers["location"] == "/posts/new", referer
