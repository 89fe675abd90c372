"""`error.type` on a server-rendered `error.pyxl`, as 0.4 to 0.9.4 gave it: a `LoaderError`'s class
name, and for an unexpected failure only 0.9.4's fixed names (`"ServerError"` under `pyxle serve`;
`"LoaderCrashError"` under `pyxle dev`), never the exception's own class where 0.9.4 hid it."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest

from tests.docs._blocks import cites

ERROR_PAGE = """
export default function ErrorPage({ error }) {
  return <pre id="error">{JSON.stringify(error)}</pre>
}
"""

FORBIDDEN = """
@server
async def load(request):
    raise LoaderError("Forbidden post", status_code=403, data={"reason": "private"})

export default function Post() { return <p>never</p> }
"""

SUBCLASS = """
class NotYours(LoaderError):
    pass

@server
async def load(request):
    raise NotYours("Not yours", status_code=403)

export default function Post() { return <p>never</p> }
"""

CRASH = """
class SecretDatabaseError(Exception):
    pass

@server
async def load(request):
    raise SecretDatabaseError("password=hunter2")

export default function Post() { return <p>never</p> }
"""

RENDER_CRASH = """
class SecretRenderError extends Error {}

export default function Post() { throw new SecretRenderError('internal detail') }
"""

FILES = {"pages/error.pyxl": ERROR_PAGE, "pages/forbidden.pyxl": FORBIDDEN, "pages/subclass.pyxl": SUBCLASS,
         "pages/crash.pyxl": CRASH, "pages/render-crash.pyxl": RENDER_CRASH}


def error_of(server, path: str) -> tuple[int, dict]:
    response = httpx.get(server.url + path, timeout=30)
    found = re.search(r'<pre id="error">(.*?)</pre>', response.text, re.DOTALL)
    assert found, response.text
    return response.status_code, json.loads(html.unescape(found.group(1)))


@cites("docs/pages.md", '`type` is the class raised (`"LoaderError"`, or the name of your subclass of it)')
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_loader_error_gives_the_error_page_its_class_name_as_type(make_project, start_server, command) -> None:
    server = start_server(make_project(FILES, node=True), command)
    assert error_of(server, "/forbidden") == (403, {"message": "Forbidden post", "statusCode": 403,
                                                    "data": {"reason": "private"}, "type": "LoaderError"})
    assert error_of(server, "/subclass")[1]["type"] == "NotYours"


@cites("docs/pages.md", 'for anything else it is `"ServerError"` under `pyxle serve`')
def test_an_unexpected_failure_under_serve_is_a_server_error_naming_nothing(make_project, start_server) -> None:
    server = start_server(make_project(FILES, node=True), "serve")
    for path in ("/crash", "/render-crash"):
        status, error = error_of(server, path)
        assert (status, error) == (500, {"message": "Internal Server Error", "statusCode": 500, "data": {},
                                         "type": "ServerError"})


@cites("docs/pages.md", 'where the exception is shown (`pyxle dev`, `debug`)\n  `"LoaderCrashError"` for a loader\'s')
def test_an_unexpected_loader_failure_under_dev_is_a_loader_crash_error(make_project, start_server) -> None:
    server = start_server(make_project(FILES, node=True), "dev")
    status, error = error_of(server, "/crash")
    assert (status, error["type"]) == (500, "LoaderCrashError")
    assert error["message"] == "SecretDatabaseError: password=hunter2"  # dev shows the exception, as before


@cites("docs/pages.md", '`"ComponentRenderError"` for a render error, as in 0.9')
def test_a_render_failure_shown_by_debug_is_a_component_render_error(make_project, start_server) -> None:
    project = make_project({**FILES, "pyxle.config.json": json.dumps({"debug": True})}, node=True)
    server = start_server(project, "serve")
    status, error = error_of(server, "/render-crash")
    assert (status, error["type"]) == (500, "ComponentRenderError")
    assert error_of(server, "/crash")[1]["type"] == "LoaderCrashError"


REFUSED = """
from starlette.exceptions import HTTPException

@server
async def load(request):
    raise HTTPException(403, "Members only")

export default function Refused() { return <p>never</p> }
"""
GONE = REFUSED.replace('403, "Members only"', '404, "No such member"')
NOT_FOUND_PAGE = ERROR_PAGE.replace("ErrorPage", "NotFoundPage")
TYPED = {**FILES, "pages/refused.pyxl": REFUSED, "pages/gone.pyxl": GONE, "pages/not-found.pyxl": NOT_FOUND_PAGE}


@cites("docs/pages.md", 'The other error pages below carry a `type` too:\n  `"NotFound"` for an unknown URL, '
       '`"InvalidPath"` for a path holding a control character and\n  `"HTTPException"` for a loader\'s `HTTPException`')
@cites("docs/pages.md", 'statusCode, data: {}, type: "HTTPException" }` and the exception\'s headers')
@cites("docs/pages.md", '400, data: {}, type: "InvalidPath" }`')
@cites("docs/pages.md", 'could not be found", statusCode: 404, data: {}, type: "NotFound" }`')
def test_http_exceptions_unknown_urls_and_invalid_paths_give_the_error_page_a_type(make_project,
                                                                                  start_server) -> None:
    """The first Error pages bullet promises every error page ``{ message, statusCode, data, type }``:
    an ``error.pyxl`` that shows or branches on ``type`` had nothing for these. The document and
    the navigation JSON say the same."""
    server = start_server(make_project(TYPED, node=True), "serve")
    expected = {"/refused": (403, {"message": "Members only", "statusCode": 403, "data": {}, "type": "HTTPException"}),
                "/gone": (404, {"message": "No such member", "statusCode": 404, "data": {}, "type": "HTTPException"}),
                "/no-such-page": (404, {"message": "This page could not be found", "statusCode": 404, "data": {},
                                        "type": "NotFound"}),
                "/users/a%00b": (400, {"message": "This address is not valid: it holds a control character",
                                       "statusCode": 400, "data": {}, "type": "InvalidPath"})}
    for path, (status, error) in expected.items():
        assert error_of(server, path) == (status, error), path
        nav = httpx.get(server.url + path, headers={"x-pyxle-navigation": "1"}, timeout=30)
        assert (nav.status_code, nav.json()["error"]) == (status, error), path


ACTS = """
class SecretStoreError(Exception):
    pass

@action
async def save(request):
    raise SecretStoreError("ACTION-SECRET")

export default function Acts() { return <form method="post"><button>Save</button></form> }
"""


def posted_error(server, path: str, action: str) -> tuple[int, dict]:
    """What ``error.pyxl`` gets for a form posted without JavaScript to ``action`` of ``path``."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get(path)
        token = client.cookies["pyxle-csrf"]
        response = client.post(f"/api/__actions{path}/{action}", data={"csrf_token": token},
                               headers={"accept": "text/html", "referer": server.url + path})
    found = re.search(r'<pre id="error">(.*?)</pre>', response.text, re.DOTALL)
    assert found, response.text
    return response.status_code, json.loads(html.unescape(found.group(1)))


@cites("docs/pages.md", '`"ActionCrashError"` for an action\'s (a form posted without\n  JavaScript gets the error page)')
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_crashing_action_posted_without_javascript_is_an_action_crash_error_where_it_is_shown(
        make_project, start_server, command: str) -> None:
    """Under ``pyxle dev`` the page showed the exception's text but said ``"ServerError"``, the type
    of a hidden one: an ``error.pyxl`` hiding details on that type got it wrong."""
    server = start_server(make_project({**FILES, "pages/acts.pyxl": ACTS}, node=True), command)
    status, error = posted_error(server, "/acts", "save")
    if command == "dev":
        assert (status, error["type"], error["message"]) == (500, "ActionCrashError", "SecretStoreError: ACTION-SECRET")
    else:
        assert (status, error) == (500, {"message": "Internal Server Error", "statusCode": 500, "data": {},
                                         "type": "ServerError"})
