"""A status no answer can have (``(data, 999)``, ``(data, True)``, a ``Response`` or an ``HTTPException``
with one) from a page's loader or action, on a real `pyxle serve` and `pyxle dev`: a 500 naming the
file, with the nearest ``error.pyxl`` and the navigation JSON (docs/pages.md). Before, the edge
refused the status after the page's error handling: a bare JSON 500 naming no page. And every
answer of a page URL under `pyxle dev` says ``Vary: x-pyxle-navigation``, as under `pyxle serve`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

NAV = {"x-pyxle-navigation": "1"}
HTML = {"accept": "text/html"}
ALLOWED = "which is not an HTTP status for an answer: it must be an int from 200 to 599"

ODD = '''
from http import HTTPStatus
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

STATUSES = {"999": 999, "600": 600, "100": 100, "199": 199, "true": True}

@server
async def load(request):
    kind = request.path_params["kind"]
    if kind == "response":
        return Response("odd", status_code=999)
    if kind == "http":
        raise HTTPException(999, "odd")
    if kind == "accepted":  # an int enum, as Starlette takes it
        return ({"kind": kind}, HTTPStatus.ACCEPTED)
    if kind == "gone":
        raise LoaderError("gone", status_code=HTTPStatus.GONE)
    return ({"kind": kind}, STATUSES.get(kind, 200))

@action
async def act(request):
    kind = (await request.json())["kind"]
    if kind == "response":
        return JSONResponse({"odd": True}, status_code=600)
    if kind == "http":
        raise HTTPException(150, "odd")
    return {"kind": kind}

export default function Odd({ data }) { return <p id="odd">{data.kind}</p> }
'''

ODD_ERROR = '''
export default function OddError({ data }) { return <p id="odd-error">{data.statusCode}: {data.type}</p> }
'''

FILES = {
    "pages/index.pyxl": 'export default function Home() { return <p id="home">home</p> }\n',
    "pages/odd/[kind].pyxl": ODD,
    "pages/odd/error.pyxl": ODD_ERROR,
    "pages/api/created.py": (
        "from http import HTTPStatus\nfrom starlette.responses import JSONResponse\n\n"
        "async def post(request):\n    return JSONResponse({'made': True}, status_code=HTTPStatus.CREATED)\n"),
    "pages/throws.pyxl": "export default function Throws() { throw new Error('thrown while rendering') }\n",
}

# kind -> what the log says the loader did
LOADER_KINDS = {
    "999": "returned status 999", "600": "returned status 600", "100": "returned status 100",
    "199": "returned status 199", "true": "returned status True",
    "response": "returned a Response with status 999", "http": "raised HTTPException with status 999",
}
ACTION_KINDS = {"response": "returned a JSONResponse with status 600", "http": "raised HTTPException with status 150"}


@pytest.fixture(scope="module", params=["serve", "dev"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    command = request.param
    project = write_project(tmp_path_factory.mktemp(f"statuses-{command}") / "app", FILES)
    with serving(project, command=command, env={"PYXLE_SECRET_KEY": "s" * 40}) as server:
        yield server, command


def _shown(text: str, element_id: str) -> str | None:
    """The text of the server-rendered element with that id (React's ``<!-- -->`` separators dropped)."""
    found = re.search(rf'id="{element_id}">(.*?)<', text.replace("<!-- -->", ""))
    return found.group(1) if found else None


def _varies(response: httpx.Response) -> bool:
    return "x-pyxle-navigation" in response.headers.get("vary", "")


@cites("docs/pages.md", "(a 500 with the nearest\n  `error.pyxl`), e.g. `pages/odd.pyxl: loader load() returned status 999, which is not an HTTP\n  status for an answer: it must be an int from 200 to 599`")
@cites("docs/pages.md", "A status outside that (`(data, 999)`, `(data, True)`), or on a `Response` the loader returns or an\n  `HTTPException` it raises, is a server error naming the page")
@pytest.mark.parametrize("kind", list(LOADER_KINDS))
def test_a_loader_status_no_answer_can_have_renders_the_nearest_error_page_and_names_the_page(
        app: tuple[Server, str], kind: str) -> None:
    server, command = app
    crash = "ServerError" if command == "serve" else "LoaderCrashError"
    doc = httpx.get(f"{server.url}/odd/{kind}", headers=HTML, timeout=30)
    assert doc.status_code == 500 and doc.headers["content-type"].startswith("text/html"), doc.text
    assert _shown(doc.text, "odd-error") == f"500: {crash}" and _varies(doc)
    named = f"pages/odd/[kind].pyxl: loader load() {LOADER_KINDS[kind]}, {ALLOWED}"
    server.wait_for_output(f"[{doc.headers['x-request-id']}]: Unhandled error in a loader or HEAD of pages/odd/[kind].pyxl")
    server.wait_for_output(named)
    nav = httpx.get(f"{server.url}/odd/{kind}", headers=NAV, timeout=30)
    assert nav.status_code == 500 and nav.headers["content-type"] == "application/json" and _varies(nav)
    body = nav.json()
    assert (body["ok"], body["routePath"], body["error"]["statusCode"], body["error"]["type"]) == (
        False, f"/odd/{kind}", 500, crash)
    assert body["error"]["message"] == ("Internal Server Error" if command == "serve" else f"LoaderResultError: {named}")
    assert "invalid HTTP status" not in server.output()  # never the edge's refusal
    assert httpx.get(f"{server.url}/odd/fine", timeout=30).status_code == 200


@cites("docs/pages.md", "A status that is not an int from 200 to 599 (on a `Response` it returns or an\n  `HTTPException` it raises) is answered as an unhandled exception is")
@pytest.mark.parametrize("kind", list(ACTION_KINDS))
def test_an_action_status_no_answer_can_have_is_its_500_naming_the_action(app: tuple[Server, str], kind: str) -> None:
    server, command = app
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/")
        token = client.cookies["pyxle-csrf"]
        fetched = client.post("/api/__actions/odd/x/act", json={"kind": kind},
                              headers={"x-csrf-token": token, "accept": "application/json"})
        posted = client.post("/api/__actions/odd/x/act", data={"kind": kind, "_csrf_token": token},
                             headers={**HTML, "origin": server.url, "referer": f"{server.url}/odd/x"})
    assert fetched.status_code == 500, fetched.text
    named = f"action act() of page 'odd/[kind]' {ACTION_KINDS[kind]}, {ALLOWED}"
    body = fetched.json()
    assert (body["ok"], body["error"]) == (False, "Internal Server Error" if command == "serve" else f"TypeError: {named}")
    server.wait_for_output(f"[{fetched.headers['x-request-id']}]: Unhandled error in action act() of page 'odd/[kind]'")
    server.wait_for_output(named)
    # a form posted without JavaScript: the page's error page, as for any action that failed
    assert posted.status_code == 500 and posted.headers["content-type"].startswith("text/html"), posted.text
    assert _shown(posted.text, "odd-error") == ("500: ServerError" if command == "serve" else "500: ActionCrashError")
    assert "invalid HTTP status" not in server.output()


@cites("docs/pages.md", "Responses carry `Vary: x-pyxle-navigation`, since one URL answers HTML or JSON")
@pytest.mark.parametrize("app", ["dev"], indirect=True)
def test_the_dev_overlay_of_a_page_that_throws_says_vary(app: tuple[Server, str]) -> None:
    server, _ = app
    overlay = httpx.get(server.url + "/throws", headers=HTML, timeout=30)
    assert overlay.status_code == 500 and 'id="pyxle-dev-error"' in overlay.text, overlay.text
    assert "thrown while rendering" in overlay.text and _varies(overlay)


@cites("docs/pages.md", "Responses carry `Vary: x-pyxle-navigation`, since one URL answers HTML or JSON")
def test_a_broken_projects_answers_to_a_page_url_under_dev_say_vary(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": FILES["pages/index.pyxl"]}, node=True)
    server = start_server(project, "dev")
    (project / "pages" / "index.pyxl").write_text("@server\nasync def load(request)\n    return {}\n")
    deadline = time.monotonic() + 30
    while (page := httpx.get(server.url + "/", headers=HTML, timeout=20)).status_code != 500:
        assert time.monotonic() < deadline, "the broken page was not picked up"
        time.sleep(0.2)
    assert 'id="pyxle-dev-error"' in page.text and _varies(page)
    nav = httpx.get(server.url + "/", headers=NAV, timeout=20)
    assert nav.status_code == 500 and nav.json()["error"] == "Build failed" and _varies(nav)


@cites("docs/api-routes.md", "or\n  `status_code=HTTPStatus.NOT_FOUND` (members of `http.HTTPStatus` are statuses too)")
@cites("docs/pages.md", "(or a member of `http.HTTPStatus`, such as `HTTPStatus.ACCEPTED`)")
def test_http_status_enum_members_are_statuses_as_starlette_takes_them(app: tuple[Server, str]) -> None:
    """`HTTPStatus.CREATED` from an API route's `JSONResponse`, a loader's `(data, HTTPStatus.ACCEPTED)`
    and `LoaderError(..., status_code=HTTPStatus.GONE)`: the edge and `LoaderError` refused any int
    that was not exactly `int`, so each was a 500 (or a `ValueError` on the page's line)."""
    server, _ = app
    created = httpx.post(server.url + "/api/created", timeout=30)
    assert (created.status_code, created.json()) == (201, {"made": True})
    accepted = httpx.get(server.url + "/odd/accepted", headers=HTML, timeout=30)
    assert accepted.status_code == 202 and _shown(accepted.text, "odd") == "accepted"
    assert httpx.get(server.url + "/odd/accepted", headers=NAV, timeout=30).status_code == 202
    gone = httpx.get(server.url + "/odd/gone", headers=HTML, timeout=30)
    assert gone.status_code == 410 and _shown(gone.text, "odd-error") == "410: LoaderError"
    assert "invalid HTTP status" not in server.output() and "status_code must be" not in server.output()
