"""``request.client`` with its port as an int, for the connections Pyxle hands to the app's code.

granian puts the client's port in the scope as text (``("127.0.0.1", "45634")``); ASGI, Starlette's
``Address`` and uvicorn (which pyxle-framework 0.9 ran on) have an int, so ``request.client.port >
1024`` raised a ``TypeError`` for a direct client and not behind a proxy (whose visitor is port 0).
Read when asked, not rewritten in every request's scope: that cost the API path a tenth of its
req/s (docs/benchmarks.md). Only an app with middleware of its own or of its plugins, which read
the scope itself, has its scopes' ports made ints (``int_ports``), before that middleware runs.
"""

from __future__ import annotations

from starlette.datastructures import Address
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket


class IntPortClient(HTTPConnection):
    """An ``HTTPConnection`` whose ``client`` has an int port (a mixin, first in the bases)."""

    @property
    def client(self) -> Address | None:
        found = self.scope.get("client")
        if found is None:
            return None
        host, port = found
        return Address(host, port if port.__class__ is int else int(port))


class AppWebSocket(IntPortClient, WebSocket):
    """The ``WebSocket`` an API route's or a page's ``websocket`` handler gets."""


def int_ports(app: ASGIApp) -> ASGIApp:
    """``app`` seeing the scope's client and server ports as ints, as ASGI (and uvicorn) give them."""

    async def with_int_ports(scope: Scope, receive: Receive, send: Send) -> None:
        for key in ("client", "server"):
            found = scope.get(key)
            if found is not None and found[1].__class__ is not int:
                scope[key] = (found[0], int(found[1]))
        await app(scope, receive, send)

    return with_int_ports
