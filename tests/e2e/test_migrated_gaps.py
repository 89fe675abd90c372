"""The small differences that stopped 0.9 apps running unchanged, each on a real server: a
configured CSRF cookie and header in `Form`/`useAction`, the slots of a page or layout in Fast
Refresh, and `from pyxle import server`. (0.9's `name` key: tests/unit/test_config_compat.py.)"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from tests.conftest import PageWatch
from tests.docs._blocks import cites

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


MANUAL_PAGE = """
@action
async def add_note(request):
    body = await request.json()
    return {"saved": body.get("text", "")}

import { useState } from 'react'

// pyxle-framework 0.6 to 0.9's security guide: a hand-written fetch of an action
function getCsrfToken() {
  const cookieName = window.__PYXLE_CSRF_COOKIE__ ?? 'pyxle-csrf'
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === cookieName) return decodeURIComponent(part.slice(eq + 1))
  }
  return ''
}

export default function Notes() {
  const [out, setOut] = useState('')
  async function send() {
    const headerName = window.__PYXLE_CSRF_HEADER__ ?? 'x-csrf-token'
    const answer = await fetch('/api/__actions/index/add_note', {
      method: 'POST', headers: { 'Content-Type': 'application/json', [headerName]: getCsrfToken() },
      body: JSON.stringify({ text: 'manual' }) })
    setOut(answer.status + ' ' + (await answer.text()))
  }
  return <main><button onClick={send}>Send</button><p data-testid="out">{out}</p></main>
}
"""


@cites("docs/security.md", "pages also set\n  `window.__PYXLE_CSRF_COOKIE__` and `window.__PYXLE_CSRF_HEADER__` to the configured names when\n"
       "  they are not the defaults (and leave them unset when they are)")
def test_the_09_guides_hand_written_fetch_reads_the_configured_csrf_names_from_window(
        make_project, start_server, page: PageWatch) -> None:
    for csrf, expected in (({"cookieName": "mid-csrf"}, ["mid-csrf", None]),
                           ({"cookieName": "mid-csrf", "headerName": "x-mid-token"}, ["mid-csrf", "x-mid-token"]),
                           ({}, [None, None])):
        project = make_project({"pages/index.pyxl": MANUAL_PAGE, "pyxle.config.json": json.dumps({"csrf": csrf})},
                               name=f"app{len(csrf)}", node=True)
        server = start_server(project)
        page.page.goto(server.url + "/")
        page.hydrated()
        assert page.page.evaluate("[window.__PYXLE_CSRF_COOKIE__ ?? null, window.__PYXLE_CSRF_HEADER__ ?? null]") == expected
        page.page.get_by_role("button", name="Send").click()
        page.page.wait_for_function("document.querySelector('[data-testid=out]').textContent !== ''")
        assert page.page.get_by_test_id("out").inner_text() == '200 {"ok":true,"saved":"manual"}'
        page.page.context.clear_cookies()
    assert page.problems() == []


def test_the_default_csrf_names_add_nothing_to_the_page(make_project, start_server) -> None:
    server = start_server(make_project({"pages/index.pyxl": CSRF_PAGE}, node=True))
    assert 'name="pyxle-csrf"' not in httpx.get(server.url + "/").text


SLOTS_LAYOUT = """
import {{ Slot }} from 'pyxle/client'

export const slots = {{ footer: () => <small>{footer}</small> }}

export default function Layout({{ children }}) {{
  return <div><header data-testid="header"><Slot name="header" /></header>{{children}}
    <footer data-testid="footer"><Slot name="footer" /></footer></div>
}}
"""
SLOTS_PAGE = """
import {{ useState }} from 'react'

export function createSlots() {{
  return {{ header: () => <b>{header}</b> }}
}}

export default function Home() {{
  const [n, setN] = useState(0)
  return <button data-testid="counter" onClick={{() => setN(n + 1)}}>count {{n}}</button>
}}
"""


def test_slots_and_create_slots_edits_apply_in_dev_with_state_kept(make_project, start_server,
                                                                    page: PageWatch) -> None:
    project = make_project({"pages/layout.pyxl": SLOTS_LAYOUT.format(footer="footer v1"),
                            "pages/index.pyxl": SLOTS_PAGE.format(header="header v1")}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    counter = page.page.get_by_test_id("counter")
    counter.click()
    counter.click()
    page.page.evaluate("window.__marker = 'kept'")

    (project / "pages" / "index.pyxl").write_text(SLOTS_PAGE.format(header="header v2").lstrip("\n"))
    page.page.get_by_test_id("header").filter(has_text="header v2").wait_for(timeout=15000)
    (project / "pages" / "layout.pyxl").write_text(SLOTS_LAYOUT.format(footer="footer v2").lstrip("\n"))
    page.page.get_by_test_id("footer").filter(has_text="footer v2").wait_for(timeout=15000)
    assert counter.text_content() == "count 2"
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []


def test_from_pyxle_import_server_is_the_loader_decorator(make_project, start_server) -> None:
    import pyxle
    import pyxle.runtime

    assert pyxle.server is pyxle.runtime.server and "server" in pyxle.__all__
    project = make_project({
        "pages/index.pyxl": """
            from pyxle import server, sign_cookie

            @server
            async def load(request):
                return {"signed": sign_cookie("x", "k" * 32).startswith("x.")}

            export default function Home({ data }) { return <p>signed: {String(data.signed)}</p> }
            """,
    }, node=True)
    served = start_server(project)
    assert "signed: <!-- -->true" in httpx.get(served.url + "/").text


ENV_SCRIPT = """
import os
from pathlib import Path
from pyxle.env import load_env_files

os.environ["A"] = "shell"
result = load_env_files(Path("."))
print(result.loaded, result.skipped, [p.name for p in result.files_read], result.loaded_count, result.public_keys)
print(os.environ["A"], os.environ["B"], os.environ["PYXLE_PUBLIC_X"])
print(load_env_files(Path("."), mode="production").files_read[-1].name)
"""


@cites("docs/migrating.md", "`load_env_files(root, *, mode=\"development\")` returns an `EnvLoadResult` with `loaded`, "
       "`skipped`, `files_read`, `loaded_count` and `public_keys`")
def test_an_apps_own_script_loads_its_env_files_through_pyxle_env_as_under_0_9(make_project) -> None:
    """0.9's `load_env_files(root)` (mode by keyword, development by default) and its report: a
    script written for it raised TypeError (mode was required) and read no `.files_read`."""
    root = make_project({".env": "A=1\nB=2\n", ".env.development": "B=3\nC=4\n", ".env.local": "PYXLE_PUBLIC_X=5\n",
                         ".env.production.local": "P=1\n", "scripts/env_report.py": ENV_SCRIPT})
    done = subprocess.run([sys.executable, "scripts/env_report.py"], cwd=root, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        ("(('B', '3'), ('C', '4'), ('PYXLE_PUBLIC_X', '5')) ('A',) ['.env', '.env.development', '.env.local'] 3 "
         "('PYXLE_PUBLIC_X',)"),
        "shell 3 5",
        ".env.production.local",
    ]
