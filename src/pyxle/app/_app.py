"""The application object and how it is built from a project."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import gc
import logging
import os
import re
import signal
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Literal, NamedTuple

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from pyxle import observability
from pyxle._client import int_ports
from pyxle._loading import make_importable
from pyxle._loading import startup_note as _note
from pyxle._refused import RequestRefused, bad_path, not_found
from pyxle.api import ApiLoadError, load_api_routes
from pyxle.app._access import AccessLog
from pyxle.app._background import run_background_tasks
from pyxle.app._edge import HttpEdge
from pyxle.app._errors import error_response, handle_exceptions, http_exception_handler
from pyxle.app._heartbeat import beating, building, mark_started
from pyxle.app._limits import LimitError, Limits
from pyxle.app._listener import step_aside, stop_accepting
from pyxle.app._middleware import (
    FailedStart,
    LifespanGuard,
    MiddlewareLoadError,
    SocketGuard,
    load_middleware,
    make,
    try_middleware,
)
from pyxle.app._orphan import stop_when_orphaned
from pyxle.app._reload import EVENTS_PATH
from pyxle.app._router import PyxleRouter
from pyxle.app._staging import discard, stage
from pyxle.app._static import build_assets, file_test, http_only, public_files
from pyxle.app._watch import project_modules
from pyxle.config import PyxleConfig, public_env
from pyxle.hooks import HookLoadError, load_hooks
from pyxle.pages import ACTIONS_PREFIX
from pyxle.pages._actions import ActionsEndpoint
from pyxle.routing import RouteSpec, RouteTable, RoutingError, scan
from pyxle.security import (
    SecretKeyError,
    cors_middleware,
    csrf_middleware,
    exact_origins,
    origin_pattern,
    resolve_secret,
    script_policy,
    security_headers,
)
from pyxle.security._csrf import SAFE_METHODS, TOKENLESS

logger = logging.getLogger("pyxle")
ASSETS_SPEC = RouteSpec(
    kind="api", file=PurePosixPath("_pyxle"), pattern="/_pyxle/{asset...}", params=("asset",), rank=(0, 2),
    regex=re.compile(r"^/_pyxle/(?P<asset>.+)$"),
)
Mode = Literal["development", "production"]


class StartupError(Exception):
    """The project cannot be served as it is; the message says which file or setting, and why."""


class PagesBroken(StartupError):
    """The pages do not build or load (a page's or a module's error, not a setting's or an API
    route's): ``pyxle dev`` starts anyway and shows it, as it does after an edit."""


class PyxleApp(Starlette):
    """A Starlette app whose routes come from ``pages/`` and whose middleware order is Pyxle's."""

    def __init__(self, config: PyxleConfig, *, mode: Mode, ssr_workers: int = 2) -> None:
        super().__init__(exception_handlers={HTTPException: http_exception_handler}, lifespan=self._lifespan)
        config = self.config = _with_secret_key(config, mode)
        self.mode = mode
        self.ssr_workers = ssr_workers
        try:
            self.limits = Limits.from_env(os.environ)  # timeouts and the render queue (pyxle serve flags)
        except LimitError as exc:
            raise StartupError(str(exc)) from None
        self.ready = False  # True while serving: routes loaded and the lifespan start-up done
        self._started: float | None = None  # time.monotonic() when it began serving, for the uptime
        self._refresh_hinted = False  # pyxle dev says once how to get Fast Refresh
        self._toolchain_noted = False  # ... and once that its npm packages are missing (_note_unbuildable)
        self._forms_warned: set[str] = set()  # pyxle dev: the Forms naming no action it has warned of (_warn_of_forms)
        self.bundler: Any = None  # pyxle dev, while watching: the warm bundler process for rebuilds
        self.renderer: Any = None
        self._initial_renderer: Any = None
        self.unrendered = False  # pages and no build (no Node or npm packages): served unrendered, no SSR pool
        self.build_into: Path | None = None  # a reload check's: the staged build it checks (app._staging)
        # The route tables' shared state of each build still referenced (a request in flight holds
        # the table it started on): swap_renderer points those of a retired renderer at the new one.
        self._runtimes: list[weakref.ref[Any]] = []  # (PagesRuntime is a dataclass: unhashable, no WeakSet)
        self.metrics: Any = None  # observability.Metrics, made in the worker when metrics are on
        self.limiter: Any = None  # ratelimit.Limiter, when rateLimit is on
        self.access_log: AccessLog | None = None  # written in batches: flushed when the app stops
        self.page_cache: Any = None  # cache.PageCache: made with the first build (its key namespace)
        self.dev_events: Any = None
        self.edge: HttpEdge | None = None  # the outer layer, once built: told when the worker retires
        self._unlisten: asyncio.Future[None] | None = None  # after SIGTERM, until its socket stopped listening
        self._replaced = False  # a reload is replacing this worker (``_retire``)
        self._stop_asked: float | None = None  # time.monotonic() of the SIGTERM: the shutdown deadline runs from it
        if mode == "development":
            from pyxle.app._devevents import DevEvents

            self.dev_events = DevEvents(script_policy(config.security_headers))
        self.public_root: Path = config.public_path  # where public files are served from (see _served_build)
        self.router = PyxleRouter(default=public_files(config.public_path), lifespan=self._lifespan)
        self.state.pyxle_config = config
        self.plugins: Any = None  # pyxle.plugins.Plugins when the config lists plugins
        # The project's files imported by the time the middleware and plugins were loaded: the app
        # keeps what they made, so pyxle dev hands an edit to them to a new worker (app._reload).
        self.held_modules: frozenset[Path] = frozenset()
        # The route table last read from pages/ (read before the build, so a reload the build fails
        # knows it): which URLs are an API client's (RouteTable.api_url), whose errors are JSON.
        self.route_table = RouteTable()
        # pyxle dev: the pages that do not build, "pages/notes.pyxl" -> their errors; each answers
        # the error alone while the other pages and the API routes serve (see load_routes).
        self.broken_pages: dict[str, str] = {}

    def load_routes(self) -> Any:
        """(Re)build the route table from ``pages/`` (``pyxle serve`` without it: from the build in
        ``distDir``, ``_served_build``); raises ``StartupError`` naming every bad file.

        Returns the new page renderer (not yet started) when the project's pages are bundled.
        The build (``dist/`` for ``pyxle serve``, ``buildDir`` for ``pyxle dev``) comes first and
        pages run its server modules, so the Python and the bundle served always come from the
        same build. Without Node or npm packages, pages compile from source and go unrendered.
        """
        self.public_root = self.config.public_path
        self.broken_pages = {}
        served = self._served_build()
        table, entries = _api_routes(self.config, served)
        self.route_table = table
        renderer = None
        fallback: ASGIApp = not_found
        refused: ASGIApp = bad_path
        self.unrendered = False
        if table.pages or table.specials:
            try:
                renderer, fallback, refused = self._page_routes(table, served, entries)
            except PagesBroken as exc:
                if self.mode == "production" or not table.pages:
                    raise
                # pyxle dev: an error no one page owns (a component, a layout) is every page's;
                # the API routes still serve.
                entries += self._broken_pages([(spec, str(exc)) for spec in table.pages])
        extra = {path: http_only(app) for path, app in self._health_routes().items()}
        self.router.always = {path: extra[path] for path in ("/healthz", "/readyz")}
        openapi = self.config.openapi
        if openapi.enabled and (self.mode == "development" or openapi.production):
            from pyxle.app._openapi import openapi_routes

            extra.update((path, http_only(app)) for path, app in openapi_routes(openapi.path, list(entries)).items())
        # pyxle dev's live reload is Pyxle's own, whatever a project's catch-all page would take.
        own = {EVENTS_PATH: self.dev_events} if self.dev_events is not None else None
        shadowed = self.router.set_routes(entries, extra=extra, own=own)
        if self.config.observability.metrics_endpoint:
            self._check_metrics_path(entries, shadowed)
        self._check_openapi_paths(entries, shadowed)
        self.router.default = public_files(self.public_root, fallback)
        self.router.has_file = file_test(self.public_root)
        self.router.refused = refused
        return renderer

    def _page_routes(self, table: Any, served: Any, entries: list[tuple[RouteSpec, ASGIApp]]) -> tuple[Any, ASGIApp, ASGIApp]:
        """The pages' routes, added to ``entries``: built (or read from ``served``) and loaded. Returns
        the page renderer (None without a build) and the answers to a path no route takes and to a bad
        path. ``PagesBroken`` when they do not build or load (pyxle dev: a page that does not is
        left out, answering its own error)."""
        renderer = None
        production = self.mode == "production"
        out_dir = (self.build_into or self.config.dist_path) if production else self.config.build_path
        if served is not None:
            from pyxle.bundler import BuildResult

            built, problem = BuildResult(served.out_dir, served.manifest), _no_node()
        else:
            built, problem = self._build(table, out_dir, keep_going=not production)
        if production and self.page_cache is None:  # pyxle dev stores no pages: edits show at once
            from pyxle.cache import build_cache

            self.page_cache = build_cache(self.config.cache, build=built.manifest.get("inputs", "") if built else "",
                                          secret=self.config.secret_key or "",
                                          workers=int(os.environ.get(SERVER_WORKERS) or 1))
        pages = _load_pages(self.config, table, self.mode, built.server_modules() if built else None,
                            self.page_cache, code_dir=served.code_dir if served is not None else None,
                            unbuilt=None if production else built.broken if built else {})
        pages.runtime.app = self
        from pyxle.pages import BadPath, NotFound

        fallback, refused = NotFound(pages.runtime), BadPath(pages.runtime)
        if not production:
            from pyxle.app._devevents import render_error_page

            pages.runtime.dev = True
            root, build_dir, policy = self.config.root, self.config.build_path, self.dev_events.script_policy
            pages.runtime.dev_render_error = lambda exc: render_error_page(str(exc), exc.stack, root, build_dir,
                                                                           policy)
            if built is None and problem is not None:  # a blank page would say nothing: say why, and what to run
                pages.runtime.dev_unrendered = _unrendered_page(problem, policy)
            _write_types(self.config, pages)
            self._warn_of_forms(pages)
            entries += self._broken_pages(pages.broken)
        if problem is not None:
            pages.runtime.problem = problem
            if built is None:  # no browser assets either: the document is all a visitor gets
                _note("pages will not be rendered, on the server or in the browser (there is no build): %s", problem)
            else:
                _note("pages will not be server-rendered: %s", problem)
        if built is not None:  # without Node, its assets render the pages in the browser
            renderer = self._renderer(pages, built, server_rendering=problem is None)
            entries.append((ASSETS_SPEC, build_assets(built.public_dir / "_pyxle")))
        self.unrendered = built is None
        entries += pages.routes()
        return renderer, fallback, refused

    def _check_metrics_path(self, entries: list[tuple[RouteSpec, ASGIApp]], shadowed: list[str]) -> None:
        """The metrics URL must be its own: over a health check it fails the load balancer's probes
        (401), over a route or a public file it hides them."""
        path = self.config.observability.metrics_endpoint_path
        file = self.public_root / path.lstrip("/")
        if path in ("/healthz", "/readyz"):
            taken = "Pyxle's health check, which load balancers and the Dockerfile's HEALTHCHECK ask"
        elif path == "/_pyxle" or path.startswith(("/_pyxle/", "/__pyxle/")):
            taken = "under /_pyxle/, where Pyxle serves the build's assets"
        elif path in shadowed:
            taken = (f"also the URL of {self.config.pages_dir}/{_answering(entries, path).file}, which would answer "
                     "instead of the metrics")
        elif file.is_file():
            taken = f"also the URL of the public file {file.relative_to(self.config.root).as_posix()}, which it would hide"
        else:
            return
        raise StartupError(f"pyxle.config.json: observability.metricsEndpointPath {path} is {taken}\n"
                           "    hint: choose another metricsEndpointPath (the default is /api/__pyxle/metrics)")

    def _check_openapi_paths(self, entries: list[tuple[RouteSpec, ASGIApp]], shadowed: list[str]) -> None:
        """A route of the project that answers the OpenAPI URLs (a root catch-all page does) hides
        the document. Served by ``pyxle serve``, it was asked for (``openapi.production``), so
        start-up stops, as for a shadowed metrics path; in ``pyxle dev``, where it is on by
        default, start-up warns, naming both."""
        openapi = self.config.openapi
        hidden = [path for path in (openapi.path + ".json", openapi.path) if path in shadowed]
        if not hidden:
            return
        message = (f"pyxle.config.json: openapi.path {openapi.path}: {' and '.join(hidden)} "
                   f"{'is' if len(hidden) == 1 else 'are'} also the URL of {self.config.pages_dir}/"
                   f"{_answering(entries, hidden[0]).file}, which answers instead of the OpenAPI document")
        hint = ('set "openapi": {"path": ...} to a URL no route answers (a root catch-all page answers '
                'them all), or turn it off with "openapi": false')
        if self.mode == "production":
            raise StartupError(f"{message}\n    hint: {hint}")
        _note("%s (hint: %s)", message, hint)

    def _served_build(self) -> Any:
        """``pyxle serve`` in a folder without ``pages/``: the build in ``distDir``, read as it is and
        checked whole (``bundler.read_served``); never built, there being nothing to build from.
        None where the pages are there (or in ``pyxle dev``)."""
        if self.mode != "production" or self.config.pages_path.is_dir():
            return None
        from pyxle.bundler import IncompleteBuild, public_copy, read_served

        try:
            served = read_served(self.config.dist_path, self.config.root, self.config.pages_path)
        except IncompleteBuild as exc:
            raise StartupError(f"{self.config.root} has no {self.config.pages_dir}/ folder, and the build cannot "
                               f"be served without it: {exc}") from None
        served.importable()
        public = self.config.public_path
        recorded = served.manifest.get("public")
        count = recorded.get("files", 0) if isinstance(recorded, dict) else 0
        copy = public_copy(served)
        if not public.is_dir() and copy is not None:
            self.public_root = copy  # the build's copy of public/, as a deploy of the build alone had it on 0.9
        elif count and not public.is_dir():
            _note("%s/ is missing: it held %d file%s when the build was made, which answer 404 here; ship it beside "
                  "%s/ (pyxle-framework 0.9 copied it into its build)", self.config.public_dir, count,
                  "" if count == 1 else "s", self.config.dist_dir)
        return served

    def _broken_pages(self, broken: list[tuple[RouteSpec, str]]) -> list[tuple[RouteSpec, ASGIApp]]:
        """pyxle dev: the routes of the pages that do not build, each answering its own error (the
        overlay page, or JSON), at its URL and its actions' (``/api/__actions/<page>/<name>``)."""
        from pyxle.app._reload import broken_answer
        from pyxle.pages import page_path

        self.broken_pages = {f"{self.config.pages_dir}/{spec.file.as_posix()}": message for spec, message in broken}
        entries = []
        for spec, message in broken:
            answer = broken_answer(message, self.dev_events, self.route_table.api_url)
            name = page_path(spec.file)
            actions = RouteSpec(kind="api", file=PurePosixPath("api/__actions") / name,
                                pattern=f"{ACTIONS_PREFIX}{name}/{{action}}", params=("action",),
                                rank=(0, 0, 0, 1), regex=re.compile(rf"^{re.escape(ACTIONS_PREFIX + name)}/[^/]+$"))
            entries += [(spec, answer), (actions, answer)]
        return entries

    def _build(self, table: Any, out_dir: Any, keep_going: bool = False) -> tuple[Any, str | None]:
        """The current build (made now if missing or stale), and why pages cannot be server-rendered
        here, if they cannot. Without Node a current build is still returned: its browser assets
        render the pages client-side, and ``/readyz`` reports its SSR pool as not running."""
        from pyxle.bundler import BuildError, ToolchainMissing, build

        no_node = _no_node()
        try:
            with building(self.mode):  # pyxle dev: a rebuild holds the loop, and is no stuck one
                built = build(self.config.root, self.config.pages_path, table, out_dir, mode=self.mode, keep_going=keep_going,
                              public_env=public_env(), bundler=self.bundler,
                              other_outputs=(self.config.build_path, self.config.dist_path,
                                             *filter(None, [self.build_into])),
                              global_styles=self.config.styling.global_styles,
                              global_scripts=self.config.styling.global_scripts, public_dir=self.config.public_path,
                              when_stale=self._rebuilding if self.mode == "production" else None)
            if no_node is None:
                self._note_unbuildable()
            return built, no_node
        except ToolchainMissing as exc:
            if exc.stale is not None and self.mode == "production":
                raise StartupError(self._stale_build(out_dir, exc)) from None
            return None, exc.messages[0]
        except BuildError as exc:
            raise PagesBroken("\n".join(exc.messages)) from None
        except OSError as exc:  # a read-only project, a full disk: one line, not the bundler's traceback
            raise StartupError(self._unwritable_build(out_dir, exc)) from None

    def _warn_of_forms(self, pages: Any) -> None:
        """pyxle dev: a ``<Form action="...">`` that names no action it can call, with the actions the
        pages loaded (the build refused those it could tell from the code alone; a name a page
        imports may be an action it cannot see). Each said once, until the page changes."""
        from pyxle.bundler import types_module
        from pyxle.compiler import CompileError, compile_source
        from pyxle.pages import file_forms, form_problems

        config, found = self.config, {}
        for module in [endpoint.page for _, endpoint in pages.pages] + list(pages.specials.values()):
            path = config.pages_path / module.file
            shown = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else str(path)
            try:
                source = path.read_text(encoding="utf-8")
                # only a file that may hold a Form is compiled again (as the build compiled it: the
                # same process finds it in the compiler's cache, a new worker compiles it)
                result = (compile_source(source, path=shown, types_module=types_module(module.file))
                          if "Form" in source and "pyxle/client" in source else None)
            except (OSError, UnicodeDecodeError, CompileError):
                continue
            found[module.file] = file_forms(result.client_code if result else "", None, source.splitlines(),
                                            module.actions, result.props_type if result else None)
        pages_dir = config.pages_path
        shown_as = lambda file: (pages_dir / file).relative_to(config.root).as_posix()
        for _, problem in form_problems(pages.runtime.table, found, shown_as):  # its chains know STANDALONE
            if problem not in self._forms_warned:
                self._forms_warned.add(problem)
                _note("%s", problem)  # a worker's start-up: the CLI's check said it already

    def _rebuilding(self, why: str) -> None:
        """``pyxle serve`` is about to build a stale ``dist/`` again: one line saying why."""
        where = self.config.dist_path
        shown = where.relative_to(self.config.root).as_posix() if where.is_relative_to(self.config.root) else where
        _note("the build in %s/ is stale (%s): building it again", shown, why, level=logging.INFO)

    def _stale_build(self, out_dir: Any, exc: Any) -> str:
        """``pyxle serve`` over a stale build of this Pyxle that it cannot make again (no npm packages,
        no Node): serving no build instead would answer blank pages while ``/readyz`` says ready, so
        start-up stops, saying why it is stale, why it cannot be built, and the two ways out."""
        if out_dir == self.build_into:  # a reload's copy of it (_staging): the build is the served one
            out_dir = self.config.dist_path
        where = out_dir.relative_to(self.config.root).as_posix() if out_dir.is_relative_to(self.config.root) else out_dir
        why = f" ({exc.stale})" if exc.stale else ""
        no_node = _no_node() is not None
        needs = "Node.js and the npm packages" if no_node else "the npm packages"
        command = " (`pyxle install`)" if no_node or "`pyxle install`" in exc.messages[0] else ""  # else: npm install ...
        hint = f"install {needs}{command} and `pyxle serve` builds it again"
        if exc.missing is None:
            hint += ", or serve the build as it is with `pyxle serve --skip-build`"
        else:
            why += f" ({exc.missing} is missing)"
        return (f"the build in {where}/ is stale{why}, and it cannot be built again here: {exc.messages[0]}\n"
                f"    hint: {hint}")

    def _note_unbuildable(self) -> None:
        """pyxle dev on a current build whose npm packages are gone: it serves that build, but the
        first edit cannot be built. Said once at start-up, as a stale build's would be."""
        from pyxle.bundler import toolchain_problem

        if self.mode == "development" and not self._toolchain_noted:
            self._toolchain_noted = True
            if (problem := toolchain_problem(self.config.root)) is not None:
                _note("pages will not be server-rendered after the first edit: %s", problem)

    def _unwritable_build(self, out_dir: Any, exc: OSError) -> str:
        """Why the build could not be written, and what to do: ``pyxle serve`` builds when ``dist/``
        is missing or older than the sources, and a read-only project cannot take that build."""
        where = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
        if self.mode == "production":
            hint = ("pyxle serve builds when the build is missing or older than the sources; run `pyxle build` "
                    "where the project is writable (the image build, the CI job) and serve that build with "
                    "`pyxle serve --skip-build`")
        else:
            hint = "pyxle dev writes its build there: give it a writable project, or set buildDir to a writable folder"
        return f"cannot write the build to {out_dir} ({where})\n    hint: {hint}"

    def _renderer(self, pages: Any, built: Any, *, server_rendering: bool = True) -> Any:
        from pyxle.pages._document import api_folders, csrf_names, exposed_errors
        from pyxle.pages._render import Renderer

        extra = ""
        if self.mode == "development":
            from pyxle.app._devevents import REFRESH_HINT, dev_scripts

            extra = dev_scripts(built.manifest.get("refresh"), self.dev_events.next_build(),
                                (self.config.root, built.public_dir / "_pyxle"))
            if not built.manifest.get("refresh") and not self._refresh_hinted:
                _note(REFRESH_HINT)
                self._refresh_hinted = True
        renderer = Renderer(built.manifest, built.ssr_bundle, workers=self.ssr_workers, timeout=self.limits.ssr_timeout,
                            queue_size=self.limits.ssr_queue, extra_scripts=extra,
                            extra_head=csrf_names(self.config.csrf.cookie_name, self.config.csrf.header_name)
                            + api_folders(pages.runtime.table) + exposed_errors(_exposes_errors(self.config, self.mode)),
                            lang=self.config.lang,
                            script_policy=script_policy(self.config.security_headers),
                            server_rendering=server_rendering, env=public_env(), root=self.config.root)
        pages.runtime.renderer = renderer
        self._runtimes.append(weakref.ref(pages.runtime))
        return renderer

    def build_middleware_stack(self) -> ASGIApp:
        config = self.config
        handlers = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
        if handlers.get(HTTPException) is http_exception_handler:  # Pyxle's own: a no-JS form's refusal is a page
            handlers[HTTPException] = self._http_refusal
        app = handle_exceptions(self.router.app, handlers)  # the router's own dispatch: one call less
        from pyxle.api import ApiEndpoint

        answering = self.router.answering
        plugins = self.plugins if self.plugins is not None and self.plugins.middleware else None

        def api_route(path: str, method: str) -> str | None:
            """The file of the project's API route that answers ``method`` at ``path``, None for none.
            Where plugins' middleware runs before the router, a method the route does not take is
            not its to answer (a GET-only ``[provider].py``, a plugin's POST), nor, under pyxle-auth's
            prefix, a URL its pattern merely matches (``[provider].py``, a catch-all): the plugin
            answers its own endpoints there. Only a route whose file is that very URL is taken for it.
            Without such middleware the route answers all (its 405 included)."""
            found = answering(path)
            if not isinstance(found, ApiEndpoint):
                return None
            if plugins is not None:
                if method not in SAFE_METHODS and method not in found.allowed_methods:
                    return None
                if found.context.pattern != (path.rstrip("/") or "/") and _auth_endpoints_under(plugins, path):
                    return None  # checked, and its answer (the plugin's /me) gets the token cookie
            return f"{config.pages_dir}/{found.context.source_relative_path}"

        def route_at(path: str) -> Any:
            """The facts of the route of the project that answers ``path`` (an API route, a page, an
            action), None for anything else (a public file, a plugin's endpoint: unlabelled anyway)."""
            found = getattr(answering(path), "route_at", None)
            return None if found is None else found(path)

        # The Origin check leaves API routes' sockets alone unless realtime.apiRoutes says otherwise
        # (and, as before, anything under /api/), never a page's: /docs/api may be a page.
        def takes_socket(path: str) -> bool:
            """Whether a handler may serve a WebSocket at ``path``: a page's or API route's
            ``websocket``; True for an app of another kind (a plugin's), which decides itself."""
            found = answering(path)
            return found is not None and getattr(found, "accepts_websockets", True)

        app = _websocket_guard(app, config,
                               lambda path: path.startswith("/api/") or isinstance(answering(path), ApiEndpoint),
                               takes_socket)
        if plugins is not None:  # inside them: what reaches Pyxle's own dispatch is no plugin's answer
            app = _past_plugins(app)
        layers: list[tuple[str, ASGIApp]] = []  # the project's and the plugins' middleware, named
        try:
            for label, (cls, args, kwargs) in reversed(self._plugin_middleware()):
                app = make(label, cls, app, args, kwargs)
                layers.append((label, app))
        except MiddlewareLoadError as exc:  # the lifespan fails with it: the worker stops, saying so
            return FailedStart(str(exc))
        # Outside the plugins' middleware: tasks run after pyxle-db has committed the request's writes.
        app = run_background_tasks(app)
        # CSRF leaves the project's API routes unchecked unless csrf.apiRoutes says otherwise, and
        # checks a plugin's endpoint under /api (pyxle-auth's, with authPathPrefix "/api/auth").
        app = csrf_middleware(app, config.csrf, secret=config.secret_key.encode(),  # type: ignore[union-attr]  # set in __init__
                              api_route=api_route, refuse=self.refusal,
                              fallbacks=tuple(key.encode() for key in config.secret_key_fallbacks),
                              routed=None if plugins is None else lambda scope: bool(scope["pyxle"].get(PAST_PLUGINS)))
        app = cors_middleware(
            app, origins=config.cors.origins, methods=config.cors.methods, headers=config.cors.headers,
            credentials=config.cors.credentials, max_age=config.cors.max_age, csrf_header=config.csrf.header_name,
        )
        try:
            for label, (cls, args, kwargs) in reversed(self._configured_middleware()):
                app = make(label, cls, app, args, kwargs)
                layers.append((label, app))
        except MiddlewareLoadError as exc:
            return FailedStart(str(exc))
        if self.user_middleware or (self.plugins and self.plugins.middleware):  # they read the scope itself
            app = int_ports(app)
        limits = config.rate_limit
        if limits.enabled:
            from pyxle.ratelimit import RateLimitMiddleware, rate_limiter

            self.limiter = rate_limiter(limits.requests, limits.window, limits.redis_url,
                                        secret=config.secret_key or "")
            app = RateLimitMiddleware(app, limiter=self.limiter, exempt_paths=limits.exempt_paths,
                                      trust_forwarded_for=limits.trust_forwarded_for, route_at=route_at)
        squeeze = config.compression
        compressor = None
        if squeeze.enabled:
            from pyxle.app._compress import Compressor

            compressor = Compressor(minimum_size=squeeze.minimum_size, gzip_level=squeeze.gzip_level,
                                    brotli_quality=squeeze.brotli_quality, zstd_level=squeeze.zstd_level)
        observer = self._observer()
        trusted = None
        if config.forwarded_allow_ips:  # [] trusts no proxy
            from pyxle._forwarded import TrustedPeers

            trusted = TrustedPeers(config.forwarded_allow_ips)
        # The edge adds the request id to an HTTP answer after these, so one the handler set is dropped
        # as they are added; a socket's id is in its refusal's headers by then.
        replaced = observer.header if observer is not None and observer.request_id else b""
        sockets = security_headers(config.security_headers) if config.security_headers or replaced else None
        sockets_app = SocketGuard(app, layers) if layers else app  # inside the observation: the request id
        other = observability.ObservabilityMiddleware(sockets_app, observer) if observer else sockets_app
        self.edge = HttpEdge(app, add_headers=security_headers(config.security_headers, replaced=replaced)
                             if config.security_headers or replaced else None, socket_headers=sockets,
                        compressor=compressor, max_body_size=config.max_body_size,
                        body_timeout=self.limits.body_timeout, expose_errors=_exposes_errors(config, self.mode),
                        observer=observer, other=other, lifespan=LifespanGuard(other, layers) if layers else None,
                        refuse=self.refusal, trusted=trusted)
        return self.edge

    def check_middleware(self) -> None:
        """Make the project's middleware and send it a lifespan, once, before any worker starts
        (``pyxle serve``, a reload's check); ``StartupError`` naming the one that fails."""
        try:
            try_middleware(self._configured_middleware(), self)
        except MiddlewareLoadError as exc:
            raise StartupError(str(exc)) from None

    def _configured_middleware(self) -> list[tuple[str, Middleware]]:
        """The project's middleware, each named as its config entry is (``middleware[0] 'audit:Audit'``)."""
        entries = self.config.middleware
        if len(entries) != len(self.user_middleware):  # some added in code (Starlette's add_middleware)
            return [(f"middleware {_dotted(m.cls)!r}", m) for m in self.user_middleware]
        return [(f"middleware[{i}] {entry!r}", m) for i, (entry, m) in enumerate(zip(entries, self.user_middleware, strict=True))]

    def _plugin_middleware(self) -> list[tuple[str, Middleware]]:
        return [(f"plugin middleware {_dotted(m.cls)!r}", m) for m in (self.plugins.middleware if self.plugins else ())]

    @property
    def lifespan_state(self) -> dict[str, Any] | None:
        """What the server copies into every request's ``scope["state"]`` before the app (the
        lifespan's state); None when no lifespan ran. A request the app makes of itself starts from it."""
        return self.router.lifespan_state

    def refusal(self, scope: Scope, answer: Response) -> ASGIApp:
        """What answers a refusal made before a handler ran (``answer``, its JSON: the CSRF check's,
        the body limits', an ``HTTPException``'s): at an action URL, the actions endpoint's choice
        between that JSON and a page for a browser's own form post; elsewhere the JSON."""
        path = scope["path"]
        endpoint = self.router.answering(path) if path.startswith(ACTIONS_PREFIX) else None
        return endpoint.refusal(answer) if isinstance(endpoint, ActionsEndpoint) else answer

    async def _http_refusal(self, request: Request, exc: Exception) -> ASGIApp:
        """An ``HTTPException`` Pyxle raised refusing the request (``RequestRefused``) is a refusal;
        one the app's code raised (an action's, a hook's: a 303 to /login, a 403 in its own words)
        is its answer, as it is."""
        assert isinstance(exc, HTTPException)
        answer = error_response(exc, request.scope.get("path", ""))
        return self.refusal(request.scope, answer) if isinstance(exc, RequestRefused) else answer

    def _observer(self) -> observability.Observer | None:
        """What the config turns on of observability, or None when nothing is."""
        config, seen = self.config, self.config.observability
        if config.access_log:
            self.access_log = AccessLog(json_format=config.log_format == "json")
        observers = [self.access_log.record] if self.access_log is not None else []
        metrics = self._metrics() if seen.metrics_endpoint else None
        tracer = observability.tracer(seen.otel_service_name, seen.otel_sample_ratio) if seen.otel else None
        if not (seen.request_id or seen.timing or seen.server_timing or metrics or tracer or observers):
            return None
        return observability.Observer(
            request_id=seen.request_id, header=seen.request_id_header, trust_incoming=seen.trust_incoming_request_id,
            timing=seen.timing, server_timing=seen.server_timing, metrics=metrics, tracer=tracer, observers=observers)

    def _metrics(self) -> Any:
        if self.metrics is None:
            self.metrics = observability.Metrics(ssr_workers=self.ssr_workers)
            observability.use_metrics(self.metrics)
        return self.metrics

    def health(self) -> dict[str, Any]:
        """What /healthz and /readyz say, in pyxle-framework 0.9's shape (probes and dashboards
        read ``status``, ``ready`` and ``checks``); ``state`` says why an app is not ready.

        Without Node, ``ssr_pool`` fails: a build's pool cannot start (not ready, its pages need
        rendering), and a project with no build has none (``degraded`` but ready: that is the
        documented no-Node mode, which a 503 would keep out of every load balancer)."""
        checks: dict[str, dict[str, Any]] = {}
        pool = getattr(self.renderer, "pool", None)
        if pool is not None:
            checks["ssr_pool"] = {"ok": pool.alive >= 1, "alive": pool.alive, "size": pool.size}
        elif self.unrendered:
            checks["ssr_pool"] = {"ok": False, "alive": 0, "size": 0}
        if self.broken_pages:  # pyxle dev: these answer their error, the rest serves
            checks["pages"] = {"ok": False, "broken": sorted(self.broken_pages)}
        state = "broken" if self.router.fallback is not None else "ready" if self.ready else "starting"
        if state == "ready" and not all(check["ok"] for check in checks.values()):
            state = "degraded"  # started, but a check fails (no SSR worker alive): ``checks`` says which
        failing = {name for name, check in checks.items() if not check["ok"]}
        ready = state == "ready" or (state == "degraded" and failing <= {"pages", *(() if pool else ("ssr_pool",))})
        uptime = time.monotonic() - self._started if self._started is not None else 0.0
        return {"status": "ok", "ready": ready, "state": state, "uptime": round(uptime, 3), "checks": checks}

    def _health_routes(self) -> dict[str, ASGIApp]:
        async def healthz(scope: Scope, receive: Receive, send: Send) -> None:
            await JSONResponse(self.health())(scope, receive, send)

        async def readyz(scope: Scope, receive: Receive, send: Send) -> None:
            health = self.health()
            await JSONResponse(health, 200 if health["ready"] else 503)(scope, receive, send)

        routes: dict[str, ASGIApp] = {"/healthz": healthz, "/readyz": readyz}
        seen = self.config.observability
        if seen.metrics_endpoint:
            from pyxle.observability import MetricsEndpoint

            routes[seen.metrics_endpoint_path] = MetricsEndpoint(self._metrics, seen.metrics_endpoint_token)
        return {path: _tokenless(route) for path, route in routes.items()}

    async def swap_renderer(self, renderer: Any) -> None:
        """Start ``renderer`` (if any) and retire the previous one.

        A request that started on the previous route table (a ``pyxle dev`` reload while its loader
        ran) renders with ``renderer`` too: its table's renderer is pointed at the new one before
        the old one closes, so it gets a page (of the new build, whose assets are the ones on disk)
        instead of a closed pool. The old pool finishes the renders it has already accepted."""
        if renderer is not None:
            await renderer.start()
        old, self.renderer = self.renderer, renderer
        if old is None or old is renderer:
            return
        live = [ref for ref in self._runtimes if ref() is not None]
        self._runtimes = live
        if renderer is not None:
            for ref in live:
                runtime = ref()
                if runtime is not None and runtime.renderer is old:
                    runtime.renderer = renderer
        await old.close()

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Plugins start first and stop last, around everything else (their services are in use
        until the last request); then the renderer, realtime, and the watcher or ``gc.freeze``."""
        if self.plugins is not None:
            from pyxle.plugins import PluginError

            try:
                await self.plugins.start()
            except PluginError as exc:  # the server stops, naming the plugin
                logger.error("%s", exc)
                raise StartupError(str(exc)) from None
        try:
            async with self._serving():
                _mark_started()
                yield
        finally:
            if self.plugins is not None:
                await self.plugins.stop()

    @asynccontextmanager
    async def _serving(self) -> AsyncIterator[None]:
        from pyxle.cache import get_active_cache, set_active_cache
        from pyxle.realtime._lifecycle import serving
        from pyxle.tasks import TaskQueue, get_active_queue, set_active_queue

        await self.swap_renderer(self._initial_renderer)
        # Another app in the process (a test's own beside the session's) gets its own back as this one stops.
        cache_before, queue_before = get_active_cache(), get_active_queue()
        set_active_cache(self.page_cache)
        tasks = TaskQueue(observer=self.metrics.task if self.metrics is not None else None)
        await tasks.start()
        set_active_queue(tasks)
        loop = asyncio.get_running_loop()
        _blocking_threads(loop)
        try:
            with (stop_when_orphaned(loop, grace=self.limits.shutdown_timeout + 1), _on_signal(loop, RETIRE, self._retire),
                  beating(loop)):
                async with (serving(self.state, self.config.realtime, on_stop=self._sigterm, settle=self._settled,
                                    replaced=lambda: self._replaced), self._watching()):
                    self.ready = True
                    self._started = time.monotonic()
                    try:
                        yield
                    finally:
                        self.ready = False
        finally:
            self._stopping()
            # Before what tasks use (the cache, plugins) stops.
            await tasks.stop(timeout=self._time_left(), deadline=self.limits.shutdown_timeout)
            if get_active_queue() is tasks:
                set_active_queue(queue_before)
            if get_active_cache() is self.page_cache:
                set_active_cache(cache_before)
            if self.page_cache is not None:
                await self.page_cache.close()
            await self.swap_renderer(None)
            if self.metrics is not None:
                self.metrics.close()
            if self.access_log is not None:
                self.access_log.close()
            if self.config.observability.otel:
                from pyxle.observability._tracing import FLUSH_SECONDS, stop_tracing

                stop_tracing(min(FLUSH_SECONDS, self._time_left()))
            if self.limiter is not None:
                await self.limiter.close()

    def _retire(self) -> None:
        """A reload is about to replace this worker (``pyxle serve`` sends SIGUSR1 first): it takes
        no new connection (``stop_accepting``), and its answers close theirs from now on."""
        self._replaced = True
        stop_accepting()
        self._closing()

    def _closing(self) -> None:
        """Answers close their connections from now on (see ``HttpEdge.retiring``)."""
        if self.edge is not None:
            self.edge.retiring = True

    def _sigterm(self) -> None:
        """The worker stops: it takes no new connection, and a moment later its socket stops
        listening, so they are refused at once, not left in its queue until the server exits.
        Answers close their connections, /readyz answers 503 on those still open, and what never
        ends by itself is ended (``_stopping``)."""
        self._stop_asked = time.monotonic()
        self.ready = False
        # Not a worker a reload replaces (``_retire`` took it off the socket already: 0), whose
        # successor accepts from that socket; the moment lets granian's accept loop take what it
        # was woken for, so that it never tries the socket once it stopped listening.
        if stop_accepting():
            self._unlisten = asyncio.ensure_future(self._stop_listening())
        self._closing()
        self._stopping()

    async def _stop_listening(self) -> None:
        await asyncio.sleep(UNLISTEN_AFTER)
        step_aside()

    async def _settled(self) -> None:
        """Until the worker answers no HTTP request, or its shutdown deadline has passed; then granian
        is told to stop it. Once told, granian reads no request sent on a kept-alive connection while
        others are in progress, and drops it when they end: a 502 through nginx after waiting, where
        until then it is answered (and its connection closed after it, ``_closing``). Not before its
        socket stopped listening: a worker with nothing in progress stops at once. Those still in
        progress at the deadline get their access line then, marked cut, and one warning names them
        (nothing else would say which request held the stop); then they are cancelled, so their
        ``finally`` blocks run and the lifespan shutdown follows, before the server would kill the worker."""
        if self._unlisten is not None:
            await self._unlisten
        edge = self.edge
        while edge is not None and edge.answering and self._time_left() > 0:
            await asyncio.sleep(0.02)
        if edge is not None and edge.answering:  # say which requests held the stop, and cancel them
            cut, tasks_of, cancelled = edge.cut()
            deadline = self.limits.shutdown_timeout
            if cut:
                logger.warning("the shutdown deadline (%gs) passed with %d request%s still running; cut off: %s",
                               deadline, len(cut), "" if len(cut) == 1 else "s", ", ".join(cut))
            if tasks_of:  # answered long ago: only the tasks they added were left
                logger.warning("the shutdown deadline (%gs) passed with the background tasks of %d request%s still "
                               "running; cancelled: %s", deadline, len(tasks_of), "" if len(tasks_of) == 1 else "s",
                               ", ".join(tasks_of))
            if self.access_log is not None:
                self.access_log.flush()
            if cancelled:  # their finally blocks run; one that ignores its cancellation is left to the kill
                await asyncio.wait(cancelled, timeout=CANCELLED_GRACE)

    def _time_left(self) -> float:
        """What is left of the shutdown deadline, less a moment for the rest of the shutdown
        (``pyxle serve`` ends the worker once the deadline has passed since its SIGTERM)."""
        deadline = self.limits.shutdown_timeout
        if self._stop_asked is not None:
            deadline -= time.monotonic() - self._stop_asked
        return max(0.0, deadline - DEADLINE_MARGIN)

    def _stopping(self) -> None:
        """The worker was asked to stop (SIGTERM), or stops: end what would hold it up, the event
        streams in progress (requests that never end by themselves; EventSource reconnects to a
        worker that runs), and pyxle dev's own."""
        if self.dev_events is not None:
            self.dev_events.close()
        if self.edge is not None and (ended := self.edge.end_event_streams()):
            logger.info("ended %d event stream%s before stopping", ended, "" if ended == 1 else "s")

    @asynccontextmanager
    async def _watching(self) -> AsyncIterator[None]:
        if self.mode != "development":
            # What is loaded now lives as long as the process: keep it out of every GC pass
            # (about 5% of a page request's time went to collections scanning it).
            gc.freeze()
            yield
            return
        from pyxle.app._reload import watch_routes

        async with watch_routes(self):
            yield


def _dotted(obj: object) -> str:
    """``module:name`` of a class or function, as a config entry names it."""
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def _answering(entries: list[tuple[RouteSpec, ASGIApp]], path: str) -> RouteSpec:
    """The route of the project that answers ``path`` (one does: ``set_routes`` said so)."""
    return next(spec for spec, _ in sorted(entries, key=lambda entry: entry[0].sort_key)
                if (spec.regex.match(path) if spec.regex else spec.pattern == path))


# At the shutdown deadline, how long the requests still running have, once cancelled, to end (their
# finally blocks) before the lifespan shutdown runs (the server kills the worker ``DEADLINE_MARGIN`` later).
CANCELLED_GRACE = 0.2
# What a worker keeps of its shutdown deadline for the rest of its stop: the requests cancelled at
# its deadline (``_settled``), granian closing their connections, and the lifespan shutdown.
DEADLINE_MARGIN = 0.5

# After SIGTERM, how long a worker's socket listens on once granian no longer accepts from it (see
# ``PyxleApp._sigterm``): a connection that arrives meanwhile is reset when it stops.
UNLISTEN_AFTER = 0.05

RETIRE = getattr(signal, "SIGUSR1", None)  # pyxle serve's word to a worker a reload replaces (none on Windows)


@contextmanager
def _on_signal(loop: asyncio.AbstractEventLoop, sig: int | None, handler: Callable[[], None]) -> Iterator[None]:
    """``handler`` runs on the loop when the process gets ``sig``, while inside (then the signal is
    ignored: its default would end the process); a loop off the main thread (an app run by tests in
    a thread) cannot take signals and is left as it is."""
    try:
        if sig is None:
            raise NotImplementedError
        loop.add_signal_handler(sig, handler)
    except (NotImplementedError, RuntimeError, ValueError):
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(sig)
        signal.signal(sig, signal.SIG_IGN)


BLOCKING_THREADS = 40  # as many as Starlette gives sync handlers (anyio's thread limiter)


def _blocking_threads(loop: asyncio.AbstractEventLoop) -> None:
    """``asyncio.to_thread`` (what libraries such as pyxle-db run their blocking calls with) gets
    as many threads as sync handlers do. Python's default is cores + 4: six here, so six requests
    waiting on a SQLite write lock held all of them, the COMMIT that would free it could not run,
    and every writer failed with "database is locked" after the busy timeout.

    Each call runs in a copy of its caller's context (as ``to_thread`` does), so what
    ``loop.run_in_executor(None, fn)`` logs carries the request id. An executor the app set
    itself (a plugin's start-up) is left as it is; the one asyncio made on a first use (a DNS
    look-up at start-up) is replaced."""
    current = getattr(loop, "_default_executor", None)  # asyncio keeps it there: no public getter
    if isinstance(current, ContextThreads) or (current is not None and not _made_by_asyncio(current)):
        return
    loop.set_default_executor(ContextThreads(BLOCKING_THREADS, thread_name_prefix="pyxle-blocking"))
    if current is not None:
        current.shutdown(wait=False)


def _made_by_asyncio(executor: Any) -> bool:
    """The pool ``run_in_executor(None, ...)`` makes when the loop has none (its threads: asyncio_0...)."""
    return type(executor) is ThreadPoolExecutor and getattr(executor, "_thread_name_prefix", "") == "asyncio"


class ContextThreads(ThreadPoolExecutor):
    """A thread pool that runs each call in a copy of the submitting code's context variables."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


STARTED_FILE = "PYXLE_STARTED_FILE"
SERVER_WORKERS = "PYXLE_SERVER_WORKERS"  # the CLI's --workers, for each reload's secret check (shared_state)


def _mark_started() -> None:
    """Tell the supervising ``pyxle serve`` that an app started in this worker (the file named by
    ``PYXLE_STARTED_FILE``): workers that never get this far stop the server instead of being
    started again and again. This worker's own mark (``mark_started``) makes a crash of it later one
    to start it again after, not a crash loop."""
    path = os.environ.get(STARTED_FILE)
    if path:
        Path(path).touch()
    mark_started()


def create_app(config: PyxleConfig, *, mode: Mode = "production", ssr_workers: int | None = None,
               staged: bool = False, keep_broken: bool = False, keep_broken_pages: bool = False) -> PyxleApp:
    """Build the app for the project at ``config.root``; import every route module now, so a broken
    file stops start-up instead of failing its first request. ``staged`` (a reload's check, in
    production): the build is made beside ``distDir``, in ``app.build_into`` (``app._staging``).
    ``keep_broken`` (a ``pyxle dev`` worker, started after an edit): pages that do not load leave
    the app showing why until an edit fixes them, as a failed reload does, instead of stopping it.
    ``keep_broken_pages`` (``pyxle dev`` as it starts): the same for the pages' errors alone
    (``PagesBroken``); an API route, a setting or a hook that does not load still stops it."""
    from_build = not config.pages_path.is_dir()  # pyxle serve: a deploy of the build alone (_served_build)
    if from_build and (mode != "production" or not (config.dist_path / "manifest.json").is_file()):
        raise StartupError(no_pages(config, mode))
    _check_features(config, mode)
    if config.debug and mode == "production":
        _note("debug is on: error responses carry exception text and tracebacks; never turn it on in production")
    app = PyxleApp(config, mode=mode, ssr_workers=ssr_workers or os.cpu_count() or 2)
    make_importable(config.root)  # middleware, hooks and plugins may live in the project's own modules
    try:
        app.user_middleware = load_middleware(config.middleware)
    except MiddlewareLoadError as exc:
        raise StartupError(str(exc)) from None
    if config.plugins:
        from pyxle.plugins import PluginError, PluginSettings, load

        try:
            app.plugins = load(config.plugins, PluginSettings(config, debug=_exposes_errors(config, mode)),
                               source=config.sources.get("plugins"))
        except PluginError as exc:
            raise StartupError(str(exc)) from None
        app.state.pyxle_plugins = app.plugins.context
    app.held_modules = frozenset(project_modules(config.root).values())
    # --skip-build, or no pages/: nothing is built, the reload reads distDir as it is then
    if staged and mode == "production" and os.environ.get("PYXLE_SKIP_BUILD") != "1" and not from_build:
        app.build_into = stage(config.dist_path)
    try:
        app._initial_renderer = app.load_routes()
    except StartupError as exc:
        if app.build_into is not None:
            discard(app.build_into)
        if not (mode == "development" and (keep_broken or (keep_broken_pages and isinstance(exc, PagesBroken)))):
            raise
        from pyxle.app._reload import start_broken

        start_broken(app, str(exc))
    except BaseException:  # a reload check stopped midway (SIGTERM)
        if app.build_into is not None:
            discard(app.build_into)
        raise
    else:
        if mode == "development":
            from pyxle.app._reload import start_partly_broken

            start_partly_broken(app)
    _note_unchecked_api_routes(config, app.router)
    _note_open_sockets(config, app.router)
    note_hidden_public(config)
    _note_public_conflicts(app)
    return app


def note_hidden_public(config: PyxleConfig) -> None:
    """Name the files of ``public/`` that are not served, a name of theirs starting with a dot
    (``pyxle._hidden``): pyxle-framework 0.9 served them, and the build copied them. Not in a
    worker: the CLI said it (and a worker need not walk the folder again)."""
    from pyxle._hidden import left_out, note
    from pyxle._loading import STARTUP_NOTED

    if os.environ.get(STARTUP_NOTED) or not config.public_path.is_dir():
        return
    if names := left_out(config.public_path):
        _note("%s", note(config.public_dir, names))


def public_conflicts(config: PyxleConfig, table: RouteTable, public_dir: Path | None = None) -> list[tuple[str, str]]:
    """(problem, hint) for each page or API route at the URL of a file of ``public_dir`` (the
    project's ``public/`` by default), naming both: the route answers, the file is never served.
    ``pyxle build`` and ``pyxle check`` refuse it, as Next.js's build does; start-up says it."""
    from pyxle.app._static import public_twins

    directory = public_dir or config.public_path
    if not directory.is_dir():
        return []
    folder = directory.relative_to(config.root).as_posix() if directory.is_relative_to(config.root) else str(directory)
    return [((f"{config.pages_dir}/{spec.file} and {folder}/{name} are both {spec.pattern}: the route answers it, "
             "and the file is never served"),
             (f"delete one of them, {folder}/{name} or {config.pages_dir}/{spec.file}, so that one file answers "
             f"{spec.pattern}")) for spec, name in public_twins(table.routes, directory)]


def _note_public_conflicts(app: PyxleApp) -> None:
    """Say once, as the server starts, which files of ``public/`` a route hides (see public_conflicts)."""
    from pyxle._loading import STARTUP_NOTED

    if os.environ.get(STARTUP_NOTED):
        return
    for problem, hint in public_conflicts(app.config, app.route_table, app.public_root):
        _note("%s (hint: %s)", problem, hint)


def no_pages(config: PyxleConfig, mode: Mode, shown: str | None = None) -> str:
    """The project has no pages folder, and (``pyxle serve``) no build to serve without it.
    ``shown``: the project's folder as the user gave it (the CLI's ``.``)."""
    folder = f"{shown or config.root} has no {config.pages_dir}/ folder"
    if mode != "production":
        return f"{folder} (expected {config.pages_path})"
    dist = config.dist_path.relative_to(config.root).as_posix() if config.dist_path.is_relative_to(config.root) \
        else str(config.dist_path)
    return (f"{folder} and no build in {dist}/ ({dist}/manifest.json is missing); hint: serve the folder that holds "
            f"{config.pages_dir}/, or deploy the {dist}/ that `pyxle build` wrote there beside the project's own "
            "modules and pyxle.config.json")


_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _note_unchecked_api_routes(config: PyxleConfig, router: PyxleRouter) -> None:
    """pyxle-framework 0.3 to 0.9 checked CSRF on every API route; Pyxle checks those ``csrf.apiRoutes``
    names. While that is unset, say which routes a cross-site form could now call unchecked."""
    from pyxle.api import ApiEndpoint
    from pyxle.routing import under

    csrf = config.csrf
    if not csrf.enabled or csrf.api_routes is not None:
        return
    unchecked = [f"{config.pages_dir}/{app.context.source_relative_path}" for app in router.apps()
                 if isinstance(app, ApiEndpoint) and _UNSAFE.intersection(app.allowed_methods)
                 and not any(under(app.context.pattern, prefix) for prefix in csrf.exempt_paths)]
    if unchecked:
        unchecked.sort()
        _note("csrf: %s take%s POST, PUT, PATCH or DELETE without a CSRF check: API routes are checked only "
              "when csrf.apiRoutes says so (pyxle-framework 0.3 to 0.9 checked them all); set \"csrf\": {\"apiRoutes\": "
              "true} (or the prefixes to check) to check them, or false to leave them unchecked and silence this note",
              *_named(unchecked))


def _note_open_sockets(config: PyxleConfig, router: PyxleRouter) -> None:
    """While ``realtime.apiRoutes`` is unset, the API routes that take WebSockets from any site's
    pages: a browser opens them with the visitor's cookies (cross-site WebSocket hijacking), where a
    page's socket is refused. Said as the CSRF note says it of unchecked POST routes."""
    from pyxle.api import ApiEndpoint

    if config.realtime.api_routes is not None:
        return
    open_ = sorted(f"{config.pages_dir}/{app.context.source_relative_path}" for app in router.apps()
                   if isinstance(app, ApiEndpoint) and app.accepts_websockets)
    if open_:
        _note("realtime: %s take%s WebSockets from any site's pages, with the visitor's cookies: the Origin of an "
              "API route's socket is checked only when realtime.apiRoutes says so (a page's always is); set "
              "\"realtime\": {\"apiRoutes\": true} (or the prefixes to check) to refuse other sites, or false to "
              "accept them and silence this note", *_named(open_))


def note_workers_apart(app: PyxleApp, workers: int) -> None:
    """What each of several workers keeps in its own memory, where the app may expect it shared;
    said once, by ``pyxle serve`` (the CLI calls this). The in-process broker reaches its own
    worker's sockets only: a channel's message misses the sockets the others hold (pyxle-framework
    0.9 warned of it too), so the routes that accept WebSockets are named. The rate limit's
    counters are each worker's: a client may make up to ``workers`` times the limit."""
    if workers < 2:
        return
    limit = app.config.rate_limit
    if limit.enabled and limit.redis_url is None:
        _note("rateLimit counts each client's requests in each worker's memory: with --workers %d a client may make "
              "up to %d requests per %gs window instead of %d; set rateLimit.redisUrl to share the counters",
              workers, workers * limit.requests, limit.window, limit.requests)
    if app.config.realtime.broker == "redis":
        return
    pages_dir = app.config.pages_dir
    sockets = [f"{pages_dir}/{PurePosixPath(route.context.source_relative_path)}" for route in app.router.apps()
               if getattr(route, "accepts_websockets", False)]
    if sockets:
        _note("%s accept%s WebSockets and the realtime broker is in-process: with --workers %d a channel's messages "
              "reach only the sockets of the worker that publishes them; set PYXLE_REALTIME_BROKER=redis (or "
              "realtime.broker) to reach every worker", *_named(sockets), workers)


_NAMED = 5  # routes a start-up note names; a large app's hundred would make one line of kilobytes


def _named(files: list[str]) -> tuple[str, str]:
    """The files a start-up note names (the first ``_NAMED``, then how many more), and the ``s`` of
    its verb (``pages/api/a.py takes``, ``pages/api/a.py, pages/api/b.py take``)."""
    shown = ", ".join(files[:_NAMED]) + (f" and {len(files) - _NAMED} more" if len(files) > _NAMED else "")
    return shown, "s" if len(files) == 1 else ""


def _exposes_errors(config: PyxleConfig, mode: Mode) -> bool:
    """Whether error responses carry the exception and its traceback: in ``pyxle dev``, or with ``debug``."""
    return mode == "development" or config.debug


def _check_features(config: PyxleConfig, mode: Mode = "production") -> None:
    """What the configuration turns on can run here: its extras are installed, its Redis answers."""
    from pyxle.observability import TracingUnavailable, check_installed

    seen = config.observability
    if seen.otel:
        try:
            check_installed()
        except TracingUnavailable as exc:
            raise StartupError(str(exc)) from None
    if seen.metrics_endpoint:
        try:
            import prometheus_client  # noqa: F401
        except ImportError:
            raise StartupError("observability.metricsEndpoint needs prometheus-client: "
                               "pip install prometheus-client") from None
        if not seen.metrics_endpoint_token:
            _note("observability.metricsEndpoint has no metricsEndpointToken (or PYXLE_METRICS_TOKEN): "
                           "%s answers clients on this machine only", seen.metrics_endpoint_path)
    if config.compression.enabled and config.compression.zstd_level is not None:
        try:
            import zstandard  # noqa: F401
        except ImportError:
            raise StartupError("compression.zstdLevel needs the zstandard package: "
                               "pip install 'pyxle-framework[zstd]'") from None
    _check_redis(config, mode)


def _check_redis(config: PyxleConfig, mode: Mode) -> None:
    """Each Redis answers and lets its user do what the feature will (a ``StartupError`` naming where
    each failing URL is set, all of them: fixed one run at a time otherwise); one that refuses writes
    (full, a replica) or answers slower than half its wait is said once, and the server starts."""
    from pyxle._redis import RedisUnavailable, checked_at_start, ensure_reachable, wait_limit

    failures: list[str] = []
    for feature, use in _redis_uses(config, mode).items():
        if checked_at_start(use.url):  # a worker of a server whose start-up found it answering
            continue
        try:
            notes = ensure_reachable(use.url, feature=feature, key=use.key, channels=use.channels,
                                     limit=wait_limit(use.url, use.wait))
        except RedisUnavailable as exc:
            failures.append(str(exc))
            continue
        for note in notes:
            _note("%s", note)
    if failures:
        raise StartupError("\npyxle: ".join(failures))


# A key the check writes (and deletes) under each feature's own prefix, as the feature will.
_CHECK_KEY = "__pyxle_check__"


class RedisUse(NamedTuple):
    """What a feature does with its Redis: the URL, a key it writes, the channels it subscribes to,
    and how long a command waits for it when the URL gives no ``?socket_timeout=``."""

    url: str
    key: str
    channels: tuple[str, ...]
    wait: float


def _redis_uses(config: PyxleConfig, mode: Mode = "production") -> dict[str, RedisUse]:
    """Each Redis the configuration relies on: where it is named (file and key, or the variable,
    as start-up errors say it) -> its use."""
    from pyxle._redis import COMMAND_TIMEOUT

    where = config.sources.get
    uses: dict[str, RedisUse] = {}
    if config.rate_limit.enabled and config.rate_limit.redis_url:
        uses[where("rateLimit.redisUrl", "rateLimit.redisUrl")] = RedisUse(
            config.rate_limit.redis_url, f"pyxle:ratelimit:{_CHECK_KEY}", (), COMMAND_TIMEOUT)
    if config.realtime.broker == "redis":
        from pyxle.realtime._redis_broker import COMMAND_TIMEOUT as REALTIME_TIMEOUT

        prefix = config.realtime.channel_prefix
        uses[where("realtime.redisUrl") or _unnamed(config, "realtime.broker", "realtime.redisUrl")] = RedisUse(
            config.realtime.redis_url, f"{prefix}{_CHECK_KEY}",
            (f"{prefix}{_CHECK_KEY}", f"pyxle:__subscription__:{_CHECK_KEY}"),  # the listener's own channel too
            REALTIME_TIMEOUT)
    if config.cache.backend == "redis" and mode == "production":  # pyxle dev stores no pages
        from pyxle._redis import DEFAULT_URL

        uses[where("cache.redisUrl") or _unnamed(config, "cache.backend", "cache.redisUrl or REDIS_URL")] = RedisUse(
            config.cache.redis_url or DEFAULT_URL, f"pyxle:cache:{_CHECK_KEY}", (), COMMAND_TIMEOUT)
    return uses


def redis_urls(config: PyxleConfig, mode: Mode = "production") -> dict[str, str]:
    """Each Redis the configuration relies on: where it is named (file and key, or the variable,
    as start-up errors say it) -> its URL."""
    return {feature: use.url for feature, use in _redis_uses(config, mode).items()}


def shared_state(config: PyxleConfig, workers: int, environ: Mapping[str, str]) -> list[str]:
    """What makes several processes or machines verify each other's tokens and cookies, so a key
    generated by one server would not do: more than one worker, or a backend shared through Redis.
    The one place to name a new shared backend.
    """
    reasons = [f"--workers {workers}"] if workers > 1 else []
    broker = config.realtime.broker or environ.get("PYXLE_REALTIME_BROKER", "")
    if broker.strip().lower() == "redis":
        reasons.append("the realtime broker is redis")
    if config.rate_limit.enabled and config.rate_limit.redis_url:  # (off: Redis is never asked)
        reasons.append("rateLimit.redisUrl")
    if config.cache.backend == "redis":  # cache.backend or PYXLE_PAGE_CACHE_BACKEND, already merged
        reasons.append("the page cache is in redis")
    return reasons


def _unnamed(config: PyxleConfig, switch: str, url_keys: str) -> str:
    """Where a Redis at the default URL is asked for: the setting that chose Redis, naming none."""
    return f"{config.sources.get(switch, switch)} (redis), with no {url_keys}"


PAST_PLUGINS = "past_plugins"  # scope["pyxle"] flag: the request passed every plugin's middleware


def _past_plugins(app: ASGIApp) -> ASGIApp:
    """``app``, noting on each HTTP request that the plugins' middleware let it through to Pyxle's
    own dispatch: CSRF refuses an unchecked API request that a plugin answered instead."""
    async def past_plugins(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("pyxle", {})[PAST_PLUGINS] = True
        await app(scope, receive, send)

    return past_plugins


def _auth_endpoints_under(plugins: Any, path: str) -> bool:
    """Whether ``path`` is under the ``authPathPrefix`` of a running pyxle-auth (its ``auth.settings``
    service), whose middleware answers its endpoints there (``/login``, ``/logout``) before any route."""
    from pyxle.routing import under

    prefix = getattr(plugins.context.get("auth.settings"), "auth_path_prefix", None)
    return isinstance(prefix, str) and under(path, prefix)


def _websocket_guard(app: ASGIApp, config: PyxleConfig, api_route: Callable[[str], bool],
                     takes_socket: Callable[[str], bool]) -> ASGIApp:
    """Every WebSocket's Origin check, size limit, send queue and shutdown close (pyxle.realtime)."""
    from pyxle.realtime._guard import WebSocketGuard

    rt = config.realtime
    # Not "*": CORS's "any site may read" would let any site open sockets with the visitor's
    # cookies (the config's warning says so).
    origins = tuple(origin for origin in exact_origins(config.cors.origins) if origin != "*")
    return WebSocketGuard(app, max_message=rt.max_message_size, queue_limit=rt.send_queue,
                          origins=origins, origins_like=origin_pattern(config.cors.origins),
                          api_routes=rt.api_routes, api_route=api_route, takes_socket=takes_socket)


def _with_secret_key(config: PyxleConfig, mode: Mode) -> PyxleConfig:
    """The key CSRF tokens are signed with: the configured one (checked), or a random one for this
    process. Never none: tokens signed with an empty key could be forged by anyone."""
    try:
        secret, warning = resolve_secret(config.secret_key, mode=mode)
    except SecretKeyError as exc:
        raise StartupError(str(exc)) from None
    if warning:
        logger.warning(warning)
    return dataclasses.replace(config, secret_key=secret.decode("utf-8"))


def _no_node() -> str | None:
    """Why pages cannot be server-rendered here, when Node is missing."""
    import shutil

    if shutil.which("node") is None:
        return "Node.js is not installed; it is needed to render pages (API routes work without it)"
    return None


def _api_routes(config: PyxleConfig, served: Any = None) -> tuple[Any, list[tuple[Any, ASGIApp]]]:
    """The route table of ``pages/`` and its API routes, imported now; or, ``served`` (a build
    served without ``pages/``), the build's table and its copies of the API routes."""
    try:
        table = scan(config.pages_path) if served is None else served.table
        for link in table.links:
            _note("%s/%s is a link to a folder, and links to folders under %s/ are not followed: its pages and API "
                  "routes have no URL (hint: move the folder into %s/, or link its files one by one)",
                  config.pages_dir, link, config.pages_dir, config.pages_dir)
        api_hooks = load_hooks(config.api_hooks, setting="routeMiddleware.apis")
        return table, list(load_api_routes(table.api, config.pages_path, config.root, api_hooks,
                                           code_dir=served.code_dir if served is not None else None))
    except RoutingError as exc:
        raise StartupError("invalid routes:\n  " + "\n  ".join(exc.problems)) from None
    except ApiLoadError as exc:
        raise StartupError("\n".join(e.format() for e in exc.errors)) from None
    except HookLoadError as exc:
        raise StartupError(str(exc)) from None


def _write_types(config: PyxleConfig, pages: Any) -> None:
    """``pyxle dev``: the pages' generated TypeScript types, read from the functions just loaded."""
    from pyxle.bundler import declarations, write_types

    found = {}
    for module in [endpoint.page for _, endpoint in pages.pages] + list(pages.specials.values()):
        path = config.pages_path / module.file
        shown = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else str(path)
        try:
            text = declarations(module.file, shown, module.loader, module.actions)
        except Exception as exc:  # noqa: BLE001 - an annotation that cannot be read: the page still runs
            logger.warning("%s: TypeScript types not generated: %s: %s", shown, type(exc).__name__, exc)
            continue
        if text is not None:
            found[module.file] = text
    write_types(config.root, found)


def _load_pages(config: PyxleConfig, table: Any, mode: Mode, built: dict[str, Any] | None, cache: Any = None, *,
                code_dir: Path | None = None, unbuilt: dict[str, list[str]] | None = None) -> Any:
    """The pages, loaded; ``unbuilt`` (pyxle dev: the pages the build left out, maybe none) keeps
    going past a page that does not load (``load_pages(keep_going=)``)."""
    from pyxle.pages import PageLoadError, load_pages

    try:
        page_hooks = load_hooks(config.page_hooks, setting="routeMiddleware.pages")
        # Actions run inside the page hooks; one listed under both (in either spelling) runs once.
        action_hooks = load_hooks(config.action_hooks, setting="routeMiddleware.actions", besides=config.page_hooks)
        return load_pages(table, config.pages_path, config.root, page_hooks, action_hooks=action_hooks,
                          expose_errors=_exposes_errors(config, mode), built=built, prefetch_ttl=config.prefetch_ttl,
                          cache=cache, title=config.name, lang=config.lang, code_dir=code_dir,
                          keep_going=unbuilt is not None, unbuilt=unbuilt)
    except PageLoadError as exc:
        raise PagesBroken("\n".join(exc.messages)) from None
    except HookLoadError as exc:
        raise StartupError(str(exc)) from None


def _unrendered_page(problem: str, policy: Any) -> Callable[[], Response]:
    """pyxle dev without a build (no npm packages, no Node): a page's document answers this error
    page, naming what to install, where it was a blank page with a 200."""
    from pyxle.app._devevents import error_page

    message = f"pages cannot be rendered, on the server or in the browser (there is no build): {problem}"
    return lambda: error_page(message, policy)


def _tokenless(app: ASGIApp) -> ASGIApp:
    """``app``, whose answers get no CSRF cookie: a load balancer's probe or a scraper every few
    seconds needs no token, and was handed a fresh one each time."""

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("pyxle", {})[TOKENLESS] = True
        await app(scope, receive, send)

    return answer
