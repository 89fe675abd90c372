"""A trailing slash redirected away (307) when the URL without it answers: a route's (``PyxleRouter``)
or a file's of ``public/`` (a file is no folder, and relative links in it must resolve from its own URL)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse
from starlette.types import Scope

# What stays as it is in a Location: the path's and query's own delimiters, and escapes already
# made. Never "#" (it would cut a fragment off the path) or the backslash (a browser reads "/\host"
# as another site). pages/_rerender's _URL_SAFE keeps both: it reads a whole URL (a Referer), whose
# path it checks apart.
_KEPT = "/%:@!$&'()*+,;=?-._~"


def route_path(scope: Scope) -> str:
    """The request's path less the app's root path (an app mounted under a prefix): what routes
    and files are matched against."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def slashed(scope: Scope, path: str) -> bool:
    """Whether ``path`` (the request's, less its root path) ends in a slash that may be redirected
    away. Never for one that begins "//" or "/\\": as a Location, a browser reads "//evil.example"
    as another site. Nor for a slash sent as "%2F": it is part of the last segment, and the
    redirect, made from the bytes sent, would name itself."""
    return (len(path) > 1 and path.endswith("/") and path[1] not in "/\\"
            and (scope.get("raw_path") or b"/").endswith(b"/"))


def without_slash(scope: Scope, path: str) -> RedirectResponse:
    """307 to the request's own URL without its trailing slashes, query kept: bytes as the client
    sent them, with anything outside ASCII (a raw UTF-8 query) percent-encoded as UTF-8 bytes."""
    raw = scope.get("raw_path") or path.encode()
    query = scope.get("query_string", b"")
    return RedirectResponse(quote(raw.rstrip(b"/") + (b"?" + query if query else b""), safe=_KEPT), status_code=307)
