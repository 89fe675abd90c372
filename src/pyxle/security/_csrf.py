"""Double-submit CSRF protection: a signed cookie, echoed in a header on unsafe requests."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyxle._memo import remember
from pyxle._refused import UNROUTED
from pyxle.routing import api_like, canonical, under
from pyxle.security._https import over_https
from pyxle.security._tokens import LegacyVerifier, Signer

# scope["pyxle"] flag: an answer that neither carries a token nor leads to a form (Pyxle's health
# checks and metrics): it gets no cookie, so a probe every few seconds is not handed one each time.
TOKENLESS = "tokenless"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A safe request whose answer shows no form gets no cookie: pyxle/client's router asks for
# navigation JSON and prefetches with this header, and a browser's request of an image, a
# script or a style (``Sec-Fetch-Dest``) that a page answers (a missing /favicon.ico) shows none.
# A cookie there gave every visitor one, and a CDN keeping pages per ``Vary: Cookie`` one copy each.
ROUTER_HEADER = b"x-pyxle-navigation"
_FORM_DESTS = frozenset({b"document", b"iframe", b"frame", b"fencedframe", b"embed", b"object", b"empty"})
ACTIONS_PREFIX = "/api/__actions"
# pyxle-framework 0.9 named its cookie after the port it served on: a tab it served before an
# upgrade posts with that cookie, and its token is accepted when 0.9 signed it with this secret.
LEGACY_PREFIX = b"pyxle-csrf-"
_LEGACY_NAME = re.compile(r"pyxle-csrf-[0-9]{1,5}\Z")
_API = object()  # see CSRFMiddleware._decide
_ROUTE = object()  # see CSRFMiddleware._protection

logger = logging.getLogger("pyxle")


class CSRFMiddleware:
    """Checks unsafe requests to protected paths; on those paths, issues a token cookie to clients
    without a valid one (an API route that is not protected never sets the cookie).

    Protected: server actions and pages always; API routes only when ``api_routes`` is True or
    lists a prefix they fall under. ``exempt_paths`` always win. WebSockets pass untouched.
    ``api_route(path, method)`` names the file of the API route that answers ``method`` at a path
    with an ``api`` segment, None for none: a path none answers (a plugin's endpoint, such as
    pyxle-auth's under ``authPathPrefix: "/api/auth"``) is protected like any other path; so is a
    page at a path with an ``api`` segment (``/docs/api`` served by ``pages/docs/[topic].pyxl``).
    Without it, every such path is taken for an API route's. There, the routes' own JSON 404
    (``not_found``: nothing answered) gets no token cookie, as an API route's answer gets none: no
    form reads one from it, and whether anything answers is known only once the request has run (a
    plugin's middleware answers its endpoints).
    ``routed(scope)`` says whether the request got past the plugins' middleware to the router.
    Given, an unsafe request left unchecked for an API route is refused at its answer when it did
    not (a plugin answered it in the route's stead) and no valid token came in the header.
    ``refuse(scope, answer)`` answers a refusal at an action URL in its stead: the app's choice
    between this JSON and a page (a browser's own form post); the JSON itself without it.
    ``fallbacks``: older keys (PYXLE_SECRET_KEY_FALLBACKS). A token one of them signed is valid, and
    the answer carries a new one signed with ``secret``; they are tried only when ``secret`` fails.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: bytes,
        cookie_name: str = "pyxle-csrf",
        header_name: str = "x-csrf-token",
        cookie_secure: bool | None = None,
        cookie_same_site: str = "lax",
        exempt_paths: Sequence[str] = (),
        api_routes: bool | Sequence[str] = False,
        api_route: Callable[[str, str], str | None] | None = None,
        routed: Callable[[Scope], bool] | None = None,
        refuse: Callable[[Scope, Response], ASGIApp] | None = None,
        fallbacks: Sequence[bytes] = (),
    ) -> None:
        self.app = app
        self.refuse = refuse
        self.routed = routed
        self._warned: set[str] = set()  # the requests the warning named, "POST /api/things/do"
        self.signer = Signer(secret)
        self.legacy = LegacyVerifier(secret)
        # (older keys: a token they signed, ours or 0.9's, is valid and replaced by the answer's)
        self.old_keys = tuple((Signer(key), LegacyVerifier(key)) for key in fallbacks)
        self.cookie_name = cookie_name
        self.header = header_name.lower().encode("latin-1")
        self.exempt = tuple(p for p in exempt_paths if p.strip("/"))  # the root would exempt every path
        self.api_routes = api_routes
        self.api_route = api_route
        same_site = cookie_same_site.capitalize()
        self.cookie_attrs = f"; Path=/; SameSite={same_site}"
        self.secure = True if same_site == "None" else cookie_secure  # browsers require Secure with None
        self._protects: dict[str, bool | object] = {}  # path -> _decide(path), for the paths an app serves most

    def protects(self, path: str, method: str = "POST") -> bool:
        return self._protection(path, method) not in (False, _ROUTE)

    def _protection(self, path: str, method: str) -> bool | object:
        """``protects``, with ``_API`` for a path with an ``api`` segment that is protected because
        no API route answers it (its 404 gets no cookie), and ``_ROUTE`` for one left unchecked
        because an API route answers the method there."""
        known = self._protects.get(path)
        if known is None:
            known = remember(self._protects, path, self._decide(path))
        if known is _API:  # not remembered here: which routes there are changes (a pyxle dev edit)
            return _API if self.api_route is not None and not self.api_route(path, method) else _ROUTE
        return known

    def _decide(self, path: str) -> bool | object:
        """True or False; ``_API`` for a path with an ``api`` segment (``/api/x``, ``/admin/api/x``)
        left unchecked if an API route answers it. ``exempt_paths`` and ``api_routes`` are matched
        against the path's canonical form, so "/api/hooks/../admin" is no way around them."""
        seen = canonical(path)  # as the prefixes are written: "/exempt/../x" is "/x", "/api//hooks" "/api/hooks"
        if any(under(seen, prefix) for prefix in self.exempt):
            return False
        if under(path, ACTIONS_PREFIX):
            return True
        if api_like(path):
            checked = self.api_routes if isinstance(self.api_routes, bool) else any(
                under(seen, prefix) for prefix in self.api_routes)
            return True if checked else _API
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        protection = self._protection(scope["path"], scope["method"])
        if protection is False or protection is _ROUTE:
            # Nothing here checks a token (an API route that did not opt in): minting and
            # signing one for every API call cost a fifth of its server time (docs/benchmarks.md).
            if protection is _ROUTE and self.routed is not None and scope["method"] not in SAFE_METHODS:
                send = self._routed_only(scope, receive, send)
            await self.app(scope, receive, send)
            return
        cookie_token, header_token, legacy = self._tokens(scope)
        ours = cookie_token is not None and self.signer.verify(cookie_token)
        # (without 0.9's cookie, the common case, this app's valid cookie is the one posted with)
        accepted = cookie_token if ours and not legacy else self._accepted(cookie_token, header_token, legacy)
        valid = accepted is not None
        safe = scope["method"] in SAFE_METHODS
        # A 0.9 tab reads its own cookie before each post: one that does not verify is renewed too.
        stale = [name for name, value in legacy if not self._verifies(value)] if legacy else ()
        if ours and not stale:
            token, respond = cookie_token, send
        elif safe and _shows_no_form(scope["headers"]):  # no token: nothing in the answer would post it
            token, respond = cookie_token if ours else accepted, send
        elif ours and cookie_token is not None:  # this app's cookie holds: 0.9's gets its token
            token = cookie_token
            respond = self._with_cookie(token, scope, send, unrouted_too=protection is True, names=stale)
        else:  # this response, a refusal included, gives the client a token for its next try
            # (a 0.9 tab's token accepted too: the pages this server renders read this app's cookie)
            token = self.signer.make_token()
            respond = self._with_cookie(token, scope, send, unrouted_too=protection is True,
                                        names=[self.cookie_name, *stale])
        if token is not None:  # the page of a refusal too (a no-JS post's error page) carries the token its forms post next
            scope.setdefault("pyxle", {})["csrf_token"] = token
        # An action URL answers any method but POST with 405 (Allow: POST) and runs nothing, so that
        # answer comes before the token's: a PUT was refused as a forgery.
        if not safe and not (scope["method"] != "POST" and under(scope["path"], ACTIONS_PREFIX)):
            if header_token is None and valid:  # a plain HTML form (no JavaScript) sends the token as a field
                header_token, receive = await _form_token(scope, receive)
                accepted = self._accepted(cookie_token, header_token, legacy)
            if not valid or header_token is None or not _same(header_token, accepted or ""):
                # A cookie this server did not sign (made before a PYXLE_SECRET_KEY change) is invalid
                # whatever came with it: its form field was not read, and was not missing.
                absent = cookie_token is None and not legacy
                reason = "missing" if absent or (valid and header_token is None) else "invalid"
                body = {"error": f"CSRF token {reason}", "code": "csrf_failed"}
                action = under(scope["path"], ACTIONS_PREFIX)
                if action:  # every action answer has `ok`, as in pyxle-framework 0.9
                    body = {"ok": False, **body}
                refusal: ASGIApp = JSONResponse(body, 403)
                if action and self.refuse is not None:
                    refusal = self.refuse(scope, refusal)
                await refusal(scope, receive, respond)
                return
        await self.app(scope, receive, respond)

    def _verifies(self, token: str) -> bool:
        """Signed by this server, or by pyxle-framework 0.9 with the same secret (a tab it served),
        or either with one of the older keys (tried last: a key rotated)."""
        return (self.signer.verify(token) or self.legacy.verify(token)
                or any(signer.verify(token) or legacy.verify(token) for signer, legacy in self.old_keys))

    def _accepted(self, cookie_token: str | None, given: str | None,
                  legacy: Sequence[tuple[str, str]]) -> str | None:
        """The valid cookie token a request posts with: the one its header (or field) echoes, else
        this app's cookie's, else one of 0.9's ``pyxle-csrf-<port>`` cookies. A browser holding both
        (a 0.9 tab and a new one) posts from either tab."""
        candidates = [value for value in (cookie_token, *(value for _, value in legacy)) if value is not None]
        if given is not None:
            for value in candidates:
                if _same(given, value) and self._verifies(value):
                    return value
        return next((value for value in candidates if self._verifies(value)), None)

    def _tokens(self, scope: Scope) -> tuple[str | None, str | None, Sequence[tuple[str, str]]]:
        """The token of the request's cookie, of its header, and 0.9's cookies (name, token)."""
        cookie_token = None
        header_token = None
        legacy: Sequence[tuple[str, str]] = ()
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie_token = _cookie(value, self.cookie_name) or cookie_token
                if LEGACY_PREFIX in value:
                    legacy = [*legacy, *(pair for pair in _legacy_cookies(value) if pair[0] != self.cookie_name)]
            elif name == self.header:
                header_token = value.decode("latin-1")
        return cookie_token, header_token, legacy

    def _routed_only(self, scope: Scope, receive: Receive, send: Send) -> Send:
        """``send`` for an unsafe request left unchecked for the API route its URL matches: when it
        never reached the router (a plugin's middleware answered it), that answer is refused unless
        a valid token came in the header, as the check would have refused the request."""
        scope.setdefault("pyxle", {})  # shared with the scopes inner layers copy, where passing is noted
        refused = False

        async def only_routed(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the rest of the answer refused
            if message["type"] == "http.response.start" and not self.routed(scope):
                cookie_token, header_token, legacy = self._tokens(scope)
                accepted = self._accepted(cookie_token, header_token, legacy)
                valid = accepted is not None
                if not valid or header_token is None or not _same(header_token, accepted or ""):
                    refused = True
                    self._warn(scope)
                    absent = cookie_token is None and not legacy
                    reason = "missing" if absent or (valid and header_token is None) else "invalid"
                    refusal = JSONResponse({"error": f"CSRF token {reason}", "code": "csrf_failed"}, 403)
                    await refusal(scope, receive, send if valid else self._with_cookie(self.signer.make_token(), scope, send))
                    return
            await send(message)

        return only_routed

    def _warn(self, scope: Scope) -> None:
        """Say once per request line (up to 100) that middleware answered it instead of the API route."""
        request = f"{scope['method']} {scope['path']}"
        if request in self._warned or len(self._warned) >= 100:
            return
        self._warned.add(request)
        file = self.api_route(scope["path"], scope["method"]) if self.api_route is not None else None
        logger.warning("csrf: %s was answered by middleware, not by the API route %s that matches it, without a "
                       "valid CSRF token: refused (403). The middleware's code ran first; list the path's prefix in "
                       "csrf.apiRoutes to have such requests refused before it runs", request, file or "")

    def _with_cookie(self, token: str, scope: Scope, send: Send, *, unrouted_too: bool = True,
                     names: Sequence[str] | None = None) -> Send:
        """``send``, the token cookie added to the answer's start (under ``names``, this app's
        cookie's by default); not to the routes' own 404 unless ``unrouted_too``."""
        secure = self.secure if self.secure is not None else over_https(scope)
        attrs = f"{token}{self.cookie_attrs}{'; Secure' if secure else ''}"
        cookies = [(b"set-cookie", f"{name}={attrs}".encode("latin-1")) for name in names or (self.cookie_name,)]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                flags = scope["pyxle"]
                if _takes_cookie(headers) and not flags.get(TOKENLESS) and (unrouted_too or not flags.get(UNROUTED)):
                    message["headers"] = [*headers, *cookies]
            await send(message)

        return send_with_cookie


def _shows_no_form(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """Whether a safe request's answer is one no form is shown from: the router's navigation JSON or
    prefetch, or what a browser loads as an image, a script, a style (its ``Sec-Fetch-Dest``)."""
    for name, value in headers:
        if name == ROUTER_HEADER or (name == b"sec-fetch-dest" and value.strip().lower() not in _FORM_DESTS):
            return True
    return False


def _takes_cookie(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """Whether an answer gets the token cookie: a page or JSON (an action's refusal included), the
    answers a token is read from or needed after. Not a file (a script, an image), and nothing a
    shared cache may keep (``Cache-Control: public``): a CDN would hand one visitor's cookie to all."""
    kind = b""
    for name, value in headers:
        if name == b"cache-control" and value.lstrip().lower().startswith(b"public"):
            return False
        if name == b"content-type":
            kind = value.lstrip().lower()
    return kind.startswith((b"text/html", b"application/json"))


def _same(given: str, token: str) -> bool:
    """``given`` is ``token``, in constant time; a token is ASCII, and compare_digest raises on
    non-ASCII str (a header or form field is the client's to fill)."""
    return given.isascii() and hmac.compare_digest(given, token)


FORM_FIELD = "_csrf_token"  # what ``Form`` renders, as pyxle-framework 0.9 did
FORM_FIELDS = (FORM_FIELD, "csrf_token")  # the other name is taken too: hand-written forms post it
_MAX_FORM_SCAN = 1024 * 1024
_MULTIPART_FIELD = re.compile(rb'name="_?csrf_token"\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9_.=-]{1,256})\r\n')


async def _form_token(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    """The ``_csrf_token`` (or ``csrf_token``) field of a form body, and a ``receive`` that replays
    what was read of it.

    An urlencoded body is read whole: its fields come in any order, the action reads it whole
    anyway, and the edge's ``maxBodySize`` bounds it. A multipart body is read up to its first
    1 MiB, whatever its size: ``Form`` renders the token as the first field, so an upload of any
    size carries it there, and the rest streams on to the action unread. Anything else must send
    the header (JavaScript clients always do).
    """
    content_type = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.split(b";")[0].strip().lower()
    urlencoded = content_type == b"application/x-www-form-urlencoded"
    if not urlencoded and content_type != b"multipart/form-data":
        return None, receive
    scan = None if urlencoded else _MAX_FORM_SCAN
    chunks = []
    read = 0
    more = True
    while more and (scan is None or read < scan):
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        chunks.append(message.get("body", b""))
        read += len(chunks[-1])
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if urlencoded:
        fields = dict(parse_qsl(body.decode("latin-1")))
        token = next((fields[name] for name in FORM_FIELDS if name in fields), None)
    else:
        match = _MULTIPART_FIELD.search(body)
        token = match.group(1).decode("ascii") if match else None
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return token, replay


def _cookie(header: bytes, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header (RFC 6265 pairs split on "; ").

    A plain scan instead of ``http.cookies``: this runs on every request.
    """
    text = header.decode("latin-1")
    start = 0
    while (found := text.find(name, start)) != -1:
        before = text[found - 1] if found else ";"
        after = found + len(name)
        if (before in "; ") and text.startswith("=", after):
            end = text.find(";", after)
            value = text[after + 1 : end if end != -1 else len(text)].strip()
            return value.strip('"') or None
        start = after
    return None


def _legacy_cookies(header: bytes) -> list[tuple[str, str]]:
    """The ``pyxle-csrf-<port>`` cookies of a ``Cookie`` header: 0.9's, one per port it served on."""
    found = []
    for pair in header.decode("latin-1").split(";"):
        name, eq, value = pair.partition("=")
        name = name.strip()
        if eq and _LEGACY_NAME.match(name) and (value := value.strip().strip('"')):
            found.append((name, value))
    return found
