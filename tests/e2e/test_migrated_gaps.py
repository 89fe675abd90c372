"""The small differences that stopped 0.9 apps running unchanged, each on a real server: a
configured CSRF cookie and header in `Form`/`useAction`, 0.9's `name` key, and the slots of a page
or layout in Fast Refresh."""

from __future__ import annotations

import json

import httpx

from tests.conftest import PageWatch

CSRF_PAGE = """
@action
async def greet(request):
    body = await request.json()
    return {"greeting": f"hello {body.get('who', '')}"}

import { useState } from 'react'
import { Form, useAction } from 'pyxle/client'

export default function Home() {
  const greet = useAction('greet')
  const [out, setOut] = useState('')
  return (
    <main>
      <Form action="greet" onSuccess={(result) => setOut('form: ' + result.greeting)}>
        <input name="who" aria-label="who" /><button>Send form</button>
      </Form>
      <button onClick={() => greet({ who: 'hook' }).then((r) => setOut('hook: ' + (r.greeting || r.error)))}>Call</button>
      <p data-testid="out">{out}</p>
    </main>
  )
}
"""


def test_form_and_use_action_send_the_configured_csrf_cookie_and_header(make_project, start_server,
                                                                          page: PageWatch) -> None:
    project = make_project({
        "pages/index.pyxl": CSRF_PAGE,
        "pyxle.config.json": json.dumps({"csrf": {"cookieName": "shop-csrf", "headerName": "x-shop-token"}}),
    }, node=True)
    server = start_server(project)
    html = httpx.get(server.url + "/").text
    assert '<meta name="pyxle-csrf" content="shop-csrf x-shop-token">' in html

    page.page.goto(server.url + "/")
    page.hydrated()
    assert [c["name"] for c in page.page.context.cookies()] == ["shop-csrf"]
    page.page.get_by_label("who").fill("form")
    page.page.get_by_role("button", name="Send form").click()
    page.page.get_by_text("form: hello form").wait_for()
    page.page.get_by_role("button", name="Call").click()
    page.page.get_by_text("hook: hello hook").wait_for()
    assert page.problems() == []


def test_the_default_csrf_names_add_nothing_to_the_page(make_project, start_server) -> None:
    server = start_server(make_project({"pages/index.pyxl": CSRF_PAGE}, node=True))
    assert 'name="pyxle-csrf"' not in httpx.get(server.url + "/").text
