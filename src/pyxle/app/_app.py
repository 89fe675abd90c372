"""The application object and how it is built from a project."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pyxle.api import ApiLoadError, load_api_routes
from pyxle.app._access import AccessLogMiddleware
from pyxle.app._errors import ServerErrorMiddleware, http_exception_handler
from pyxle.app._limits import BodyLimitMiddleware
from pyxle.app._middleware import MiddlewareLoadError, load_middleware
from pyxle.app._router import PyxleRouter
from pyxle.app._static import public_files
from pyxle.config import PyxleConfig
from pyxle.hooks import HookLoadError, load_hooks
from pyxle.routing import RoutingError, scan
from pyxle.security import SecurityHeadersMiddleware, cors_middleware, csrf_middleware

logger = logging.getLogger("pyxle")
Mode = Literal["development", "production"]


class StartupError(Exception):
    """The project cannot be served as it is; the message says which file or setting, and why."""


class PyxleApp(Starlette):
    """A Starlette app whose routes come from ``pages/`` and whose middleware order is Pyxle's."""

    def __init__(self, config: PyxleConfig, *, mode: Mode) -> None:
        super().__init__(exception_handlers={HTTPException: http_exception_handler}, lifespan=self._lifespan)
        self.config = config
        self.mode = mode
        self.ready = False
        self.router = PyxleRouter(default=public_files(config.public_path), lifespan=self._lifespan)
        self.state.pyxle_config = config

    def load_routes(self) -> None:
        """(Re)build the route table from ``pages/``; raises ``StartupError`` naming every bad file."""
        self.router.set_routes(_load_routes(self.config, self.mode), extra=self._health_routes())
        self.ready = True

    def build_middleware_stack(self) -> ASGIApp:
        config = self.config
        app: ASGIApp = ExceptionMiddleware(
            self.router, handlers={k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
        )
        app = BodyLimitMiddleware(app, max_body_size=config.max_body_size)
        app = csrf_middleware(app, config.csrf, secret=(config.secret_key or "").encode())
        app = cors_middleware(
            app, origins=config.cors.origins, methods=config.cors.methods, headers=config.cors.headers,
            credentials=config.cors.credentials, max_age=config.cors.max_age, csrf_header=config.csrf.header_name,
        )
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        app = ServerErrorMiddleware(app, expose=self.mode == "development")
        if config.security_headers:
            app = SecurityHeadersMiddleware(app, headers=config.security_headers)
        if config.access_log:
            app = AccessLogMiddleware(app, json_format=config.log_format == "json")
        return app

    def _health_routes(self) -> dict[str, ASGIApp]:
        async def healthz(scope: Scope, receive: Receive, send: Send) -> None:
            await JSONResponse({"status": "ok"})(scope, receive, send)

        async def readyz(scope: Scope, receive: Receive, send: Send) -> None:
            ok = self.ready and self.router.fallback is None
            await JSONResponse({"status": "ready" if ok else "loading"}, 200 if ok else 503)(scope, receive, send)

        return {"/healthz": healthz, "/readyz": readyz}

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        if self.mode != "development":
            yield
            return
        from pyxle.app._reload import watch_routes

        async with watch_routes(self):
            yield


def create_app(config: PyxleConfig, *, mode: Mode = "production") -> PyxleApp:
    """Build the app for the project at ``config.root``; import every route module now, so a broken
    file stops start-up instead of failing its first request."""
    if not config.pages_path.is_dir():
        raise StartupError(f"{config.root} has no {config.pages_dir}/ folder (expected {config.pages_path})")
    app = PyxleApp(config, mode=mode)
    try:
        app.user_middleware = load_middleware(config.middleware)
    except MiddlewareLoadError as exc:
        raise StartupError(str(exc)) from None
    app.load_routes()
    return app


def _load_routes(config: PyxleConfig, mode: Mode) -> list[tuple[Any, ASGIApp]]:
    try:
        table = scan(config.pages_path)
        api_hooks = load_hooks(config.api_hooks, setting="routeMiddleware.apis")
        entries: list[tuple[Any, ASGIApp]] = list(load_api_routes(table.api, config.pages_path, config.root, api_hooks))
        if table.pages or table.specials:
            from pyxle.pages import PageLoadError, load_pages

            page_hooks = load_hooks(config.page_hooks, setting="routeMiddleware.pages")
            try:
                pages = load_pages(table, config.pages_path, config.root, page_hooks,
                                   expose_errors=mode == "development")
            except PageLoadError as exc:
                raise StartupError("\n".join(exc.messages)) from None
            entries += pages.routes()
        return entries
    except RoutingError as exc:
        raise StartupError("invalid routes:\n  " + "\n  ".join(exc.problems)) from None
    except ApiLoadError as exc:
        raise StartupError("\n".join(e.format() for e in exc.errors)) from None
    except HookLoadError as exc:
        raise StartupError(str(exc)) from None
