"""A page URL: navigation JSON for client-side navigation, an HTML document otherwise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketClose

from pyxle.hooks import Hook, RouteContext, attach, wrap_endpoint
from pyxle.observability import phase
from pyxle.pages._answers import Answered, as_json, redirect_target
from pyxle.pages._data import dumps, loader_error_payload, props_json, run_loader
from pyxle.pages._document import auth_seed, document
from pyxle.pages._errors import PagesRuntime, busy_page, unexpected_error
from pyxle.pages._head import head_elements
from pyxle.pages._module import PageModule
from pyxle.pages._render import merge_head
from pyxle.runtime import ActionCookies, LoaderError
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
        self._route = context.as_dict()
        self.where = f"pages/{page.file}"
        self._call = wrap_endpoint(self._respond, hooks, context)
        # How long (ms) the browser may reuse this page's navigation data: the configured default;
        # else not at all when a loader runs (a click shows the data as of the click), so a
        # prefetch gets only the page's code; else the client's own default (no "prefetchTtl").
        loads = page.loader is not None or any(layout.loader is not None for layout in self.layouts)
        ttl = runtime.prefetch_ttl * 1000 if runtime.prefetch_ttl is not None else 0 if loads else None
        self._ttl_json = "" if ttl is None else f',"prefetchTtl":{ttl}'
        self._code_only = ttl == 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        attach(scope, self._route)
        method = scope["method"]
        if method == "OPTIONS":
            response: Response = Response(status_code=204, headers=_ALLOW)
        elif method not in ("GET", "HEAD"):
            raise HTTPException(405, headers=_ALLOW)
        else:
            request = Request(scope, receive, send)
            cookies = request.state.cookies = ActionCookies(https=scope.get("scheme") == "https")
            response = await self._call(request)
            if cookies:
                cookies.apply(response)
        await response(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The page's ``websocket(ws)`` at its URL (the Origin check ran before, in realtime's guard);
        a page without one refuses the upgrade."""
        handler = self.page.websocket
        if handler is None:
            await WebSocketClose(code=1008, reason="This page does not accept WebSocket connections")(
                scope, receive, send)
            return
        attach(scope, self._route)
        await handler(WebSocket(scope, receive, send))

    async def _respond(self, request: Request) -> Response:
        kind = request.headers.get("x-pyxle-navigation")  # "1"; "prefetch" when the router prefetches
        navigation = kind == "1" or kind == "prefetch"
        if not navigation and self.runtime.renderer is not None and self.runtime.renderer.refuses():
            return busy_page()  # before the loaders: a saturated server does not query for pages it won't render
        route_path = request.scope["path"]
        if kind == "prefetch" and self._code_only:
            body = f'{{"ok":true,"routePath":{dumps(route_path)}{self._ttl_json}{self._page_json()}}}'
            return Response(body, 200, headers=_VARY, media_type="application/json")
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
            return await self._error(navigation, exc.status_code, loader_error_payload(exc), layout_data, route_path)
        except HTTPException:
            raise
        except Exception as exc:  # noqa: BLE001 - a loader's bug: logged by unexpected_error, answered 500
            error = unexpected_error(exc, f"a loader of {self.where}", self.runtime.expose_errors)
            return await self._error(navigation, 500, error, layout_data, route_path)
        levels = [head_elements(layout.head, layout_data.get(layout.file.as_posix(), {})) for layout in self.layouts]
        levels.append(head_elements(self.page.head, data))
        encoded_props = props_json(data_json, layout_json)
        action_result = request.scope["pyxle"].get("action_result")  # a no-JS form post that failed validation
        if action_result is not None:
            encoded_props = f'{encoded_props[:-1]},"action":{dumps(action_result)}}}'
        renderer = self.runtime.renderer
        if navigation:
            head_markup = dumps("\n".join(element for level in levels for element in level))
            head_levels = dumps(["\n".join(level) for level in levels])
            body = (f'{{"ok":true,"routePath":{dumps(route_path)},"props":{encoded_props},'
                    f'"headMarkup":{head_markup},"headLevels":{head_levels}{self._ttl_json}{self._page_json()}}}')
            return Response(body, status, headers=_VARY, media_type="application/json")
        if renderer is None or not renderer.has(self.page_id):
            head = merge_head([element for level in levels for element in level])
            return HTMLResponse(document(head=head, body_html="", props_json=encoded_props), status, headers=_VARY)
        try:
            csrf = request.scope.get("pyxle", {}).get("csrf_token", "")
            with phase("render", self.page_id):
                return await renderer.respond(self.page_id, encoded_props, route_path, levels, status, _VARY, csrf,
                                              tail=auth_seed(request.scope))
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

    def _page_json(self) -> str:
        """``,"page":{id, js, css}``: what the router imports to show the page ("" without a build)."""
        renderer = self.runtime.renderer
        if renderer is None or not renderer.has(self.page_id):
            return ""
        return f',"page":{dumps({"id": self.page_id, **renderer.assets(self.page_id)})}'


    async def _error(self, navigation: bool, status: int, error: dict[str, Any], layout_data: dict[str, Any],
                     route_path: str) -> Response:
        if navigation:
            return JSONResponse({"ok": False, "routePath": route_path, "error": error}, status, headers=_VARY)
        return await self.runtime.error_page(self.page.file, "error", status, error, layout_data, route_path)


def _answer(response: Response, navigation: bool, route_path: str) -> Response:
    """A loader's own response: as is for a document; for the router, a redirect as JSON it follows
    (anything else as is, and the router loads the URL in full)."""
    target = redirect_target(response)
    if navigation and target is not None:
        response = as_json(response, {"ok": False, "routePath": route_path, "redirect": target})
    response.headers.add_vary_header("x-pyxle-navigation")
    return response
