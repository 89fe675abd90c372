"""The middleware: find the client, ask the limiter, answer 429 with ``Retry-After`` when over."""

from __future__ import annotations

import functools
import ipaddress
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketClose

from pyxle._forwarded import FORWARDED_BY, address_in
from pyxle._own import OWN_REQUEST
from pyxle.hooks import attach
from pyxle.ratelimit._backend import Limiter
from pyxle.routing import canonical, under

# Load balancers probe these; a limit on them would take a healthy server out of rotation. Exactly
# these paths: below them a catch-all page may answer, rendered like any other.
ALWAYS_EXEMPT = frozenset({"/healthz", "/readyz"})


@functools.lru_cache(maxsize=4096)
def bucket(address: str) -> str:
    """An IPv4 address as it is; an IPv6 one as its /64 network (``2001:db8:1:2::/64``), since one
    subscriber is given a whole /64 and may send from any of its 2**64 addresses; an IPv4 address
    mapped into IPv6 (``::ffff:203.0.113.7``) as the IPv4 address."""
    if ":" not in address:
        return address
    try:
        ip = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


class RateLimitMiddleware:
    """Limits each client address; ``exempt_paths`` are prefixes on segment boundaries (the root is
    not one: exempting every path is not limiting, and the configuration warns about it), and the
    server's own requests (``OWN_REQUEST`` in their scope: a stored page rendered again) are no
    client's, so they are neither counted nor refused.

    The client is ``scope["client"]``, which a proxy listed in ``forwardedAllowIps`` has already
    made the visitor's (``pyxle._forwarded``). With ``trust_forwarded_for``, a request from any
    other peer is counted under the last address in its ``X-Forwarded-For``: the one a proxy in
    front of Pyxle saw. Earlier entries are whatever the client wrote, so trusting them would let
    anyone pick a fresh address per request. A last entry that is not an IP address (``unknown``)
    was no proxy's: the request is counted under its peer.

    ``route_at(path)``: the route facts a request for ``path`` would carry (``PyxleApp``'s), put in
    a refused request's scope so that its metrics and access line name the route it asked for.
    """

    def __init__(self, app: ASGIApp, *, limiter: Limiter, exempt_paths: Sequence[str] = (),
                 trust_forwarded_for: bool = False,
                 route_at: Callable[[str], Mapping[str, Any] | None] | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.exempt = tuple(p.rstrip("/") for p in exempt_paths if p.strip("/"))
        self.trust_forwarded_for = trust_forwarded_for
        self.route_at = route_at

    def exempted(self, path: str) -> bool:
        """The probe paths as sent; ``exempt_paths`` against the path's canonical form, as they are
        written in it (pyxle-framework 0.9 did so too): "/exempt/../x" is no way around the limit."""
        if path in ALWAYS_EXEMPT:
            return True
        if self.exempt:
            path = canonical(path)
            return any(under(path, prefix) for prefix in self.exempt)
        return False

    def client(self, scope: Scope) -> str:
        """The key the request is counted under: the client's address (``bucket``)."""
        if self.trust_forwarded_for and FORWARDED_BY not in scope:
            forwarded = [value for name, value in scope["headers"] if name == b"x-forwarded-for"]
            if forwarded:
                last = address_in(forwarded[-1].decode("latin-1").rsplit(",", 1)[-1].strip())
                if last is not None:
                    return bucket(last)
        client = scope.get("client")
        return bucket(client[0]) if client else "-"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or OWN_REQUEST in scope or self.exempted(scope["path"]):
            await self.app(scope, receive, send)
            return
        wait = await self.limiter.hit(self.client(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = str(max(1, math.ceil(wait)))
        route = self.route_at(scope["path"]) if self.route_at is not None else None
        if route is not None:  # looked up only for a refusal: an answered request is routed once, by the router
            attach(scope, route)
        refusal = JSONResponse({"ok": False, "error": "Too Many Requests"}, 429, headers={"Retry-After": retry})
        if scope["type"] == "http":
            await refusal(scope, receive, send)
        elif "websocket.http.response" in scope.get("extensions", {}):  # the handshake refused with the same 429
            await WebSocket(scope, receive, send).send_denial_response(refusal)
        else:  # a server without ASGI's denial responses: a plain refusal (403)
            await WebSocketClose(code=1013)(scope, receive, send)
