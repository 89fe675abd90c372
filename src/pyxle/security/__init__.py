"""Security defaults: CSRF (double-submit, signed), security headers, CORS, the app secret, signed cookies.

Public names: ``csrf_middleware``, ``CSRFMiddleware``, ``make_token``, ``verify_token``,
``SecurityHeadersMiddleware``, ``security_headers``, ``DEFAULT_SECURITY_HEADERS``, ``cors_middleware``,
``resolve_secret``, ``SecretKeyError``, ``sign_cookie``, ``verify_cookie`` (which, as the CSRF check, also
takes the older keys of PYXLE_SECRET_KEY_FALLBACKS: they verify, never sign), ``MissingSecretKeyError``,
``over_https``, ``script_policy`` (a nonce per page for a CSP that refuses inline scripts),
``nonced`` (that nonce on the scripts of a page Pyxle writes itself), and ``exact_origins`` and
``origin_pattern`` (the origins of ``cors.origins`` compared whole, and a pattern for those for
subdomains, "https://*.example.com"). Depends on ``_memo`` and ``routing`` (which paths CSRF guards) only: callers pass values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from pyxle.security._cookies import MissingSecretKeyError, sign_cookie, verify_cookie
from pyxle.security._csp import ScriptPolicy, nonced, script_policy
from pyxle.security._csrf import CSRFMiddleware
from pyxle.security._headers import DEFAULT_SECURITY_HEADERS, SecurityHeadersMiddleware, security_headers
from pyxle.security._https import over_https
from pyxle.security._origins import exact_origins, origin_pattern
from pyxle.security._secret import SecretKeyError, resolve_secret
from pyxle.security._tokens import make_token, verify_token

__all__ = [
    "DEFAULT_SECURITY_HEADERS",
    "CSRFMiddleware",
    "MissingSecretKeyError",
    "ScriptPolicy",
    "SecretKeyError",
    "SecurityHeadersMiddleware",
    "cors_middleware",
    "csrf_middleware",
    "exact_origins",
    "make_token",
    "nonced",
    "origin_pattern",
    "over_https",
    "resolve_secret",
    "script_policy",
    "security_headers",
    "sign_cookie",
    "verify_cookie",
    "verify_token",
]


def csrf_middleware(app: ASGIApp, csrf: Any, *, secret: bytes,
                    api_route: Callable[[str, str], str | None] | None = None,
                    routed: Callable[[Scope], bool] | None = None,
                    refuse: Callable[[Scope, Response], ASGIApp] | None = None,
                    fallbacks: Sequence[bytes] = ()) -> ASGIApp:
    """Wrap ``app`` per a ``CsrfConfig``-shaped object; disabled means not wrapped at all.
    ``api_route``, ``routed``, ``refuse``, ``fallbacks``: see ``CSRFMiddleware``."""
    if not csrf.enabled:
        return app
    return CSRFMiddleware(
        app, secret=secret, cookie_name=csrf.cookie_name, header_name=csrf.header_name,
        cookie_secure=csrf.cookie_secure, cookie_same_site=csrf.cookie_same_site,
        exempt_paths=csrf.exempt_paths, api_routes=csrf.api_routes or False, api_route=api_route, routed=routed,
        refuse=refuse, fallbacks=fallbacks,
    )


def cors_middleware(
    app: ASGIApp, *, origins: Sequence[str], methods: Sequence[str], headers: Sequence[str],
    credentials: bool, max_age: int, csrf_header: str = "x-csrf-token",
) -> ASGIApp:
    """Starlette's CORSMiddleware when origins are configured; the CSRF header is always allowed.
    Origins for subdomains ("https://*.example.com") become its ``allow_origin_regex``."""
    if not origins:
        return app
    allow_headers = list(dict.fromkeys([*headers, csrf_header, "content-type", "x-pyxle-navigation"]))
    pattern = origin_pattern(origins)
    return CORSMiddleware(
        app, allow_origins=list(exact_origins(origins)), allow_methods=list(methods), allow_headers=allow_headers,
        allow_credentials=credentials, max_age=max_age, allow_origin_regex=pattern.pattern if pattern else None,
    )
