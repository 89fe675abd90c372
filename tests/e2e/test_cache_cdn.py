"""A `cache` route behind a CDN, on a real `pyxle serve`: a CDN's request to the origin carries no
cookie, so a stored page without a CSRF token in it must answer a visitor without the CSRF cookie
as it answers everyone (`public, s-maxage`, no `Set-Cookie`), and that visitor's scripts get a
cookie when they first post (the refusal sets it, `useAction` posts once more).

A probe found it against 0.5.0: every cookie-less request got `private, no-cache` and a
`Set-Cookie`, so a CDN in front never kept the page (0.4.5 answered it `public`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, PageWatch, Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_cache import COUNTER, COUNTS_API

PRICING = '''
import { useState } from 'react'
import { useAction } from 'pyxle/client'
import counter

@server
async def load(request):
    return {"n": 1}

@action
async def subscribe(request):
    body = await request.json()
    counter.bump("subscribe")
    return {"subscribed": body["plan"]}

export default function Pricing({ data }) {
  const subscribe = useAction('subscribe')
  const [out, setOut] = useState('none')
  return <div>
    <button id="go" onClick={async () => setOut(JSON.stringify(await subscribe({ plan: 'pro' })))}>go</button>
    <pre id="out">{out}</pre>
  </div>
}
'''
SIGNUP = '''
import { Form } from 'pyxle/client'

@server
async def load(request):
    return {"n": 1}

@action
async def join(request):
    return {"joined": True}

export default function Signup({ data }) {
  return <Form action="join"><button id="join">join</button></Form>
}
'''
CONFIG = {"cache": {"/pricing": 60, "/signup": 60}}
SHARED = "public, s-maxage=60, stale-while-revalidate=300"
DOC = "docs/pages.md"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {"pyxle.config.json": json.dumps(CONFIG), "counter.py": COUNTER, "pages/api/counts.py": COUNTS_API,
             "pages/pricing.pyxl": PRICING, "pages/signup.pyxl": SIGNUP,
             "public/favicon.ico": "icon"}  # (else the browser's request of it, a not-found page, sets the cookie)
    root = write_project(tmp_path_factory.mktemp("cache-cdn") / "app", files)
    (root / "counts").mkdir()
    with serving(root, "--workers", "1", "--no-access-log",
                 env={"COUNTS": str(root / "counts"), **SHARED_SECRET}) as server:
        yield server


def subscribed(app: Server) -> int:
    """How many times the ``subscribe`` action ran."""
    return httpx.get(app.url + "/api/counts", params={"name": "subscribe"}).json()["count"]


@cites(DOC, "A stored document without a CSRF token in it is `public` for a visitor who has no CSRF\n"
            "  cookie yet too")
@cites(DOC, "A `public` stored document sets none, so it answers `304` to such a client.")
def test_a_cookie_less_request_of_a_stored_page_without_a_token_is_public_and_sets_no_cookie(app: Server) -> None:
    """Before the fix both answers were `private, no-cache` with a `Set-Cookie: pyxle-csrf=...`."""
    for state in ("MISS", "HIT", "HIT"):
        answer = httpx.get(app.url + "/pricing")  # a new client each time: no cookie, as a CDN asks
        assert answer.status_code == 200 and answer.headers["x-pyxle-cache"] == state
        assert answer.headers["cache-control"] == SHARED and "set-cookie" not in answer.headers, answer.headers
    again = httpx.get(app.url + "/pricing", headers={"if-none-match": answer.headers["etag"]})
    assert again.status_code == 304 and "set-cookie" not in again.headers  # what a CDN revalidating gets
    nav = httpx.get(app.url + "/pricing", headers={"x-pyxle-navigation": "1"})  # the router's: private, as before
    assert nav.headers["cache-control"] == "private, no-cache" and "set-cookie" not in nav.headers


def test_a_stored_page_with_a_form_stays_private_with_each_visitors_own_token(app: Server) -> None:
    tokens = []
    for _ in range(2):
        answer = httpx.get(app.url + "/signup")
        assert answer.headers["cache-control"] == "private, no-cache"
        token = re.search(r"pyxle-csrf=([^;]+)", answer.headers["set-cookie"]).group(1)
        assert f'name="_csrf_token" value="{token}"' in answer.text and "pyxle-csrf-" not in answer.text
        tokens.append(token)
    assert tokens[0] != tokens[1]


@cites("docs/security.md", "`useAction`, `Form` and `useAuth` post once more when a post they sent\n  without a token "
                           "is refused and its answer set the cookie")
@cites("docs/security.md", "the browser's console\n  and network log show the refused one, a `403`")
def test_an_action_on_a_page_served_without_a_cookie_succeeds_in_chromium(app: Server, page: PageWatch) -> None:
    """Before the fix the page set the cookie (so nothing was left to retry); with the server fixed
    and the client not, the first call resolved to `{ok: false, error: "CSRF token missing"}`."""
    httpx.get(app.url + "/pricing")  # stored
    posts: list[int] = []
    page.page.on("response", lambda r: "/api/__actions/" in r.url and posts.append(r.status))
    page.page.goto(app.url + "/pricing")
    page.hydrated()
    assert page.page.context.cookies() == []  # the shared answer set none
    before = subscribed(app)
    page.page.click("#go")
    page.page.wait_for_function("document.querySelector('#out').textContent !== 'none'", timeout=15000)
    assert json.loads(page.page.text_content("#out")) == {"ok": True, "subscribed": "pro"}
    assert subscribed(app) == before + 1 and posts == [403, 200]  # refused once, then sent with the cookie
    with page.page.expect_response(lambda r: "/api/__actions/" in r.url):
        page.page.click("#go")  # the cookie is there now: one post
    page.page.wait_for_timeout(300)
    assert posts == [403, 200, 200] and subscribed(app) == before + 2
    assert [(kind, text) for kind, text in page.problems() if "403" not in text] == []


@cites("docs/security.md", "They do the same when the token they sent is\n  refused and the answer replaced it")
@cites("docs/security.md", "its first post after the\n  deploy succeeds all the same")
def test_an_action_sent_with_a_token_of_another_secret_succeeds_in_chromium(app: Server, page: PageWatch) -> None:
    """A page opened before a deploy that changed PYXLE_SECRET_KEY holds a token the server no longer
    verifies: its first post was refused (`CSRF token invalid`, shown to the user by `<Form>`), and
    only a second click, with the cookie that refusal set, went through."""
    page.page.goto(app.url + "/pricing")
    page.hydrated()
    page.page.context.add_cookies([{"name": "pyxle-csrf", "value": "0f1e2d3c4b5a.signed-with-the-old-key",
                                    "url": app.url}])
    posts: list[int] = []
    page.page.on("response", lambda r: "/api/__actions/" in r.url and posts.append(r.status))
    before = subscribed(app)
    page.page.click("#go")
    page.page.wait_for_function("document.querySelector('#out').textContent !== 'none'", timeout=15000)
    assert json.loads(page.page.text_content("#out")) == {"ok": True, "subscribed": "pro"}
    assert subscribed(app) == before + 1 and posts == [403, 200]  # refused once, then sent with the new cookie
    assert [(kind, text) for kind, text in page.problems() if "403" not in text] == []


HAND_WRITTEN = """async () => {
  const token = () => document.cookie.match(/(?:^|; )pyxle-csrf=([^;]*)/)?.[1] ?? "";
  const post = () => fetch("/api/__actions/pricing/subscribe", {
    method: "POST", body: JSON.stringify({ plan: "own" }),
    headers: { "content-type": "application/json", "x-csrf-token": token() },
  });
  const sent = token();
  let answer = await post();
  const refused = answer.status;
  if (!sent && answer.status === 403 && (await answer.clone().json()).code === "csrf_failed") answer = await post();
  return [sent, refused, answer.status, await answer.json()];
}"""


@cites("docs/security.md", "A hand-written `fetch` that reads the cookie (below) finds none on such a page: when it went\n"
                           "  without a token and the answer is `403` with `\"code\": \"csrf_failed\"`, read the cookie "
                           "again and\n  send the post once more with it.")
def test_a_hand_written_fetch_on_a_page_served_without_a_cookie_succeeds_on_its_second_try(
        app: Server, page: PageWatch) -> None:
    httpx.get(app.url + "/pricing")  # stored
    page.page.goto(app.url + "/pricing")
    page.hydrated()
    before = subscribed(app)
    assert page.page.evaluate(HAND_WRITTEN) == ["", 403, 200, {"ok": True, "subscribed": "own"}]
    assert subscribed(app) == before + 1


EVIL = '''<!doctype html><html><body>
<form id="f" method="post" action="{url}" enctype="application/x-www-form-urlencoded">
<input name="plan" value="evil"></form><script>document.getElementById('f').submit()</script></body></html>'''


@cites("docs/security.md", "Only your own pages' JavaScript can read the\n  cookie to send it back, so another "
                           "site's post stays refused, however often it is sent.")
def test_a_cross_site_form_post_without_a_cookie_is_refused_and_never_retried(app: Server, page: PageWatch) -> None:
    """The minted cookie of a refusal is of no use to another site: its next post is refused too (the
    cookie is `SameSite=Lax`, and it cannot read it to send it as the token)."""
    action = app.url + "/api/__actions/pricing/subscribe"
    page.page.context.route("http://evil.test/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=EVIL.format(url=action)))
    before = subscribed(app)
    statuses: list[int] = []
    page.page.on("response", lambda r: r.url.startswith(action) and statuses.append(r.status))
    for _ in range(2):
        with page.page.expect_response(lambda r: r.url.startswith(action)):
            page.page.goto("http://evil.test/")
    page.page.wait_for_timeout(300)
    assert statuses == [403, 403] and subscribed(app) == before
