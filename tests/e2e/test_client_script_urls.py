"""The client router never goes to a javascript: URL, in a real headless Chromium on `pyxle serve`:
not where a loader or an action redirects (an app's `?next=`, which without JavaScript is a
harmless 303/307 the browser never follows), not where app code navigates, not a Link's href. The
user stays on the page and the console names the URL; every other redirect still goes where it says.
On React 19 and 18."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app

# What an attacker puts in `?next=`: it would set the title in the app's origin.
SCRIPT = "javascript:void(document.title='XSS-'+document.cookie.length)"
ELSEWHERE = "https://elsewhere.example/welcome"

PAGES = {
    # The everyday `?next=` login pattern: the action and the loader redirect where the query says.
    "pages/start.pyxl": """
        from starlette.responses import RedirectResponse

        @server
        async def load(request):
            return {"next": request.query_params.get("next", "/landing")}

        @action
        async def sign_in(request):
            body = await request.json()
            return RedirectResponse(body.get("next") or "/")

        import { Form, Head, Link, navigate } from 'pyxle/client'

        export default function Start({ data }) {
          function jump() {
            navigate(window.__to).then((shown) => { window.__shown = shown })
          }
          return (
            <main>
              <Head><title>Start</title></Head>
              <h1>Start</h1>
              <Form action="sign_in">
                <input type="hidden" name="next" value={data.next} />
                <button id="sign-in" type="submit">Sign in</button>
              </Form>
              <Link id="continue" href={'/go?next=' + encodeURIComponent(data.next)}>continue</Link>
              <Link id="script-link" href={data.next}>next itself</Link>
              <button id="jump" onClick={jump}>jump</button>
            </main>
          )
        }
        """,
    "pages/go.pyxl": """
        from starlette.responses import RedirectResponse

        @server
        async def load(request):
            return RedirectResponse(request.query_params["next"])

        export default function Go() { return <p>never shown</p> }
        """,
    "pages/landing.pyxl": """
        export default function Landing() { return <main><h1>Landing</h1></main> }
        """,
}


site = react_app(PAGES, "script-urls")  # React 18 does not block a javascript: href of its own


def open_start(site: Server, page: PageWatch, target: str) -> None:
    page.page.goto(f"{site.url}/start?next={quote(target, safe='')}")
    page.hydrated()
    assert page.page.title() == "Start"


def refusals(page: PageWatch) -> list[str]:
    return [text for kind, text, _ in page.messages if kind == "error" and "refused to navigate" in text]


def assert_refused(page: PageWatch, target: str, act) -> None:  # type: ignore[no-untyped-def]
    """``act`` leads the router to ``target``: it is refused, and the page stays as it was."""
    url = page.page.url
    try:
        with page.page.expect_console_message(lambda m: "refused to navigate" in m.text, timeout=5000):
            act()
    except PlaywrightTimeout:
        pass  # the assertions below say what happened instead
    page.page.wait_for_timeout(300)  # time enough for a script, had it been run
    assert page.page.title() == "Start"  # the script never ran in the page's origin
    assert page.page.locator("h1").inner_text() == "Start" and page.page.url == url
    assert page.page.evaluate("window.__PYXLE_ROUTER__ !== undefined")  # still the hydrated page
    scheme = target.split(":")[0]
    message = f"Pyxle refused to navigate to {target}: the router never goes to a {scheme}: URL"
    assert refusals(page) == [message], page.messages


@cites("docs/client.md", "The router never goes to a `javascript:`, `vbscript:` or `data:` URL")
@cites("docs/security.md", "so a\n`?next=` a visitor sets cannot run script in your pages")
def test_a_loaders_redirect_to_a_javascript_url_is_refused(site: Server, page: PageWatch) -> None:
    open_start(site, page, SCRIPT)
    assert_refused(page, SCRIPT, lambda: page.page.click("#continue"))


@cites("docs/client.md", "The router never goes to a `javascript:`, `vbscript:` or `data:` URL")
@cites("docs/security.md", "so a\n`?next=` a visitor sets cannot run script in your pages")
def test_an_actions_redirect_to_a_javascript_url_is_refused(site: Server, page: PageWatch) -> None:
    open_start(site, page, SCRIPT)
    assert_refused(page, SCRIPT, lambda: page.page.click("#sign-in"))


@cites("docs/client.md", "it logs `Pyxle refused to navigate to ...` in the console, `navigate` resolves to `false`")
@pytest.mark.parametrize("given", ["JaVaScRiPt:void(document.title='XSS')", " \tjavascript:void(document.title='XSS')",
                                   "java\nscript:void(document.title='XSS')", "data:text/html,<h1>XSS</h1>"])
def test_navigate_to_a_script_url_resolves_false_and_does_nothing(site: Server, page: PageWatch, given: str) -> None:
    open_start(site, page, "/landing")
    page.page.evaluate("(value) => { window.__to = value }", given)
    parsed = page.page.evaluate("(value) => new URL(value, location.href).href", given)  # as the browser reads it
    assert_refused(page, parsed, lambda: page.page.click("#jump"))
    assert page.page.evaluate("window.__shown") is False


def test_a_link_to_a_javascript_url_does_nothing(site: Server, page: PageWatch) -> None:
    open_start(site, page, SCRIPT)
    assert_refused(page, SCRIPT, lambda: page.page.click("#script-link"))
    assert [kind for kind, _, _ in page.messages if kind == "pageerror"] == []  # nor React's blocked-URL throw


@cites("docs/security.md", "a redirect to another site still goes\nthere")
@pytest.mark.parametrize("source", ["#continue", "#sign-in"])
def test_a_redirect_to_another_sites_https_url_still_loads_it(site: Server, page: PageWatch, source: str) -> None:
    page.page.route("https://elsewhere.example/**", lambda route: route.fulfill(
        content_type="text/html", body="<title>Elsewhere</title><h1>Elsewhere</h1>"))
    open_start(site, page, ELSEWHERE)
    page.page.click(source)
    page.page.wait_for_url(ELSEWHERE)
    assert page.page.locator("h1").inner_text() == "Elsewhere" and refusals(page) == []


@pytest.mark.parametrize("source", ["#continue", "#sign-in"])
def test_a_redirect_to_a_page_of_the_site_is_still_shown_client_side(site: Server, page: PageWatch,
                                                                     source: str) -> None:
    open_start(site, page, "/landing")
    page.page.evaluate("window.__same_document = true")
    page.page.click(source)
    page.page.wait_for_url(site.url + "/landing")
    page.page.get_by_role("heading", name="Landing").wait_for()
    assert page.page.evaluate("window.__same_document") is True and refusals(page) == []
