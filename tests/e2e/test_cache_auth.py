"""The page cache with pyxle-auth at a custom `authPathPrefix`, in Chromium: a stored page tells
`useAuth` where the plugin's endpoints are, and never whose page it was rendered for.

The app is pyxle-db and pyxle-auth from the package index, the plugin's endpoints moved to
`/account`, and three pages showing `useAuth()`: `/` stored by a `cache` route, `/news` by its
loader's revalidate envelope, and `/team` by a `"shared": true` route (served to signed-in
visitors too)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project

PASSWORD = "a long enough password"
WHO = '''
// Who useAuth() says is signed in, and a form that signs up or in through it.
import { useAuth } from 'pyxle/client'

export default function Who() {
  const auth = useAuth()
  async function submit(event) {
    event.preventDefault()
    const kind = event.nativeEvent.submitter.value
    const fields = Object.fromEntries(new FormData(event.currentTarget))
    await auth[kind]({ email: fields.email, password: fields.password })
  }
  return (
    <form onSubmit={submit}>
      <p id="who">{auth.loading ? 'loading' : auth.user ? auth.user.email : 'nobody'}</p>
      <label>Email <input name="email" type="email" /></label>
      <label>Password <input name="password" type="password" /></label>
      <button type="submit" value="signup">Sign up</button>
      <button type="submit" value="login">Sign in</button>
      {auth.error && <p role="alert">{auth.error}</p>}
    </form>
  )
}
'''
PAGE = '''
import Who from './_who.jsx'
export default function Page() { return <Who /> }
'''
NEWS = '''
@server
async def load(request):
    return {"data": {"headline": "cached by its loader"}, "revalidate": 60}

import Who from './_who.jsx'
export default function News({ data }) { return <><h1>{data.headline}</h1><Who /></> }
'''


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    config = {"plugins": ["pyxle-db", {"name": "pyxle-auth", "settings": {"authPathPrefix": "/account"}}],
              "cache": {"/": 60, "/team": {"sMaxage": 60, "shared": True}}}
    pages = {"_who.jsx": WHO, "index.pyxl": PAGE, "team.pyxl": PAGE, "news.pyxl": NEWS}
    root = write_project(tmp_path_factory.mktemp("cache-auth") / "app",
                         {"pyxle.config.json": json.dumps(config), **{f"pages/{n}": s for n, s in pages.items()}})
    with serving(root, env={"PYXLE_SECRET_KEY": "c" * 48}) as server:
        yield server


def visit(browser, app: Server, path: str) -> tuple[object, PageWatch, str]:  # type: ignore[no-untyped-def]
    """A new visitor (own cookies) at ``path``, hydrated: (context, page, the x-pyxle-cache answer)."""
    context = browser.new_context()
    page = PageWatch(context.new_page())
    response = page.page.goto(app.url + path)
    page.hydrated()
    return context, page, response.headers.get("x-pyxle-cache", "")


def problems_but_a_first_refusal(page: PageWatch) -> list[tuple[str, str]]:
    """The page's problems but one refused post to the plugin: a stored page without a CSRF token
    sets no cookie, so useAuth's first post is refused (its answer sets one) and sent again."""
    found = page.problems()
    refused = [problem for problem in found if "403" in problem[1] and "/account/" in problem[1]]
    assert len([kind for kind, _ in refused if kind == "http"]) <= 1, found
    return [problem for problem in found if problem not in refused]


def shows(page: PageWatch, who: str) -> None:
    """Wait until useAuth shows ``who`` (an email, or "nobody") signed in."""
    page.page.wait_for_function(f"document.querySelector('#who').textContent === {json.dumps(who)}",
                                timeout=15000)


def submit(page: PageWatch, button: str, email: str) -> None:
    """Fill the form and press ``button``; wait until useAuth shows ``email`` signed in."""
    page.page.get_by_label("Email").fill(email)
    page.page.get_by_label("Password").fill(PASSWORD)
    page.page.get_by_role("button", name=button).click()
    shows(page, email)


def member(app: Server, email: str) -> httpx.Client:
    """An HTTP client signed up (and so signed in) as ``email`` at the plugin's moved endpoint."""
    client = httpx.Client(base_url=app.url)
    client.get("/account/me")
    answer = client.post("/account/signup", json={"email": email, "password": PASSWORD},
                         headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
    assert answer.status_code == 201, answer.text
    return client


@pytest.mark.parametrize("path", ["/", "/news"])
def test_a_stored_page_signs_up_and_signs_in_at_the_custom_auth_path_prefix_on_a_miss_and_a_hit(
        app: Server, browser, path: str) -> None:  # type: ignore[no-untyped-def]
    """Stored pages had no ``#pyxle-auth``, so useAuth posted to the default /auth/signup (404)."""
    email = f"ada{path.strip('/')}@example.com"
    first, writer, state = visit(browser, app, path)
    try:
        assert state == "MISS"
        shows(writer, "nobody")
        submit(writer, "Sign up", email)
        assert problems_but_a_first_refusal(writer) == []
    finally:
        first.close()  # type: ignore[attr-defined]
    second, reader, state = visit(browser, app, path)
    try:
        assert state == "HIT"
        submit(reader, "Sign in", email)
        assert problems_but_a_first_refusal(reader) == []
    finally:
        second.close()  # type: ignore[attr-defined]


def test_two_signed_in_visitors_of_a_shared_stored_page_each_see_themselves(
        app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    """A shared route serves one stored page to everyone: useAuth asks /account/me for the user."""
    visitors = []
    try:
        for email in ("grace@example.com", "linus@example.com"):
            context = browser.new_context()
            context.request.get(app.url + "/account/me")  # the CSRF cookie
            token = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "pyxle-csrf")
            signup = context.request.post(app.url + "/account/signup", headers={"x-csrf-token": token},
                                          data={"email": email, "password": PASSWORD})
            assert signup.status == 201
            page = PageWatch(context.new_page())
            response = page.page.goto(app.url + "/team")
            page.hydrated()
            visitors.append((context, page, email, response.headers.get("x-pyxle-cache")))
        context, page, state = visit(browser, app, "/team")
        visitors.append((context, page, "nobody", state))
        assert [state for *_, state in visitors] == ["MISS", "HIT", "HIT"]
        for _, page, email, _ in visitors:
            shows(page, email)
            assert page.problems() == []
    finally:
        for context, *_ in visitors:
            context.close()


def test_the_stored_html_names_the_moved_endpoints_and_no_visitor(app: Server) -> None:
    """A signed-in visitor's miss of a shared route stores a page rendered for nobody; anonymous
    visitors' pages say ``"user":null``; every stored page names the endpoints at /account."""
    seed = re.compile(r'<script type="application/json" id="pyxle-auth">(.*?)</script>')
    barbara = member(app, "barbara@example.com")
    try:
        mine = barbara.get("/team?visit=1")
    finally:
        barbara.close()
    stored = httpx.get(app.url + "/team?visit=1")
    assert mine.headers["x-pyxle-cache"] == "MISS" and stored.headers["x-pyxle-cache"] == "HIT"
    assert mine.text == stored.text and "barbara" not in stored.text
    assert json.loads(seed.search(stored.text).group(1)) == {
        "endpoints": {"me": "/account/me", "logout": "/account/logout", "login": "/account/login",
                      "signup": "/account/signup"},
        "identifier": "email"}
    for path in ("/?from=anyone", "/news?from=anyone"):
        first, second = httpx.get(app.url + path), httpx.get(app.url + path)
        assert (first.headers["x-pyxle-cache"], second.headers["x-pyxle-cache"]) == ("MISS", "HIT")
        found = json.loads(seed.search(second.text).group(1))
        assert found["user"] is None and found["endpoints"]["signup"] == "/account/signup"
