"""Faults inside a page's loader, an action or an API route, answered by Pyxle on a real `pyxle serve`:
data JSON carries only as an escape (a lone surrogate), an `HTTPException` from a loader, exceptions
that are not `Exception`s, and data JSON cannot carry at all (a huge int, lists nested 5,000 deep)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

NAV = {"x-pyxle-navigation": "1"}

COMMENTS = '''
COMMENTS = []

@server
async def load(request):
    return {"comments": COMMENTS}

@action
async def add(request):
    body = await request.json()
    COMMENTS.append(str(body.get("text", "")))
    return {"count": len(COMMENTS)}

@action
async def echo(request):
    return {"text": (await request.json())["text"]}

export default function Comments({ data }) {
  return <ul id="comments">{data.comments.map((c, i) => <li key={i}>{c}</li>)}</ul>
}
'''

ECHO_API = '''
async def post(request):
    return {"text": (await request.json())["text"]}
'''

GUARDED = '''
from starlette.exceptions import HTTPException

@server
async def load(request):
    kind = request.path_params["kind"]
    if kind == "missing":
        raise HTTPException(status_code=404)
    if kind == "lost":
        raise LoaderError("Post not found", status_code=404, data={"slug": kind})
    if kind == "members":
        raise HTTPException(403, "Members only", headers={"x-why": "members"})
    if kind == "teapot":
        raise HTTPException(418, "No coffee here")
    return {"kind": kind}

export default function Guarded({ data }) { return <p id="guarded">{data.kind}</p> }
'''

MEMBERS_API = '''
from starlette.exceptions import HTTPException

async def get(request):
    raise HTTPException(403, "Members only")
'''

GUARDED_ERROR = '''
export default function GuardedError({ data }) {
  return <p id="guarded-error">{data.statusCode}: {data.message}</p>
}
'''

GUARDED_NOT_FOUND = '''
export default function GuardedNotFound({ data }) {
  return <p id="guarded-not-found">{data.statusCode}: {data.message}</p>
}
'''

LINKS = '''
import { Link } from 'pyxle/client'

export default function Links() {
  return <p><Link id="to-members" href="/guarded/members">members</Link> <Link id="to-open" href="/guarded/open">open</Link></p>
}
'''

# What a loader, an action or an API route may raise that is not an Exception.
RAISERS = '''
import asyncio
import sys


class MyBase(BaseException):
    pass


def fail(kind):
    if kind == "cancelled":
        raise asyncio.CancelledError()
    if kind == "interrupt":
        raise KeyboardInterrupt()
    if kind == "exit":
        sys.exit(3)
    if kind == "custom":
        raise MyBase("secret base detail 5150")
    if kind == "generator-exit":
        raise GeneratorExit("secret close detail 5150")
'''

FAULTY = '''
from raisers import fail

@server
async def load(request):
    fail(request.path_params["kind"])
    return {"kind": request.path_params["kind"]}

export default function Faulty({ data }) { return <p>{data.kind}</p> }
'''

ACTS = '''
from raisers import fail

@action
async def act(request):
    fail((await request.json())["kind"])
    return {}

export default function Acts() { return <p>acts</p> }
'''

FAULTY_API = '''
from raisers import fail

async def get(request):
    fail(request.path_params["kind"])
    return {}
'''

ERROR = '''
export default function RootError({ data }) {
  return <p id="error-page">{data.statusCode}: {data.message}</p>
}
'''

HUGE = '''
@server
async def load(request):
    return {"value": 10**5000}

export default function Huge({ data }) { return <p>{String(data.value)}</p> }
'''

DEEP = '''
@server
async def load(request):
    nested = []
    for _ in range(int(request.query_params.get("depth", "5000"))):
        nested = [nested]
    return {"tree": nested}

export default function Deep({ data }) { return <p id="deep">deep</p> }
'''

FILES = {
    "raisers.py": RAISERS,
    "pages/deep.pyxl": DEEP,
    "pages/index.pyxl": "export default function Home() { return <p>home</p> }\n",
    "pages/error.pyxl": ERROR,
    "pages/comments.pyxl": COMMENTS,
    "pages/links.pyxl": LINKS,
    "pages/guarded/[kind].pyxl": GUARDED,
    "pages/guarded/error.pyxl": GUARDED_ERROR,
    "pages/guarded/not-found.pyxl": GUARDED_NOT_FOUND,
    "pages/faulty/[kind].pyxl": FAULTY,
    "pages/acts.pyxl": ACTS,
    "pages/huge.pyxl": HUGE,
    "pages/titled.pyxl": """
def HEAD(data):
    return f"<title>{data['title']}</title>"

@server
async def load(request):
    return {"title": "hi \\ud83d there"}

export default function Titled({ data }) { return <p id="titled">{data.title}</p> }
""",
    "pages/api/echo.py": ECHO_API,
    "pages/api/starlette_echo.py": """
from starlette.responses import JSONResponse

async def post(request):
    return JSONResponse(await request.json())
""",
    "pages/api/typed_echo.py": """
from pydantic import BaseModel

class Note(BaseModel):
    text: str

async def post(request, note: Note):
    return {"text": note.text}
""",
    "pages/api/members.py": MEMBERS_API,
    "pages/api/faulty/[kind].py": FAULTY_API,
}

# Python 3.10 has no Task.cancelling(), so it cannot tell a raised CancelledError from a cancellation.
BASES = [pytest.param("cancelled", marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="Python 3.11+")),
         "interrupt", "exit", "custom", "generator-exit"]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("faults") / "app", FILES),
                 env={"PYXLE_SECRET_KEY": "f" * 40}) as server:
        yield server


@contextmanager
def _client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.get("/")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"], "content-type": "application/json"}


def _shown(html: str, element_id: str) -> str | None:
    """The text of the server-rendered element with that id (React's ``<!-- -->`` separators dropped)."""
    found = re.search(rf'id="{element_id}">(.*?)<', html.replace("<!-- -->", ""))
    return found.group(1) if found else None


# A JSON body whose string holds half of an emoji, as JavaScript's "hi 😀".slice(0, 4) leaves it.
LONE = b'{"text": "hi \\ud83d"}'


# -- a lone surrogate in data -------------------------------------------------------------------------


def test_a_lone_surrogate_in_loader_data_is_sent_as_its_json_escape(app: Server) -> None:
    with _client(app) as (client, headers):
        assert client.post("/api/__actions/comments/add", content=LONE, headers=headers).status_code == 200
    page = httpx.get(app.url + "/comments")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '"hi \\ud83d"' in page.text  # in the page's props, as JSON.stringify writes it
    assert '<li>hi \ufffd</li>' in page.text  # the server's render: HTML cannot carry it, browsers show U+FFFD
    nav = httpx.get(app.url + "/comments", headers=NAV)
    assert nav.status_code == 200 and "x-pyxle-navigation" in nav.headers["vary"]
    assert '"hi \\ud83d"' in nav.text and nav.json()["props"]["data"]["comments"][-1] == "hi \ud83d"


def test_a_lone_surrogate_put_into_the_head_by_head_data_is_shown_as_a_replacement_character(app: Server) -> None:
    page = httpx.get(app.url + "/titled")
    assert page.status_code == 200 and "<title>hi \ufffd there</title>" in page.text
    nav = httpx.get(app.url + "/titled", headers=NAV)
    assert nav.status_code == 200 and "<title>hi \ufffd there</title>" in nav.json()["headMarkup"]


def test_a_page_with_a_lone_surrogate_in_its_data_hydrates_in_the_browser(app: Server, page: PageWatch) -> None:
    with _client(app) as (client, headers):
        client.post("/api/__actions/comments/add", content=LONE, headers=headers)
    page.page.goto(app.url + "/comments")
    page.hydrated()
    # The server's HTML has U+FFFD where the data has half an emoji, so React reports the text as a
    # hydration mismatch and renders the page again in the browser, from the data as it was sent.
    last = "[...document.querySelectorAll('#comments li')].pop().textContent"
    page.page.wait_for_function(f"{last} !== 'hi \\ufffd'", timeout=10000)
    assert page.page.evaluate(f"{last}.charCodeAt(3).toString(16)") == "d83d"
    assert [text for kind, text in page.problems() if "hydration mismatch" in text]


def test_an_action_and_an_api_route_answer_a_lone_surrogate_as_its_json_escape(app: Server) -> None:
    with _client(app) as (client, headers):
        action = client.post("/api/__actions/comments/echo", content=LONE, headers=headers)
        api = client.post("/api/echo", content=LONE, headers=headers)
    assert action.status_code == 200 and '"hi \\ud83d"' in action.text and action.json()["text"] == "hi \ud83d"
    assert api.status_code == 200 and '"hi \\ud83d"' in api.text and api.json() == {"text": "hi \ud83d"}


@cites("docs/api-routes.md", "`request.json()` gives it as\n  Python's `json` module does, as the string `\"hi \\ud83d\"`")
@cites("docs/api-routes.md", "Starlette's `JSONResponse` cannot encode it, so a\n  handler that echoes it through one answers `500`")
@cites("docs/api-routes.md", "which refuses it (`422`, invalid JSON)")
def test_a_lone_surrogate_in_a_json_body_reaches_the_handler_and_only_a_dict_answer_can_carry_it(app: Server) -> None:
    api = httpx.post(app.url + "/api/echo", content=LONE)
    assert api.status_code == 200 and api.json() == {"text": "hi \ud83d"}
    starlette = httpx.post(app.url + "/api/starlette_echo", content=LONE)
    assert starlette.status_code == 500 and starlette.json() == {"error": "Internal Server Error"}
    typed = httpx.post(app.url + "/api/typed_echo", content=LONE)
    assert typed.status_code == 422 and "Invalid JSON" in str(typed.json()["fields"]), typed.text


# -- HTTPException in a loader ---------------------------------------------------------------------------


def test_a_loader_raising_http_exception_404_renders_the_nearest_not_found_page(app: Server) -> None:
    r = httpx.get(app.url + "/guarded/missing")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert _shown(r.text, "guarded-not-found") == "404: Not Found"
    assert "x-pyxle-navigation" in r.headers["vary"]
    nav = httpx.get(app.url + "/guarded/missing", headers=NAV)
    body = nav.json()
    assert nav.status_code == 404 and {key: body[key] for key in ("ok", "routePath", "error")} == {
        "ok": False, "routePath": "/guarded/missing",
        "error": {"message": "Not Found", "statusCode": 404, "data": {}, "type": "HTTPException"}}
    assert body["page"]["id"] == "guarded/not-found"  # the not-found page the router shows in place


@cites("docs/pages.md", "A `LoaderError` goes to `error.pyxl` whatever its status, as in 0.9: for Next.js's `notFound()`")
def test_a_loader_error_404_renders_the_nearest_error_page_and_http_exception_404_the_not_found_page(app: Server) -> None:
    lost = httpx.get(app.url + "/guarded/lost")
    assert lost.status_code == 404 and _shown(lost.text, "guarded-error") == "404: Post not found"
    assert _shown(lost.text, "guarded-not-found") is None
    nav = httpx.get(app.url + "/guarded/lost", headers=NAV).json()
    assert nav["error"]["type"] == "LoaderError" and nav["error"]["data"] == {"slug": "lost"}
    assert nav["page"]["id"] == "guarded/error"
    assert _shown(httpx.get(app.url + "/guarded/missing").text, "guarded-not-found") == "404: Not Found"


def test_a_loader_raising_http_exception_renders_the_nearest_error_page_with_its_status_and_detail(app: Server) -> None:
    r = httpx.get(app.url + "/guarded/members")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert _shown(r.text, "guarded-error") == "403: Members only"
    assert r.headers["x-why"] == "members"  # the exception's headers (WWW-Authenticate, Retry-After) stay
    nav = httpx.get(app.url + "/guarded/members", headers=NAV)
    assert nav.status_code == 403 and nav.headers["x-why"] == "members"
    assert nav.json()["error"] == {"message": "Members only", "statusCode": 403, "data": {},
                                      "type": "HTTPException"}
    assert nav.json()["ok"] is False and nav.json()["routePath"] == "/guarded/members"
    teapot = httpx.get(app.url + "/guarded/teapot")
    assert teapot.status_code == 418 and _shown(teapot.text, "guarded-error") == "418: No coffee here"
    api = httpx.get(app.url + "/api/members")  # an API route keeps its JSON answer
    assert api.status_code == 403 and api.json() == {"error": "Members only"}


def test_a_link_to_a_page_whose_loader_raises_http_exception_shows_its_error_page(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/links")
    page.hydrated()
    page.page.click("#to-members")
    page.page.locator("#guarded-error").wait_for(timeout=10000)
    assert page.page.locator("#guarded-error").inner_text() == "403: Members only"
    assert page.page.url == app.url + "/guarded/members"


# -- exceptions that are not Exceptions --------------------------------------------------------------------


@pytest.mark.parametrize("kind", BASES)
def test_a_loader_raising_a_base_exception_renders_the_error_page_with_500(app: Server, kind: str) -> None:
    r = httpx.get(app.url + f"/faulty/{kind}")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert _shown(r.text, "error-page") == "500: Internal Server Error"
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]) and r.headers["x-content-type-options"] == "nosniff"
    assert "5150" not in r.text
    nav = httpx.get(app.url + f"/faulty/{kind}", headers=NAV)
    assert nav.status_code == 500 and nav.json()["error"] == {"message": "Internal Server Error", "statusCode": 500,
                                                              "data": {}, "type": "ServerError"}
    app.wait_for_output(f"ERROR pyxle.error [{r.headers['x-request-id']}]: Unhandled error in a loader or HEAD of "
                        "pages/faulty/[kind].pyxl")
    assert "Application callable raised an exception" not in app.output()


@pytest.mark.parametrize("kind", BASES)
def test_an_action_raising_a_base_exception_answers_the_json_500(app: Server, kind: str) -> None:
    with _client(app) as (client, headers):
        r = client.post("/api/__actions/acts/act", json={"kind": kind}, headers=headers)
    assert r.status_code == 500 and r.json() == {"ok": False, "error": "Internal Server Error"}
    assert r.headers["x-content-type-options"] == "nosniff"
    app.wait_for_output(f"ERROR pyxle.error [{r.headers['x-request-id']}]: Unhandled error in action act()")


@pytest.mark.parametrize("kind", BASES)
def test_an_api_route_raising_a_base_exception_answers_the_json_500(app: Server, kind: str) -> None:
    r = httpx.get(app.url + f"/api/faulty/{kind}")
    assert r.status_code == 500 and r.json() == {"error": "Internal Server Error"}
    assert r.headers["x-content-type-options"] == "nosniff"
    app.wait_for_output(f"ERROR pyxle.error [{r.headers['x-request-id']}]: Unhandled error in GET /api/faulty/{kind}")
    assert "Application callable raised an exception" not in app.output()
    assert httpx.get(app.url + "/api/echo").status_code == 405  # the worker is still serving


# -- data JSON cannot carry ------------------------------------------------------------------------------


def test_loader_data_nested_too_deeply_for_json_is_logged_as_such_with_no_traceback(app: Server) -> None:
    r = httpx.get(app.url + "/deep")
    assert r.status_code == 500 and 'id="error-page"' in r.text and "Recursion" not in r.text
    app.wait_for_output("pages/deep.pyxl: loader load() returned data that is not JSON-serialisable: "
                        "data.tree[0][0][0]")
    assert "levels deep, too deep to encode (flatten it)" in app.output()
    assert "RecursionError" not in app.output() and "Recursion limit" not in app.output()
    assert httpx.get(app.url + "/deep?depth=300").status_code == 200  # deeper than orjson goes, still JSON


def test_a_loader_returning_an_int_too_long_for_json_is_logged_with_its_key_path(app: Server) -> None:
    r = httpx.get(app.url + "/huge")
    assert r.status_code == 500 and 'id="error-page"' in r.text
    app.wait_for_output("pages/huge.pyxl: loader load() returned data that is not JSON-serialisable: data.value: "
                        "an int of more than 4300 digits cannot be written as JSON")
