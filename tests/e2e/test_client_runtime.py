"""pyxle/client in a real headless Chromium: Link navigation, history, prefetch, Form, useAction."""

from __future__ import annotations

import json
import re
import uuid

from tests.conftest import PageWatch, Server


def open_home(demo_server: Server, page: PageWatch) -> None:
    page.page.goto(demo_server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")


def test_link_navigation_is_client_side_and_updates_title(demo_server: Server, page: PageWatch) -> None:
    open_home(demo_server, page)
    page.page.get_by_role("link", name="Users").click()
    page.page.wait_for_url(demo_server.url + "/users")
    page.page.get_by_role("heading", name="Users").wait_for()
    assert page.page.evaluate("window.__marker") == "still here"  # no full reload
    assert page.page.title() == "Users · Pyxle demo"
    assert page.problems() == []


def test_back_and_forward(demo_server: Server, page: PageWatch) -> None:
    open_home(demo_server, page)
    page.page.get_by_role("link", name="Users").click()
    page.page.get_by_role("heading", name="Users").wait_for()
    page.page.go_back()
    page.page.get_by_role("heading", name="Welcome to Pyxle").wait_for()
    assert page.page.url == demo_server.url + "/" and page.page.title() == "Home · Pyxle demo"
    page.page.go_forward()
    page.page.get_by_role("heading", name="Users").wait_for()
    assert page.page.evaluate("window.__marker") == "still here"
    assert page.problems() == []


def test_hover_prefetches_the_page_and_a_click_fetches_its_data(demo_server: Server, page: PageWatch) -> None:
    seen: list[tuple[str, str]] = []
    page.page.on("request", lambda r: r.headers.get("x-pyxle-navigation") and seen.append(
        (r.headers["x-pyxle-navigation"], r.url)))
    open_home(demo_server, page)
    page.page.get_by_role("link", name="Chat").hover()
    page.page.wait_for_timeout(300)
    assert ("prefetch", demo_server.url + "/chat") in seen  # the page's code, ahead of the click
    page.page.get_by_role("link", name="Chat").click()
    page.page.get_by_role("heading", name="Chat").wait_for()
    # The demo's layout has a loader: the click fetches the data as of the click, once.
    assert seen.count(("1", demo_server.url + "/chat")) == 1


def test_form_success_invalidates_and_action_error_is_shown(demo_server: Server, page: PageWatch) -> None:
    name = f"Form {uuid.uuid4().hex[:6]}"
    page.page.goto(demo_server.url + "/users")
    page.hydrated()
    page.page.get_by_label("Name").fill(name)
    page.page.get_by_label("Email").fill(f"{name.replace(' ', '.')}@example.com")
    page.page.get_by_role("button", name="Add user").click()
    page.page.get_by_test_id("form-message").filter(has_text=f"Added {name}").wait_for()
    page.page.get_by_role("link", name=name).wait_for()  # x-pyxle-invalidate refreshed the list
    assert page.page.get_by_label("Name").input_value() == ""  # reset on success
    page.page.get_by_label("Name").fill("No Email")
    page.page.get_by_role("button", name="Add user").click()
    page.page.get_by_test_id("add-user").get_by_role("alert").filter(has_text="A name and a valid email are required").wait_for()
    assert page.page.get_by_text("A name and a valid email are required").count() == 1  # shown once, by the Form
    assert page.page.get_by_test_id("form-message").count() == 0  # the success message is cleared
    assert [p for p in page.problems() if "/api/__actions/" not in p[1]] == []  # the 400 itself is expected


def test_action_without_csrf_token_is_refused_and_shown(demo_server: Server, page: PageWatch) -> None:
    def strip_token(route) -> None:  # type: ignore[no-untyped-def]
        headers = {k: v for k, v in route.request.headers.items() if k != "x-csrf-token"}
        route.continue_(headers=headers)

    page.page.route("**/api/__actions/**", strip_token)
    page.page.goto(demo_server.url + "/users")
    page.hydrated()
    page.page.evaluate("document.querySelector('[data-testid=add-user] input[name=_csrf_token]').value = 'forged.token'")
    page.page.get_by_label("Name").fill("Mallory")
    page.page.get_by_label("Email").fill("mallory@example.com")
    page.page.get_by_role("button", name="Add user").click()
    page.page.get_by_test_id("add-user").get_by_role("alert").filter(has_text=re.compile("CSRF token")).wait_for()


def test_use_action_optimistic_toggle_persists(demo_server: Server, page: PageWatch) -> None:
    import httpx

    user = httpx.post(demo_server.url + "/api/users", json={"name": "Star", "email": f"{uuid.uuid4().hex}@x.io"}).json()["user"]
    page.page.goto(demo_server.url + "/users")
    page.hydrated()
    star = page.page.get_by_test_id(f"star-{user['id']}")
    assert star.get_attribute("aria-pressed") == "false"
    with page.page.expect_response("**/api/__actions/**") as saved:
        star.click()
        assert star.get_attribute("aria-pressed") == "true"  # optimistic: before the server answers
    assert saved.value.ok
    page.page.reload()  # only once the action is answered: a reload would abort it
    page.hydrated()
    assert page.page.get_by_test_id(f"star-{user['id']}").get_attribute("aria-pressed") == "true"  # saved in SQLite


def test_chat_page_uses_the_websocket_route(demo_server: Server, page: PageWatch) -> None:
    open_home(demo_server, page)
    page.page.get_by_role("link", name="Chat").click()
    page.page.get_by_test_id("chat-status").filter(has_text="connected").wait_for()
    page.page.get_by_label("Message").fill("hello from the browser")
    page.page.get_by_role("button", name="Send").click()
    page.page.get_by_test_id("chat-log").filter(has_text="hello from the browser").wait_for()
    assert page.page.evaluate("window.__marker") == "still here"


def test_form_works_without_javascript(demo_server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(demo_server.url + "/users")
        name = f"NoJS {uuid.uuid4().hex[:6]}"
        tab.get_by_label("Name").fill(name)
        tab.get_by_label("Email").fill(f"{uuid.uuid4().hex}@nojs.io")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Add user").click()
        assert tab.url == demo_server.url + "/users"  # 303 back to the page
        assert tab.get_by_role("link", name=name).count() == 1  # the fresh page shows the new user
    finally:
        context.close()


def test_plain_form_post_redirects_back_and_refuses_forgeries(demo_server: Server) -> None:
    import httpx

    with httpx.Client(base_url=demo_server.url) as client:
        html = client.get("/users").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)
        assert token == client.cookies["pyxle-csrf"]
        html_accept = {"accept": "text/html,application/xhtml+xml", "referer": demo_server.url + "/users"}
        ok = client.post("/api/__actions/users/index/add_user", headers=html_accept,
                         data={"csrf_token": token, "name": "Plain", "email": f"{uuid.uuid4().hex}@plain.io"})
        assert ok.status_code == 303 and ok.headers["location"] == "/users"
        bad = client.post("/api/__actions/users/index/add_user", headers=html_accept,
                          data={"csrf_token": token, "name": "", "email": ""})
        assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")  # the page again
        assert "A name and a valid email" in bad.text and 'action="/api/__actions/users/index/add_user"' in bad.text
        forged = client.post("/api/__actions/users/index/add_user", headers=html_accept,
                             data={"csrf_token": "forged.token", "name": "X", "email": "x@x.io"})
        assert forged.status_code == 403
        missing = client.post("/api/__actions/users/index/add_user", headers=html_accept, data={"name": "X"})
        assert missing.status_code == 403


def test_modifier_click_stays_native(demo_server: Server, page: PageWatch) -> None:
    open_home(demo_server, page)
    with page.page.context.expect_page() as new_tab:
        page.page.get_by_role("link", name="Users").click(modifiers=["Control"])
    new_tab.value.close()
    assert page.page.url == demo_server.url + "/"  # this tab did not navigate
    assert page.page.evaluate("window.__marker") == "still here"


def test_a_loader_error_shows_the_error_page_in_place(demo_server: Server, page: PageWatch) -> None:
    open_home(demo_server, page)
    page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/users/987654')")  # its loader raises LoaderError(404)
    page.page.get_by_test_id("error-status").filter(has_text="404").wait_for()
    assert page.page.url == demo_server.url + "/users/987654"
    assert page.page.get_by_test_id("error-message").text_content() == "No such user"
    assert page.page.evaluate("window.__marker") == "still here"  # no full load: the layouts stayed


def test_failed_navigation_falls_back_to_a_full_load(demo_server: Server, page: PageWatch) -> None:
    """The navigation's request fails (the network): the browser loads the URL itself."""
    open_home(demo_server, page)
    page.page.route("**/users/2", lambda route: route.abort() if route.request.headers.get("x-pyxle-navigation")
                    else route.continue_())
    page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/users/2')")
    page.page.wait_for_function("window.__marker === undefined", timeout=15000)  # a full load: the old window is gone
    assert page.page.url == demo_server.url + "/users/2"


def test_back_restores_the_scroll_position(demo_server: Server, page: PageWatch) -> None:
    open_home(demo_server, page)
    page.page.evaluate("document.body.style.minHeight = '5000px'; window.scrollTo(0, 1200)")
    page.page.wait_for_function("window.scrollY === 1200")
    page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/users')")
    page.page.get_by_role("heading", name="Users").wait_for()
    assert page.page.evaluate("window.scrollY") == 0  # a new page starts at the top
    page.page.go_back()
    page.page.get_by_role("heading", name="Welcome to Pyxle").wait_for()
    page.page.wait_for_function("window.scrollY === 1200")


def test_a_page_that_throws_while_rendering_shows_the_built_in_message_in_place(make_project, start_server,
                                                                             page: PageWatch) -> None:
    project = make_project({
        "pages/index.pyxl": "import { Link } from 'pyxle/client'\n"
                            "export default function Home() { return <Link href=\"/boom\">boom</Link> }\n",
        "pages/boom.pyxl": "export default function Boom() { throw new Error('boom while rendering') }\n",
    }, node=True)
    server = start_server(project, "serve", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__marker = 'still here'")
    documents: list[str] = []
    page.page.on("request", lambda r: r.resource_type == "document" and documents.append(r.url))

    page.page.get_by_role("link", name="boom").click()  # the client render throws, and without an
    alert = page.page.get_by_role("alert")  # error.pyxl the built-in message shows in its place
    alert.filter(has_text="Something went wrong rendering this page.").wait_for(timeout=15000)
    page.page.wait_for_url(server.url + "/boom")
    assert page.page.evaluate("window.__marker") == "still here"  # not a full load, not a blank page
    assert documents == []
    assert "boom while rendering" not in page.page.content()


ACTIONS_PAGE = """
import asyncio

@action
async def slow(request):
    await asyncio.sleep(3)
    return {"done": True}

@action
async def refuse(request):
    raise ActionError("not allowed here", status_code=403, data={"why": "test"})

import { useState } from 'react'
import { useAction } from 'pyxle/client'

export default function Home() {
  const slow = useAction('slow')
  const refuse = useAction('refuse')
  const [out, setOut] = useState('')
  const [controller, setController] = useState(null)
  async function start() {
    const c = new AbortController()
    setController(c)
    setOut(JSON.stringify(await slow({}, { signal: c.signal })))
  }
  return (
    <main>
      <button onClick={start}>start</button>
      <button onClick={() => controller.abort()}>abort</button>
      <button onClick={async () => setOut(JSON.stringify(await refuse({})))}>refuse</button>
      <output data-testid="out">{out}</output>
      <span data-testid="pending">{String(slow.pending)}</span>
      <span data-testid="error">{String(refuse.error)}</span>
    </main>
  )
}
"""


def test_use_action_can_be_aborted_and_never_throws(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": ACTIONS_PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    out = page.page.get_by_test_id("out")

    page.page.get_by_role("button", name="start").click()
    page.page.get_by_test_id("pending").filter(has_text="true").wait_for()
    page.page.get_by_role("button", name="abort").click()
    out.filter(has_text="aborted").wait_for(timeout=2000)  # well before the action's 3 s
    result = json.loads(out.text_content())
    assert result == {"ok": False, "error": "Request aborted", "aborted": True, "fields": None}  # 0.9's words

    page.page.get_by_role("button", name="refuse").click()  # an ActionError resolves, it does not throw
    out.filter(has_text="not allowed here").wait_for()
    result = json.loads(out.text_content())
    assert result["ok"] is False and result["error"] == "not allowed here" and result["data"] == {"why": "test"}
    assert page.page.get_by_test_id("error").text_content() == "not allowed here"
    assert [kind for kind, _ in page.problems() if kind == "pageerror"] == []  # nothing was thrown


NAV_PAGES = {
    "pages/layout.pyxl": """
        import { Link, usePathname } from 'pyxle/client'

        export default function Layout({ children }) {
          return (
            <div>
              <nav>
                <span data-testid="path">{usePathname()}</span>
                <Link href="/long#deep">deep</Link>
                <Link href="/long" target="_blank">new tab</Link>
                <Link href="https://elsewhere.example/">elsewhere</Link>
              </nav>
              {children}
            </div>
          )
        }
        """,
    "pages/index.pyxl": "export default function Home() { return <h1>Home</h1> }\n",
    "pages/long.pyxl": """
        export default function Long() {
          return <main><h1>Long</h1><div style={{ height: '4000px' }} /><h2 id="deep">Deep</h2></main>
        }
        """,
}


def test_link_viewport_prefetch_hash_scroll_pathname_and_native_links(make_project, start_server, browser) -> None:  # type: ignore[no-untyped-def]
    project = make_project(NAV_PAGES, node=True)
    server = start_server(project, "serve", "--ssr-workers", "1")
    context = browser.new_context()
    context.route("https://elsewhere.example/**", lambda route: route.fulfill(body="<h1>Elsewhere</h1>",
                                                                               content_type="text/html"))
    page = context.new_page()
    with page.expect_request(lambda r: r.url == server.url + "/long" and r.headers.get("x-pyxle-navigation") == "prefetch"):
        page.goto(server.url + "/")  # a Link in view is prefetched without a hover
    page.wait_for_function("window.__PYXLE_ROOT__ !== undefined")
    page.evaluate("window.__marker = 'still here'")
    assert page.get_by_test_id("path").text_content() == "/"

    page.get_by_role("link", name="deep").click()  # client-side, then scrolled to #deep
    page.get_by_role("heading", name="Long").wait_for()
    page.wait_for_function("window.scrollY > 3000")
    assert page.url == server.url + "/long#deep"
    assert page.get_by_test_id("path").text_content() == "/long"  # usePathname followed the navigation
    assert page.evaluate("window.__marker") == "still here"

    with context.expect_page() as opened:  # target=_blank stays native: a new tab
        page.get_by_role("link", name="new tab").click()
    opened.value.wait_for_load_state()
    assert opened.value.url == server.url + "/long"
    assert page.url == server.url + "/long#deep"

    page.get_by_role("link", name="elsewhere").click()  # another origin: a normal navigation
    page.get_by_role("heading", name="Elsewhere").wait_for()
    assert page.url == "https://elsewhere.example/"
    context.close()
