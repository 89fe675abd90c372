"""A no-JS form post whose action failed: the page is rendered again, with the errors.

Its fields failed validation (a 422), or it raised an ``ActionError`` or returned a 4xx: never a
303 back, which a plugin's unit of work (pyxle-db) reads as success and commits the action's
writes on. The page's component receives the failure as its ``action`` prop: ``{name, ok: false,
error, fields, values}`` (``fields`` is ``{}`` without field errors; ``values`` are the submitted
text fields, so inputs can keep what the user typed; ``data`` when the ``ActionError`` gave some).
A failure without field errors also reaches the page's loader as the 303 gave it, in the
``pyxle-action-error`` query parameter, so a page written for the 303 shows its message unchanged.
The answer is the page's HTML with the action's status, at the URL the form was posted to.
The page is rendered at the URL the form was on, its query string included (its loader reads
``?page=3`` as it did then). The browser shows the answer at the action's URL, so the page's forms
post with that query on their action URL (``actionQuery``): the next post, whose Referer is the
action URL, still goes back to ``/search?q=x``. A layout's or template's action gives the prop to
that file's component instead of the page's (``actionLayout``). The ``Form`` posted names itself
(``actionForm``, its hidden ``_pyxle_form``): of several forms of one action, only it shows the message.
Once the page hydrates it is the page again: the browser puts the page's URL (``actionPage``, its query
without the error) in place of the action's, so ``usePathname()`` matches the server's render, and a
reload, Back and links go on from the page.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import SplitResult, quote, unquote, unquote_plus, urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Send

from pyxle.pages._action_body import FORM_FIELD, NOT_FIELDS
from pyxle.pages._errors import well_formed
from pyxle.routing import RouteSpec
from pyxle.validation import form_fields

ERROR_PARAM = "pyxle-action-error"  # an ActionError's message on the page a no-JS post goes back to
# What a whole URL (a Referer) keeps as it is: its syntax (a host's "[::1]", a "#fragment"), escapes
# already made, and the backslash (which the callers refuse in a path: a browser reads "/\host" as
# another site). app/_slash's _KEPT is narrower: it writes a path into a Location as it came, where
# "#" and "\" would change where it leads.
_URL_SAFE = "/?#[]@!$&'()*+,;=:%~\\"


def failure(response: Response) -> dict[str, Any]:
    """The JSON object a failed action answered (``{"ok": false, "error": ...}``); ``{}`` for a
    response of its own that is not one (HTML, a stream)."""
    try:
        payload = json.loads(bytes(getattr(response, "body", b"")))
    except ValueError:  # not JSON, or not UTF-8
        return {}
    return payload if isinstance(payload, dict) else {}


def referer(request: Request) -> SplitResult:
    """The ``Referer`` as ASCII, split. A browser sends it percent-encoded, but a client may send
    ``/tag/日本`` raw: its UTF-8 bytes, which the header carries and Starlette reads as Latin-1.
    Each byte beyond ASCII is percent-encoded as the byte it is (so ``%E6%97%A5``, the UTF-8 the
    page's URL has, never the Latin-1 reading ``%C3%A6%C2%97...``); escapes already there stay."""
    return urlsplit(quote(request.headers.get("referer", "").encode("latin-1"), safe=_URL_SAFE))


def without_error(query: str) -> str:
    """``query`` without its ``pyxle-action-error`` parameters, the rest exactly as sent (its
    order, its encoding, a ``flag`` without ``=``): an old message must not outlive the next post."""
    return "&".join(p for p in query.split("&") if p and unquote_plus(p.partition("=")[0]) != ERROR_PARAM)


def own_query(request: Request) -> str:
    """The action URL's own query, the page's query when no usable Referer names it (a client that
    posts to ``/api/__actions/<page>/<name>?page=3`` from ``/<page>?page=3``)."""
    return quote(request.scope.get("query_string", b""), safe=_URL_SAFE)


async def rerender_with_errors(page: tuple[ASGIApp, RouteSpec], request: Request, action: str,
                               response: Response, send: Send, own: tuple[str, dict[str, str]] | None = None,
                               owner: PurePosixPath | None = None) -> None:
    """``own``: the page's URL and path parameters as the action URL named them (``/posts/7``), for
    a post whose Referer is no URL of the page (the action URL itself, after a first re-render).
    ``owner``: the file under pages/ that defines the action (a layout's, or the page's)."""
    endpoint, spec = page
    payload = failure(response)
    message = well_formed(str(payload.get("error") or ""))
    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
    form = await _posted(request)
    values = form_fields(form.multi_items(), skip=NOT_FIELDS, text_only=True)
    result = {"name": action, "ok": False, "error": message, "fields": fields, "values": values}
    if payload.get("data"):
        result["data"] = payload["data"]
    path, params, query = _page_url(request, spec, own)
    query = without_error(query)
    seen = query if fields else "&".join(filter(None, (query, urlencode({ERROR_PARAM: message}))))  # as the 303 had it
    scope = {**request.scope, "method": "GET", "path": path, "raw_path": quote(path).encode("ascii"),
             "query_string": seen.encode("ascii"), "path_params": params}
    props: dict[str, object] = {"action": result}  # added to the page's props (PageEndpoint)
    if query:
        props["actionQuery"] = query
    props["actionPage"] = quote(path) + (f"?{query}" if query else "")  # the URL the hydrated page shows
    posted = form.get(FORM_FIELD)
    if isinstance(posted, str) and posted:
        props["actionForm"] = posted
    if owner is not None and owner != spec.file:
        props["actionLayout"] = owner.as_posix()
    scope["pyxle"] = {**request.scope.get("pyxle", {}), "action_result": props}

    cookies = [(name, value) for name, value in response.raw_headers if name == b"set-cookie"]

    async def send_with_status(message: Message) -> None:
        """The page's answer with the action's status (the page's own when it failed too: its
        loader's 404, a 500) and the cookies the action set."""
        if message["type"] == "http.response.start":
            status = response.status_code if message["status"] < 400 else message["status"]
            message = {**message, "status": status, "headers": [*message.get("headers", ()), *cookies]}
        await send(message)

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await endpoint(scope, no_body, send_with_status)


async def _posted(request: Request) -> FormData:
    """The form posted; an empty one when it could not be read (more than 1000 fields: the typed
    body's 422 says so), whose body was consumed by the failed reading (Starlette's RuntimeError)."""
    try:
        return await request.form()
    except (HTTPException, RuntimeError):
        return FormData()


def _page_url(request: Request, spec: RouteSpec,
              own: tuple[str, dict[str, str]] | None) -> tuple[str, dict[str, str], str]:
    """``(path, path params, query)`` of the page the form was on (its Referer, when same-origin and
    a URL of this page), else the page's own URL with the action URL's query. The path is decoded,
    as a server puts it in ``scope["path"]`` (``/tag/日本``); the query stays as sent."""
    ref = referer(request)
    same_origin = not ref.netloc or ref.netloc == request.headers.get("host")
    path = unquote(ref.path)
    if same_origin and path:
        if spec.regex is None and path == spec.pattern:
            return path, {}, ref.query
        match = spec.regex.match(path) if spec.regex is not None else None
        if match:
            return path, {k: v for k, v in match.groupdict().items() if v is not None}, ref.query
    found = own if own is not None else (spec.pattern, {})
    return *found, own_query(request)
