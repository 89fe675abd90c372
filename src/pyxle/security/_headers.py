"""Default security headers on every HTTP response, unless the handler set its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


Headers = list[tuple[bytes, bytes]]


def security_headers(headers: Mapping[str, str], *,
                     replaced: bytes = b"") -> Callable[[Sequence[tuple[bytes, bytes]]], Headers]:
    """A function that adds each of ``headers`` a response's headers lack (the handler wins), for
    the app's outer layer and ``SecurityHeadersMiddleware`` alike. ``replaced`` (lowercase): a
    header the outer layer adds to every answer itself (the request id's); one the handler set is
    dropped, so the answer carries one. Found in the same pass, which every response makes anyway."""
    ours = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    names = frozenset(name for name, _ in ours) | ({replaced} if replaced else set())

    def add(present: Sequence[tuple[bytes, bytes]]) -> Headers:
        for name, _ in present:  # a loop, not any(): this runs on every response
            if name.lower() in names:  # the handler set some of ours
                seen = {name.lower() for name, _ in present}
                if replaced in seen:
                    present = [pair for pair in present if pair[0].lower() != replaced]
                return [*present, *(pair for pair in ours if pair[0] not in seen)]
        return [*present, *ours]

    return add


class SecurityHeadersMiddleware:
    """``security_headers`` as a middleware of its own, for apps that assemble their own stack."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str]) -> None:
        self.app = app
        self.add = security_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        add = self.add

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = add(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_with_headers)
