"""One routing table for the whole app: exact paths by dict lookup, patterns in precedence order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from starlette.routing import Router
from starlette.types import ASGIApp, Receive, Scope, Send

from pyxle._memo import remember
from pyxle._refused import bad_path
from pyxle.app._slash import route_path, slashed, without_slash
from pyxle.routing import RouteSpec

_Dynamic = tuple[re.Pattern[str], tuple[str, ...], ASGIApp]
# C0 controls and DEL in the decoded path ("%00", "%0A").
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class PyxleRouter(Router):
    """Starlette's Router (lifespan, ``app.routes``), with Pyxle's file-route table as the dispatch.

    The table is one immutable pair swapped in a single assignment, so ``pyxle dev`` can reload
    routes while requests are in flight.
    """

    def __init__(self, default: ASGIApp, lifespan: Any = None) -> None:
        super().__init__(routes=[], redirect_slashes=False, default=default, lifespan=lifespan)
        self._table: tuple[dict[str, ASGIApp], tuple[_Dynamic, ...]] = ({}, ())
        self.fallback: ASGIApp | None = None  # answers every request while the table is broken (dev)
        self.refused: ASGIApp = bad_path  # answers a path holding a control character (pages: BadPath)
        self.always: dict[str, ASGIApp] = {}  # ...but these paths: the health checks keep answering
        # Whether public/ has a file at a path: served before a dynamic route that would take it
        # (pages/[slug].pyxl hid /robots.txt), as pyxle-framework 0.9 and Next.js serve it.
        self.has_file: Callable[[str], bool] | None = None
        self._answering: dict[str, ASGIApp | None] = {}  # path -> answering(path), for the current table
        # The lifespan scope's "state": the server copies it into every request's scope["state"]
        # (granian, uvicorn, hypercorn alike), so it is what a request has before any middleware.
        self.lifespan_state: dict[str, Any] | None = None

    def set_routes(self, entries: Sequence[tuple[RouteSpec, ASGIApp]],
                   extra: dict[str, ASGIApp] | None = None, own: dict[str, ASGIApp] | None = None) -> list[str]:
        """Install a new table; ``extra`` exact paths (health checks) never shadow a project route.
        Returns the ``extra`` paths a project route answers instead. ``own`` paths (``/__pyxle/``,
        where no project file can route) are Pyxle's whatever a catch-all would take."""
        static: dict[str, ASGIApp] = {}
        dynamic: list[_Dynamic] = []
        for spec, app in sorted(entries, key=lambda entry: entry[0].sort_key):
            if spec.regex is None:
                static[spec.pattern] = app
            else:
                dynamic.append((spec.regex, spec.optional_params, app))
        covered = [path for path in (extra or {}) if path in static or any(r.match(path) for r, _, _ in dynamic)]
        for path, app in (extra or {}).items():
            if path not in covered:
                static[path] = app
        static.update(own or {})
        self._table = (static, tuple(dynamic))
        self._answering = {}
        self.fallback = None
        return covered

    def answering(self, path: str) -> ASGIApp | None:
        """The app of the table that answers ``path`` (or, with a trailing slash, the one it is
        redirected to), None for none: for middleware outside the routes that must tell whose a
        path is (CSRF: an API route's, or a plugin's). Remembered per table, for a bounded number
        of paths, as the paths are the client's to choose."""
        known = self._answering.get(path, self)
        if known is not self:
            return known  # type: ignore[return-value]
        found = self.match(path, {})
        if found is None and len(path) > 1 and path.endswith("/"):
            found = self.match(path.rstrip("/") or "/", {})
        return remember(self._answering, path, found)

    def apps(self) -> list[ASGIApp]:
        """Every app of the table, in match order (for checks at start-up)."""
        static, dynamic = self._table
        return [*static.values(), *(app for _, _, app in dynamic)]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            self.lifespan_state = scope.get("state")
            await self.lifespan(scope, receive, send)
            return
        if self.fallback is not None:
            await self.always.get(scope["path"], self.fallback)(scope, receive, send)
            return
        path = route_path(scope)
        if not path.isprintable() and _CONTROL.search(path) is not None:
            # No route's or file's URL holds one: a "%00" taken as a parameter reached loaders and
            # handlers, and from them file names, C libraries and Postgres (which refuses NUL: a 500).
            await self.refused(scope, receive, send)
            return
        if (path.endswith("/") and scope["type"] == "http" and not path.startswith("/_pyxle/") and slashed(scope, path)
                and self.match(path.rstrip("/") or "/", {}) is not None):
            # Before matching the path as it is: a catch-all would take it, slash and all. (The
            # build's files under /_pyxle/ are hashed, never typed: a folder of them is a 404.)
            await without_slash(scope, path)(scope, receive, send)
            return
        await (self.match(path, scope) or self.default)(scope, receive, send)

    def match(self, path: str, scope: Scope) -> ASGIApp | None:
        """The app for ``path``, with ``path_params`` written into ``scope``."""
        static, dynamic = self._table
        app = static.get(path)
        if app is not None:
            scope["path_params"] = {}
            return app
        for regex, optional, app in dynamic:
            m = regex.match(path)
            if m is not None:
                if self.has_file is not None and self.has_file(path):
                    return None  # the file answers (self.default)
                params = m.groupdict()
                for name in optional:  # an optional catch-all at its folder: absent, as in Pyxle 0.9 and Next.js
                    if params[name] is None:
                        del params[name]
                scope["path_params"] = params
                return app
        if not path.isascii() and not unicodedata.is_normalized("NFC", path):  # (never for an ASCII path)
            return self.match(unicodedata.normalize("NFC", path), scope)  # café typed on a Mac, or an NFD link
        return None

