"""A page URL: navigation JSON for client-side navigation, an HTML document otherwise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle.hooks import Hook, RouteContext, wrap_endpoint
from pyxle.pages._answers import Answered, as_json, redirect_target
from pyxle.pages._data import dumps, loader_error_payload, props_json, run_loader
from pyxle.pages._document import document
from pyxle.pages._errors import PagesRuntime, busy_page
from pyxle.pages._head import head_elements
from pyxle.pages._module import PageModule
from pyxle.runtime import LoaderError
from pyxle.ssr import RenderError, RenderQueueFull

logger = logging.getLogger("pyxle.error")

_ALLOW = {"Allow": "GET, HEAD, OPTIONS"}
_VARY = {"Vary": "x-pyxle-navigation"}


class PageEndpoint:
    """Runs the layout loaders (outermost first) and the page loader, then answers in JSON or HTML."""

    def __init__(self, page: PageModule, layouts: Sequence[PageModule], context: RouteContext,
                 hooks: Sequence[Hook], runtime: PagesRuntime) -> None:
        self.page = page
        self.runtime = runtime
        self.page_id = page.file.with_suffix("").as_posix()
        self.layouts = tuple(layouts)
        self.context = context
        self.where = f"pages/{page.file}"
        self._call = wrap_endpoint(self._respond, hooks, context)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008)(scope, receive, send)
            return
        scope.setdefault("pyxle", {})["route"] = self.context
        method = scope["method"]
        if method == "OPTIONS":
            response: Response = Response(status_code=204, headers=_ALLOW)
        elif method not in ("GET", "HEAD"):
            raise HTTPException(405, headers=_ALLOW)
        else:
            response = await self._call(Request(scope, receive, send))
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        navigation = request.headers.get("x-pyxle-navigation") == "1"
        if not navigation and self.runtime.renderer is not None and self.runtime.renderer.refuses():
            return busy_page()  # before the loaders: a saturated server does not query for pages it won't render
        route_path = request.scope["path"]
        layout_data: dict[str, Any] = {}
        layout_json: dict[str, str] = {}
        try:
            for layout in self.layouts:
                if layout.loader is not None:
                    key = layout.file.as_posix()
                    layout_data[key], _, layout_json[key] = await run_loader(layout.loader, request, f"pages/{key}")
            if self.page.loader is not None:
                data, status, data_json = await run_loader(self.page.loader, request, self.where)
            else:
                data, status, data_json = {}, 200, "{}"
        except Answered as answered:
            return _answer(answered.response, navigation, route_path)
        except LoaderError as exc:
            error = loader_error_payload(exc)
            if navigation:
                return JSONResponse({"ok": False, "routePath": route_path, "error": error}, exc.status_code, headers=_VARY)
            return await self.runtime.error_page(self.page.file, "error", exc.status_code, error, layout_data, route_path)
        levels = [head_elements(layout.head, layout_data.get(layout.file.as_posix(), {})) for layout in self.layouts]
        levels.append(head_elements(self.page.head, data))
        encoded_props = props_json(data_json, layout_json)
        renderer = self.runtime.renderer
        if navigation:
            page = ""
            if renderer is not None and renderer.has(self.page_id):
                page = f',"page":{dumps({"id": self.page_id, **renderer.assets(self.page_id)})}'
            head_markup = dumps("\n".join(element for level in levels for element in level))
            head_levels = dumps(["\n".join(level) for level in levels])
            body = (f'{{"ok":true,"routePath":{dumps(route_path)},"props":{encoded_props},'
                    f'"headMarkup":{head_markup},"headLevels":{head_levels}{page}}}')
            return Response(body, status, headers=_VARY, media_type="application/json")
        if renderer is None or not renderer.has(self.page_id):
            head = [element for level in levels for element in level]
            return HTMLResponse(document(head=head, body_html="", props_json=encoded_props), status, headers=_VARY)
        try:
            csrf = request.scope.get("pyxle", {}).get("csrf_token", "")
            return await renderer.respond(self.page_id, encoded_props, route_path, levels, status, _VARY, csrf)
        except RenderQueueFull:
            return busy_page()
        except RenderError as exc:
            logger.error("rendering %s failed: %s\n%s", self.where, exc, exc.stack or "")
            if self.runtime.dev_render_error is not None:  # pyxle dev: the overlay, with file:line
                return self.runtime.dev_render_error(exc)
            error = {"message": str(exc) if self.runtime.expose_errors else "Internal Server Error",
                     "statusCode": 500, "data": {}}
            if self.runtime.expose_errors and exc.stack:
                error["stack"] = exc.stack
            return await self.runtime.error_page(self.page.file, "error", 500, error, layout_data, route_path,
                                                 urgent=True)


def _answer(response: Response, navigation: bool, route_path: str) -> Response:
    """A loader's own response: as is for a document; for the router, a redirect as JSON it follows
    (anything else as is, and the router loads the URL in full)."""
    target = redirect_target(response)
    if navigation and target is not None:
        response = as_json(response, {"ok": False, "routePath": route_path, "redirect": target})
    response.headers.add_vary_header("x-pyxle-navigation")
    return response
