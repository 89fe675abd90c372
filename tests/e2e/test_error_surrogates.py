"""A lone surrogate (half an emoji, as JavaScript's ``.slice()`` leaves it) in an error's text, on a
real `pyxle serve` and `pyxle dev`: every error answer is still the one the app meant, with the
surrogate escaped in JSON (``\\ud83d``) and as U+FFFD in HTML and URLs (docs/pages.md). Before,
the answer's UTF-8 encoding failed after the error was handled: a bare 500 instead."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, serving, write_project

NAV = {"x-pyxle-navigation": "1"}
FORM = {"accept": "text/html", "content-type": "application/x-www-form-urlencoded"}

FILES = {
    "pages/index.pyxl": """
export default function Home() { return <p id="home">home</p> }
""",
    "pages/boom.pyxl": """
@server
async def load(request):
    raise LoaderError("half \\ud83d", status_code=404, data={"why": "x \\ud83d"})

export default function Boom({ data }) { return <p>boom</p> }
""",
    "pages/crash.pyxl": """
@server
async def load(request):
    raise RuntimeError("broken \\ud800")

@action
async def fail(request):
    raise RuntimeError("act \\ud800")

export default function Crash({ data }) { return <p>crash</p> }
""",
    "pages/refused.pyxl": """
@server
async def load(request):
    return {"problem": request.query_params.get("pyxle-action-error", "")}

@action
async def refuse(request):
    raise ActionError("nope \\ud83d")

export default function Refused({ data, action }) { return <p>{data.problem} / {action.error}</p> }
""",
    "pages/api/bad.py": """
from starlette.exceptions import HTTPException

async def get(request):
    raise RuntimeError("api \\ud800")

async def post(request):
    raise HTTPException(409, "taken \\ud83d")
""",
}


def _server(root: Path, command: str) -> Iterator[Server]:
    with serving(write_project(root, FILES), command=command, env={"PYXLE_SECRET_KEY": "s" * 40}) as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory.mktemp("surrogates") / "app", "serve")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory.mktemp("surrogates-dev") / "app", "dev")


@contextmanager
def _client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """A client holding the CSRF cookie, and the header that sends its token."""
    with httpx.Client(base_url=server.url, timeout=20) as client:
        client.get("/")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"], "origin": server.url}


def test_a_loader_error_with_a_lone_surrogate_answers_the_builtin_404_page_with_u_fffd(served: Server) -> None:
    r = httpx.get(served.url + "/boom", timeout=20)
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "<title>404 · half \ufffd</title>" in r.text and "<p>half \ufffd</p>" in r.text
    assert '"half \\ud83d"' in r.text and '"x \\ud83d"' in r.text  # the page's props keep the escape
    nav = httpx.get(served.url + "/boom", headers=NAV, timeout=20)
    assert nav.status_code == 404 and '"half \\ud83d"' in nav.text
    assert nav.json()["error"]["message"] == "half \ud83d"


def test_an_http_exception_with_a_lone_surrogate_answers_its_status_with_the_json_escape(served: Server) -> None:
    r = httpx.post(served.url + "/api/bad", timeout=20)
    assert r.status_code == 409, r.text
    assert r.text == '{"error":"taken \\ud83d"}'


def test_a_form_posts_action_error_with_a_lone_surrogate_shows_the_page_with_u_fffd(served: Server) -> None:
    with _client(served) as (client, headers):
        r = client.post("/api/__actions/refused/refuse", content="a=b",
                        headers={**headers, **FORM, "referer": served.url + "/refused"})
    assert r.status_code == 400, r.text
    assert "<p>nope \ufffd / nope \ufffd</p>" in r.text.replace("<!-- -->", "")  # the loader's query and the prop


def test_dev_shows_a_loaders_exception_with_a_lone_surrogate_on_the_error_page(dev: Server) -> None:
    r = httpx.get(dev.url + "/crash", timeout=20)
    assert r.status_code == 500, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "<p>RuntimeError: broken \ufffd</p>" in r.text and "<pre>Traceback" in r.text
    nav = httpx.get(dev.url + "/crash", headers=NAV, timeout=20)
    assert nav.status_code == 500 and nav.json()["error"]["message"] == "RuntimeError: broken \ud800"


def test_dev_answers_an_api_routes_exception_with_a_lone_surrogate_as_json_500(dev: Server) -> None:
    r = httpx.get(dev.url + "/api/bad", timeout=20)
    assert r.status_code == 500, r.text
    assert r.headers["content-type"] == "application/json"
    assert '"exception":"RuntimeError: api \\ud800"' in r.text
    body = r.json()
    assert body["error"] == "Internal Server Error" and body["traceback"][-1] == "RuntimeError: api \ud800\n"
    assert "Application callable raised an exception" not in dev.output()


def test_dev_answers_an_actions_exception_with_a_lone_surrogate_as_json_500(dev: Server) -> None:
    with _client(dev) as (client, headers):
        r = client.post("/api/__actions/crash/fail", json={}, headers=headers)
    assert r.status_code == 500, r.text
    body = r.json()
    assert body["ok"] is False and body["exception"] == "RuntimeError: act \ud800"
    assert '"RuntimeError: act \\ud800"' in r.text
    dev.wait_for_output("Unhandled error in action fail()")
    assert "Unhandled error in POST" not in dev.output()  # answered by the action's net, not the edge's


def test_dev_shows_an_import_error_with_a_lone_surrogate_on_the_overlay(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": FILES["pages/index.pyxl"]}, node=True)
    server = start_server(project, "dev")
    (project / "pages" / "api").mkdir()
    (project / "pages" / "api" / "broken.py").write_text('raise RuntimeError("import \\ud800")\n')
    deadline = time.monotonic() + 30
    while (page := httpx.get(server.url + "/", headers={"accept": "text/html"}, timeout=20)).status_code != 500:
        assert time.monotonic() < deadline, "the broken module was not picked up"
        time.sleep(0.2)
    assert page.headers["content-type"].startswith("text/html")
    assert "RuntimeError while importing: import \ufffd" in page.text and 'id="pyxle-dev-error"' in page.text
    api = httpx.get(server.url + "/api/anything", timeout=20)
    assert api.status_code == 500 and api.json()["error"] == "Build failed"
    assert "RuntimeError while importing: import \\ud800" in api.text
