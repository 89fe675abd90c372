"""A form posted without JavaScript, on a real `pyxle serve` in Chromium: a refusal made before the
action runs (a stale CSRF token, an unknown action, a body too large, a body that cannot be read) is
a page with a way back, never raw JSON; a 422 re-render's next post goes back to the page's query;
a layout's action shows its field errors in the layout. Fetch callers keep the JSON answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = '''
from pydantic import BaseModel, Field

class Signup(BaseModel):
    email: str = Field(min_length=5)

@action
async def subscribe(request, body: Signup):
    return {"subscribed": body.email}

import { Form } from 'pyxle/client'

export default function Layout({ children, action }) {
  return (
    <div>
      <Form action="subscribe">
        <label>Email <input name="email" defaultValue={action ? action.values.email : ''} /></label>
        {action && <p data-testid="email-error">{action.fields.email.join(' ')}</p>}
        <button type="submit">Subscribe</button>
      </Form>
      {children}
    </div>
  )
}
'''

SEARCH = '''
from pydantic import BaseModel, Field

class Query(BaseModel):
    term: str = Field(min_length=3)

@server
async def load(request):
    return {"q": request.query_params.get("q", "")}

@action
async def find(request, body: Query):
    return {"found": body.term}

import { Form } from 'pyxle/client'

export default function Search({ data, action }) {
  return (
    <main>
      <h1>Search {data.q}</h1>
      <Form action="find">
        <label>Term <input name="term" defaultValue={action ? action.values.term : ''} /></label>
        {action && <p data-testid="term-error">{action.fields.term.join(' ')}</p>}
        <button type="submit">Find</button>
      </Form>
    </main>
  )
}
'''

CONTACT = '''
@action
async def send(request):
    fields = await request.json()  # a body that cannot be read is refused here (400)
    return {"sent": len(fields.get("message", ""))}

import { Form } from 'pyxle/client'

// A form left from before a deploy that removed its action: a name in a variable, as `pyxle build`
// refuses a literal that names no action of the page.
const RETIRED = 'retired'

export default function Contact() {
  return (
    <main>
      <h1>Contact</h1>
      <Form action="send">
        <label>Message <textarea name="message" /></label>
        <button type="submit">Send</button>
      </Form>
      <Form action={RETIRED}><button type="submit">Old form</button></Form>
    </main>
  )
}
'''

CART = '''
@action
async def checkout(request):
    return {"paid": True}

import { Form } from 'pyxle/client'

export default function Cart() {
  return <Form action="checkout"><button type="submit">Checkout</button></Form>
}
'''

SHOP_ERROR = '''
export default function ShopError({ data }) {
  return <h1>{`Shop error ${data.statusCode} ${data.type}: ${data.message}`}</h1>
}
'''

SHOP_MISSING = '''
export default function ShopMissing({ data }) {
  return <h1>{`Shop missing ${data.statusCode} ${data.type}`}</h1>
}
'''

GUARDED = '''
from starlette.exceptions import HTTPException

@action
async def leave(request):
    raise HTTPException(303, headers={"Location": "/search?q=signed-out"})

@action
async def remove(request):
    raise HTTPException(403, "Only the owner may delete this post")

import { Form } from 'pyxle/client'

export default function Guarded() {
  return (
    <main>
      <Form action="leave"><button type="submit">Leave</button></Form>
      <Form action="remove"><button type="submit">Remove</button></Form>
    </main>
  )
}
'''

FILES = {"pages/layout.pyxl": LAYOUT, "pages/search.pyxl": SEARCH, "pages/contact.pyxl": CONTACT,
         "pages/guarded.pyxl": GUARDED,
         "pages/shop/cart.pyxl": CART, "pages/shop/error.pyxl": SHOP_ERROR,
         "pages/shop/not-found.pyxl": SHOP_MISSING,
         "pyxle.config.json": json.dumps({"maxBodySize": 4096})}
HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("no-js-refusals") / "app", FILES), "--ssr-workers", "1",
                 env={"PYXLE_SECRET_KEY": "n" * 40}) as server:
        yield server


@pytest.fixture
def tab(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def _token(client: httpx.Client, page: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get(page).text).group(1)


@cites("docs/pages.md", "a stale or missing CSRF token, an unknown action, a body too large or one that cannot be read")
def test_a_no_js_post_with_a_stale_csrf_token_gets_a_page_with_a_link_back(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/contact")
    tab.context.clear_cookies()  # the session's token has gone (a new browser session, an expired cookie)
    with tab.expect_navigation() as answered:
        tab.get_by_role("button", name="Send").click()
    assert answered.value.status == 403
    assert answered.value.headers["content-type"].startswith("text/html")
    assert "{" not in tab.locator("body").inner_text()
    assert "expired" in tab.locator("body").inner_text()
    with tab.expect_navigation() as back:
        tab.get_by_role("link", name="Back to the page").click()
    assert back.value.status == 200 and tab.url == app.url + "/contact"
    assert tab.get_by_role("heading", name="Contact").is_visible()


def test_a_no_js_post_to_an_action_that_no_longer_exists_gets_a_page_not_json(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/contact")
    with tab.expect_navigation() as answered:
        tab.get_by_role("button", name="Old form").click()
    assert answered.value.status == 404
    assert answered.value.headers["content-type"].startswith("text/html")
    assert "no longer" in tab.locator("body").inner_text()
    assert tab.get_by_role("link", name="Back to the page").get_attribute("href") == "/contact"


def test_a_no_js_post_over_the_body_limit_gets_a_page_not_json(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/contact")
    tab.get_by_label("Message").fill("x" * 6000)
    with tab.expect_navigation() as answered:
        tab.get_by_role("button", name="Send").click()
    assert answered.value.status == 413
    assert answered.value.headers["content-type"].startswith("text/html")
    assert "too large" in tab.locator("body").inner_text()
    assert tab.get_by_role("link", name="Back to the page").get_attribute("href") == "/contact"


@cites("docs/pages.md", "the app's `error.pyxl` nearest the page (`not-found.pyxl` for the 404) when it has one")
def test_a_no_js_refusal_is_shown_by_the_apps_error_page_nearest_the_form(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/shop/cart")
    tab.context.clear_cookies()
    with tab.expect_navigation() as answered:
        tab.get_by_role("button", name="Checkout").click()
    assert answered.value.status == 403
    assert tab.get_by_role("heading").inner_text().startswith("Shop error 403 HTTPException: ")


@cites("docs/pages.md", "its `data` the usual `{message, statusCode, data, type}`")
def test_a_no_js_refusals_error_page_gets_a_type_as_other_error_pages_do(app: Server) -> None:
    """An error.pyxl told a refused form from a loader's error by ``statusCode`` alone: the refusal
    had no ``type``, which every other error page's ``data`` carries."""
    with httpx.Client(base_url=app.url) as client:
        _token(client, "/contact")
        missing = client.post("/api/__actions/shop/cart/retired", data={"_csrf_token": client.cookies["pyxle-csrf"]},
                              headers={**HTML, "referer": app.url + "/shop/cart"})
        stale = client.post("/api/__actions/shop/cart/checkout", data={"_csrf_token": "stale"},
                            headers={**HTML, "referer": app.url + "/shop/cart"})
    assert missing.status_code == 404 and "Shop missing 404 NotFound" in missing.text
    assert stale.status_code == 403 and "Shop error 403 HTTPException: " in stale.text


def test_a_no_js_post_whose_body_cannot_be_read_gets_a_page_without_the_parsers_text(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        _token(client, "/contact")
        answer = client.post("/api/__actions/contact/send", content=b"--x\r\nbroken",
                             headers={**HTML, "content-type": "multipart/form-data",
                                      "x-csrf-token": client.cookies["pyxle-csrf"], "referer": app.url + "/contact"})
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert "boundary" not in answer.text.lower() and 'href="/contact"' in answer.text


def test_a_foreign_referer_is_never_the_refusal_pages_way_back(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        answer = client.post("/api/__actions/contact/send", data={"message": "hi"},
                             headers={**HTML, "referer": "https://evil.example/contact"})
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    assert "evil.example" not in answer.text and 'href="/contact"' in answer.text


@cites("docs/pages.md", "A `fetch` caller (`Form` once hydrated, `useAction`, `curl`) gets the JSON above")
def test_fetch_callers_keep_the_json_refusals(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        token = _token(client, "/contact")
        for accept in ("application/json", "*/*"):
            csrf = client.post("/api/__actions/contact/send", data={"message": "hi"}, headers={"accept": accept})
            assert (csrf.status_code, csrf.json()) == (403, {"ok": False, "error": "CSRF token missing",
                                                              "code": "csrf_failed"})
            headers = {"accept": accept, "x-csrf-token": token}
            unknown = client.post("/api/__actions/contact/retired", json={}, headers=headers)
            assert (unknown.status_code, unknown.json()) == (404, {"ok": False, "error": "Unknown action 'retired' "
                                                                                           "for page 'contact'",
                                                                   "code": "unknown_action"})
            large = client.post("/api/__actions/contact/send", data={"message": "x" * 6000}, headers=headers)
            assert (large.status_code, large.json()) == (413, {"ok": False, "error": "Request body is larger than "
                                                                                       "the limit of 4096 bytes"})
            broken = client.post("/api/__actions/contact/send", content=b"{", headers={
                **headers, "content-type": "application/json"})
            assert broken.status_code == 400 and broken.json()["error"].startswith("Malformed JSON body")
        # the client runtime's own fetch of a form: multipart, Accept: application/json, the CSRF header
        fetched = client.post("/api/__actions/contact/retired", files={"a": (None, "1")},
                              headers={"accept": "application/json", "x-csrf-token": token})
        assert fetched.status_code == 404 and fetched.json()["ok"] is False


@cites("docs/validation.md", "Submitting again from there goes back to the page the form is on, its query string "
                             "included")
def test_after_a_no_js_422_re_render_the_next_post_returns_to_the_pages_query(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/search?q=shoes&page=2")
    tab.get_by_label("Term").fill("ab")
    with tab.expect_navigation() as answered:
        tab.get_by_role("button", name="Find").click()
    assert answered.value.status == 422
    assert tab.get_by_test_id("term-error").inner_text().startswith("String should have at least 3")
    assert tab.get_by_role("heading").inner_text() == "Search shoes"
    tab.get_by_label("Term").fill("boots")
    with tab.expect_navigation() as landed:
        tab.get_by_role("button", name="Find").click()
    assert landed.value.status == 200
    assert tab.url == app.url + "/search?q=shoes&page=2"


def test_a_re_rendered_pages_form_hydrates_without_a_mismatch(app: Server, page) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=app.url) as client:
        token = _token(client, "/search?q=shoes")
        answer = client.post("/api/__actions/search/find", data={"_csrf_token": token, "term": "ab"},
                             headers={**HTML, "referer": app.url + "/search?q=shoes"})
    assert answer.status_code == 422
    action = re.search(r'<form[^>]* action="([^"]+)"', answer.text.split("<main>")[1]).group(1)
    assert action == "/api/__actions/search/find?q=shoes"
    # the browser shows the answer at the URL the form posted to: that document, hydrated there
    page.page.route(app.url + action, lambda route: route.fulfill(status=422, body=answer.text,
                                                                   content_type="text/html"))
    page.page.goto(app.url + action)
    page.hydrated()
    assert page.page.locator("main form").get_attribute("action") == action
    assert [problem for problem in page.problems() if "422" not in problem[1]] == []


@cites("docs/validation.md", "a layout's action's errors reach the layout's component the same way")
def test_a_layouts_action_shows_its_field_errors_after_a_no_js_post(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/search?q=shoes")
    tab.get_by_label("Email").fill("a@b")
    with tab.expect_navigation() as answered:
        tab.get_by_role("button", name="Subscribe").click()
    assert answered.value.status == 422
    assert tab.get_by_test_id("email-error").inner_text().startswith("String should have at least 5")
    assert tab.get_by_label("Email").input_value() == "a@b"
    assert tab.get_by_test_id("term-error").count() == 0  # the page's own form is not the one that failed
    assert tab.get_by_role("heading").inner_text() == "Search shoes"
    tab.get_by_label("Email").fill("a@b.example")
    with tab.expect_navigation() as landed:
        tab.get_by_role("button", name="Subscribe").click()
    assert landed.value.status == 200 and tab.url == app.url + "/search?q=shoes"


@cites("docs/pages.md", "An `HTTPException` the action raises itself is its own answer to a `fetch`,\n  sent as it is, its headers and its words kept")
def test_an_actions_own_http_exception_keeps_its_headers_and_its_message_after_a_no_js_post(app: Server, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(app.url + "/guarded")
    tab.get_by_role("button", name="Leave").click()
    tab.wait_for_url(app.url + "/search?q=signed-out")  # its 303's Location, not a refusal page
    with httpx.Client(base_url=app.url) as client:
        token = _token(client, "/guarded")
        refused = client.post("/api/__actions/guarded/remove", data={"_csrf_token": token}, headers=HTML)
        fetched = client.post("/api/__actions/guarded/remove", json={}, headers={"x-csrf-token": token})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert "Only the owner may delete this post" in refused.text  # its own words, on the page rendered again
    assert fetched.json() == {"ok": False, "error": "Only the owner may delete this post"}


@cites("docs/pages.md", "is sent `303` to the action's page, with the query the\n  action URL carried; any other `GET` gets `405`")
def test_a_browser_loading_an_action_url_is_sent_to_its_page_and_a_script_gets_405(app: Server) -> None:
    reloaded = httpx.get(app.url + "/api/__actions/search/find?q=shoes&pyxle-action-error=old", headers=HTML)
    assert reloaded.status_code == 303 and reloaded.headers["location"] == "/search?q=shoes"
    assert httpx.get(app.url + "/api/__actions/search/find").status_code == 405  # fetch, curl: */*


CATCH_ALL = '''
@action
async def save(request):
    return {"saved": True}

export default function Any() {
  return <p>any</p>
}
'''


@pytest.mark.parametrize(("action_url", "location"), [
    ("/api/__actions//evil.example/x/save", "/evil.example/x"),  # never //host: another site
    ("/api/__actions///evil.example/save", "/evil.example"),
    ("/api/__actions/\\evil.example/save", "/%5Cevil.example"),
    ("/api/__actions/items/a%3Fb/save", "/items/a%3Fb"),  # a path parameter's ? and # stay in the path
    ("/api/__actions/items/a%23b/save?x=1", "/items/a%23b?x=1"),
])
def test_a_browser_sent_from_an_action_url_to_its_page_stays_on_this_site_and_on_that_page(
        make_project, start_server, action_url: str, location: str) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project({"pages/[...path].pyxl": CATCH_ALL, "pages/items/[id].pyxl": CATCH_ALL},
                                       node=True))
    answer = httpx.get(server.url + action_url, headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"] == location
