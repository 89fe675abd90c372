"""Who is asking: a browser posting a ``<form>`` itself, or a script reading JSON.

A form posted without JavaScript (or before the page hydrated) is a browser navigation: whatever
answers it is what the user sees. So every answer of an action URL to such a post is a page (the
303 back, the 422 re-render, an error page), and every refusal made before the action runs (a
stale CSRF token, an unknown action, a body too large or unreadable) is one too: a sentence and a
way back, never the JSON a ``fetch`` caller reads. ``wants_document`` is the one place that tells.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.types import Scope

from pyxle.validation import is_form

# What a refused no-JS post tells the user, by status; never the exception's or the parser's text.
_SENTENCES = {
    400: "The form's contents could not be read. Go back and send it again.",
    403: "This form has expired (its security token is missing or stale). Go back, reload the page "
         "and send it again.",
    404: "This form's action no longer exists: the page has changed since it was loaded. Go back and "
         "reload it.",
    405: "This address only takes forms. Go back to the page.",
    408: "The form took too long to arrive. Go back and send it again.",
    413: "What this form sent is too large for this site. Go back and send less (smaller files, "
         "shorter text).",
}
_COPIED = (b"connection", b"allow", b"retry-after", b"set-cookie")  # what a refusal says beside its body


def wants_document(scope: Scope) -> bool:
    """A browser submitting ``<form method="post">`` itself: a form body (urlencoded or multipart)
    and ``text/html`` in ``Accept``, as every browser sends for a navigation. ``Form`` once
    hydrated and ``useAction`` ask for ``application/json``; curl sends ``*/*``; both get JSON."""
    content_type = next((value for name, value in scope.get("headers") or () if name == b"content-type"), b"")
    return is_form(content_type.decode("latin-1")) and accepts_html(scope)


def accepts_html(scope: Scope) -> bool:
    """``text/html`` in ``Accept``: a browser loading the URL as a page (a navigation, a reload, a
    bookmark), not a script."""
    return any(name == b"accept" and b"text/html" in value.lower() for name, value in scope.get("headers") or ())


def refusal_error(status: int) -> dict[str, Any]:
    """The ``error`` an error page gets for a refused no-JS post (the props of any error page): its
    ``type`` as an unknown URL's (``NotFound``) or a loader's ``HTTPException``'s, whose refusals these are."""
    message = _SENTENCES.get(status, "The form could not be sent. Go back and try again.")
    return {"message": message, "statusCode": status, "data": {}, "type": "NotFound" if status == 404 else "HTTPException"}


def with_headers_of(page: Response, answer: Response) -> Response:
    """``page`` with what the JSON ``answer`` said beside its body (``Connection: close`` after a
    body too large, ``Allow``, a cookie it set)."""
    for name, value in answer.raw_headers:
        if name in _COPIED:
            page.raw_headers.append((name, value))
    return page
