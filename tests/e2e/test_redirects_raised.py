"""A redirect a loader raises (``raise HTTPException(303, headers={"Location": ...})``), in a page's
loader or its layout's, is answered header for header as a returned ``RedirectResponse`` is:
over HTTP, GET and HEAD, under ``pyxle serve`` and ``pyxle dev``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

RAISED = '''
@server
async def load(request):
    from starlette.exceptions import HTTPException
    raise HTTPException(int(request.query_params["code"]), headers={"Location": "/about"})

export default function Raised() {
  return <h1>Never</h1>
}
'''
RETURNED = '''
@server
async def load(request):
    from starlette.responses import RedirectResponse
    return RedirectResponse("/about", status_code=int(request.query_params["code"]))

export default function Returned() {
  return <h1>Never</h1>
}
'''
GUARD_LAYOUT = '''
@server
async def load(request):
    from starlette.exceptions import HTTPException
    raise HTTPException(int(request.query_params["code"]), headers={"Location": "/about"})

export default function Guard({ children }) {
  return <div>{children}</div>
}
'''
GUARDED = '''
export default function Guarded() {
  return <h1>Never</h1>
}
'''
ABOUT = '''
export default function About() {
  return <h1>About</h1>
}
'''
CODES = (301, 302, 303, 307, 308)


@pytest.fixture(scope="module", params=["serve", "dev"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp(request.param) / "app", {
        "pages/raised.pyxl": RAISED, "pages/returned.pyxl": RETURNED, "pages/about.pyxl": ABOUT,
        "pages/guarded/layout.pyxl": GUARD_LAYOUT, "pages/guarded/index.pyxl": GUARDED,
    })
    with serving(root, command=request.param) as running:
        yield running


PER_REQUEST = ("date", "x-request-id")  # what differs between any two answers


def _answer(server: Server, method: str, path: str, navigation: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a first visit (no cookie) to ``path``: of the headers, not the
    per-request ones, and a CSRF cookie as its name and attributes (its token is new each time)."""
    headers = {"x-pyxle-navigation": "1"} if navigation else {}
    response = httpx.request(method, server.url + path, headers=headers)
    answered = {name: re.sub(r"=[^;]*", "=…", value, count=1) if name == "set-cookie" else value
                for name, value in response.headers.multi_items() if name not in PER_REQUEST}
    return response.status_code, answered, response.content


@cites("docs/pages.md", "A\n  redirect raised that way (`raise HTTPException(303, headers={\"Location\": \"/login\"})`) is\n"
                        "  answered as a returned `RedirectResponse` is")
@cites("docs/pages.md", "So are the other answers of a page URL: a loader's redirect (the\n  `307` and its navigation JSON)")
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/raised", "/guarded"])  # the page's loader; its layout's
def test_a_raised_redirect_is_answered_as_a_returned_one(server: Server, path: str, method: str) -> None:
    """The document of a raised one was the API's JSON error (``{"error": "See Other"}``), with a
    CSRF cookie and no ``Cache-Control``: a CDN could keep a 301 meant for one visitor."""
    for code in CODES:
        raised = _answer(server, method, f"{path}?code={code}")
        returned = _answer(server, method, f"/returned?code={code}")
        assert raised == returned, code
        status, headers, body = raised
        assert (status, headers["location"], body) == (code, "/about", b"")
        assert headers["cache-control"] == "private, no-cache" and "x-pyxle-navigation" in headers["vary"]
        assert "set-cookie" not in headers


@pytest.mark.parametrize("path", ["/raised", "/guarded"])
def test_the_navigation_json_of_a_raised_redirect_is_the_returned_ones(server: Server, path: str) -> None:
    for code in CODES:
        status, headers, body = _answer(server, "GET", f"{path}?code={code}", navigation=True)
        assert (status, json.loads(body)) == (200, {"ok": False, "routePath": path, "redirect": "/about"}), code
        assert headers["cache-control"] == "private, no-cache"
        _, returned, _ = _answer(server, "GET", f"/returned?code={code}", navigation=True)
        assert {**headers, "content-length": ""} == {**returned, "content-length": ""}, code  # its routePath's length
