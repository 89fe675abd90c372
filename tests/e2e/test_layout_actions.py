"""A layout's `@action`, on a real `pyxle serve`: served at the action URL of every page under the
layout (the URL its `<Form>` posts to from whichever page it is on), the nearest layout's winning,
listed by `pyxle routes`, and a page action of the same name refused at start-up and by `pyxle check`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, server_env, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
@action
async def ping(request):
    return {"pong": "root layout", "page": request.path_params.get("id", "")}

@action
async def shout(request):
    return {"heard": "root layout"}

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Layout({ children }) {
  const [pong, setPong] = useState('')
  return (
    <div>
      <Form action="ping" onSuccess={(result) => setPong(result.pong + ' ' + result.page)}>
        <button type="submit">Ping</button>
      </Form>
      <output data-testid="pong">{pong}</output>
      {children}
    </div>
  )
}
"""

BLOG_LAYOUT = """
@action
async def shout(request):
    return {"heard": "blog layout"}

export default function BlogLayout({ children }) {
  return <section>{children}</section>
}
"""

FORMS = """
@action
async def save(request):
    return {"saved": True}

export default function Forms() {
  return <h1>Forms</h1>
}
"""

POST = """
@server
async def load(request):
    return {"id": request.path_params["id"]}

export default function Post({ data }) {
  return <h1>Post {data.id}</h1>
}
"""

PLAIN = """
export default function Entry() {
  return <h1>Entry</h1>
}
"""

NOT_FOUND = """
export default function NotFound() {
  return <h1>Nothing here</h1>
}
"""

FILES = {"pages/layout.pyxl": LAYOUT, "pages/not-found.pyxl": NOT_FOUND, "pages/forms.pyxl": FORMS, "pages/posts/[id].pyxl": POST,
         "pages/blog/layout.pyxl": BLOG_LAYOUT, "pages/blog/entry.pyxl": PLAIN}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("layout-actions") / "app", FILES)


@pytest.fixture(scope="module")
def app(project: Path) -> Iterator[Server]:
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def _post(app: Server, url: str) -> httpx.Response:
    with httpx.Client(base_url=app.url) as client:
        client.get("/forms")
        return client.post(url, json={}, headers={"x-csrf-token": client.cookies["pyxle-csrf"]})


@cites("docs/pages.md", "a page's action URL also serves the actions of the layouts and templates around it")
def test_a_layouts_action_is_served_at_the_action_url_of_every_page_under_it(app: Server) -> None:
    for url in ("/api/__actions/forms/ping", "/api/__actions/blog/entry/ping", "/api/__actions/posts/7/ping",
                "/api/__actions/posts/[id]/ping"):
        answer = _post(app, url)
        assert (answer.status_code, answer.json()["pong"]) == (200, "root layout"), url
    assert _post(app, "/api/__actions/forms/save").json() == {"ok": True, "saved": True}  # the page's own too


def test_a_layouts_action_reached_by_a_dynamic_pages_url_gets_its_path_parameters(app: Server) -> None:
    assert _post(app, "/api/__actions/posts/7/ping").json() == {"ok": True, "pong": "root layout", "page": "7"}


@cites("docs/pages.md", "The nearest file's action wins for a name two layouts define")
def test_the_nearest_layouts_action_wins_for_a_name_two_layouts_around_the_page_define(app: Server) -> None:
    assert _post(app, "/api/__actions/blog/entry/shout").json() == {"ok": True, "heard": "blog layout"}
    assert _post(app, "/api/__actions/forms/shout").json() == {"ok": True, "heard": "root layout"}


@cites("docs/pages.md", "and on a `not-found.pyxl` or `error.pyxl` under the layout")
def test_a_layouts_form_runs_the_layouts_action_in_chromium_on_each_page_under_it(app: Server, page: PageWatch) -> None:
    for url, expected in (("/forms", "root layout "), ("/posts/7", "root layout 7"), ("/blog/entry", "root layout "),
                          ("/no/such/page", "root layout ")):
        page.page.goto(app.url + url)
        page.hydrated()
        page.page.get_by_role("button", name="Ping").click()
        page.page.get_by_test_id("pong").filter(has_text="root layout").wait_for()
        assert page.page.get_by_test_id("pong").text_content() == expected, url
    assert [problem for problem in page.problems() if "/no/such/page" not in problem[1]] == []  # its own 404 aside


@cites("docs/pages.md", "`pyxle routes` lists a layout's actions on the row of each page under it "
                        "(`--json`: in `actions`, and in `layout_actions` with the file each comes from)")
@cites("docs/migrating.md", "each entry is `{pattern, file, kind, methods, websocket}`, and a page's also "
                            "`{loader, actions, layout_actions}`")
def test_pyxle_routes_lists_a_layouts_actions_on_each_page_under_it(project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pyxle", "routes", str(project), "--json"], capture_output=True,
                            text=True, env=server_env(), check=True, timeout=60)
    rows = {row["pattern"]: row for row in json.loads(result.stdout)}
    common = {"pattern", "file", "kind", "methods", "websocket"}
    assert {frozenset(row) for row in rows.values()} <= {frozenset(common), frozenset(common | {"loader", "actions", "layout_actions"})}
    assert all(set(row) > common for row in rows.values() if row["kind"] == "page")
    assert rows["/forms"]["actions"] == ["save", "ping", "shout"]
    assert rows["/forms"]["layout_actions"] == {"ping": "pages/layout.pyxl", "shout": "pages/layout.pyxl"}
    assert rows["/blog/entry"]["layout_actions"] == {"ping": "pages/layout.pyxl", "shout": "pages/blog/layout.pyxl"}


CLASHING_PAGE = """
@action
async def save(request):
    return {"saved": True}

@action
async def ping(request):
    return {"pong": "page"}

export default function Forms() {
  return <h1>Forms</h1>
}
"""


@cites("docs/pages.md", "A page action named like an action of a layout or template around it is an error at "
                        "start-up and in `pyxle check`")
def test_a_page_action_named_like_its_layouts_is_refused_at_start_up_and_by_check_naming_both_files(
        tmp_path: Path, start_server) -> None:  # type: ignore[no-untyped-def]
    root = write_project(tmp_path / "clash", {"pages/layout.pyxl": LAYOUT, "pages/forms.pyxl": CLASHING_PAGE},
                         modules=None)
    server = start_server(root, ready=False)
    assert server.wait_exit(60) != 0
    expected = "pages/forms.pyxl:6: action 'ping' is also an action of the layout around this page (pages/layout.pyxl:2)"
    assert expected in server.output()
    check = subprocess.run([sys.executable, "-m", "pyxle", "check", str(root)], capture_output=True, text=True,
                           env=server_env(), check=False, timeout=60)
    assert check.returncode == 1 and expected in check.stdout, check.stdout + check.stderr
