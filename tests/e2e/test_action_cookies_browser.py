"""An action that sets or deletes a cookie (a sign-in, a sign-out), called from the browser: the
data the router prefetched before (``navigation.defaultPrefetchTtl``) is dropped and the page
shown is fetched again, so no page goes on showing the visitor as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
import { Link } from 'pyxle/client'

export default function Root({ children }) {
  return <div><nav><Link href="/">Home</Link> <Link href="/account">Account</Link></nav>{children}</div>
}
"""

HOME = """
@server
async def load(request):
    return {"who": request.cookies.get("session", "anonymous")}

@action
async def log_in(request):
    request.state.cookies.set("session", "alice")
    return {}

@action
async def log_out(request):
    request.state.cookies.delete("session")
    return {}

@action
async def note(request):
    return {}

@action
async def log_in_then_account(request):
    from starlette.responses import RedirectResponse

    request.state.cookies.set("session", "bob")
    return RedirectResponse("/account", 303)

@action
async def theme(request):
    from starlette.responses import JSONResponse

    response = JSONResponse({"ok": True})
    response.set_cookie("theme", "dark")
    return response

import { Form } from 'pyxle/client'

export default function Home({ data }) {
  return (
    <main>
      <p data-testid="home-who">{data.who}</p>
      <Form action="log_in"><button>Log in</button></Form>
      <Form action="log_out"><button>Log out</button></Form>
      <Form action="note"><button>Note</button></Form>
      <Form action="log_in_then_account"><button>Log in, then account</button></Form>
    </main>
  )
}
"""

ACCOUNT = """
@server
async def load(request):
    return {"who": request.cookies.get("session", "anonymous")}

export default function Account({ data }) {
  return <main><h1>Account</h1><p data-testid="account-who">{data.who}</p></main>
}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("action-cookies") / "app", {
        "pages/layout.pyxl": LAYOUT, "pages/index.pyxl": HOME, "pages/account.pyxl": ACCOUNT,
        "pyxle.config.json": json.dumps({"navigation": {"defaultPrefetchTtl": 60}}),
    })
    with serving(root, "--ssr-workers", "1") as server:
        yield server


def open_home(site: Server, page: PageWatch) -> None:
    """Home, hydrated, with /account's data prefetched (the nav's Link, in view: with the app's
    defaultPrefetchTtl, a prefetch is answered with the page's data)."""
    with page.page.expect_response(lambda r: r.url == site.url + "/account") as prefetched:
        page.page.goto(site.url + "/")
        page.hydrated()
    assert prefetched.value.json()["props"]["data"] == {"who": "anonymous"}


def act(page: PageWatch, name: str) -> httpx.Headers:
    with page.page.expect_response(lambda r: "/api/__actions/" in r.url) as answer:
        page.page.get_by_role("button", name=name, exact=True).click()
    return httpx.Headers(answer.value.headers)


@cites("docs/client.md", "An action that sets or deletes a cookie (a sign-in, a sign-out) answers\n`x-pyxle-cookies: changed`")
@cites("docs/pages.md", "An action whose answer sets or deletes a cookie (`request.state.cookies`, or a `Response`'s\n"
                        "  `set_cookie`) is answered with `x-pyxle-cookies: changed`")
def test_signing_in_drops_the_prefetched_data_and_shows_the_page_again(site: Server, page: PageWatch) -> None:
    open_home(site, page)
    assert page.page.get_by_test_id("home-who").text_content() == "anonymous"
    assert act(page, "Log in")["x-pyxle-cookies"] == "changed"
    page.page.get_by_test_id("home-who").filter(has_text="alice").wait_for()  # the page shown, fetched again
    page.page.get_by_role("link", name="Account").click()
    page.page.get_by_test_id("account-who").wait_for()
    assert page.page.get_by_test_id("account-who").text_content() == "alice"  # not the prefetched "anonymous"
    page.page.get_by_role("link", name="Home").click()
    page.page.get_by_role("button", name="Log out").wait_for()
    page.page.wait_for_timeout(300)  # /account prefetched again meanwhile, signed in
    assert act(page, "Log out")["x-pyxle-cookies"] == "changed"
    page.page.get_by_test_id("home-who").filter(has_text="anonymous").wait_for()
    page.page.get_by_role("link", name="Account").click()
    page.page.get_by_test_id("account-who").filter(has_text="anonymous").wait_for()


def test_an_action_that_sets_no_cookie_keeps_the_prefetched_data(site: Server, page: PageWatch) -> None:
    open_home(site, page)
    fetched: list[str] = []
    page.page.on("request", lambda r: r.headers.get("x-pyxle-navigation") and fetched.append(r.url))
    assert "x-pyxle-cookies" not in act(page, "Note")
    page.page.wait_for_timeout(300)
    page.page.get_by_role("link", name="Account").click()
    page.page.get_by_test_id("account-who").wait_for()
    assert fetched == []  # neither the page shown again nor /account: its prefetched data is shown


def test_an_action_returning_a_response_that_sets_a_cookie_says_so_too(site: Server) -> None:
    with httpx.Client(base_url=site.url, timeout=10) as client:
        client.get("/")
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        themed = client.post("/api/__actions/index/theme", json={}, headers=token)
        assert themed.status_code == 200 and themed.headers["x-pyxle-cookies"] == "changed"
        assert "theme=dark" in themed.headers["set-cookie"]
        assert "x-pyxle-cookies" not in client.post("/api/__actions/index/note", json={}, headers=token).headers


def test_signing_in_with_a_redirect_goes_there_without_fetching_the_page_left_again(site: Server,
                                                                                     page: PageWatch) -> None:
    open_home(site, page)
    fetched: list[str] = []
    page.page.on("request", lambda r: r.headers.get("x-pyxle-navigation") and fetched.append(r.url))
    assert act(page, "Log in, then account")["x-pyxle-cookies"] == "changed"
    page.page.get_by_test_id("account-who").filter(has_text="bob").wait_for()  # fresh, not the prefetched data
    assert fetched == [site.url + "/account"]  # the page left is not fetched again on the way
