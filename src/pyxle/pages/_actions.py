"""``POST /api/__actions/<page path>/<action>``: every ``@action`` of every page, JSON in and out."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle.api import ApiRequest
from pyxle.hooks import Endpoint, Hook, RouteContext, wrap_endpoint
from pyxle.pages._action_body import Bind, body_binder
from pyxle.pages._answers import as_json, redirect_target, with_cookies
from pyxle.pages._module import PageModule
from pyxle.pages._rerender import has_fields, rerender_with_errors
from pyxle.routing import RouteSpec
from pyxle.runtime import ActionError
from pyxle.validation import form_fields

logger = logging.getLogger("pyxle.error")
PREFIX = "/api/__actions/"
INVALIDATE_KEY = "__pyxle_invalidate__"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ActionRequest(ApiRequest):
    """``await request.json()`` is always a dict: a JSON object, or a form post's fields (so plain
    HTML forms work). Any other JSON (an array, a number) is the client's error, answered 400."""

    async def json(self) -> Any:
        content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in _FORM_TYPES:
            data = await super().json()
            if not isinstance(data, dict):
                kind = {list: "an array", str: "a string", type(None): "null", bool: "a boolean"}.get(type(data), "a number")
                raise HTTPException(400, f"An action takes a JSON object, not {kind}")
            return data
        if not hasattr(self, "_json"):
            self._json = form_fields((await self.form()).multi_items())
        return self._json


class ActionsEndpoint:
    """One endpoint for all actions: a dict lookup by page path and action name."""

    def __init__(self, expose_errors: bool) -> None:
        self.expose_errors = expose_errors
        self._calls: dict[tuple[str, str], tuple[Endpoint, RouteContext]] = {}
        self._pages: dict[str, tuple[ASGIApp, RouteSpec]] = {}
        self.functions: dict[tuple[str, str], Callable[..., Any]] = {}  # for the OpenAPI document

    def add_page(self, page_path: str, page: PageModule, context: RouteContext, hooks: Sequence[Hook],
                 rerender: tuple[ASGIApp, RouteSpec] | None = None) -> None:
        """``rerender``: the page itself, which a no-JS form post whose fields failed validation sees again."""
        for name, fn in page.actions.items():
            bind = body_binder(fn, f"pages/{page.file}")
            self.functions[(page_path, name)] = fn
            self._calls[(page_path, name)] = (wrap_endpoint(self._adapt(fn, page_path, bind), hooks, context), context)
        if rerender is not None:
            self._pages[page_path] = rerender

    def names(self) -> list[tuple[str, str]]:
        return sorted(self._calls)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008)(scope, receive, send)
            return
        page_path, _, name = scope["path_params"]["target"].rpartition("/")
        found = self._calls.get((page_path, name))
        if found is None:
            response: Response = JSONResponse(
                {"ok": False, "error": f"Unknown action {name!r} for page {page_path!r}"}, 404)
        elif scope["method"] != "POST":
            raise HTTPException(405, headers={"Allow": "POST"})
        else:
            call, context = found
            scope.setdefault("pyxle", {})["route"] = context
            request = ActionRequest(scope, receive, send)
            response = await call(request)
            target = redirect_target(response)
            if _plain_form_post(request) and target is None and page_path in self._pages and has_fields(response):
                await rerender_with_errors(self._pages[page_path], request, name, response, send)
                return
            if _plain_form_post(request):
                response = _redirect_back(request, page_path, response) if target is None else _see_other(response)
            elif target is not None:  # the client navigates there itself
                response = as_json(response, {"ok": True, "redirect": target})
        await response(scope, receive, send)

    def _adapt(self, fn: Callable[..., Any], page_path: str, bind: Bind | None = None) -> Endpoint:
        where = f"action {fn.__name__}() of page {page_path!r}"

        async def call(request: ActionRequest) -> Response:
            try:
                result = await fn(request) if bind is None else await fn(request, **await bind(request))
            except ActionError as exc:
                answer = {"ok": False, "error": exc.message, "data": exc.data or {}}
                if exc.fields:
                    answer["fields"] = exc.fields
                return JSONResponse(answer, exc.status_code)
            except HTTPException:
                raise
            except Exception as exc:
                logger.error("Unhandled error in %s", where, exc_info=exc)
                body: dict[str, Any] = {"ok": False, "error": "Internal Server Error"}
                if self.expose_errors:
                    body["exception"] = f"{type(exc).__name__}: {exc}"
                    body["traceback"] = traceback.format_exception(exc)
                return JSONResponse(body, 500)
            return action_response(result, where)

        return call  # type: ignore[return-value]


def action_response(result: Any, where: str) -> Response:
    """``{"ok": true, ...result}``; ``invalidate_routes`` URLs become the ``x-pyxle-invalidate`` header."""
    if isinstance(result, Response):
        return result
    if result is None:
        result = {}
    if not isinstance(result, dict):
        raise TypeError(f"{where} returned {type(result).__name__}; an action returns a dict (or None)")
    body = dict(result)
    urls = body.pop(INVALIDATE_KEY, None)
    headers = {"x-pyxle-invalidate": ", ".join(urls)} if urls else None
    return JSONResponse({"ok": True, **body}, 200, headers=headers)


def _plain_form_post(request: ActionRequest) -> bool:
    """A browser submitting <form method="post"> itself (no JavaScript): form body, HTML wanted."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accept = request.headers.get("accept", "")
    return content_type in _FORM_TYPES and "text/html" in accept


def _redirect_back(request: ActionRequest, page_path: str, result: Response) -> Response:
    """303 to the page the form was on (same origin only), so the user sees the fresh page.

    An ActionError's message travels in the ``pyxle-action-error`` query parameter.
    """
    from urllib.parse import urlencode, urlsplit

    from starlette.responses import RedirectResponse

    fallback = "/" if page_path == "index" else "/" + page_path.removesuffix("/index")
    referer = urlsplit(request.headers.get("referer", ""))
    target = fallback
    if referer.path and (not referer.netloc or referer.netloc == request.headers.get("host")):
        target = referer.path
    if result.status_code >= 400:
        import json

        try:
            message = json.loads(bytes(result.body)).get("error", "")
        except ValueError:
            message = ""
        target += "?" + urlencode({"pyxle-action-error": message})
    return with_cookies(result, RedirectResponse(target, status_code=303))


def _see_other(response: Response) -> Response:
    """An action's own redirect, as 303: the browser follows it with a GET (a 307 would post again)."""
    response.status_code = 303
    return response
