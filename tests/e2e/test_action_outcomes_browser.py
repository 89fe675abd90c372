"""What `Form` and `useAction` make of an action's answers beyond a dict, in Chromium against a real
`pyxle serve`: a redirect the action raises (`HTTPException(303)`, the documented logout), one a
middleware answers before the action runs, and a 2xx `Response` of the action's own
(`JSONResponse`, `PlainTextResponse`). One action, one outcome: what a plain form post calls a
success (it is sent on, `303`), the hydrated form calls a success too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
@server
async def load(request):
    return {"user": request.cookies.get("session", "anonymous")}

export default function Root({ data, children }) {
  return <div><p data-testid="user">{data.user}</p>{children}</div>
}
"""

LOGIN = """
export default function Login() {
  return <main><h1>Sign in</h1></main>
}
"""

ACCOUNT = """
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse

@action
async def log_out(request):
    request.state.cookies.delete("session")
    raise HTTPException(303, headers={"Location": "/login"})

@action
async def moved(request):
    raise HTTPException(307, headers={"Location": "/login?from=moved"})

@action
async def hello(request):
    return JSONResponse({"hello": 1}, 201)

@action
async def plain(request):
    return PlainTextResponse("saved")

@action
async def created(request):
    return JSONResponse({"ok": True, "id": 7}, 201)

@action
async def empty(request):
    from starlette.responses import Response
    return Response(status_code=204)

@action
async def conflict(request):
    from starlette.responses import HTMLResponse
    return HTMLResponse("<h1>no</h1>", 409)

import { useState } from 'react'
import { Form, useAction } from 'pyxle/client'

export default function Account() {
  const [said, setSaid] = useState('')
  const logOut = useAction('log_out')
  const plain = useAction('plain')
  const created = useAction('created')
  const empty = useAction('empty')
  const show = (label) => (result) => setSaid(`${label} ${JSON.stringify(result)}`)
  return (
    <main>
      <h1>Account</h1>
      <Form action="log_out" onError={show('error')}><button>Sign out</button></Form>
      <Form action="hello" onSuccess={show('success')} onError={show('error')}>
        <input name="note" aria-label="note" defaultValue="" />
        <button>Hello</button>
      </Form>
      <Form action="conflict" onSuccess={show('success')}><button>Conflict</button></Form>
      <button onClick={async () => show('called')(await logOut())}>Call sign out</button>
      <button onClick={async () => show('called')(await plain())}>Call plain</button>
      <button onClick={async () => show('called')(await created())}>Call created</button>
      <button onClick={async () => show('called')(await empty())}>Call empty</button>
      <p data-testid="said">{said}</p>
    </main>
  )
}
"""

GUARDED = """
@action
async def save(request):
    return {"saved": True}

import { Form } from 'pyxle/client'

export default function Guarded() {
  return <main><h1>Guarded</h1><Form action="save"><button>Save</button></Form></main>
}
"""

MIDDLEWARE = """
from starlette.responses import RedirectResponse


class SignedIn:
    \"\"\"Sends a post to the guarded page's actions without a session to /login, before any action runs.\"\"\"

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        cookies = dict(scope.get("headers") or ()).get(b"cookie", b"")
        if scope["type"] == "http" and scope["path"].startswith("/api/__actions/guarded/") and b"session=" not in cookies:
            await RedirectResponse("/login?next=/guarded", 303)(scope, receive, send)
            return
        await self.app(scope, receive, send)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("action-outcomes") / "app", {
        "pages/layout.pyxl": LAYOUT, "pages/login.pyxl": LOGIN, "pages/account.pyxl": ACCOUNT,
        "pages/guarded.pyxl": GUARDED, "app_middleware.py": MIDDLEWARE,
        "pyxle.config.json": json.dumps({"middleware": ["app_middleware:SignedIn"]}),
    })
    with serving(root, "--ssr-workers", "1") as server:
        yield server


def signed_in(site: Server, page: PageWatch, path: str = "/account") -> None:
    page.page.context.add_cookies([{"name": "session", "value": "dora", "url": site.url}])
    page.page.goto(site.url + path)
    page.hydrated()
    assert page.page.get_by_test_id("user").text_content() == "dora"


def said(page: PageWatch) -> dict:
    """What the page's handler was given last (onSuccess's or useAction's result), once it says something."""
    page.page.wait_for_function("document.querySelector('[data-testid=said]').textContent !== ''")
    return json.loads((page.page.get_by_test_id("said").text_content() or "").partition(" ")[2])


@cites("docs/security.md", "a logout that deletes the session cookie, then redirects with `HTTPException(303)`")
@cites("docs/pages.md", 'headers={"Location": "/login"})` sends the browser to `/login`')
def test_a_logout_raising_a_303_takes_the_hydrated_form_to_login_signed_out(site: Server, page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_role("button", name="Sign out", exact=True).click()
    page.page.get_by_role("heading", name="Sign in").wait_for()
    assert page.page.url == site.url + "/login"
    assert page.page.get_by_test_id("user").text_content() == "anonymous"  # the layout fetched again, signed out
    assert page.page.locator("[data-pyxle-form-error]").count() == 0
    assert not [c for c in page.page.context.cookies() if c["name"] == "session"]
    assert page.problems() == []


def test_use_action_resolves_a_raised_redirect_as_a_redirect_and_goes_there(site: Server, page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_role("button", name="Call sign out").click()
    page.page.get_by_role("heading", name="Sign in").wait_for()
    assert page.page.get_by_test_id("user").text_content() == "anonymous"


@cites("docs/pages.md", "A\n  redirect raised that way (any 3xx with a `Location`) is answered as a returned one is")
@cites("docs/pages.md", "`Form` and `useAction` with\n  `{\"ok\": true, \"redirect\": \"/login\"}` (and `x-pyxle-cookies` when it "
                        "deleted the session cookie, so a\n  logout shows at once)")
def test_a_raised_redirect_answers_a_script_as_a_returned_one_does(site: Server) -> None:
    with httpx.Client(base_url=site.url, timeout=10, cookies={"session": "dora"}) as client:
        client.get("/account")
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        out = client.post("/api/__actions/account/log_out", json={}, headers=token)
        assert (out.status_code, out.json()) == (200, {"ok": True, "redirect": "/login"})
        assert out.headers["x-pyxle-cookies"] == "changed"
        assert out.headers["set-cookie"].startswith("session=") and "Max-Age=0" in out.headers["set-cookie"]
        moved = client.post("/api/__actions/account/moved", json={}, headers=token)
        assert (moved.status_code, moved.json()) == (200, {"ok": True, "redirect": "/login?from=moved"})


@cites("docs/pages.md", "a plain form post with a `303`.")
def test_a_raised_redirect_still_sends_a_plain_form_post_on_with_303(site: Server) -> None:
    with httpx.Client(base_url=site.url, timeout=10, cookies={"session": "dora"}) as client:
        client.get("/account")
        form = {"_csrf_token": client.cookies["pyxle-csrf"]}
        html = {"accept": "text/html", "referer": site.url + "/account"}
        out = client.post("/api/__actions/account/log_out", data=form, headers=html)
        assert (out.status_code, out.headers["location"]) == (303, "/login")
        assert "Max-Age=0" in out.headers["set-cookie"]
        moved = client.post("/api/__actions/account/moved", data=form, headers=html)
        assert (moved.status_code, moved.headers["location"]) == (303, "/login?from=moved")  # never a 307: no post again


@cites("docs/client.md", "A redirect the action never made (a middleware's\n  `303` to `/login`, which `fetch` follows "
                         "to that page) is followed the same way")
def test_a_middleware_redirecting_an_action_post_takes_the_form_there(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/guarded")
    page.hydrated()
    page.page.get_by_role("button", name="Save").click()
    page.page.get_by_role("heading", name="Sign in").wait_for()
    assert page.page.url == site.url + "/login?next=/guarded"
    assert page.page.locator("[data-pyxle-form-error]").count() == 0


@cites("docs/client.md", "An action that returns a 2xx `Response` of its own without Pyxle's `\"ok\"` (`JSONResponse({\"hello\":\n"
                         "  1}, 201)`, `PlainTextResponse(\"saved\")`) succeeded, as a plain form post counts it (sent back with\n"
                         "  `303`): the result is `{ ok: true, data }`, `data` its JSON (`{ hello: 1 }`), else its text\n"
                         "  (`\"saved\"`), `null` for an empty body, and `onSuccess`, `resetOnSuccess`")
def test_a_json_response_of_the_actions_own_is_a_success_with_its_body_as_data(site: Server,
                                                                                page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_label("note").fill("typed")
    page.page.get_by_role("button", name="Hello", exact=True).click()
    assert said(page) == {"data": {"hello": 1}}  # onSuccess, without ok
    assert page.page.get_by_label("note").input_value() == ""  # reset on success
    assert page.page.locator("[data-pyxle-form-error]").count() == 0


def test_a_text_response_of_the_actions_own_is_a_success_with_its_text_as_data(site: Server,
                                                                                page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_role("button", name="Call plain").click()
    assert said(page) == {"ok": True, "data": "saved"}


def test_an_empty_response_of_the_actions_own_is_a_success_with_null_data(site: Server, page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_role("button", name="Call empty").click()
    assert said(page) == {"ok": True, "data": None}


@cites("docs/client.md", "A JSON body with a boolean `ok` is read as Pyxle's own\n"
                         "  (`JSONResponse({\"ok\": True, \"id\": 7}, 201)` gives `{ ok: true, id: 7 }`)")
def test_a_json_response_with_ok_of_the_actions_own_is_read_as_pyxles_answer(site: Server, page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_role("button", name="Call created").click()
    assert said(page) == {"ok": True, "id": 7}


@cites("docs/client.md", "any other answer of 400\n  or more fails with its `error`, else `The server answered 409`.")
def test_an_error_response_of_the_actions_own_is_still_a_failure(site: Server, page: PageWatch) -> None:
    signed_in(site, page)
    page.page.get_by_role("button", name="Conflict").click()
    page.page.locator("[data-pyxle-form-error]").filter(has_text="The server answered 409").wait_for()
    assert page.page.get_by_test_id("said").text_content() == ""
