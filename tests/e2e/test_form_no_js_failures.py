"""A form posted without JavaScript whose action fails is answered with the action's status, never a
2xx/3xx: a unit of work that commits on 2xx/3xx (pyxle-db 0.3.1 from the package index, unchanged,
on a real `pyxle serve` and a SQLite file) rolls the action's writes back, as it does for `fetch`.
The answer is the page rendered again, its loader seeing the message as the 303 gave it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

TXN = '''
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

@server
async def load(request):
    rows = await request.state.db.fetchall("SELECT body FROM notes ORDER BY id")
    return {"bodies": [row["body"] for row in rows], "page": request.query_params.get("page", "1"),
            "problem": request.query_params.get("pyxle-action-error", "")}

@action
async def add(request):
    body = (await request.json())["body"]
    await request.state.db.execute("INSERT INTO notes (body) VALUES (?)", [body])
    if body.startswith("bad"):
        raise ActionError("Bad body, nothing saved")
    if body.startswith("teapot"):
        raise ActionError("No tea here", status_code=418, data={"kind": "tea"})
    if body.startswith("conflict"):
        raise HTTPException(409, "Already there")
    if body.startswith("returned"):
        return JSONResponse({"ok": False, "error": "Returned a refusal"}, 400)
    return {"saved": body}

import { Form } from 'pyxle/client'

export default function Txn({ data, action }) {
  return (
    <main>
      <h1>Page {data.page}</h1>
      {data.problem && <p role="alert">{data.problem}</p>}
      {action && <p data-testid="action">{action.name}: {action.error}</p>}
      <ul id="bodies">{data.bodies.map((body, i) => <li key={i}>{body}</li>)}</ul>
      <Form action="add">
        <label>Body <input name="body" defaultValue={action ? action.values.body : ''} /></label>
        <button type="submit">Add</button>
      </Form>
    </main>
  )
}
'''

CLUB_LAYOUT = '''
@action
async def join(request):
    await request.state.db.execute("INSERT INTO notes (body) VALUES (?)", ["joined"])
    raise ActionError("The club is full")

import { Form } from 'pyxle/client'

export default function Club({ children }) {
  return <div><Form action="join"><button type="submit">Join</button></Form>{children}</div>
}
'''

CLUB_NOT_FOUND = """
export default function Missing() {
  return <h1>No such club page</h1>
}
"""

MIGRATION = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
HTML = {"accept": "text/html,application/xhtml+xml"}
ADD = "/api/__actions/txn/add"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/txn.pyxl": TXN, "pages/club/layout.pyxl": CLUB_LAYOUT, "pages/club/not-found.pyxl": CLUB_NOT_FOUND,
             "migrations/0001-notes.sql": MIGRATION,
             "pyxle.config.json": json.dumps({"plugins": ["pyxle-db"]})}
    root = write_project(tmp_path_factory.mktemp("no-js-failures") / "app", files)
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "t" * 40}) as server:
        yield server


@contextmanager
def _form(app: Server, page: str = "/txn") -> Iterator[tuple[httpx.Client, str]]:
    """A client that has loaded ``page`` as a browser does: (client, the form's CSRF token)."""
    with httpx.Client(base_url=app.url, timeout=30) as client:
        html = client.get(page).text
        yield client, re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


def _saved(app: Server) -> list[str]:
    html = httpx.get(app.url + "/txn", timeout=30).text.replace("<!-- -->", "")
    return re.findall(r"<li>([^<]*)</li>", html)


def _post(client: httpx.Client, token: str, body: str, page: str = "/txn") -> httpx.Response:
    return client.post(ADD, data={"_csrf_token": token, "body": body},
                       headers={**HTML, "referer": client.base_url.join(page).__str__()})


@cites("docs/validation.md", "Never a 303 back: middleware that commits a request's\nwrites on a 2xx or 3xx answer")
@cites("docs/validation.md", "its writes are rolled back as they are for `fetch`")
@cites("docs/pages.md", "rendered again with the action's status (`400` for an\n  `ActionError` by default), never a `303`")
def test_a_no_js_post_whose_action_raises_action_error_rolls_back_and_shows_the_page(app: Server) -> None:
    with _form(app) as (client, token):
        answer = _post(client, token, "bad-1", "/txn?page=3")
    assert answer.status_code == 400, answer.headers.get("location")
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text.replace("<!-- -->", "")
    assert '<p role="alert">Bad body, nothing saved</p>' in html  # the loader read it, as after the 303
    assert "<h1>Page 3</h1>" in html  # rendered with the query of the page the form was on
    assert '<p data-testid="action">add: Bad body, nothing saved</p>' in html
    assert 'value="bad-1"' in html  # what the user typed is kept
    assert "bad-1" not in _saved(app)


@cites("docs/validation.md", "or a `Response` of 400 or more it returns gets the page rendered again")
def test_other_failures_answer_their_own_status_and_roll_back(app: Server) -> None:
    with _form(app) as (client, token):
        teapot = _post(client, token, "teapot-1")
        conflict = _post(client, token, "conflict-1")
        returned = _post(client, token, "returned-1")
    assert teapot.status_code == 418 and "No tea here" in teapot.text
    assert conflict.status_code == 409
    assert returned.status_code == 400 and "Returned a refusal" in returned.text
    assert not {"teapot-1", "conflict-1", "returned-1"} & set(_saved(app))


@cites("docs/pages.md", "`error.pyxl`, which is not rendered again, gets the error page with that status and the message")
def test_a_layout_action_failing_on_an_error_page_answers_its_status_with_a_way_back(app: Server) -> None:
    """An error page is not rendered again for a form on it: its status and a link back instead."""
    with httpx.Client(base_url=app.url, timeout=30) as client:
        client.get("/club/nowhere")  # (the not-found page's form carries no token: the cookie's, as a script sends it)
        answer = client.post("/api/__actions/club/not-found/join", data={"_csrf_token": client.cookies["pyxle-csrf"]},
                             headers={**HTML, "referer": app.url + "/club/nowhere?x=1"})
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert "The club is full" in answer.text and '<a href="/club/nowhere?x=1">' in answer.text
    assert "joined" not in _saved(app)


def test_the_fetch_path_is_unchanged(app: Server) -> None:
    with _form(app) as (client, _):
        answer = client.post(ADD, json={"body": "bad-json"}, headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
    assert answer.status_code == 400 and answer.json() == {"ok": False, "error": "Bad body, nothing saved"}
    assert "bad-json" not in _saved(app)


@cites("docs/validation.md", "A success still\ngoes back with a 303")
def test_a_successful_no_js_post_still_goes_back_with_303_and_commits(app: Server) -> None:
    with _form(app) as (client, token):
        answer = _post(client, token, "good-1", "/txn?page=2&pyxle-action-error=old")
    assert answer.status_code == 303 and answer.headers["location"] == "/txn?page=2"
    assert "good-1" in _saved(app)


def test_in_a_browser_without_javascript_the_error_shows_and_fixing_it_lands_on_the_page(app: Server,
                                                                                          browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(app.url + "/txn")
        tab.get_by_label("Body").fill("bad-browser")
        tab.get_by_role("button", name="Add").click()
        assert tab.get_by_role("alert").all_inner_texts() == ["Bad body, nothing saved"]  # the loader's: the Form leaves it to the page
        assert tab.get_by_label("Body").input_value() == "bad-browser"
        tab.get_by_label("Body").fill("good-browser")
        with tab.expect_navigation() as landed:
            tab.get_by_role("button", name="Add").click()
        assert landed.value.status == 200 and tab.url == app.url + "/txn"
        assert "good-browser" in tab.locator("#bodies").inner_text()
        assert "bad-browser" not in tab.locator("#bodies").inner_text()
    finally:
        context.close()
