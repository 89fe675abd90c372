"""A page URL: navigation JSON for client-side navigation, an HTML document otherwise.

With the page cache on, a page whose loader returns ``{"data": ..., "revalidate": N}`` (or whose
URL a ``cache`` route covers) is stored once rendered and served from the store until due; see
``pyxle.pages._cached`` for what a stored answer looks like to each visitor.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle._bodies import send_response
from pyxle._cancelled import lets_through
from pyxle._client import AppWebSocket
from pyxle._own import OWN_REQUEST
from pyxle._refused import ServiceUnavailable, log_unavailable
from pyxle.cache import Entry
from pyxle.cache._rules import LONGEST, PRIVATE, anonymous
from pyxle.hooks import Endpoint, Hook, RouteContext, attach, wrap_endpoint
from pyxle.observability import phase, record_cache
from pyxle.pages._answers import Answered, as_json, redirect_target
from pyxle.pages._cached import (
    HTML,
    JSON,
    Absent,
    conditional,
    fits,
    make_entry,
    new_mark,
    nonce_mark,
    regenerate,
    serve,
)
from pyxle.pages._data import Loaded, dumps, loader_error_payload, props_json, returns, run_loader
from pyxle.pages._document import auth_seed, document, stored_auth_seed
from pyxle.pages._errors import PagesRuntime, busy_page, uncached, unexpected_error
from pyxle.pages._head import head_elements
from pyxle.pages._module import PageModule
from pyxle.pages._outdated import from_094_router, outdated_navigation
from pyxle.pages._render import PartialPage, client_left, log_render_failure, merge_head, with_viewport
from pyxle.pages._watched import PageRequest, Watch, carries_credentials, over_scope
from pyxle.runtime import ActionCookies, LoaderError
from pyxle.security import over_https
from pyxle.ssr import Abandoned, RenderError, RenderQueueFull

# What a page's URL takes: the Allow of its 405 and OPTIONS answers, and of a public file's
# (app._static answers as a page does).
METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = {"Allow": ", ".join(METHODS)}
# Crawlers and link previews get a page that streams in one piece, as Next.js serves them: its
# HTML_LIMITED_BOT_UA_RE (Yeti is Naver's; googleother and -google, Google's agents without "bot"),
# and the fediverse's and Bluesky's previews (Mastodon's agent is "http.rb/5.1.1 (Mastodon/4.2.0; ...)").
# Matched against the lowercased agent: with re.IGNORECASE a browser's agent took 12 µs, lowercased 1.2.
_BOTS = re.compile(r"bot\b|crawl|spider|slurp|facebookexternalhit|facebookcatalog|mediapartners|google-|-google|"
                   r"googleother|googleweblight|bingpreview|embedly|iframely|quora link preview|whatsapp|"
                   r"skypeuripreview|ia_archiver|lighthouse|yeti/|vkshare|tumblr|yandex|sogou|mastodon/|cardyb")
_VARY = {"Vary": "x-pyxle-navigation"}
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+\Z")  # a header name (RFC 9110), as Vary may name it

# What a leader's answer stored: the entries by variant, None (nothing), or, for a navigation
# answered before its document, what renders the document and stores both (see PageCache.land_later).
Stored = dict[str, Entry] | Coroutine[Any, Any, dict[str, Entry] | None] | None


class PageEndpoint:
    """Runs the layout loaders (outermost first) and the page loader, then answers in JSON or HTML."""

    def __init__(self, page: PageModule, layouts: Sequence[PageModule], context: RouteContext,
                 hooks: Sequence[Hook], runtime: PagesRuntime, bare: tuple[str, RouteContext] | None = None) -> None:
        """``bare``: for an optional catch-all, its parameter and the context of a URL without it
        (0.9's second route, ``/shop``): both chains are made here, and a request picks one."""
        self.page = page
        self.runtime = runtime
        self.page_id = page.file.with_suffix("").as_posix()
        self.layouts = tuple(layouts)
        self.context = context
        self._route = context.as_dict()
        self.where = f"pages/{page.file}"
        self._call = wrap_endpoint(self._respond, hooks, context)
        self._hooked = bool(hooks)  # what they read of the visitor counts, as the loaders' reads do
        self._bare = None if bare is None else (bare[0], bare[1].as_dict(), wrap_endpoint(self._respond, hooks, bare[1]))
        for module in (page, *self.layouts):
            if module.loader is not None:
                returns(module.loader)  # its return annotation's dumper, built now rather than per request
        # How long (ms) the browser may reuse this page's navigation data: the configured default;
        # else not at all when a loader runs (a click shows the data as of the click), so a
        # prefetch gets only the page's code; else the client's own default (no "prefetchTtl").
        loads = page.loader is not None or any(layout.loader is not None for layout in self.layouts)
        ttl = runtime.prefetch_ttl * 1000 if runtime.prefetch_ttl is not None else 0 if loads else None
        self._ttl_json = "" if ttl is None else f',"prefetchTtl":{ttl}'
        self._code_only = ttl == 0
        # The page cache: a configured route covers a static page's one URL or not, decided now; a
        # dynamic page's URLs are matched per request. A page with a loader is looked up until it
        # has answered once without the revalidate envelope, or failed before it ever returned
        # one (and again once it returns one): ``_envelope`` is None until its loader has answered.
        # A page that says ``CACHE = {"revalidate": N}`` is always looked up (``_window``: how long).
        cache = runtime.cache
        self._dynamic = "{" in context.pattern
        self._rule = cache.rules.find(context.pattern) if cache is not None and not self._dynamic else None
        self._ruled = (self._rule is not None or page.revalidate is not None
                       or (self._dynamic and cache is not None and bool(cache.rules)))
        self._envelope: bool | None = None if page.loader is not None else False

    def route_at(self, path: str) -> dict[str, Any]:
        """The route facts a request for ``path`` carries (``pyxle.hooks.attach``), for an answer given
        before the route ran: the rate limiter's 429 is counted and logged under the route."""
        return self._route

    @property
    def accepts_websockets(self) -> bool:
        """Whether the page has a ``websocket(ws)`` handler (``pyxle routes``, the start-up note on workers)."""
        return self.page.websocket is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        route, call = self._chain(scope)
        attach(scope, route)
        method = scope["method"]
        if method == "OPTIONS":
            response: Response = Response(status_code=204, headers=ALLOW)
        elif method not in ("GET", "HEAD"):
            raise HTTPException(405, headers=ALLOW)
        else:
            # What the loaders read of the visitor is watched only where the answer may be stored.
            request = (PageRequest if self._may_cache() else Request)(scope, receive, send)
            cookies = request.state.cookies = ActionCookies(https=over_https(scope))
            if self._hooked and type(request) is PageRequest:  # a hook may pass the loader a cookie's user
                request.watch.watching = True  # until _respond: Pyxle's own reads there are not the page's
            response = await call(request)
            uncached(response)
            if cookies:
                cookies.apply(response)
            _no_shared_cookie(response)
        await send_response(response, scope, receive, send)  # a streamed body: closed however it ends

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The page's ``websocket(ws)`` at its URL (the Origin check ran before, in realtime's guard);
        a page without one refuses the upgrade."""
        handler = self.page.websocket
        if handler is None:
            await WebSocketClose(code=1008, reason="This page does not accept WebSocket connections")(
                scope, receive, send)
            return
        attach(scope, self._chain(scope)[0])
        await handler(AppWebSocket(scope, receive, send))

    def _chain(self, scope: Scope) -> tuple[dict[str, Any], Endpoint]:
        """The route dict and hook chain for this request: an optional catch-all's URL without its
        parameter has the bare ones (``/shop``, as 0.9 routed it apart)."""
        bare = self._bare
        if bare is not None and bare[0] not in scope.get("path_params", ()):
            return bare[1], bare[2]
        return self._route, self._call

    async def _respond(self, request: Request) -> Response:
        heard = None  # what the route's hooks read of the visitor
        if self._hooked and type(request) is PageRequest:
            heard = request.watch
            heard.watching = False  # Pyxle's own reads from here on are not the page's
        kind = request.headers.get("x-pyxle-navigation")  # "1"; "prefetch" when the router prefetches
        navigation = kind == "1" or kind == "prefetch"
        scope = request.scope
        if navigation and from_094_router(scope):  # a tab 0.9 served: it shows this page after a full load
            return outdated_navigation()
        if kind == "prefetch" and self._code_only:
            body = f'{{"ok":true,"routePath":{dumps(scope["path"])}{self._ttl_json}{self._page_json()}}}'
            return Response(body, 200, headers=_VARY, media_type=JSON)
        cache = self.runtime.cache
        if self._may_cache() and cache is not None and "action_result" not in scope["pyxle"]:
            rule = self._rule if not self._dynamic else cache.rules.find(scope["path"])
            # else this URL is never in the store
            storable = rule is not None or self.page.revalidate is not None or self._envelope is not False
            shared = rule is not None and rule.shared
            # A visitor whose cookie or header a hook read may get a page made from it: not the stored one.
            if storable and (shared or anonymous(scope, cache.session)) and not (
                    heard is not None and _personal(heard, scope, shared)):
                return await self._through_cache(request, navigation, cache, rule)
        return await self._own(request, navigation)

    def _serve(self, entry: Entry, scope: Scope, state: str, media: str, shared: bool) -> Response:
        """A stored answer for this request (``serve``), with a new script nonce where the CSP asks for one,
        and its ``Age`` when it was found stored (a hit, a stale one), not rendered for this request.
        Only a page read through the store is served from it: the cache is on (``runtime.cache`` is set once)."""
        renderer, cache = self.runtime.renderer, self.runtime.cache
        age = max(0, int(cache.clock() - entry.stored)) if state != "MISS" else None  # (another machine's clock: >= 0)
        return serve(entry, scope, state, media, renderer.script_policy if renderer is not None else None, shared=shared,
                     copies=cache.copies, vary=cache.vary, age=age)

    async def _own(self, request: Request, navigation: bool) -> Response:
        """The page rendered for this request alone, stored nowhere (a busy server's page for a document)."""
        if not navigation and self._busy():
            return busy_page()  # before the loaders: a saturated server does not query for pages it won't render
        response, _ = await self._answer(request, navigation)
        return response

    def _may_cache(self) -> bool:
        """Whether a request may be answered from the store, or its answer stored."""
        return self.runtime.cache is not None and (self._ruled or self._envelope is not False)

    def _busy(self) -> bool:
        renderer = self.runtime.renderer
        return renderer is not None and renderer.refuses()

    async def _through_cache(self, request: Request, navigation: bool, cache: Any, rule: Any) -> Response:
        """A stored answer when there is one (a stale one renders the page again in the background);
        else this request renders it while concurrent requests for the same URL wait for it (a
        signed-in visitor of a shared route has it rendered as an anonymous request).

        One flight per URL (query and origin) covers both of its answers: the loaders' one run
        stores the document and the navigation JSON, and each waiter gets its own of them."""
        scope = request.scope
        path = scope["path"]
        variant = _variant("nav" if navigation else "doc", scope)
        media = JSON if navigation else HTML
        shared = rule is not None and rule.shared
        regenerating = scope["pyxle"].get("regenerate", False)
        found = await cache.lookup(path, variant)  # a render again uses only its version, to store with
        if not regenerating and found.entry is not None and not fits(found.entry, scope):
            return await self._own(request, navigation)  # it carries what that copy's loaders looked for
        if not regenerating and found.entry is not None:
            if self._envelope is None:  # stored by another process: this page's loader returns the envelope
                self._envelope = True
            record_cache(self.context.pattern, found.state)
            if found.state == "stale":
                copied = dict(scope)
                cache.regenerate(_url(scope), lambda: regenerate(self.runtime.app, copied, cache.session.headers))
            return self._serve(found.entry, scope, found.state.upper(), media, shared)
        version = found.version
        key = (path, _variant("", scope))
        if not regenerating and key not in cache.flights and shared and not anonymous(scope, cache.session):
            record_cache(self.context.pattern, "miss")
            return await self._miss_as_anonymous(request, navigation, cache, key, variant)
        flight = cache.lead(key)
        if flight is None:  # another request is rendering this URL: wait for it
            if regenerating:
                return Response(status_code=204)
            entry = await cache.wait(key, variant, version)
            if entry is not None and fits(entry, scope):
                record_cache(self.context.pattern, "hit")
                return self._serve(entry, scope, "HIT", media, shared)
            return await self._own(request, navigation)
        stored = None
        try:
            if not navigation and self._busy():
                return busy_page()
            response, stored = await self._answer(request, navigation, cache=cache, rule=rule, version=version)
            return response
        finally:
            if not regenerating and (rule is not None or self._envelope):  # not a page found to use no store
                record_cache(self.context.pattern, "miss")
            if stored is None or isinstance(stored, dict):
                cache.land(key, flight, stored)
            else:  # a navigation answered before its document: the flight lands once that is rendered and stored
                cache.land_later(key, flight, stored)

    async def _miss_as_anonymous(self, request: Request, navigation: bool, cache: Any, key: tuple[str, str],
                                 variant: str) -> Response:
        """A signed-in visitor's miss on a shared route. What is stored there is served to everyone,
        so it must not be rendered with this visitor's credentials: the page is rendered as the
        background render does it, through the whole app as an anonymous request (no cookies, no
        ``Authorization``, nothing a plugin or session middleware made of them), and the visitor
        gets what was stored, as on a hit. A navigation asks for the navigation JSON, as an
        anonymous navigation's miss does: it is answered once the loaders have run, while the
        document renders on (its flight's waiters get that JSON). When nothing was stored (an
        error, a loader setting a cookie), the visitor gets a render of their own, stored nowhere."""
        scope = request.scope
        await regenerate(self.runtime.app, dict(scope), cache.session.headers, navigation=navigation)
        found = await cache.lookup(scope["path"], variant)
        entry = found.entry
        if entry is None and key in cache.flights:  # its document renders on, or another render is under way
            entry = await cache.wait(key, variant, found.version)
        if entry is not None and fits(entry, scope):
            return self._serve(entry, scope, "MISS", JSON if navigation else HTML, True)
        return await self._own(request, navigation)

    async def _answer(self, request: Request, navigation: bool, *, cache: Any = None, rule: Any = None,
                      version: int = 0) -> tuple[Response, Stored]:
        """Run the loaders and answer; with ``cache``, also store the answers when the page may be
        stored (returning the entries stored, else None; for a navigation, what renders its
        document and stores both, to run once it is answered)."""
        scope = request.scope
        route_path = scope["path"]
        layout_data: dict[str, Any] = {}
        layout_json: dict[str, str] = {}
        windows: list[float] = []
        watch = request.watch if isinstance(request, PageRequest) else None  # a hook may pass on a request of its own
        sent = scope["headers"]
        if watch is not None:
            watch.watching = True
            if cache is not None:  # (else nothing is stored: what they read does not matter)
                scope["headers"] = over_scope(sent, watch)
        where = self.where  # the file whose loader or HEAD runs: an unexpected error is logged under its name
        try:
            for layout in self.layouts:
                if layout.loader is not None:
                    key = layout.file.as_posix()
                    where = f"pages/{key}"
                    loaded = await run_loader(layout.loader, request, where, warn_none=self.runtime.dev)
                    layout_data[key], layout_json[key] = loaded.data, loaded.encoded
                    if loaded.revalidate is not None:
                        windows.append(loaded.revalidate)
            where = self.where
            if self.page.loader is not None:
                page = await run_loader(self.page.loader, request, where, warn_none=self.runtime.dev)
            else:
                page = Loaded({}, 200, "{}", None)
            levels: list[list[str]] = []
            for layout in self.layouts:
                where = f"pages/{layout.file.as_posix()}"
                levels.append(head_elements(layout.head, layout_data.get(layout.file.as_posix(), {})))
            where = self.where
            levels.append(head_elements(self.page.head, page.data))  # HEAD(data) is the page's code too
            if self.runtime.fallback_head:  # the config's name: the lowest precedence, so any title wins
                levels[0] = [*self.runtime.fallback_head, *levels[0]]
        except Answered as answered:
            self._unanswered()
            return _answer(answered.response, navigation, route_path), None
        except LoaderError as exc:
            self._unanswered()
            error = loader_error_payload(exc)
            return await self._error(navigation, exc.status_code, error, layout_data, scope), None
        except HTTPException as exc:
            self._unanswered()
            if exc.status_code < 400:  # a redirect or a 304 raised as an exception: answered as it says
                raised = Response(status_code=exc.status_code, headers=exc.headers)
                if redirect_target(raised) is not None:  # as if returned (a page's, not an API's JSON error)
                    return _answer(raised, navigation, route_path), None
                raise
            return await self._refused(navigation, exc, layout_data, scope), None
        except BaseException as exc:  # a loader's or HEAD's bug (sys.exit() too): logged by unexpected_error, a 500
            if lets_through(exc):  # the request's cancellation
                raise
            self._unanswered()
            error = unexpected_error(exc, f"a loader or HEAD of {where}", self.runtime.expose_errors,
                                     exposed_type="LoaderCrashError")
            return await self._error(navigation, 500, error, layout_data, scope), None
        finally:
            if watch is not None:
                watch.watching = False
                scope["headers"] = sent  # what Pyxle reads after them (a new Request's list too) as sent
        fresh, stale = self._window(page.revalidate, windows, rule, cache)
        shared = rule is not None and rule.shared  # the same page for everyone, signed in or not
        if fresh is not None and (page.status != 200 or request.state.cookies or _personal(watch, scope, shared)):
            fresh = None  # an error, an answer that sets a cookie or was made from the visitor's: theirs alone
        absent = _absent(watch, cache.session, shared) if fresh is not None else ((), ())
        if fresh is None and cache is not None:  # nothing to store: the requests waiting for it run their own loaders now
            cache.release((route_path, _variant("", scope)))
            if scope["pyxle"].get("regenerate", False):  # a render for the store alone, whose answer no one gets
                return Response(status_code=204), None
        encoded_props = props_json(page.encoded, layout_json)
        action_result = scope["pyxle"].get("action_result")  # a no-JS form post that failed validation
        if action_result is not None:  # {"action": ..., "actionQuery": ...}: see pages/_rerender.py
            encoded_props = f'{encoded_props[:-1]},{dumps(action_result)[1:]}'
        nav_body = self._nav_json(route_path, encoded_props, levels) if navigation or fresh is not None else ""
        if navigation and fresh is None:
            return _private_json(nav_body, page.status, scope), None
        renderer = self.runtime.renderer
        if renderer is None or not renderer.has(self.page_id):
            if navigation:  # no build to render the document with: the navigation JSON is stored alone
                nav = make_entry(nav_body.encode(), 200, fresh, stale, cache.clock(), version, absent=absent)
                return await self._store(scope, cache, nav, None, "", navigation, shared)
            if self.runtime.dev_unrendered is not None:  # pyxle dev: no blank page with a 200
                return self.runtime.dev_unrendered(), None
            head = with_viewport(merge_head(levels))
            response = HTMLResponse(document(head=head, body_html="", props_json=encoded_props, lang=self.runtime.lang),
                                    page.status, headers=_VARY)
            return conditional(response, scope), None
        mark = new_mark() if fresh is not None else ""
        # A page for the store carries what of the auth seed is the same for everyone, never a user.
        seed = stored_auth_seed(scope, anonymous=not shared) if mark else auth_seed(scope)
        csrf = mark or scope["pyxle"].get("csrf_token", "")
        # A render for this visitor alone is dropped from the queue if they leave; one to store is not.
        gone = None if mark or OWN_REQUEST in scope else functools.partial(client_left, request.receive)
        render = functools.partial(renderer.respond, self.page_id, encoded_props, route_path, levels, page.status,
                                   _VARY, csrf, tail=seed, complete=bool(mark) or _bot(request),
                                   nonce=nonce_mark(mark) if mark else "", gone=gone)
        if fresh is not None:  # to store: the navigation JSON is ready, and the requests waiting for it get it now
            nav = make_entry(nav_body.encode(), 200, fresh, stale, cache.clock(), version, absent=absent)
            cache.answer_early((route_path, _variant("", scope)), {_variant("nav", scope): nav})
        if navigation:  # a storable page's miss: its JSON now; one loader run stores both, once the document renders
            later = self._store_document(render, cache, route_path, nav, _variant("nav", scope), _variant("doc", scope),
                                         mark)
            return self._serve(nav, scope, "MISS", JSON, shared), later
        try:
            with phase("render", self.page_id):
                response = await render()
        except (RenderQueueFull, RenderError, Abandoned) as exc:
            if isinstance(exc, RenderQueueFull):
                return busy_page(), None
            if isinstance(exc, Abandoned):  # no one to answer: the access log says 499, as nginx's does
                return Response(status_code=499), None
            return await self._render_failed(exc, layout_data, scope), None
        if isinstance(response, PartialPage):
            fresh = None  # a boundary failed or timed out: right for this visitor, wrong to keep for all
        if fresh is None:
            return conditional(response, scope), None
        return await self._store(scope, cache, nav, response, mark, navigation, shared)

    async def _store_document(self, render: Callable[[], Awaitable[Response]], cache: Any, path: str, nav: Entry,
                              nav_variant: str, doc_variant: str, mark: str) -> dict[str, Entry] | None:
        """The document of a navigation miss, rendered after its JSON (``nav``) was answered, and
        stored with it as of the loaders' run; the entries stored, else None: the render failed or
        left a boundary to the browser (nothing is stored), or an invalidation came first."""
        try:
            with phase("render", self.page_id):
                response = await render()
        except (RenderQueueFull, RenderError) as exc:
            log_render_failure(self.where, exc, self.runtime.renderer)
            return None
        if isinstance(response, PartialPage):
            return None
        page = make_entry(bytes(response.body), 200, nav.fresh, nav.stale, nav.stored, nav.version, mark, _absent_of(nav))
        entries = {nav_variant: nav, doc_variant: page}
        return entries if await cache.store(path, entries, nav.version) else None

    async def _store(self, scope: Scope, cache: Any, nav: Entry, rendered: Response | None, mark: str,
                     navigation: bool, shared: bool) -> tuple[Response, dict[str, Entry] | None]:
        """Store what one run of the loaders answers (its navigation JSON ``nav``, and the document
        when it was rendered) and serve this request its own; the entries stored, else None (an
        invalidation came first)."""
        entries = {_variant("nav", scope): nav}
        if rendered is not None:
            entries[_variant("doc", scope)] = make_entry(bytes(rendered.body), 200, nav.fresh, nav.stale, nav.stored,
                                                         nav.version, mark, _absent_of(nav))
        stored = await cache.store(scope["path"], entries, nav.version)
        own = entries[_variant("nav" if navigation else "doc", scope)]
        return self._serve(own, scope, "MISS", JSON if navigation else HTML, shared), entries if stored else None

    def _window(self, revalidate: float | None, layouts: list[float], rule: Any,
                cache: Any) -> tuple[float | None, float]:
        """How long this answer may be stored and then served stale: the loaders' envelopes (the
        shortest wins), else the configured route, else the page's ``CACHE`` directive (as if its
        loader returned that envelope); (None, 0) when it is not stored."""
        self._envelope = revalidate is not None  # learnt: look this page up from now on, or not
        if cache is None:
            return None, 0.0
        if revalidate is None and rule is None:
            revalidate = self.page.revalidate
        if revalidate is not None:
            fresh = min([revalidate, *layouts, LONGEST])  # 1e308: five times it would be infinite
            return fresh, (rule.stale_while_revalidate if rule is not None else fresh * 5)
        if rule is not None:
            return float(rule.s_maxage), float(rule.stale_while_revalidate)
        return None, 0.0

    def _unanswered(self) -> None:
        """A loader failed, redirected or answered itself: a page that never returned the envelope
        is not looked up again (each request would be a miss) until one of its answers has it. A
        page this process found stored (another worker or server rendered it) has returned it."""
        if self._envelope is None:
            self._envelope = False

    def _nav_json(self, route_path: str, encoded_props: str, levels: list[list[str]]) -> str:
        head_markup = dumps("\n".join(merge_head(levels)))
        head_levels = dumps(["\n".join(level) for level in levels])
        return (f'{{"ok":true,"routePath":{dumps(route_path)},"props":{encoded_props},'
                f'"headMarkup":{head_markup},"headLevels":{head_levels}{self._ttl_json}{self._page_json()}}}')

    async def _render_failed(self, exc: RenderError, layout_data: dict[str, Any], scope: Scope) -> Response:
        log_render_failure(self.where, exc, self.runtime.renderer)
        if self.runtime.dev_render_error is not None:  # pyxle dev: the overlay, with file:line
            return self.runtime.dev_render_error(exc)
        expose = self.runtime.expose_errors  # the type is 0.9's: the class thrown is never told
        error = {"message": str(exc) if expose else "Internal Server Error", "statusCode": 500, "data": {},
                 "type": "ComponentRenderError" if expose else "ServerError"}
        if self.runtime.expose_errors and exc.stack:
            error["stack"] = exc.stack
        return await self.runtime.error_page(self.page.file, "error", 500, error, layout_data, scope["path"],
                                             scope=scope, urgent=True)

    def _page_json(self) -> str:
        """``,"page":{id, js, css}``: what the router imports to show the page ("" without a build)."""
        renderer = self.runtime.renderer
        if renderer is None or not renderer.has(self.page_id):
            return ""
        return f',"page":{dumps({"id": self.page_id, **renderer.assets(self.page_id)})}'

    async def _error(self, navigation: bool, status: int, error: dict[str, Any], layout_data: dict[str, Any],
                     scope: Scope, kind: str = "error") -> Response:
        if navigation:  # encoded by dumps(), which checked a LoaderError's data; the error page to show in place
            return self.runtime.error_json(self.page.file, kind, status, error, layout_data, scope["path"])
        return await self.runtime.error_page(self.page.file, kind, status, error, layout_data, scope["path"],
                                             scope=scope)

    async def _refused(self, navigation: bool, exc: HTTPException, layout_data: dict[str, Any],
                       scope: Scope) -> Response:
        """A loader's ``HTTPException(status, detail)``: the page's error page with that status, a 404
        the nearest ``not-found.pyxl`` (a ``LoaderError`` of any status goes to ``error.pyxl``, as in
        0.9). Its detail is meant for the
        client (Starlette answers it as JSON to anyone), unlike an unexpected exception's text, so it
        is the message; its headers (``WWW-Authenticate``, ``Retry-After``) are kept. An outage
        (``ServiceUnavailable``: Redis for the realtime broker) gets its one warning line."""
        if isinstance(exc, ServiceUnavailable):
            log_unavailable(exc, scope)
        error = {"message": exc.detail, "statusCode": exc.status_code, "data": {}, "type": "HTTPException"}
        kind = "not-found" if exc.status_code == 404 else "error"
        response = await self._error(navigation, exc.status_code, error, layout_data, scope, kind)
        if exc.headers:
            response.headers.update(exc.headers)
        return response


def _bot(request: Request) -> bool:
    agent = request.headers.get("user-agent")
    return agent is not None and is_bot(agent)


@functools.lru_cache(maxsize=256)  # a few agents make most requests; bounded, since clients choose them
def is_bot(agent: str) -> bool:
    """Whether a ``User-Agent`` is a crawler's or a link preview's."""
    return _BOTS.search(agent.lower()) is not None


def _private_json(body: str, status: int, scope: Scope) -> Response:
    """Navigation JSON rendered for this request alone (``private, no-cache``, with its ETag)."""
    return conditional(Response(body, status, headers=_VARY, media_type=JSON), scope)


def _personal(watch: Watch | None, scope: Scope, shared: bool) -> bool:
    """Whether the loaders made the answer from what the visitor sent: a cookie or ``Authorization``
    they read, or another header they read where the route is not ``shared``. A request made while
    the page was not to be stored, and is now (or one a hook made), was not watched: what its loaders
    read is unknown, so it is stored only on a shared route, and then when it carried no credentials."""
    if watch is None:
        return not shared or carries_credentials(scope["headers"])
    return watch.personal or (watch.heard and not shared)


def _absent(watch: Watch | None, session: Any, shared: bool) -> Absent:
    """What the loaders looked for and the request did not carry, as a stored answer notes it: not
    what makes a visitor signed in (``session``: they never get the anonymous copy, and a shared
    route serves them it by design), and on a shared route no header but ``Cookie`` (it varies on
    none: what its loaders read of one is everyone's, as when it is there)."""
    if watch is None:
        return (), ()
    headers = sorted(name for name in watch.missed_headers or () if (name == "*" or _TOKEN.match(name))
                     and name.encode("latin-1") not in session.headers and (not shared or name == "cookie"))
    cookies = sorted(name for name in watch.missed_cookies or ()
                     if name.encode("latin-1", "replace") not in session.cookies)
    return tuple(headers), tuple(cookies)


def _absent_of(entry: Entry) -> Absent:
    return entry.absent_headers, entry.absent_cookies


def _variant(kind: str, scope: Scope) -> str:
    """Which stored answer of the page path this request gets: ``doc`` or ``nav``, per query string
    and per origin (``http://host``); with ``kind`` "", the URL both answers are rendered for.

    The origin is part of it, as it is of Django's cache key, because a loader may put ``request.url``
    in the page (a canonical link): keyed on the path alone, one request with ``Host:
    attacker.example`` would set the page everyone gets. Variants live under their path, so
    ``invalidate(path)`` still drops the page stored for every host. The query and the origin are
    split by a line feed, which neither a request target nor a header value can hold.
    """
    return f"{kind}?{scope.get('query_string', b'').decode('latin-1')}\n{_origin(scope)}"


def _origin(scope: Scope) -> str:
    """``scheme://host`` as the request names it (its ``Host`` header), as ``request.url`` reads it."""
    for name, value in scope["headers"]:
        if name == b"host":
            return f"{scope.get('scheme', 'http')}://{value.decode('latin-1')}"
    return f"{scope.get('scheme', 'http')}://"


def _url(scope: Scope) -> str:
    """The request's URL: what a background render renders again (once at a time), and names in the log."""
    query = scope.get("query_string", b"").decode("latin-1")
    return _origin(scope) + scope["path"] + (f"?{query}" if query else "")


def _no_shared_cookie(response: Response) -> None:
    """A shared cache must never keep a ``Set-Cookie`` (a route hook may add one to a stored page)."""
    public = cookie = False
    for name, value in response.raw_headers:
        if name == b"cache-control":
            public = value.startswith(b"public")
        elif name == b"set-cookie":
            cookie = True
    if public and cookie:
        response.headers["Cache-Control"] = PRIVATE


def _answer(response: Response, navigation: bool, route_path: str) -> Response:
    """A loader's own response: as is for a document; for the router, a redirect as JSON it follows
    (anything else as is, and the router loads the URL in full)."""
    target = redirect_target(response)
    if navigation and target is not None:
        response = as_json(response, {"ok": False, "routePath": route_path, "redirect": target})
    response.headers.add_vary_header("x-pyxle-navigation")
    return response
