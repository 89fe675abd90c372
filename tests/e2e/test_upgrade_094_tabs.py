"""A browser tab that pyxle-framework 0.9.4 served, talking to this server after an in-place
upgrade with the same secret: its posts carry 0.9.4's cookie and token, its `Link` 0.9.4's
navigation headers. The requests are shaped as a 0.9.4 tab sends them (see tests/e2e/_v094.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e._v094 import COOKIE_094, NAV_HEADERS_094, token_094

SECRET = "upgrade-secret-of-at-least-32-bytes-0123"

PAGE = """
@server
async def load(request):
    return {"who": "notes"}

@action
async def add(request):
    body = await request.form() if "form" in request.headers.get("content-type", "") else await request.json()
    return {"text": body.get("text")}

import { Link } from 'pyxle/client'

export default function Notes({ data }) {
  return <main><h1 id="h">{data.who}</h1><Link href="/other" id="to-other">other</Link></main>
}
"""

OTHER = """
@server
async def load(request):
    return {"who": "other"}

export default function Other({ data }) {
  return <main><h1 id="h">{data.who}</h1></main>
}
"""

CACHED = """
@server
async def load(request):
    return {"who": "cached"}

export default function Cached({ data }) {
  return <main><h1 id="h">{data.who}</h1></main>
}
"""

ADD = "/api/__actions/notes/add"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pages/notes.pyxl": PAGE, "pages/other.pyxl": OTHER, "pages/cached.pyxl": CACHED,
             "pyxle.config.json": json.dumps({"cache": {"/cached": 60}})}
    project = write_project(tmp_path_factory.mktemp("upgrade094") / "app", files)
    with serving(project, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": SECRET}) as server:
        yield server


def post_094(app: Server, cookies: dict[str, str], token: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    """An action call as 0.9.4's `useAction` sends it: the token of its cookie in the header."""
    with httpx.Client(base_url=app.url, cookies=cookies) as client:
        return client.post(ADD, json={"text": "kept"}, headers={"x-csrf-token": token, "origin": app.url}, **kwargs)


def set_cookies(answer: httpx.Response) -> dict[str, str]:
    return dict(value.split(";")[0].split("=", 1) for value in answer.headers.get_list("set-cookie"))


@cites("docs/migrating.md", "This server accepts that token when 0.9 signed it with this secret")
@cites("docs/security.md", "its token is accepted when 0.9 signed it with the same\n  `PYXLE_SECRET_KEY`")
@cites("docs/migrating.md", "and leaves the tab's cookie as it is, so the tab's next post works the same way")
def test_an_action_call_from_a_094_tab_with_its_cookie_and_token_is_accepted(app: Server) -> None:
    token = token_094(SECRET)
    for _ in range(2):
        answer = post_094(app, {COOKIE_094: token}, token)
        assert answer.status_code == 200, answer.text
        assert answer.json()["ok"] is True and "kept" in answer.text, answer.text
        assert COOKIE_094 not in set_cookies(answer)


@cites("docs/migrating.md", "echoes its token in the `x-csrf-token` header\n  or the `_csrf_token` field")
def test_a_form_post_from_a_094_tab_with_the_token_in_its_field_is_accepted(app: Server) -> None:
    token = token_094(SECRET)
    with httpx.Client(base_url=app.url, cookies={COOKIE_094: token}) as client:
        answer = client.post(ADD, data={"_csrf_token": token, "text": "typed"}, headers={"origin": app.url})
    assert answer.status_code == 200, answer.text
    assert "typed" in answer.text


@cites("docs/migrating.md", "A browser that\n  holds both cookies (a 0.9 tab and one loaded since) posts from either tab.")
def test_a_browser_holding_both_cookies_posts_from_either_tab(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/notes")
        ours = client.cookies["pyxle-csrf"]
    old = token_094(SECRET)
    cookies = {"pyxle-csrf": ours, COOKIE_094: old}
    for token in (old, ours):
        answer = post_094(app, cookies, token)
        assert answer.status_code == 200, answer.text


@cites("docs/security.md", "and refused like any forgery otherwise")
@cites("docs/migrating.md", "**A token the secret did not sign is refused**, from either cookie: `403`\n  `CSRF token invalid`")
@cites("docs/migrating.md", "The refusal sets a new token under 0.9's cookie name\n  as well as under `pyxle-csrf`")
def test_a_094_token_another_secret_signed_is_refused_and_the_next_post_passes(app: Server) -> None:
    forged = token_094("another-secret-the-server-never-had-0000")
    answer = post_094(app, {COOKIE_094: forged}, forged)
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"] == "CSRF token invalid"
    renewed = set_cookies(answer)
    assert renewed[COOKIE_094] == renewed["pyxle-csrf"] != forged
    again = post_094(app, {COOKIE_094: renewed[COOKIE_094]}, renewed[COOKIE_094])  # what 0.9.4's client reads next
    assert again.status_code == 200, again.text


@pytest.mark.parametrize("token", ["", "x.y", "A" * 43 + ".0123456789abcdef", "not-a-token"])
def test_an_unsigned_094_shaped_cookie_is_refused(app: Server, token: str) -> None:
    answer = post_094(app, {COOKIE_094: token or '""'}, token or "none")
    assert answer.status_code == 403, answer.text


def test_a_094_token_under_a_name_that_is_not_094s_cookie_is_refused(app: Server) -> None:
    token = token_094(SECRET)
    for name in ("pyxle-csrf-x", "my-pyxle-csrf-1", "pyxle-csrf-123456"):
        assert post_094(app, {name: token}, token).status_code == 403, name


@cites("docs/migrating.md", "Such a request is answered `409` `{\"ok\": false, \"code\": \"client_outdated\"}` with\n"
       "  `Cache-Control: no-store` and a `Vary` that names both headers")
def test_a_094_routers_navigation_request_gets_an_answer_it_takes_as_a_failure(app: Server) -> None:
    answer = httpx.get(app.url + "/other", headers=NAV_HEADERS_094)
    assert answer.status_code == 409, answer.text
    assert answer.json()["ok"] is False and answer.json()["code"] == "client_outdated"
    assert answer.headers["cache-control"] == "no-store"
    varies = {name.strip().lower() for name in answer.headers["vary"].split(",")}
    assert {"x-pyxle-navigation", "x-requested-with"} <= varies, answer.headers["vary"]
    assert "set-cookie" not in answer.headers


@cites("docs/migrating.md", "A request with `x-pyxle-navigation: 1` alone (code that fetches the JSON by hand) gets the\n  JSON as before.")
def test_a_hand_written_navigation_fetch_still_gets_the_json(app: Server) -> None:
    answer = httpx.get(app.url + "/other", headers={"x-pyxle-navigation": "1", "accept": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True and answer.json()["props"]["data"] == {"who": "other"}


@cites("docs/migrating.md", "this router never sends the second\n  header")
def test_this_routers_link_navigates_in_place_without_094s_header(app: Server, page: PageWatch) -> None:
    sent: list[dict[str, str]] = []
    page.page.on("request", lambda request: sent.append(request.headers) if request.url.endswith("/other") else None)
    page.page.goto(app.url + "/notes")
    page.hydrated()
    page.page.evaluate("window.__kept = 1")
    page.page.click("#to-other")
    page.page.locator("#h", has_text="other").wait_for()
    assert page.page.evaluate("window.__kept") == 1  # no full load
    assert sent and all("x-requested-with" not in headers for headers in sent)


@cites("docs/migrating.md", "a 0.9 tab's request is answered before the page\n  cache is looked up")
@cites("docs/migrating.md", "navigation JSON is `private, no-cache`")
def test_a_stored_page_is_not_handed_to_a_094_tab_and_stays_stored_for_this_router(app: Server) -> None:
    ours = {"x-pyxle-navigation": "1"}
    first = httpx.get(app.url + "/cached", headers=ours)
    again = httpx.get(app.url + "/cached", headers=ours)
    assert again.headers["x-pyxle-cache"] == "HIT", (first.headers, again.headers)
    assert again.headers["cache-control"] == "private, no-cache"
    for conditional in ({}, {"if-none-match": again.headers["etag"]}):  # a browser's kept copy: no 304 either
        old = httpx.get(app.url + "/cached", headers={**NAV_HEADERS_094, **conditional})
        assert old.status_code == 409 and "x-pyxle-cache" not in old.headers, old.headers
    assert httpx.get(app.url + "/cached", headers=ours).headers["x-pyxle-cache"] == "HIT"
    document = httpx.get(app.url + "/cached")
    assert document.status_code == 200 and "public" in document.headers["cache-control"], document.headers


# What 0.9.4's `useAction` does before each call: read its cookie, and echo it in the header.
POST_AS_094 = """async ([name, url]) => {
  const token = document.cookie.split('; ').find((pair) => pair.startsWith(name + '='))?.slice(name.length + 1)
  const answer = await fetch(url, { method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token || '' }, body: '{"text": "kept"}' })
  return answer.status
}"""


@cites("docs/migrating.md", "so after a change of key a 0.9 tab's first post fails and the next one succeeds")
def test_in_a_browser_a_094_tab_whose_key_changed_fails_once_then_posts(app: Server, page: PageWatch) -> None:
    """The browser keeps the renewed cookie where 0.9.4's client reads it (not HttpOnly, path /)."""
    host = app.url.split("//")[1].split(":")[0]
    forged = token_094("another-secret-the-server-never-had-0000")
    page.page.context.add_cookies([{"name": COOKIE_094, "value": forged, "domain": host, "path": "/"}])
    page.page.goto(app.url + "/notes")
    post = [COOKIE_094, ADD]
    page.page.context.add_cookies([{"name": COOKIE_094, "value": forged, "domain": host, "path": "/"}])
    assert page.page.evaluate(POST_AS_094, post) == 403
    assert page.page.evaluate(POST_AS_094, post) == 200
    kept = {cookie["name"]: cookie["value"] for cookie in page.page.context.cookies()}
    assert kept[COOKIE_094] != forged


def test_in_a_browser_a_094_tabs_valid_cookie_posts_every_time(app: Server, page: PageWatch) -> None:
    host = app.url.split("//")[1].split(":")[0]
    token = token_094(SECRET)
    page.page.context.add_cookies([{"name": COOKIE_094, "value": token, "domain": host, "path": "/"}])
    page.page.goto(app.url + "/notes")
    assert [page.page.evaluate(POST_AS_094, [COOKIE_094, ADD]) for _ in range(3)] == [200, 200, 200]
