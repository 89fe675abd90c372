"""``POST /api/__actions/<page path>/<action>``: every ``@action`` of every page, JSON in and out.

A page's URL serves the actions of the layouts and templates around it too: a layout's
``<Form action="ping">`` posts to the URL of whichever page it is rendered on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle._bodies import send_response
from pyxle._cancelled import lets_through
from pyxle._loading import SourceError
from pyxle._refused import RequestRefused, ServiceUnavailable, body_refusal
from pyxle._status import check_status
from pyxle.api import ApiRequest
from pyxle.hooks import Endpoint, Hook, RouteContext, attach, wrap_endpoint
from pyxle.observability import phase
from pyxle.pages._action_body import FORM_FIELD, Bind, body_binder
from pyxle.pages._answers import Answered, as_json, redirect_target, with_cookies
from pyxle.pages._cached import JSON
from pyxle.pages._data import as_plain_dict, dumps, not_json, returns, typed_result
from pyxle.pages._errors import PagesRuntime, error_json, unexpected_error, well_formed
from pyxle.pages._module import PageModule
from pyxle.pages._refusals import accepts_html, refusal_error, wants_document, with_headers_of
from pyxle.pages._rerender import failure, own_query, referer, rerender_with_errors, without_error
from pyxle.routing import RouteSpec, RouteTable, starlette_patterns
from pyxle.runtime import (
    INVALIDATE_HEADER,
    INVALIDATE_KEY,
    STATED_INVALIDATIONS,
    ActionCookies,
    ActionError,
    error_answer,
    invalidate_header,
    invalidate_routes,
)
from pyxle.security import over_https
from pyxle.validation import form_fields, is_form

logger = logging.getLogger("pyxle.error")
PREFIX = "/api/__actions/"
BACKGROUND_KEY = "background"  # {"background": [fn, *args]} in an action's result: see _background_task
# On an action's answer to a fetch that sets or deletes a cookie (a sign-in, a sign-out): the
# browser drops every page's data it prefetched and fetches the page shown again, as Next.js does
# after a Server Action sets a cookie (pyxle/client's _actions.js).
COOKIES_HEADER = "x-pyxle-cookies"
_FAILED = "action_failed"  # scope["pyxle"] flag: the action raised; its 500 is final, never a redirect
_PAGE_URL = "action_page_url"  # scope["pyxle"]: the URL of the action's page (its 500's way back, _back_to)


class ActionRequest(ApiRequest):
    """``await request.json()`` is the JSON sent (an object, an array, a number...: any value, as in
    pyxle-framework 0.9, whose clients send arrays), or a form post's fields as a dict (so plain HTML
    forms work), as 0.9's ``Form`` sent them (``Object.fromEntries``): an empty field is ``""``, a
    name sent twice its last value (``request.form()`` keeps both), but a name carrying more than one
    file the list of those files (``<input type="file" multiple>``). A typed body (``_action_body``)
    is read from the raw body instead, and must be an object: that is where fields are bound.
    ``Form``'s own ``_pyxle_form`` field is not among them."""

    async def json(self) -> Any:
        if not is_form(self.headers.get("content-type", "")):
            return await super().json()
        if not hasattr(self, "_json"):  # a form that cannot be parsed is refused by form() (400)
            self._json = form_fields((await self.form()).multi_items(), skip=(FORM_FIELD,), last_wins=True)
        return self._json


class ActionsEndpoint:
    """One endpoint for all actions: a dict lookup by page path and action name.

    The page is named by its path under ``pages/`` (``blog/new``, ``posts/[id]``) or by a URL it
    serves (``posts/7``: what the client sends from a dynamic page, and what Pyxle 0.9 sent from
    every page); an action reached by URL gets that URL's path parameters. A page serves its own
    actions and those of the layouts and templates around it (``add_page``'s ``around``).
    """

    def __init__(self, runtime: PagesRuntime) -> None:
        self.runtime = runtime
        self._calls: dict[tuple[str, str], tuple[Endpoint, dict[str, Any]]] = {}
        self._pages: dict[str, tuple[ASGIApp, RouteSpec]] = {}
        self._static_urls: dict[str, str] = {}  # "/blog" -> "blog/index"
        self._dynamic_urls: list[tuple[RouteSpec, str]] = []  # in match order
        self._dynamic_paths: set[str] = set()  # "posts/[id]": its file path is matched as a URL too
        self.functions: dict[tuple[str, str], Callable[..., Any]] = {}  # for the OpenAPI document
        self.owners: dict[tuple[str, str], PurePosixPath] = {}  # the file each served action is in
        self._binders: dict[Callable[..., Any], Bind | None] = {}  # a layout's action, bound once for all its pages

    def add_page(self, page_path: str, spec: RouteSpec, page: PageModule, hooks: Sequence[Hook],
                 rerender: ASGIApp | None = None, around: Sequence[PageModule] = ()) -> None:
        """Each action gets its own route facts (``target="action"``, its URL) and the hook chain.
        ``rerender``: the page itself, which a no-JS form post whose fields failed validation sees again.
        ``around``: the page's layouts and templates, outermost first; their actions are served at
        the page's URL too, the nearest file's winning for a name two of them define (a name the
        page shares with one of them is refused before this: ``layout_clashes``).
        Hooks read an action's path as 0.9 wrote it: ``/api/__actions/`` and the page's pattern in
        0.9's form (the bare one of an optional catch-all; ``index`` for ``/``), then the name."""
        full, bare = starlette_patterns(spec)
        hook_base = PREFIX + ((bare or full).lstrip("/") or "index")
        if not self._add_calls(page_path, page.file, [*around, page], hooks, hook_base):
            return
        if rerender is not None:
            self._pages[page_path] = (rerender, spec)
        if spec.regex is None:
            self._static_urls.setdefault(spec.pattern, page_path)
        else:
            self._dynamic_urls.append((spec, page_path))
            self._dynamic_urls.sort(key=lambda entry: entry[0].sort_key)
            self._dynamic_paths.add(page_path)

    def add_error_page(self, page_path: str, file: PurePosixPath, around: Sequence[PageModule],
                       hooks: Sequence[Hook]) -> None:
        """The actions of the layouts ``around`` a ``not-found.pyxl`` or ``error.pyxl`` (``page_path``:
        ``not-found``, ``blog/error``), which render on it too: their Forms post to its path."""
        self._add_calls(page_path, file, around, hooks)

    def _add_calls(self, page_path: str, file: PurePosixPath, modules: Sequence[PageModule],
                   hooks: Sequence[Hook], hook_base: str | None = None) -> bool:
        """Serve at ``page_path`` the actions of ``modules`` (outermost first: the last one defining a
        name wins); ``file`` is the page whose error page a failed no-JS post sees. False: none.
        ``hook_base``: what hooks read as the path before the action's name (else its URL's)."""
        served: dict[str, PageModule] = {}
        for module in modules:
            served.update(dict.fromkeys(module.actions, module))
        for name, owner in served.items():
            fn = owner.actions[name]
            if fn not in self._binders:
                self._binders[fn] = body_binder(fn, f"pages/{owner.file}")
                returns(fn)  # its return annotation's dumper, built now rather than on the first call
            url = f"{PREFIX}{page_path}/{name}"
            context = RouteContext(
                target="action", path=f"{hook_base}/{name}" if hook_base else url, pattern=url,
                source_relative_path=owner.file,
                source_absolute_path=owner.path, module_key=owner.module.__name__, content_hash=owner.content_hash,
                allowed_methods=("POST",),
            )
            where = None if owner.file == file else f"action {fn.__name__}() of pages/{owner.file} on page {page_path!r}"
            call = wrap_endpoint(self._adapt(fn, page_path, file, self._binders[fn], where), hooks, context)
            self._calls[(page_path, name)] = (call, context.as_dict())
            self.functions[(page_path, name)] = fn
            self.owners[(page_path, name)] = owner.file
        return bool(served)

    def route_at(self, path: str) -> dict[str, Any] | None:
        """The facts of the action a request for ``path`` would run (as ``ApiEndpoint.route_at``), None for none."""
        segment, _, name = path.removeprefix(PREFIX).rpartition("/")
        found = self._calls.get((segment, name))
        if found is None and (by_url := self._by_url(segment)) is not None:
            found = self._calls.get((by_url[0], name))
        return None if found is None else found[1]

    def spec_of(self, page_path: str) -> RouteSpec | None:
        """The route of a dynamic page, None for another: the OpenAPI document lists its actions at
        its URL pattern, which gives them its path parameters (its path under pages/ gives none)."""
        return next((spec for spec, path in self._dynamic_urls if path == page_path), None)

    def names(self) -> list[tuple[str, str]]:
        return sorted(self._calls)

    def _by_url(self, segment: str) -> tuple[str, str, dict[str, str]] | None:
        """``(page path, URL, path params)`` of the page serving ``/<segment>`` ("index": ``/``)."""
        url = "/" if segment == "index" else "/" + segment
        page_path = self._static_urls.get(url)
        if page_path is not None:
            return page_path, url, {}
        for spec, page_path in self._dynamic_urls:
            match = spec.regex.match(url)  # type: ignore[union-attr]
            if match is not None:
                params = {k: v for k, v in match.groupdict().items() if v is not None}  # as the page's (router)
                return page_path, url, params
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008)(scope, receive, send)
            return
        segment, _, name = scope["path_params"]["target"].rpartition("/")
        page_path, page_url, params = segment, _page_url(segment), {}
        found = self._calls.get((segment, name))
        if found is not None and segment in self._dynamic_paths and (by_url := self._by_url(segment)) is not None:
            # posts/[id]/like, the file path: its page's pattern takes it as a URL, as Pyxle 0.9 routed it
            # (id "[id]"), so the action has the parameters it reads (request.path_params["id"] was a KeyError)
            _, page_url, params = by_url
        elif found is None and (by_url := self._by_url(segment)) is not None:
            page_path, page_url, params = by_url
            found = self._calls.get((page_path, name))
        if found is None:
            # The code tells a page opened before a deploy that renamed or removed the action (see callAction).
            unknown = JSONResponse({"ok": False, "error": f"Unknown action {name!r} for page {segment!r}",
                                    "code": "unknown_action"}, 404)
            await self.refusal(unknown)(scope, receive, send)
            return
        if scope["method"] != "POST":
            if scope["method"] in ("GET", "HEAD") and accepts_html(scope):  # a reload of a re-rendered page
                query = without_error(own_query(Request(scope)))
                page = _location(page_url)
                await RedirectResponse(f"{page}?{query}" if query else page, 303)(scope, receive, send)
                return
            raise RequestRefused(405, headers={"Allow": "POST"})
        call, route = found
        attach(scope, route)
        scope["pyxle"][_PAGE_URL] = page_url
        scope["path_params"] = params
        request = ActionRequest(scope, receive, send)
        response = await call(request)
        if self.runtime.cache is not None:
            await _purge(self.runtime.cache, response)
        target = redirect_target(response)
        document = wants_document(scope)
        if document and target is None and response.status_code >= 400 and not scope["pyxle"].get(_FAILED):
            await self._failed_post(request, send, (page_path, page_url, params, name), response)
            return
        if document and not scope["pyxle"].get(_FAILED):
            response = _redirect_back(request, page_url, response) if target is None else _see_other(response)
        elif target is not None:  # the client navigates there itself
            response = as_json(response, {"ok": True, "redirect": target})
        if not document and any(name == b"set-cookie" for name, _ in response.raw_headers):
            response.headers[COOKIES_HEADER] = "changed"  # what the browser fetched before may be another visitor's
        await send_response(response, scope, receive, send)  # a streamed body: closed however it ends

    async def _failed_post(self, request: ActionRequest, send: Send, where: tuple[str, str, dict[str, str], str],
                           response: Response) -> None:
        """A no-JS post whose action failed (an ``ActionError``, an error Response it returned): the page again,
        with the action's status. Never a 2xx/3xx: a plugin's unit of work (pyxle-db) commits on
        those, and the action's writes must be rolled back as they are for ``fetch``. A page that
        cannot be rendered again (a layout's action on an error page) gets its error page instead."""
        page_path, page_url, params, name = where
        page = self._pages.get(page_path)
        if page is not None:
            await rerender_with_errors(page, request, name, response, send,
                                       own=(page_url, params) if params else None,
                                       owner=self.owners[(page_path, name)])
            return
        path, query = _back_to(request, page_url)
        query = without_error(query)
        payload = failure(response)
        error = {"message": well_formed(str(payload.get("error") or refusal_error(response.status_code)["message"])),
                 "statusCode": response.status_code, "data": payload.get("data") or {}}
        file = PurePosixPath(f"{page_path}.pyxl")  # an error page's path: its folder's error.pyxl, if any
        page_answer = await self.runtime.error_page(file, "error", response.status_code, error,
                                                    await self._layout_data(file, request), request.url.path,
                                                    scope=request.scope, back=f"{path}?{query}" if query else path)
        await with_cookies(response, page_answer)(request.scope, request.receive, send)

    def refusal(self, answer: Response) -> ASGIApp:
        """``answer``, a refusal of an action URL made before the action ran (the CSRF check's, the
        body limits', an unknown action's: JSON), as its caller can read it: as it is for a
        ``fetch``; for a browser's own form post (``wants_document``), the error page nearest the
        form's page with the same status (``not-found.pyxl`` for a 404), else the built-in one
        with a link back to the page the form was on."""

        async def answer_for(scope: Scope, receive: Receive, send: Send) -> None:
            response = answer
            if wants_document(scope):
                response = with_headers_of(await self._refusal_page(scope, receive, answer.status_code), answer)
            await response(scope, receive, send)

        return answer_for

    async def _refusal_page(self, scope: Scope, receive: Receive, status: int) -> Response:
        """The page of a refused no-JS post: the form's page's error page, which links back to the
        page the form was on (its Referer when that is this site's page, else the action's page)."""
        segment = scope["path"][len(PREFIX):].rpartition("/")[0]
        page_url = _page_url(segment)
        known = self._pages.get(segment)
        if known is None and (by_url := self._by_url(segment)) is not None:
            known, page_url = self._pages.get(by_url[0]), by_url[1]
        if known is not None:
            file = known[1].file
        else:  # no page of the app has that path: the error pages of the folder the URL names
            file, page_url = PurePosixPath(*[p for p in segment.split("/") if p], "x.pyxl"), "/"
        request = ActionRequest(scope, receive)
        request.state.cookies = ActionCookies(https=over_https(scope))  # a layout loader may set one (not sent)
        path, query = _back_to(request, page_url)
        query = without_error(query)
        error = refusal_error(status)
        layouts = await self._layout_data(file, request)
        return await self.runtime.error_page(file, "not-found" if status == 404 else "error", status, error, layouts,
                                             scope["path"], scope=scope, back=f"{path}?{query}" if query else path)

    def _adapt(self, fn: Callable[..., Any], page_path: str, file: PurePosixPath, bind: Bind | None = None,
               where: str | None = None) -> Endpoint:
        """The action as ``request -> Response``; an unexpected exception (one in the action, or an
        answer JSON cannot carry) becomes a 500 here, inside the hooks (as JSON for scripts, as the
        error page for a form posted without JavaScript). ``file``: the page that error page is for;
        ``where``: how the log names the action (a layout's, by its file)."""
        where = where or f"action {fn.__name__}() of page {page_path!r}"
        label = f"{page_path}/{fn.__name__}"  # the phase: "action index/save" in traces
        expose = self.runtime.expose_errors

        async def call(request: ActionRequest) -> Response:
            cookies = request.state.cookies = ActionCookies(https=over_https(request.scope))
            try:
                response = await _outcome(fn, request, bind, label, where)
            except HTTPException as exc:
                response = _raised_redirect(exc) or _raised_refusal(exc, request.scope)
                if response is None:
                    raise
            except BaseException as exc:  # sys.exit() and the like too: logged with its traceback by unexpected_error
                if lets_through(exc):  # the request's cancellation
                    raise
                if (refused := body_refusal(exc)) is not None:  # a task group wrapped it (BaseHTTPMiddleware)
                    raise refused from None
                error = unexpected_error(exc, where, expose, exposed_type="ActionCrashError")
                request.scope["pyxle"][_FAILED] = True
                _cancel_tasks(request)
                if wants_document(request.scope):
                    layouts = await self._layout_data(file, request)
                    path, query = _back_to(request, request.scope["pyxle"][_PAGE_URL])
                    query = without_error(query)
                    return await self.runtime.error_page(file, "error", 500, error, layouts, request.url.path,
                                                         scope=request.scope, back=f"{path}?{query}" if query else path)
                body = {"ok": False, "error": error["message"]}
                if expose:
                    body["exception"] = f"{type(exc).__name__}: {exc}"
                    body["traceback"] = error.get("stack", "").splitlines(keepends=True)
                return error_json(body, 500)  # the exposed text may hold a lone surrogate
            return cookies.apply(response) if cookies else response

        return call  # type: ignore[return-value]

    async def _layout_data(self, file: PurePosixPath, request: ActionRequest) -> dict[str, Any]:
        """The layouts' data for the error page of a failed no-JS post, as a loader's error page
        has it (a layout reading its data unguarded must not fail there); ``{}`` when a layout
        loader fails or answers itself too (a failure is logged)."""
        try:
            return await self.runtime.layout_data(file, request)
        except BaseException as exc:
            if lets_through(exc):  # the request's cancellation
                raise
            if not isinstance(exc, Answered):
                logger.error("the layouts around %s failed for the error page of %s", file, request.url.path,
                             exc_info=exc)
            return {}


def layout_clashes(table: RouteTable, declared: Mapping[PurePosixPath, Mapping[str, int | None]],
                   shown: Callable[[PurePosixPath], str]) -> list[SourceError]:
    """A page's action whose name a layout or template around it also gives an action. Both are
    served at the page's URL, so the page's would run for the layout's ``<Form action="...">`` on
    that page: refused at start-up and by ``pyxle check``, which passes the names and lines from
    the compiled files (``declared``: file under pages/ -> {action name: line}) without running them.
    """
    errors = []
    for spec in table.pages:
        own = declared.get(spec.file, {})
        for kind, file in table.chain(spec.file):
            for name, line in declared.get(file, {}).items():
                if name in own:
                    where = f"{shown(file)}:{line}" if line else shown(file)
                    errors.append(SourceError(
                        shown(spec.file), own[name],
                        f"action {name!r} is also an action of the {kind} around this page ({where}); "
                        f"both are served at {PREFIX}{_page_name(spec.file)}/{name}, so the {kind}'s "
                        f"<Form action=\"{name}\"> on this page would run this page's function",
                        f"rename one of them: a {kind}'s actions are served at the URL of every page under it"))
    return errors


def _page_name(file: PurePosixPath) -> str:
    return file.with_suffix("").as_posix()


async def _outcome(fn: Callable[..., Any], request: ActionRequest, bind: Bind | None, label: str,
                   where: str) -> Response:
    """The action's answer: its result, or the ``ActionError`` it raised, as JSON. Data JSON cannot
    carry raises ``TypeError`` naming its key path: the server's bug, which the caller answers 500."""
    stated: list[str] = []  # invalidate_routes("/a") called as a statement
    token = STATED_INVALIDATIONS.set(stated)
    try:
        with phase("action", label):
            result = await fn(request) if bind is None else await fn(request, **await bind(request))
    except HTTPException as exc:  # its own answer (see ActionsEndpoint._adapt), if it can be sent
        check_status(exc.status_code, f"{where} raised HTTPException with", TypeError)
        raise
    except ActionError as exc:
        answer = {"ok": False, **error_answer(exc)}
        try:
            return Response(dumps(answer), exc.status_code, media_type=JSON)
        except (TypeError, ValueError):
            raise TypeError(not_json(f"{where} raised an ActionError with an answer", answer, "ActionError")) from None
    finally:
        STATED_INVALIDATIONS.reset(token)
    return action_response(typed_result(fn, result, f"{where} returned data", (INVALIDATE_KEY, BACKGROUND_KEY)),
                           where, request, stated)


def action_response(result: Any, where: str, request: ActionRequest, stated: Sequence[str] = ()) -> Response:
    """``{"ok": true, ...result}``; ``invalidate_routes`` URLs (and the ``stated`` ones) become the
    ``x-pyxle-invalidate`` header, and ``"background": [fn, *args]`` a task run after the response
    (see ``_background_task``)."""
    if isinstance(result, Response):
        check_status(result.status_code, f"{where} returned a {type(result).__name__} with", TypeError)
        return invalidate_routes(result, *stated) if stated else result
    if result is None:
        result = {}
    elif not isinstance(result, dict):
        result = as_plain_dict(result)
    if not isinstance(result, dict):
        raise TypeError(f"{where} returned {type(result).__name__}; an action returns a dict, a model (or None)")
    body = dict(result)
    task = _background_task(body.pop(BACKGROUND_KEY), where) if BACKGROUND_KEY in body else None
    urls = [*body.pop(INVALIDATE_KEY, ()), *stated]
    headers = {INVALIDATE_HEADER: invalidate_header(urls)} if urls else None
    try:
        response = Response(dumps({"ok": True, **body}), 200, headers=headers, media_type=JSON)
    except (TypeError, ValueError):
        raise TypeError(not_json(f"{where} returned data", body)) from None
    if task is not None:
        _run_after(response, request, *task)
    return response


def _background_task(value: Any, where: str) -> tuple[Callable[..., Any], list[Any]] | None:
    """``{"background": [fn, *args]}``, the shorthand pyxle-framework 0.9 documented for actions, as
    ``(fn, args)``; ``None`` runs nothing. Anything else is the action's bug, a 500 naming it (as in
    0.9): a task that silently never ran (``["send_mail", to]``) would be worse."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value or not callable(value[0]):
        raise TypeError(f"{where} returned background={value!r}; it takes [function, *args] or None, e.g. "
                        '{"background": [send_mail, address]} (for several tasks, call '
                        "request.state.background.add_task(fn, *args) for each)")
    return value[0], list(value[1:])


def _run_after(response: Response, request: ActionRequest, fn: Callable[..., Any], args: list[Any]) -> None:
    """``fn(*args)`` once the response is sent: through ``request.state.background``, as ``add_task``
    does (after plugin middleware such as pyxle-db has committed); on the response itself in an app
    without that middleware (``pyxle.testing.call_action``)."""
    tasks = getattr(request.state, "background", None)
    if tasks is not None:
        tasks.add_task(fn, *args)
    else:
        response.background = BackgroundTask(fn, *args)


def _cancel_tasks(request: ActionRequest) -> None:
    """Drop what the request added to ``request.state.background``: an action that crashed is
    answered 500, as an API route's crash is (whose tasks never run), and pyxle-db rolls back its
    writes, so a task (a confirmation e-mail) would report work undone. A refusal it chose
    (``ActionError``) is its answer, and its tasks run, as in pyxle-framework 0.9."""
    tasks = getattr(request.state, "background", None)
    if tasks is not None:
        tasks.tasks.clear()


async def _purge(cache: Any, response: Response) -> None:
    """The pages an action names in ``x-pyxle-invalidate`` are dropped from the page cache too,
    not only from the browser's: the next visitor of them gets a fresh render."""
    named = response.headers.get(INVALIDATE_HEADER)
    if named:
        for url in named.split(","):
            if url.strip():
                await cache.invalidate(url.strip())


def _location(page_url: str) -> str:
    """A page's URL (decoded, as the router matched it) as a ``Location`` of this site: quoted, so a
    ``?``, ``#`` or ``%`` in a path parameter stays in the path, and never ``//host``, which a
    browser follows to another site (a catch-all page matches ``/api/__actions//evil.example/x``)."""
    return "/" + quote(page_url, safe="/:@!$&'()*+,;=~").lstrip("/")


def _page_url(page_path: str) -> str:
    """The URL of a static page from its path under pages/ (``blog/index`` -> ``/blog``)."""
    return "/" if page_path == "index" else "/" + page_path.removesuffix("/index")


def _redirect_back(request: ActionRequest, page_url: str, result: Response) -> Response:
    """303 to the page the form was on after a success, its query string kept (a
    ``pyxle-action-error`` an earlier failed post left there dropped), so the user sees the fresh page."""
    target, query = _back_to(request, page_url)
    query = without_error(query)
    return with_cookies(result, RedirectResponse(f"{target}?{query}" if query else target, status_code=303))


def _back_to(request: ActionRequest, page_url: str) -> tuple[str, str]:
    """``(path, query)`` of the page the form was on: the Referer's, when it is this site's page;
    else ``page_url``, the page that owns the action (the server knows it from the action URL),
    with the action URL's own query. Both percent-encoded ASCII (``referer``).

    Never an action URL: after a no-JS post was re-rendered with its errors, the browser is at the
    action's URL, so the next post's Referer is that URL, and a 303 there answered 405. Never
    ``//host/...`` either: a browser reads such a Location as another site (a catch-all page
    serves ``//evil.example/x``, and the form was sent back there).
    """
    ref = referer(request)
    path = ref.path
    if (path.startswith("/") and not path.startswith(("//", "/\\")) and not path.startswith(PREFIX)
            and (not ref.netloc or ref.netloc == request.headers.get("host"))):
        return path, ref.query
    # one slash: the page's own path is never another host either
    return "/" + page_url.lstrip("/\\"), own_query(request)


def _raised_redirect(exc: HTTPException) -> Response | None:
    """A redirect the action raised (``HTTPException(303, headers={"Location": "/login"})``, a
    logout), as if it had returned it: ``Form`` and ``useAction`` get ``{"ok": true, "redirect"}``
    and go there, a plain form post gets ``303`` (as a loader's raised redirect is its page's).
    None for another status: the exception is the answer, as it says."""
    if not 300 <= exc.status_code < 400:
        return None
    raised = Response(status_code=exc.status_code, headers=exc.headers)
    return raised if redirect_target(raised) is not None else None


def _raised_refusal(exc: HTTPException, scope: Scope) -> Response | None:
    """An ``HTTPException(401, "Sign in first")`` the action raised, answering a browser's own form
    post: its JSON as a returned error ``Response``, which the post's page is rendered again with
    (``_failed_post``), its detail the message; that post showed the raw JSON. Pyxle's own refusals
    (a body it could not read, an outage) keep their way, and a ``fetch`` gets the exception's JSON."""
    if exc.status_code < 400 or isinstance(exc, (RequestRefused, ServiceUnavailable)) or not wants_document(scope):
        return None
    return error_json({"ok": False, "error": exc.detail}, exc.status_code, exc.headers)


def _see_other(response: Response) -> Response:
    """An action's own redirect, as 303: the browser follows it with a GET (a 307 would post again)."""
    response.status_code = 303
    return response
