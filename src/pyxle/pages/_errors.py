"""Error pages: the nearest ``error.pyxl`` / ``not-found.pyxl``, or a built-in page.

Also how an error's text reaches any answer (``error_json``, ``well_formed``): an exception's
message, a ``LoaderError``'s or an ``ActionError``'s is the app's, and may hold a lone surrogate.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from pyxle._cancelled import lets_through
from pyxle._loggable import loggable
from pyxle._refused import bad_path, not_found
from pyxle.cache._rules import PRIVATE
from pyxle.pages._answers import Answered, as_json, redirect_target
from pyxle.pages._data import dumps, run_loader
from pyxle.pages._document import LANG, VIEWPORT, auth_seed, document, embed_json
from pyxle.pages._head import head_elements
from pyxle.routing import RouteTable
from pyxle.runtime import ActionCookies
from pyxle.security import nonced, over_https

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
    dev_unrendered: Callable[[], Response] | None = None  # pyxle dev without a build: why, as the overlay page
    dev: bool = False  # pyxle dev: a loader that returns None is named in the log (``run_loader``)
    prefetch_ttl: int | None = None  # navigation.defaultPrefetchTtl (seconds), see PageEndpoint
    cache: Any = None  # pyxle.cache.PageCache when the page cache is on
    app: Any = None  # the whole ASGI app: a stored page is rendered again through it (_cached.regenerate)
    lang: str = LANG  # the config's lang: <html lang> of a page rendered without the renderer
    # <title>{name}</title> from the config's name: the title of a page (error and not-found pages
    # included) that sets none, as in pyxle-framework 0.9; () without a name.
    fallback_head: tuple[str, ...] = ()
    specials: dict[str, Any] = field(default_factory=dict)  # "blog/layout.pyxl" -> its PageModule

    async def error_page(self, file: PurePosixPath | None, kind: str, status: int, error: dict[str, Any],
                         layout_data: dict[str, Any], route_path: str, *, scope: Scope, urgent: bool = False,
                         back: str | None = None) -> Response:
        """Render ``error.pyxl``/``not-found.pyxl`` nearest to ``file``; the built-in page if none or it fails.

        ``scope``: the request's, whose CSRF token the page's ``Form``s carry (a layout's form, posted
        without JavaScript, is refused without it), as a page's do; an error page is never stored.
        ``urgent``: the page's own render failed, so its request has waited already; the error
        page goes ahead of the renders queued since (see ``SsrPool.render``). ``back``: the page
        (path and query of this site) a no-JS form post was on, answered at the action's URL: the
        built-in page links to it, and an ``error.pyxl`` is rendered at its path and once hydrated
        shows it in the address bar (``actionPage``), so Back never asks the action's URL for
        navigation JSON. It carries the request's ``#pyxle-auth`` seed, as a page does: ``useAuth``
        in a layout shows the visitor.
        """
        special = self.table.nearest(file or PurePosixPath("index.pyxl"), kind)
        headers = VARY
        handled = sys.exc_info()[1]  # the failure this page is for (logged already), if it is being handled
        if special is not None and self.renderer is not None:
            from pyxle.pages._render import log_render_failure
            from pyxle.ssr import RenderError, RenderQueueFull

            page_id = special.with_suffix("").as_posix()
            # ``error``: the prop name error pages written for earlier Pyxle releases read.
            props = {"data": error, "error": error, "layoutData": layout_data}
            if back is not None:
                props["actionPage"] = back
                route_path = unquote(back.partition("?")[0])
            head = self.head_levels(special, error, layout_data)
            try:
                return await self.renderer.respond(page_id, props, route_path, head, status, headers,
                                                   scope.get("pyxle", {}).get("csrf_token", ""),
                                                   tail=auth_seed(scope), urgent=urgent)
            except RenderQueueFull:  # saturated: the built-in page costs no render
                pass
            except RenderError as exc:  # the error page's render failed: logged as a page's, file, line and stack
                log_render_failure(f"pages/{special.as_posix()}", exc, self.renderer)
            except Exception as exc:  # the error page itself failed otherwise: fall back to the built-in one
                logger.error("error page %s failed to render", special, exc_info=unchained(exc, handled))
        return self.builtin(status, error, back)

    def error_json(self, file: PurePosixPath | None, kind: str, status: int, error: dict[str, Any],
                   layout_data: dict[str, Any], route_path: str) -> Response:
        """The navigation JSON of a page whose loader failed: ``{"ok": false, "routePath", "error",
        "layoutData"}``, and, where the error page a full load renders (``error.pyxl`` nearest
        ``file``, ``not-found.pyxl`` for ``kind`` "not-found") has been built, what the router shows
        it with in place, inside the layouts the page shares with it (their state kept): its code
        (``page``) and head (``headLevels``, ``headMarkup``), as a page's JSON has them. Its props
        are the document's: ``{data: error, error, layoutData}``. Without such a page (a
        ``STANDALONE`` folder without one, no build) the router loads the URL in full, as before."""
        body: dict[str, Any] = {"ok": False, "routePath": route_path, "error": error, "layoutData": layout_data}
        special = self.table.nearest(file or PurePosixPath("index.pyxl"), kind)
        page_id = special.with_suffix("").as_posix() if special is not None else ""
        renderer = self.renderer
        if special is not None and renderer is not None and renderer.has(page_id):
            from pyxle.pages._render import merge_head

            levels = self.head_levels(special, error, layout_data)
            body["headMarkup"] = "\n".join(merge_head(levels))
            body["headLevels"] = ["\n".join(level) for level in levels]
            body["page"] = {"id": page_id, **renderer.assets(page_id)}
        return Response(dumps(body), status, headers=VARY, media_type="application/json")

    def head_levels(self, special: PurePosixPath, error: dict[str, Any], layout_data: dict[str, Any]) -> list[list[str]]:
        """The ``HEAD`` of each layout around an error page, then its own (``HEAD(data)`` gets the
        error), as a page's levels; the config's title first, which any other replaces. A ``HEAD``
        that raises here (a layout's data missing: its loader failed) is logged and left out, so
        the error page still answers."""
        levels = []
        handled = sys.exc_info()[1]  # the failure this error page is for, if it is being handled
        for file, data in [*((f, layout_data.get(f.as_posix(), {})) for _, f in self.table.chain(special)),
                           (special, error)]:
            module = self.specials.get(file.as_posix())
            try:
                levels.append(head_elements(module.head, data) if module is not None else [])
            except Exception as exc:
                logger.error("the HEAD of pages/%s failed on an error page; left out", file.as_posix(),
                             exc_info=unchained(exc, handled))
                levels.append([])
        levels[0] = [*self.fallback_head, *levels[0]]
        return levels

    def builtin(self, status: int, error: dict[str, Any], back: str | None = None) -> HTMLResponse:
        """Pyxle's own error page: no ``error.pyxl``/``not-found.pyxl``, or it cannot be rendered.
        Its scripts (``pyxle dev``'s live reload, ``back``'s URL) carry a nonce its policy names, as a
        rendered page's do."""
        renderer = self.renderer
        scripts = _own_url(back) + (renderer.extra_scripts if renderer is not None else "")
        scripts, headers = nonced(renderer.script_policy if renderer is not None else None, scripts, VARY)
        return HTMLResponse(builtin_page(status, error, self.problem if self.expose_errors else None, scripts, back),
                            status, headers=headers)

    async def layout_data(self, file: PurePosixPath, request: Request) -> dict[str, Any]:
        """What the loaders of the layouts and templates around ``file`` return (outermost first),
        by layout file, as a page's ``layoutData``; raises what a loader raises (``Answered`` for
        a response it returns)."""
        found: dict[str, Any] = {}
        for _, wrapper in self.table.chain(file):
            module = self.specials.get(wrapper.as_posix())
            if module is not None and module.loader is not None:
                key = wrapper.as_posix()
                found[key] = (await run_loader(module.loader, request, f"pages/{key}", warn_none=self.dev)).data
        return found


def unchained(exc: BaseException, handled: BaseException | None) -> BaseException:
    """``exc`` without ``handled`` in the exceptions its traceback shows: Python chains what was
    being handled when ``exc`` was raised ("During handling of the above exception..."), and the
    failure an error page is for (a loader's) has its own log record; printed again under a HEAD
    that failed on that page, its whole traceback was in the log twice."""
    link: BaseException | None = exc
    seen: set[int] = set()
    while link is not None and handled is not None and id(link) not in seen:
        seen.add(id(link))
        if link.__context__ is handled:
            link.__context__ = None
            break
        link = link.__cause__ if link.__cause__ is not None else link.__context__
    return exc


def unexpected_error(exc: BaseException, where: str, expose: bool, *, exposed_type: str) -> dict[str, Any]:
    """Log a loader's or action's unexpected exception; the error an error page shows for it.

    Only ``expose`` (``pyxle dev``, ``debug``) puts the exception's text and traceback in it. Its
    ``type`` is what 0.9 gave: ``"ServerError"``, or where the text is shown ``exposed_type`` (a
    loader's ``"LoaderCrashError"``, an action's ``"ActionCrashError"``), never the exception's
    class: that is only in the exposed message. Each caller names its own, so no shown exception
    says ``"ServerError"``, the type of a hidden one.
    """
    logger.error("Unhandled error in %s", where, exc_info=exc)
    if not expose:
        return {"message": "Internal Server Error", "statusCode": 500, "data": {}, "type": "ServerError"}
    return {"message": f"{type(exc).__name__}: {exc}", "statusCode": 500, "data": {}, "type": exposed_type,
            "stack": "".join(traceback.format_exception(exc))}


def well_formed(text: str) -> str:
    """``text`` as HTML or a URL can carry it: a lone surrogate (half an emoji, as JavaScript's
    ``.slice()`` leaves it, in an exception's or a ``LoaderError``'s message) becomes U+FFFD, what
    a browser shows for one (``String.prototype.toWellFormed``, as the SSR worker sends its
    messages); a pair of surrogates is the character they make. Left in, it made the
    answer's UTF-8 encoding fail after the error was handled: a bare 500 instead of the error page."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def error_json(body: dict[str, Any], status: int, headers: Mapping[str, str] | None = None) -> Response:
    """An error's JSON answer (the 500 net's, an action's, an ``HTTPException``'s): written by
    ``dumps`` as props and ``ActionError`` answers are, so a lone surrogate in the error's text is
    its escape (``"\\ud83d"``, as ``JSON.stringify`` writes it) where Starlette's ``JSONResponse``
    failed to encode it (and the 500 net's own answer failed the same way: a bare 500)."""
    return Response(dumps(body), status, headers=headers, media_type="application/json")


def uncached(response: Response) -> None:
    """Every answer of a page URL says whether it may be kept: one that is not a stored page (a
    redirect, an error page, a prefetch's code) is ``private, no-cache`` like any page rendered for
    one visitor, unless it set its own (a loader's ``Response`` is the app's choice, kept)."""
    if "cache-control" not in response.headers:
        response.headers["Cache-Control"] = PRIVATE


RETRY_AFTER = "1"  # seconds: a saturated render queue usually drains within one


def busy_page() -> HTMLResponse:
    """503 for a page request the render queue has no room for: at once, with ``Retry-After``."""
    return HTMLResponse(_busy_document(), 503, headers={"Retry-After": RETRY_AFTER, **VARY})


@functools.cache
def _busy_document() -> str:
    error = {"message": "The server is busy; please try again in a moment", "statusCode": 503, "data": {}}
    return builtin_page(503, error)


def builtin_page(status: int, error: dict[str, Any], note: str | None = None, scripts: str = "",
                 back: str | None = None) -> str:
    """The page's text is ``well_formed``; its props (``embed_json``) keep a lone surrogate as its escape.
    ``back``: a path of this site (the caller checked it) the page links to."""
    title = f"{status} · {_text(error.get('message', 'Error'))}"
    body = f"<h1>{status}</h1><p>{_text(error.get('message', ''))}</p>"
    if back:
        body += f'<p><a href="{_text(back)}">Back to the page</a></p>'
    if note:
        body += f"<p><small>{_text(note)}</small></p>"
    if error.get("stack"):
        body += f"<pre>{_text(error['stack'])}</pre>"
    return document(head=[VIEWPORT, f"<title>{title}</title>"], body_html=body, props={"error": error}, scripts=scripts)


def _own_url(back: str | None) -> str:
    """The script that shows ``back`` (the page a no-JS post was on) in the address bar in place of
    the action's URL, as an ``error.pyxl`` does once hydrated (``actionPage``): a reload and Back go
    on from the page, never from the action's URL."""
    if not back:
        return ""
    return f"<script>history.replaceState(history.state, '', {embed_json(back)})</script>"


def _text(value: object) -> str:
    return html.escape(well_formed(str(value)))


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def echoed(path: str) -> str:
    """``path`` as navigation JSON hands it back (``routePath``): a control character, which the
    server refused in a path (``BadPath``), as its escape (``%00``), never as itself."""
    return _CONTROL.sub(lambda found: f"%{ord(found.group()):02X}", path)


class NotFound:
    """The end of the line for page projects: navigation JSON, or the not-found page, with 404; an API
    client's URL (``RouteTable.api_url``: ``/admin/api/nope`` beside ``pages/admin/api/``) gets JSON."""

    # ``error_type``: the error page's ``type`` (docs/pages.md), as a LoaderError's is its class name.
    status, kind, message, error_type = 404, "not-found", "This page could not be found", "NotFound"

    def __init__(self, runtime: PagesRuntime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "/")
        if scope["type"] != "http" or self.runtime.table.api_url(path):  # an API client's URL: JSON
            await self.api_answer(scope, receive, send)
            return
        error = {"message": self.message, "statusCode": self.status, "data": {}, "type": self.error_type}
        headers = dict(scope.get("headers") or [])
        kind = headers.get(b"x-pyxle-navigation")
        if kind == b"prefetch":  # a hovered link: the router only learns there is no page, so no loader runs
            response = Response(dumps({"ok": False, "routePath": echoed(path), "error": error}), self.status,
                                headers=VARY, media_type="application/json")
            uncached(response)
            await response(scope, receive, send)
            return
        request = Request(scope, receive, send)
        cookies = request.state.cookies = ActionCookies(https=over_https(scope))
        folder = PurePosixPath(*[p for p in path.split("/") if p], "x.pyxl") if path != "/" else None
        response = await self._answer(request, folder, error, kind == b"1")
        uncached(response)
        if cookies:
            cookies.apply(response)
        await response(scope, receive, send)

    @staticmethod
    async def api_answer(scope: Scope, receive: Receive, send: Send) -> None:
        """An API client's URL, or a WebSocket: the JSON 404 of the routes (a closed socket)."""
        await not_found(scope, receive, send)

    async def _answer(self, request: Request, folder: PurePosixPath | None, error: dict[str, Any],
                      navigation: bool) -> Response:
        """The nearest ``not-found.pyxl`` (the ``kind``'s page) inside its layouts, whose loaders
        run as for a page of that folder (pyxle-framework 0.9 ran them too: a layout reading its
        data unguarded must not fail there). A layout loader that fails gets the built-in page,
        logged; one that answers itself (a redirect to log in) is answered, as on a page."""
        path = request.scope.get("path", "/")
        runtime = self.runtime
        special = runtime.table.nearest(folder or PurePosixPath("index.pyxl"), self.kind)
        layout_data: dict[str, Any] = {}
        if special is not None:
            try:
                layout_data = await runtime.layout_data(special, request)
            except Answered as answered:
                answer, target = answered.response, redirect_target(answered.response)
                if navigation and target is not None:
                    answer = as_json(answer, {"ok": False, "routePath": echoed(path), "redirect": target})
                answer.headers.add_vary_header("x-pyxle-navigation")
                return answer
            except BaseException as exc:  # a layout loader failed: logged; the built-in page answers
                if lets_through(exc):  # the request's cancellation
                    raise
                logger.error("the layouts around %s failed for %s; the built-in %d page answers", special,
                             loggable(path), self.status, exc_info=exc)
                if not navigation:
                    return runtime.builtin(self.status, error)
        if navigation:
            body = {"ok": False, "routePath": echoed(path), "error": error, "layoutData": layout_data}
            return Response(dumps(body), self.status, headers=VARY, media_type="application/json")
        return await runtime.error_page(folder, self.kind, self.status, error, layout_data, path, scope=request.scope)


class BadPath(NotFound):
    """A path holding a control character (``%00``), refused before any route sees it
    (``PyxleRouter``): 400, answered as a 404 is, with the nearest ``error.pyxl`` for a page's URL."""

    status, kind, error_type = 400, "error", "InvalidPath"
    message = "This address is not valid: it holds a control character"

    @staticmethod
    async def api_answer(scope: Scope, receive: Receive, send: Send) -> None:
        await bad_path(scope, receive, send)
