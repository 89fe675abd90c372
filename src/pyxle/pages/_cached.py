"""The page path's side of the page cache: stored answers served to one visitor, and answers stored.

A stored document never holds a visitor's CSRF token: it is rendered with a random stand-in
(``mark``), replaced by each visitor's own token when it is served. Whether a shared cache in
front (a CDN) may keep a document is said by ``Cache-Control``: only when it is the same for
everyone, which it is not when it carries a token. One that carries none is ``public`` for a
visitor without a CSRF cookie too (a CDN's request to the origin has none), and the CSRF layer
sets no cookie on a ``public`` answer: that visitor's scripts get one when they first post.
Navigation JSON is always ``private, no-cache`` (with its ETag): the router must see an
invalidation at once, and it is the router's, not a page anyone links to. A route that is not
``shared`` renders signed-in visitors their own page, so its public answers vary on their
``Cookie``, ``Authorization`` and ``cache.sessionHeaders``: a shared cache in front must not give
them the anonymous copy. Nor may it give a request that carries a header or cookie the loaders
looked for and did not find the copy stored without it (``fits``): those headers are named in
``Vary`` too (a cookie by ``Cookie``). A stored answer served again says its ``Age``, so a cache
in front counts its freshness from the render.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from pyxle._copies import Copies
from pyxle._own import OWN_REQUEST
from pyxle.cache import Entry, etag, matches
from pyxle.cache._etag import if_none_match, personal_etag
from pyxle.cache._rules import PRIVATE, cache_control, carries, signed_in_vary
from pyxle.security import ScriptPolicy

HTML = "text/html; charset=utf-8"
JSON = "application/json"
_VARY = "x-pyxle-navigation"


def new_mark() -> str:
    """A stand-in for the CSRF token, unguessable so no page data can contain it by design."""
    return "pyxle-csrf-" + secrets.token_urlsafe(18)


def nonce_mark(mark: str) -> str:
    """The stand-in for a stored page's script nonce (under a CSP that asks for one): like the
    token's, swapped for a new nonce in each answer, with the policy header that names it."""
    return mark.replace("pyxle-csrf-", "pyxle-nonce-", 1)


Absent = tuple[tuple[str, ...], tuple[str, ...]]  # the headers and cookies the loaders looked for and did not find


def make_entry(body: bytes, status: int, fresh: float, stale: float, stored: float, version: int,
               mark: str = "", absent: Absent = ((), ())) -> Entry:
    kept = mark and (mark.encode() in body or nonce_mark(mark).encode() in body)
    return Entry(body, status, etag(body), stored, fresh, stale, cache_control(fresh, stale), mark if kept else "",
                 version, *absent)


def fits(entry: Entry, scope: Scope) -> bool:
    """Whether this request may get ``entry``: it carries no header or cookie that the loaders which
    made it looked for and did not find (they would have read it, and made another page)."""
    if not entry.absent_headers and not entry.absent_cookies:
        return True
    return not carries(scope["headers"], frozenset(name.encode("latin-1") for name in entry.absent_headers),
                       frozenset(name.encode("latin-1", "replace") for name in entry.absent_cookies))


def _vary(vary: str, entry: Entry) -> str:
    """``vary``, and what the loaders looked for and did not find: those headers, ``Cookie`` for a cookie."""
    if "*" in entry.absent_headers:
        return "*"
    known = {name.strip().lower() for name in vary.split(",")}
    names = ["-".join(part.capitalize() for part in name.split("-")) for name in entry.absent_headers
             if name not in known]  # as headers are written: Accept-Language
    if entry.absent_cookies and "cookie" not in known and "cookie" not in names:
        names.append("Cookie")
    return ", ".join([vary, *names]) if names else vary


def serve(entry: Entry, scope: Scope, state: str, media_type: str, policy: ScriptPolicy | None = None, *,
          shared: bool = False, copies: Copies | None = None, vary: str = signed_in_vary(),
          age: int | None = None) -> Response:
    """``entry`` for this request: its token in place of the stand-in (and a new script nonce in
    place of its own, with ``policy``'s header), 304 when the client has it. ``shared``: the route
    serves everyone, signed in or not, the same page; else a public answer says ``vary`` (the
    cache's ``PageCache.vary``: every header that makes a visitor signed in). A public answer's
    ``Vary`` also names what its loaders looked for and did not find. ``age``: seconds since it was
    stored, for an answer found in the store (RFC 9111's ``Age``). A body sent as stored goes with
    its compressed copies from ``copies``."""
    token = scope.get("pyxle", {}).get("csrf_token", "")
    body, tag, control = entry.body, entry.etag, entry.cache_control
    headers: dict[str, str] = {}
    if media_type == JSON:
        control = PRIVATE  # the router's own data: the browser must see an invalidation at once
    elif entry.mark:
        body = body.replace(entry.mark.encode(), token.encode())
        tag, control = personal_etag(tag, token), PRIVATE
        stand_in = nonce_mark(entry.mark).encode()
        if policy is not None and stand_in in body:
            nonce, headers = policy(None)
            body = body.replace(stand_in, nonce.encode())
            tag = personal_etag(tag, nonce)  # never a 304: the copy a browser kept names another nonce
    vary = _VARY if control == PRIVATE else _vary(_VARY if shared else vary, entry)
    headers = {**headers, "ETag": tag, "Cache-Control": control, "Vary": vary, "x-pyxle-cache": state}
    if age is not None:
        headers["Age"] = str(age)
    if _not_modified(scope, tag, token if control == PRIVATE else "", headers.values()):  # a public answer sets no cookie
        # with the type and length of the 200 it stands for: the outer layer's cue (``_compress.not_modified``)
        return Response(status_code=304, headers={**headers, "Content-Type": media_type, "Content-Length": str(len(body))})
    if copies is not None and body is entry.body:
        return _AsStored(body, entry.status, headers, media_type, copies)
    return Response(body, entry.status, headers=headers, media_type=media_type)


class _AsStored(Response):
    """A stored body sent as it is stored (the same for every visitor), with its compressed copies."""

    def __init__(self, body: bytes, status: int, headers: dict[str, str], media_type: str, copies: Copies) -> None:
        super().__init__(body, status, headers=headers, media_type=media_type)
        self.copies = copies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await self.copies.send(send, self.body)


def conditional(response: Response, scope: Scope) -> Response:
    """An answer rendered for this request alone: private, with an ETag; 304 when the client has it."""
    response.headers["Cache-Control"] = PRIVATE
    body = getattr(response, "body", None)
    if response.status_code != 200 or not body:
        return response
    tag = etag(body)
    response.headers["ETag"] = tag
    if _not_modified(scope, tag, scope.get("pyxle", {}).get("csrf_token", ""), response.headers.values()):
        return Response(status_code=304, headers={k: v for k, v in response.headers.items() if k in _KEPT_ON_304})
    return response


# What a 304 keeps of its 200: what a cache refreshes (RFC 9110 §15.4.5), and the type and length
# the outer layer reads to give it the ETag and Vary that 200 would carry (``_compress.not_modified``).
_KEPT_ON_304 = frozenset({"etag", "cache-control", "vary", "content-type", "content-length"})


def _not_modified(scope: Scope, tag: str, token: str, headers: Iterable[str]) -> bool:
    """Whether the client holds ``tag`` and may be answered 304. Never for a visitor the CSRF layer
    gives a new token to (a browser restart dropped the session cookie, its cache kept the page):
    it adds its cookie to pages and JSON only, which a 304 is neither of, so the full page goes.
    ``token`` is "" for an answer it adds no cookie to (``public``): a 304 is that answer too.
    Never for an answer whose scripts carry a nonce of their own (a policy among its ``headers``'
    values names it), not even to ``If-None-Match: *``: the 304's policy would replace the kept
    copy's, which names another nonce, and its scripts be refused."""
    wanted = if_none_match(scope)
    return (wanted is not None and matches(wanted, tag) and not _new_token(scope, token)
            and not any("'nonce-" in value for value in headers))


def _new_token(scope: Scope, token: str) -> bool:
    """Whether ``token`` is new to this client: the CSRF layer sets it with this answer."""
    wanted = token.encode("latin-1")
    return bool(token) and not any(name == b"cookie" and wanted in value for name, value in scope["headers"])


# What makes the visitor someone: their credentials, and what their browser has cached. Their
# address stays, as on a miss: any stand-in (loopback, 0.0.0.0) is one that some app trusts (a
# debug panel for localhost, an intranet check of is_private), and would store what it shows
# there for everyone.
_DROPPED = frozenset({b"cookie", b"authorization", b"if-none-match", b"if-modified-since", b"x-pyxle-navigation"})


async def regenerate(app: Any, scope: Scope, credentials: frozenset[bytes] = frozenset(), *,
                     navigation: bool = False) -> None:
    """Ask ``app`` for the page at ``scope``'s URL as an anonymous visitor would, so that it is
    rendered and stored again: through every middleware (plugins set up what loaders use), its
    answer discarded. ``scope["pyxle"]["regenerate"]`` tells the page not to serve the old copy.
    ``navigation``: ask for its navigation JSON, which is answered (and can be served) once the
    loaders have run, while the document renders and is stored after it.

    It is an anonymous request from the visitor whose request asked for it, as their miss would be:
    not their cookies, ``Authorization`` or other ``credentials`` headers (``cache.sessionHeaders``), nor what middleware derived from them in their
    ``scope["state"]``, which starts as the server starts every request's, from the lifespan's (a
    database pool a loader uses). ``OWN_REQUEST`` tells the rate limit that it is no client's request."""
    inner: dict[str, Any] = {
        "type": "http", "asgi": scope.get("asgi", {"version": "3.0"}), "method": "GET",
        "http_version": scope.get("http_version", "1.1"),  # an HTTP/2 request's may carry no Host (the edge's 400)
        "scheme": scope.get("scheme", "http"), "server": scope.get("server"), "client": scope.get("client"),
        "root_path": scope.get("root_path", ""), "path": scope["path"], "raw_path": scope.get("raw_path"),
        "query_string": scope.get("query_string", b""),
        "headers": [(name, value) for name, value in scope["headers"] if name not in _DROPPED and name not in credentials]
        + ([(b"x-pyxle-navigation", b"1")] if navigation else []),
        "pyxle": {"regenerate": True}, OWN_REQUEST: True,
    }
    state = app.lifespan_state
    if state is not None:
        inner["state"] = dict(state)
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def discard(message: Message) -> None:
        pass

    await app(inner, receive, discard)

