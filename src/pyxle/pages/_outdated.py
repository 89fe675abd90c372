"""Navigation requests from a tab that pyxle-framework 0.9 served before an upgrade.

0.9's router asks for a page's data with ``x-pyxle-navigation: 1`` and ``x-requested-with: pyxle``;
this one never sends the second header. Given this version's JSON, 0.9's router rendered the page
it showed with ``undefined`` data under the new URL. Any answer that is not 2xx makes it load the
URL in full instead (checked against 0.9.4's router), and the tab then runs this version.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.types import Scope

_MARK = (b"x-requested-with", b"pyxle")
_BODY = {"ok": False, "error": "This page was loaded by an earlier Pyxle: load it again", "code": "client_outdated"}
# Stored by no cache, and told apart from this router's answer (and a hand-written fetch's) by any that keys on Vary.
_HEADERS = {"Cache-Control": "no-store", "Vary": "x-pyxle-navigation, x-requested-with"}


def from_094_router(scope: Scope) -> bool:
    """Whether a navigation request comes from 0.9's router (its ``x-requested-with: pyxle``)."""
    return any(name == _MARK[0] and value.strip().lower() == _MARK[1] for name, value in scope["headers"])


def outdated_navigation() -> Response:
    """409 JSON: 0.9's router takes it as a failed navigation and loads the URL in full."""
    return JSONResponse(_BODY, 409, headers=_HEADERS)
