"""Under `pyxle dev`, a page that does not build breaks that page alone: the other pages and the
API routes keep serving, the broken page shows the overlay naming its file and line, and a
`pyxle dev` started while a page is broken starts anyway and applies the fix when it is saved.

Before, one page saved with `@sever` made every page and every API route answer 500 "Build
failed" (and /readyz 503), and `pyxle dev` would not start at all on such a page (exit code 1).
A ``<Form action="sav">`` typo in one page still made every page answer 500 until 2026-12-07."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.conftest import PageWatch, until
from tests.docs._blocks import cites

HTML = {"accept": "text/html"}
NOTES = '''@server
async def load(request):
    return {"count": 3}

export default function Notes({ data }) {
  return <p data-testid="notes">notes: {data.count}</p>
}
'''
# How a newcomer breaks a page: a typo in the decorator (import time), a Python syntax error
# (compile time), a JSX syntax error (bundle time); each with the file:line the overlay names.
BROKEN = {
    "typo": (NOTES.replace("@server", "@sever"), "pages/notes.pyxl:1: NameError while importing: name 'sever' is not defined",
             "did you mean `@server`?"),
    "python": (NOTES.replace('{"count": 3}', '{"count": 3'), "pages/notes.pyxl:3", "Python syntax error"),
    "jsx": (NOTES.replace("</p>", "</b>"), "pages/notes.pyxl:6", "JSX syntax error"),
    # a Form naming an action its page does not have: the bundle's check, not the compiler's
    "form": ("@action\nasync def save(request):\n    return {}\n\n"
             + NOTES.replace("export default", "import { Form } from 'pyxle/client'\n\nexport default")
                    .replace("return <p", 'return <div><Form action="sav"><button>go</button></Form><p').replace("</p>", "</p></div>"),
             "pages/notes.pyxl:12:15: <Form action=\"sav\">: this page has no action 'sav'", "did you mean `save`?"),
}
FILES = {
    "pages/index.pyxl": 'export default function Home() { return <h1 data-testid="home">home</h1> }\n',
    "pages/notes.pyxl": NOTES,
    "pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n",
}


def get(url: str, **kwargs):  # type: ignore[no-untyped-def]
    """The answer, or None while the server does not accept connections yet."""
    try:
        return httpx.get(url, timeout=20, **kwargs)
    except httpx.ConnectError:
        return None


def healthy(server) -> None:  # type: ignore[no-untyped-def]
    """The page that builds and the API route answer as if nothing were broken."""
    home = httpx.get(server.url + "/", headers=HTML, timeout=20)
    assert home.status_code == 200 and 'data-testid="home"' in home.text, home.text[:500]
    api = httpx.get(server.url + "/api/hello", timeout=20)
    assert api.status_code == 200 and api.json() == {"hello": "world"}, api.text[:500]


@pytest.mark.parametrize("kind", list(BROKEN))
@cites("docs/deployment.md", "Pages that do not build, while the API routes serve, leave\nit `200` with `\"state\": \"degraded\"`")
@cites("docs/getting-started.md", "breaks that page alone: it answers `500` with the error overlay naming its\nfile and line, and the other pages and the API routes keep serving")
def test_a_page_broken_by_an_edit_breaks_that_page_alone(make_project, start_server, kind: str) -> None:
    project = make_project(FILES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    source, where, hint = BROKEN[kind]
    (project / "pages" / "notes.pyxl").write_text(source)
    broken = until(lambda: (r := httpx.get(server.url + "/notes", headers=HTML, timeout=20)).status_code == 500 and r)
    shown = html.unescape(broken.text)
    assert 'id="pyxle-dev-error"' in shown and where in shown and hint in shown, shown[:800]
    healthy(server)
    ready = httpx.get(server.url + "/readyz", timeout=20)
    assert ready.status_code == 200, ready.text
    assert ready.json()["state"] == "degraded" and ready.json()["ready"] is True, ready.text
    assert ready.json()["checks"]["pages"] == {"ok": False, "broken": ["pages/notes.pyxl"]}, ready.text
    data = httpx.get(server.url + "/notes", headers={"x-pyxle-navigation": "1"}, timeout=20)
    assert data.status_code == 500 and data.json()["error"] == "Build failed" and where in data.json()["detail"]

    (project / "pages" / "notes.pyxl").write_text(NOTES.replace("3", "4"))
    fixed = until(lambda: (r := httpx.get(server.url + "/notes", headers=HTML, timeout=20)).status_code == 200 and r)
    assert "notes: <!-- -->4" in fixed.text
    assert "checks" not in httpx.get(server.url + "/readyz", timeout=20).json() or \
        "pages" not in httpx.get(server.url + "/readyz", timeout=20).json()["checks"]


def test_a_broken_pages_action_answers_build_failed_while_the_others_serve(make_project, start_server) -> None:
    files = {**FILES, "pages/notes.pyxl": "@action\nasync def add(request):\n    return {}\n\n" + NOTES}
    project = make_project(files, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "k" * 40})
    with httpx.Client(base_url=server.url, timeout=20) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        (project / "pages" / "notes.pyxl").write_text(files["pages/notes.pyxl"].replace("@server", "x = 1 / 0\n@server"))
        until(lambda: client.get("/notes", headers=HTML).status_code == 500)
        action = client.post("/api/__actions/notes/add", json={}, headers=csrf)
        assert action.status_code == 500, action.text
        assert action.json()["ok"] is False and action.json()["error"] == "Build failed"
        assert "pages/notes.pyxl:5: ZeroDivisionError" in action.json()["detail"]
        healthy(server)


@cites("docs/getting-started.md", "`pyxle dev` started while a page does not build starts anyway, shows the\nerror the same way and applies the fix when it is saved")
def test_dev_starts_with_a_broken_page_and_applies_the_fix(make_project, start_server, page: PageWatch) -> None:
    project = make_project({**FILES, "pages/notes.pyxl": BROKEN["python"][0]}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert server.proc.poll() is None
    assert "pages/notes.pyxl:3:12: Python syntax error: '{' was never closed" in server.output()
    healthy(server)
    page.page.goto(server.url + "/notes")
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.wait_for(timeout=15000)
    assert "pages/notes.pyxl:3" in overlay.inner_text()

    (project / "pages" / "notes.pyxl").write_text(NOTES)
    page.page.get_by_test_id("notes").wait_for(timeout=20000)
    assert page.page.get_by_test_id("notes").inner_text() == "notes: 3"
    assert page.page.locator("#pyxle-dev-overlay").count() == 0


def test_dev_starts_with_a_broken_component_and_keeps_api_routes_serving(make_project, start_server,
                                                                         page: PageWatch) -> None:
    """A module every page imports breaks them all; the API routes still serve."""
    files = {**FILES, "components/Title.jsx": "export default function Title() { return <b>t</i> }\n",
             "pages/index.pyxl": "import Title from '../components/Title.jsx'\n\n"
                                 'export default function Home() { return <h1 data-testid="home"><Title /></h1> }\n'}
    project = make_project(files, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1", ready=False)
    until(lambda: server.url and "components/Title.jsx:1" in server.output())
    api = until(lambda: (r := get(server.url + "/api/hello")) is not None and r.status_code == 200 and r)
    assert api.json() == {"hello": "world"}
    home = httpx.get(server.url + "/", headers=HTML, timeout=20)
    assert home.status_code == 500 and "components/Title.jsx:1" in home.text
    page.page.goto(server.url + "/")
    page.page.locator("#pyxle-dev-overlay").wait_for(timeout=15000)
    (project / "components" / "Title.jsx").write_text("export default function Title() { return <b>title</b> }\n")
    page.page.get_by_test_id("home").wait_for(timeout=20000)
    assert page.page.get_by_test_id("home").inner_text() == "title"


def test_dev_still_stops_on_an_invalid_config(make_project, start_server) -> None:
    """A config error stops start-up as docs/configuration.md says, with a page broken or not."""
    project = make_project({**FILES, "pages/notes.pyxl": BROKEN["python"][0],
                            "pyxle.config.json": '{"debug": "yes"}'}, node=True)
    server = start_server(project, "dev", ready=False)
    assert server.wait_exit() == 1
    assert "pyxle.config.json" in server.output()


def test_another_tab_shows_the_broken_page_in_an_overlay_it_can_dismiss(make_project, start_server,
                                                                       page: PageWatch) -> None:
    """The tab on a page that builds is told of the save that broke another (as Vite tells every
    tab), and can dismiss it and go on: its page keeps serving, and its own edits apply."""
    counter = ("import { useState } from 'react'\n\nexport default function Home() {\n"
               "  const [n, setN] = useState(0)\n"
               '  return <button data-testid="home" onClick={() => setN(n + 1)}>home {n}</button>\n}\n')
    project = make_project({**FILES, "pages/index.pyxl": counter}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_test_id("home").click()
    (project / "pages" / "notes.pyxl").write_text(BROKEN["typo"][0])
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="pages/notes.pyxl:1: NameError").wait_for(timeout=20000)
    assert "(click or press Escape to dismiss)" in overlay.inner_text()
    page.page.keyboard.press("Escape")
    overlay.wait_for(state="detached", timeout=5000)
    (project / "pages" / "index.pyxl").write_text(counter.replace("home {n}", "edited {n}"))
    page.page.get_by_text("edited 1").wait_for(timeout=20000)  # applied in place, its state kept
    assert page.page.locator("#pyxle-dev-overlay").count() == 0  # dismissed stays dismissed
    (project / "pages" / "notes.pyxl").write_text(NOTES)
    until(lambda: httpx.get(server.url + "/notes", timeout=20).status_code == 200)


@cites("docs/getting-started.md", "such a Form in a layout breaks the pages under it")
def test_a_layouts_form_typo_breaks_the_pages_it_wraps_alone(make_project, start_server) -> None:
    """A layout's ``<Form action>`` naming no action breaks the pages under it (their overlay names
    the layout's line); the pages outside it and the API routes serve."""
    layout = ("import { Form } from 'pyxle/client'\n\n"
              "export default function Blog({ children }) {\n"
              '  return <main><Form action="subscribe"><button>go</button></Form>{children}</main>\n}\n')
    files = {**FILES, "pages/blog/layout.pyxl": layout,
             "pages/blog/post.pyxl": "export default function Post() { return <p>post</p> }\n"}
    project = make_project(files, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    post = httpx.get(server.url + "/blog/post", headers=HTML, timeout=20)
    assert post.status_code == 500, post.text[:300]
    assert "pages/blog/layout.pyxl:4:16: <Form action=\"subscribe\">" in html.unescape(post.text), post.text[:800]
    healthy(server)
    assert httpx.get(server.url + "/readyz", timeout=20).json()["checks"]["pages"] == {
        "ok": False, "broken": ["pages/blog/post.pyxl"]}
