"""Loaders and actions that answer with their own response: a redirect to log in, a 403, a
redirect after saving. Served for real, over HTTP and in Chromium."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites

LAYOUT = '''
@server
async def load(request):
    return {"site": "Redirects"}

import { Link } from 'pyxle/client'

export default function Layout({ data, children }) {
  return <div><nav><Link href="/">Home</Link> <Link href="/account">Account</Link> <Link href="/loop">Loop</Link>
    <Link href="/members">Members</Link></nav><main>{children}</main></div>
}
'''
HOME = '''
export default function Home() {
  return <h1>Home</h1>
}
'''
LOGIN = '''
@server
async def load(request):
    return {"next": request.query_params.get("next", "")}

@action
async def log_in(request):
    from starlette.responses import RedirectResponse
    response = RedirectResponse("/account")  # 307, as Starlette's default
    response.set_cookie("user", "ada")
    return response

import { Form, useAction } from 'pyxle/client'

function SignInFromCode() {
  const logIn = useAction('log_in')
  return <button type="button" onClick={async () => { window.__result = await logIn({}) }}>Sign in from code</button>
}

export default function Login({ data }) {
  return (
    <section>
      <h1>Log in</h1>
      <p data-testid="next">{data.next}</p>
      <Form action="log_in"><button type="submit">Log in</button></Form>
      <SignInFromCode />
    </section>
  )
}
'''
ACCOUNT_LAYOUT = '''
@server
async def load(request):
    from starlette.responses import RedirectResponse
    if request.cookies.get("user") is None:
        return RedirectResponse("/login?next=" + request.url.path)
    return {"user": request.cookies["user"]}

export default function AccountLayout({ data, children }) {
  return <div><p data-testid="user">Signed in as {data.user}</p>{children}</div>
}
'''
ACCOUNT = '''
@server
async def load(request):
    if request.cookies.get("user") is None:
        raise RuntimeError("the layout's redirect should have stopped this loader")
    return {}

export default function Account() {
  return <h1>Account</h1>
}
'''
LOOP = '''
@server
async def load(request):
    from starlette.responses import RedirectResponse
    return RedirectResponse("/loop")

export default function Loop() {
  return <h1>Never</h1>
}
'''
MEMBERS = '''
@server
async def load(request):
    from starlette.exceptions import HTTPException
    raise HTTPException(303, headers={"Location": "/login?next=/members"})  # docs/security.md's way

export default function Members() {
  return <h1>Never</h1>
}
'''
FORBIDDEN = '''
@server
async def load(request):
    from starlette.responses import PlainTextResponse
    return PlainTextResponse("members only", status_code=403)

export default function Forbidden() {
  return <h1>Never</h1>
}
'''


@pytest.fixture
def server(make_project, start_server) -> Server:
    project: Path = make_project({
        "pages/layout.pyxl": LAYOUT, "pages/index.pyxl": HOME, "pages/login.pyxl": LOGIN,
        "pages/account/layout.pyxl": ACCOUNT_LAYOUT, "pages/account/index.pyxl": ACCOUNT,
        "pages/loop.pyxl": LOOP, "pages/forbidden.pyxl": FORBIDDEN, "pages/members.pyxl": MEMBERS,
    }, node=True)
    return start_server(project)


def test_a_loader_redirect_answers_documents_with_it_and_navigation_with_json(server: Server) -> None:
    page = httpx.get(server.url + "/account")
    assert page.status_code == 307 and page.headers["location"] == "/login?next=/account"
    assert "x-pyxle-navigation" in page.headers["vary"]
    navigation = httpx.get(server.url + "/account", headers={"x-pyxle-navigation": "1"})
    assert navigation.status_code == 200
    assert navigation.json() == {"ok": False, "routePath": "/account", "redirect": "/login?next=/account"}
    signed_in = httpx.get(server.url + "/account", cookies={"user": "ada"})
    assert signed_in.status_code == 200 and "Signed in as <!-- -->ada" in signed_in.text


def test_a_loader_response_other_than_a_redirect_is_sent_as_is(server: Server) -> None:
    for headers in ({}, {"x-pyxle-navigation": "1"}):
        response = httpx.get(server.url + "/forbidden", headers=headers)
        assert (response.status_code, response.text) == (403, "members only")


@cites("docs/pages.md", "a plain form post gets `303` to it")
def test_an_action_redirect_is_json_for_the_client_and_303_for_a_plain_form(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.get("/login")  # the CSRF cookie
        token = client.cookies["pyxle-csrf"]
        called = client.post("/api/__actions/login/log_in", json={}, headers={"x-csrf-token": token})
        assert called.status_code == 200 and called.json() == {"ok": True, "redirect": "/account"}
        assert called.cookies["user"] == "ada"  # the action's cookie survives the change of shape
        posted = client.post("/api/__actions/login/log_in", data={"csrf_token": token},
                             headers={"accept": "text/html", "referer": server.url + "/login"})
        assert posted.status_code == 303 and posted.headers["location"] == "/account"  # not back to /login
        assert posted.cookies["user"] == "ada"


@cites("docs/pages.md", "A `Link` to such a page follows the redirect client-side (the address bar shows where it\n  ended; "
                        "the redirecting URL never enters the history)")
def test_links_follow_loader_redirects_client_side(server: Server, page: PageWatch) -> None:
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("link", name="Account").click()
    page.page.get_by_role("heading", name="Log in").wait_for()
    assert page.page.url == server.url + "/login?next=/account"
    assert page.page.get_by_test_id("next").inner_text() == "/account"
    assert page.page.evaluate("window.__marker") == "still here"  # no full reload
    page.page.go_back()
    page.page.get_by_role("heading", name="Home").wait_for()  # /account never entered the history
    assert page.page.url == server.url + "/"
    assert page.problems() == []


@cites("docs/pages.md", "A\n  redirect raised that way (`raise HTTPException(303, headers={\"Location\": \"/login\"})`) is\n  answered as a returned `RedirectResponse` is")
@cites("docs/pages.md", "the document gets the 303, navigation JSON\n  `{\"ok\": false, \"routePath\": ..., \"redirect\": \"/login\"}`, which the router follows.")
def test_a_link_follows_a_redirect_a_loader_raises_client_side(server: Server, page: PageWatch) -> None:
    """``raise HTTPException(303, headers={"Location": ...})`` answered the router's request with
    the 303 itself: fetch followed it, and /login showed under the URL /members."""
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("link", name="Members").click()
    page.page.get_by_role("heading", name="Log in").wait_for()
    page.page.wait_for_url(server.url + "/login?next=/members", timeout=5000)
    assert page.page.get_by_test_id("next").inner_text() == "/members"
    assert page.page.evaluate("window.__marker") == "still here"
    assert page.problems() == []
    document = httpx.get(server.url + "/members")
    assert document.status_code == 303 and document.headers["location"] == "/login?next=/members"
    navigation = httpx.get(server.url + "/members", headers={"x-pyxle-navigation": "1"})
    assert navigation.json() == {"ok": False, "routePath": "/members", "redirect": "/login?next=/members"}


REDIRECT_FOLLOWED = "`Form` and `useAction` navigate client-side to a freshly fetched page (the result carries\n  `redirect`)"


@cites("docs/client.md", REDIRECT_FOLLOWED)
@cites("docs/pages.md", "`Form` and `useAction` go there, fetching it fresh")
@pytest.mark.parametrize("button", ["Log in", "Sign in from code"])  # a Form's submit; a useAction call
def test_an_action_redirect_navigates_to_a_fresh_page(server: Server, page: PageWatch, button: str) -> None:
    page.page.goto(server.url + "/login")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    page.page.get_by_role("link", name="Account").hover()  # prefetched while logged out: a redirect
    page.page.get_by_role("button", name=button, exact=True).click()
    page.page.get_by_test_id("user").filter(has_text="Signed in as ada").wait_for()
    assert page.page.url == server.url + "/account"
    assert page.page.evaluate("window.__marker") == "still here"  # client-side: no full load
    if button == "Sign in from code":
        assert page.page.evaluate("window.__result") == {"ok": True, "redirect": "/account"}
    assert page.problems() == []


def test_a_form_action_redirect_without_javascript(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(server.url + "/login")
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(server.url + "/account")
        assert tab.get_by_test_id("user").inner_text() == "Signed in as ada"
    finally:
        context.close()


def test_a_redirect_loop_ends_in_a_full_load_not_a_hang(server: Server, page: PageWatch) -> None:
    page.page.goto(server.url + "/")
    page.hydrated()
    fetched: list[str] = []  # the router's requests for data, then "full load" once it gives up
    page.page.on("request", lambda r: fetched.append(
        "full load" if r.is_navigation_request() else r.url if r.headers.get("x-pyxle-navigation") == "1" else ""))
    page.page.get_by_role("link", name="Loop").click()
    for _ in range(100):
        if "full load" in fetched:
            break
        page.page.wait_for_timeout(100)
    client_side = fetched[:fetched.index("full load")]
    assert "full load" in fetched
    assert client_side.count(server.url + "/loop") <= 1  # fetched once: a redirect back to it is a loop
