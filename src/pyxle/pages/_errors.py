"""Error pages: the nearest ``error.pyxl`` / ``not-found.pyxl``, or a built-in page."""

from __future__ import annotations

import functools
import html
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from pyxle.pages._document import LANG, document
from pyxle.routing import RouteTable

if TYPE_CHECKING:
    from pyxle.ssr import RenderError

logger = logging.getLogger("pyxle.error")
# One URL answers HTML or navigation JSON, so every answer of a page URL says which header chose.
VARY = {"Vary": "x-pyxle-navigation"}


@dataclass
class PagesRuntime:
    """What every page endpoint shares and a dev reload swaps: the renderer and the route table."""

    table: RouteTable
    expose_errors: bool = False
    renderer: Any = None  # pyxle.pages._render.Renderer when pages can be server-rendered
    problem: str | None = None  # why they cannot, shown in the built-in page
    dev_render_error: Callable[[RenderError], Response] | None = None  # pyxle dev: the overlay page
    prefetch_ttl: int | None = None  # navigation.defaultPrefetchTtl (seconds), see PageEndpoint
    cache: Any = None  # pyxle.cache.PageCache when the page cache is on
    app: Any = None  # the whole ASGI app: a stored page is rendered again through it (_cached.regenerate)
    lang: str = LANG  # the config's lang: <html lang> of a page rendered without the renderer
    # <title>{name}</title> from the config's name: the title of a page (error and not-found pages
    # included) that sets none, as in pyxle-framework 0.9; () without a name.
    fallback_head: tuple[str, ...] = ()

    async def error_page(self, file: PurePosixPath | None, kind: str, status: int, error: dict[str, Any],
                         layout_data: dict[str, Any], route_path: str, *, urgent: bool = False) -> Response:
        """Render ``error.pyxl``/``not-found.pyxl`` nearest to ``file``; the built-in page if none or it fails.

        ``urgent``: the page's own render failed, so its request has waited already; the error
        page goes ahead of the renders queued since (see ``SsrPool.render``).
        """
        special = self.table.nearest(file or PurePosixPath("index.pyxl"), kind)
        headers = VARY
        if special is not None and self.renderer is not None:
            from pyxle.ssr import RenderQueueFull

            page_id = special.with_suffix("").as_posix()
            # ``error``: the prop name error pages written for earlier Pyxle releases read.
            props = {"data": error, "error": error, "layoutData": layout_data}
            try:
                return await self.renderer.respond(page_id, props, route_path, [list(self.fallback_head)], status,
                                                   headers, urgent=urgent)
            except RenderQueueFull:  # saturated: the built-in page costs no render
                pass
            except Exception as exc:  # the error page itself failed: fall back to the built-in one
                logger.error("error page %s failed to render", special, exc_info=exc)
        scripts = self.renderer.extra_scripts if self.renderer is not None else ""  # pyxle dev: live reload
        return HTMLResponse(builtin_page(status, error, self.problem if self.expose_errors else None, scripts),
                            status, headers=headers)


def unexpected_error(exc: BaseException, where: str, expose: bool) -> dict[str, Any]:
    """Log a loader's or action's unexpected exception; the error an error page shows for it.

    Only ``expose`` (``pyxle dev``) puts the exception's text and traceback in it.
    """
    logger.error("Unhandled error in %s", where, exc_info=exc)
    if not expose:
        return {"message": "Internal Server Error", "statusCode": 500, "data": {}}
    return {"message": f"{type(exc).__name__}: {exc}", "statusCode": 500, "data": {},
            "stack": "".join(traceback.format_exception(exc))}


RETRY_AFTER = "1"  # seconds: a saturated render queue usually drains within one


def busy_page() -> HTMLResponse:
    """503 for a page request the render queue has no room for: at once, with ``Retry-After``."""
    return HTMLResponse(_busy_document(), 503, headers={"Retry-After": RETRY_AFTER, **VARY})


@functools.cache
def _busy_document() -> str:
    error = {"message": "The server is busy; please try again in a moment", "statusCode": 503, "data": {}}
    return builtin_page(503, error)


def builtin_page(status: int, error: dict[str, Any], note: str | None = None, scripts: str = "") -> str:
    title = f"{status} · {html.escape(str(error.get('message', 'Error')))}"
    body = f"<h1>{status}</h1><p>{html.escape(str(error.get('message', '')))}</p>"
    if note:
        body += f"<p><small>{html.escape(note)}</small></p>"
    if error.get("stack"):
        body += f"<pre>{html.escape(str(error['stack']))}</pre>"
    return document(head=[f"<title>{title}</title>"], body_html=body, props={"error": error}, scripts=scripts)


class NotFound:
    """The end of the line for page projects: navigation JSON, or the not-found page, with 404."""

    def __init__(self, runtime: PagesRuntime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from pyxle.app._static import not_found

        path = scope.get("path", "/")
        if scope["type"] != "http" or path == "/api" or path.startswith("/api/"):
            await not_found(scope, receive, send)
            return
        error = {"message": "This page could not be found", "statusCode": 404, "data": {}}
        headers = dict(scope.get("headers") or [])
        if headers.get(b"x-pyxle-navigation") in (b"1", b"prefetch"):
            response: Response = JSONResponse({"ok": False, "routePath": path, "error": error}, 404, headers=VARY)
        else:
            folder = PurePosixPath(*[p for p in path.split("/") if p], "x.pyxl") if path != "/" else None
            response = await self.runtime.error_page(folder, "not-found", 404, error, {}, path)
        await response(scope, receive, send)
