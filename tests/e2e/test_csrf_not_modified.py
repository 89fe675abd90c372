"""A visitor whose browser kept a page but lost the session-only CSRF cookie (a browser restart):
the page is sent again in full with a new cookie, never answered 304 without one."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import serving, write_project
from tests.docs._blocks import cites

ACT = '''
import { useState } from 'react'
import { useAction } from 'pyxle/client'

@server
async def load(request):
    return {"n": 1}

@action
async def ping(request):
    return {"pong": True}

export default function Act({ data }) {
  const ping = useAction('ping')
  const [out, setOut] = useState('none')
  return <div><button id="b" onClick={async () => { const r = await ping({}); setOut(JSON.stringify(r)) }}>go</button><pre id="out">{out}</pre></div>
}
'''

FORM = '''
import { Form } from 'pyxle/client'

@server
async def load(request):
    return {"n": 1}

@action
async def ping(request):
    return {"pong": True}

export default function Formed({ data }) {
  return <Form action="ping"><button id="send">send</button></Form>
}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = write_project(tmp_path_factory.mktemp("notmod") / "app", {"pages/act.pyxl": ACT, "pages/formed.pyxl": FORM})
    with serving(root) as running:
        yield running


def _csrf(response: httpx.Response) -> str | None:
    found = re.search(r"pyxle-csrf=([^;]+)", response.headers.get("set-cookie", ""))
    return found.group(1) if found else None


def test_a_reload_without_the_cookie_gets_the_page_and_a_cookie_and_the_next_action_works(server, page):
    documents: list[int] = []
    page.page.on("response", lambda r: r.url.endswith("/act") and documents.append(r.status))
    page.page.goto(server.url + "/act")
    page.hydrated()
    page.page.click("#b")
    page.page.wait_for_function("document.querySelector('#out').textContent.includes('pong')")
    page.page.context.clear_cookies()  # a browser restart drops session cookies and keeps its cache
    page.page.reload()
    page.hydrated()
    assert "pyxle-csrf" in [c["name"] for c in page.page.context.cookies()], documents
    page.page.click("#b")
    page.page.wait_for_function("document.querySelector('#out').textContent !== 'none'")
    page.page.wait_for_timeout(300)
    assert page.page.text_content("#out") == '{"ok":true,"pong":true}', documents
    assert documents == [200, 200]


@cites("docs/security.md", "Such a client's `If-None-Match`\n  gets the page in full with the cookie, never a `304` without one")
@cites('docs/pages.md', '`If-None-Match` with it answers `304 Not Modified`, except where the answer would set the CSRF cookie for a client\nwithout a valid one (a browser restart drops it and keeps its cache): it gets the page in full,\nwith a new cookie')
def test_if_none_match_without_a_valid_token_is_answered_in_full_with_the_cookie(server):
    with httpx.Client(base_url=server.url) as client:
        first = client.get("/act")
        tag, token = first.headers["etag"], _csrf(first)
        assert token is not None
        kept = client.get("/act", headers={"if-none-match": tag, "cookie": f"pyxle-csrf={token}"})
        assert kept.status_code == 304 and "set-cookie" not in kept.headers  # a visitor with its token: 304
        for cookie in ({}, {"cookie": "pyxle-csrf=forged.token"}):
            again = httpx.get(server.url + "/act", headers={"if-none-match": tag, **cookie})
            assert again.status_code == 200 and again.headers["etag"] == tag
            assert _csrf(again) not in (None, token)
        # A page that holds the token (a Form's hidden field): the new page holds the new cookie's.
        formed = httpx.get(server.url + "/formed")
        fresh = httpx.get(server.url + "/formed", headers={"if-none-match": formed.headers["etag"]})
        assert fresh.status_code == 200 and f'value="{_csrf(fresh)}"' in fresh.text
