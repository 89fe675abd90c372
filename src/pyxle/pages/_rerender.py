"""A no-JS form post whose fields failed validation: the page is rendered again, with the errors.

The page's component receives them as its ``action`` prop: ``{name, ok: false, error, fields,
values}`` (``values`` are the submitted text fields, so inputs can keep what the user typed).
The answer is the page's HTML with the action's status (422), at the URL the form was posted to.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Send

from pyxle.pages._action_body import CSRF_FIELDS
from pyxle.routing import RouteSpec
from pyxle.validation import form_fields


def has_fields(response: Response) -> bool:
    return response.status_code == 422 and b'"fields"' in bytes(getattr(response, "body", b""))


async def rerender_with_errors(page: tuple[ASGIApp, RouteSpec], request: Request, action: str,
                               response: Response, send: Send, own: tuple[str, dict[str, str]] | None = None) -> None:
    """``own``: the page's URL and path parameters as the action URL named them (``/posts/7``), for
    a post whose Referer is no URL of the page (the action URL itself, after a first re-render)."""
    endpoint, spec = page
    payload = json.loads(bytes(response.body))
    values = form_fields((await request.form()).multi_items(), skip=CSRF_FIELDS, text_only=True)
    result = {"name": action, "ok": False, "error": payload.get("error", ""), "fields": payload.get("fields", {}),
              "values": values}
    path, params = _page_url(request, spec, own)
    scope = {**request.scope, "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "path_params": params}
    scope["pyxle"] = {**request.scope.get("pyxle", {}), "action_result": result}

    async def send_with_status(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "status": response.status_code}
        await send(message)

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await endpoint(scope, no_body, send_with_status)


def _page_url(request: Request, spec: RouteSpec,
              own: tuple[str, dict[str, str]] | None) -> tuple[str, dict[str, str]]:
    """The page the form was on (its Referer, when same-origin and a URL of this page), else the page's own URL."""
    referer = urlsplit(request.headers.get("referer", ""))
    same_origin = not referer.netloc or referer.netloc == request.headers.get("host")
    if same_origin and referer.path:
        if spec.regex is None and referer.path == spec.pattern:
            return referer.path, {}
        match = spec.regex.match(referer.path) if spec.regex is not None else None
        if match:
            return referer.path, {k: v for k, v in match.groupdict().items() if v is not None}
    return own if own is not None else (spec.pattern, {})
