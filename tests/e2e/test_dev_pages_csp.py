"""`pyxle dev`'s own pages under the docs' Content-Security-Policy (`default-src 'self'`), and a
refused settings edit in the open browser tab. The dev error page and the built-in error pages
write an inline script of their own (the live-reload client); each carries a nonce its answer's
policy names, as a rendered page's scripts do. Without it Chromium refused the script: the error
page never reloaded itself once the file was fixed. A real `pyxle dev`, edits on disk, Chromium."""

from __future__ import annotations

import json
import re

import httpx

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e.test_dev_config_reload import FUSSY_PLUGIN  # a plugin that refuses a setting

POLICY = "default-src 'self'"
CONFIG = json.dumps({"securityHeaders": {"Content-Security-Policy": POLICY}})
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{22})'")
HOME = "export default function Home() { return <h1>{LABEL}</h1> }\n"
BROKEN = "@server\nasync def load(request)\n    return {}\n\nexport default function Home() { return null }\n"
THROWS = "export default function Home() { throw new Error('home broke') }\n"


def _home(label: str) -> str:
    return HOME.replace("{LABEL}", label)


def _refused(page: PageWatch) -> list[tuple[str, str]]:
    """What the console said of a refused script: Chromium names the Content Security Policy."""
    return [problem for problem in page.problems() if "Content Security Policy" in problem[1]]


def _carries_its_nonce(answer: httpx.Response) -> None:
    found = NONCE.search(answer.headers["content-security-policy"])
    assert found and answer.headers["content-security-policy"] == f"{POLICY} 'nonce-{found.group(1)}'"
    inline = re.findall(r"<script( [^>]*)?>(?!</script>)", answer.text)
    assert inline and all(f'nonce="{found.group(1)}"' in attributes or 'type="application/json"' in attributes
                          for attributes in inline), inline


@cites("docs/security.md", "`pyxle dev`'s error page and Pyxle's built-in error pages")
@cites("docs/security.md", "so the overlay shows and the page reloads itself once the\nfile is fixed")
def test_the_dev_error_page_runs_under_the_policy_and_reloads_itself_once_the_file_is_fixed(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": _home("first"), "pyxle.config.json": CONFIG}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    (project / "pages" / "index.pyxl").write_text(BROKEN)
    server.wait_for_output("pages/index.pyxl does not build", timeout=30)
    page.page.goto(server.url + "/")
    overlay = page.page.locator("#pyxle-dev-overlay")  # drawn by the page's script: it ran
    overlay.filter(has_text="pages/index.pyxl:2").wait_for(timeout=10000)
    assert _refused(page) == []
    answers = [httpx.get(server.url + "/", headers={"accept": "text/html"}, timeout=30) for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 500 and 'id="pyxle-dev-error"' in answer.text
        _carries_its_nonce(answer)
    assert answers[0].headers["content-security-policy"] != answers[1].headers["content-security-policy"]

    (project / "pages" / "index.pyxl").write_text(_home("fixed"))
    page.page.get_by_role("heading", name="fixed").wait_for(timeout=15000)  # the page reloaded itself
    assert page.page.locator("#pyxle-dev-overlay").count() == 0
    assert _refused(page) == []


def test_the_dev_render_error_page_runs_under_the_policy_and_reloads_itself_once_fixed(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": THROWS, "pyxle.config.json": CONFIG}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.page.locator("#pyxle-dev-overlay").filter(has_text="home broke").wait_for(timeout=10000)
    assert _refused(page) == []
    answer = httpx.get(server.url + "/", timeout=30)
    assert answer.status_code == 500 and "home broke" in answer.text
    _carries_its_nonce(answer)
    (project / "pages" / "index.pyxl").write_text(_home("mended"))
    page.page.get_by_role("heading", name="mended").wait_for(timeout=15000)
    assert _refused(page) == []


def test_the_built_in_not_found_page_runs_under_the_policy_and_shows_the_page_once_created(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": _home("home"), "pyxle.config.json": CONFIG}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    with page.page.expect_request("**/__pyxle/events", timeout=15000):  # the live-reload client ran
        page.page.goto(server.url + "/about")
    assert _refused(page) == []
    answer = httpx.get(server.url + "/about", timeout=30)
    assert answer.status_code == 404
    _carries_its_nonce(answer)
    (project / "pages" / "about.pyxl").write_text(_home("About us"))
    page.page.get_by_role("heading", name="About us").wait_for(timeout=15000)
    assert _refused(page) == []


def test_without_a_policy_the_dev_pages_carry_no_nonce(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": THROWS}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    for path in ("/", "/about"):
        answer = httpx.get(server.url + path, timeout=30)
        assert answer.status_code in (404, 500)
        assert "content-security-policy" not in answer.headers and "nonce" not in answer.text
        assert "/__pyxle/events" in answer.text


LANG = "export default function Home() { return <h1 id=\"home\">home</h1> }\n"


@cites("docs/getting-started.md", "The report also shows in the open browser tabs as the error\noverlay")
def test_a_refused_config_edit_shows_in_the_open_tab_and_goes_away_once_fixed(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": LANG, "pyxle.config.json": '{"lang": "fr"}'}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    config = project / "pyxle.config.json"
    config.write_text('{"debug": tru')
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="invalid JSON at line 1, column 11").wait_for(timeout=20000)
    shown = overlay.text_content() or ""
    assert "pyxle.config.json not applied, the server keeps its last good configuration" in shown
    assert f"{config}: invalid JSON at line 1, column 11: Expecting value" in shown  # as the log names it
    page.page.reload()  # a page loaded meanwhile shows it too: the old app, under the overlay
    overlay.filter(has_text="invalid JSON").wait_for(timeout=10000)
    assert page.page.locator("#home").count() == 1

    config.write_text('{"lang": "de"}')
    page.page.wait_for_function("document.documentElement.lang === 'de'", timeout=40000)
    page.hydrated()
    assert page.page.locator("#pyxle-dev-overlay").count() == 0


def _plugged(mood: str) -> str:
    return json.dumps({"plugins": [{"name": "fussy", "module": "fussy", "attribute": "Fussy",
                                    "settings": {"mood": mood}}]})


@cites("docs/getting-started.md", "until an edit is applied or puts the settings back as they were")
def test_a_config_edit_a_plugin_refuses_shows_in_the_open_tab_until_it_is_undone(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": LANG, "fussy.py": FUSSY_PLUGIN,
                            "pyxle.config.json": _plugged("fine")}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "pyxle.config.json").write_text(_plugged("grumpy"))
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="mood must be 'fine', not 'grumpy'").wait_for(timeout=40000)
    (project / "pyxle.config.json").write_text(json.dumps(json.loads(_plugged("fine")), indent=2))  # as it was
    server.wait_for_output("pyxle.config.json: no setting changed", timeout=40)  # the same worker serves on
    overlay.wait_for(state="detached", timeout=20000)
    page.hydrated()
    assert page.page.locator("#home").count() == 1
    assert "applied the new" not in server.output()



LOADER_FAILS = '''
from starlette.exceptions import HTTPException

@server
async def load(request):
    raise HTTPException(500, "the loader is down")

export default function Home() { return <h1>never</h1> }
'''


@cites("docs/security.md", "(the `404` and `500`\npages shown without a `not-found.pyxl` or `error.pyxl`) get one too when they carry a script (the\n"
       "live-reload client, in `pyxle dev`)")
def test_the_built_in_error_page_runs_under_the_policy_and_shows_the_page_once_fixed(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": LOADER_FAILS, "pyxle.config.json": CONFIG}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    with page.page.expect_request("**/__pyxle/events", timeout=15000):  # the live-reload client ran
        page.page.goto(server.url + "/")
    assert _refused(page) == []
    answer = httpx.get(server.url + "/", timeout=30)
    assert answer.status_code == 500 and "<title>500 · the loader is down</title>" in answer.text
    assert 'id="pyxle-dev-error"' not in answer.text  # Pyxle's built-in page, not the dev error page
    _carries_its_nonce(answer)
    (project / "pages" / "index.pyxl").write_text(_home("loaded"))
    page.page.get_by_role("heading", name="loaded").wait_for(timeout=15000)
    assert _refused(page) == []
