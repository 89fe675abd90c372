"""The floor for an API request: a bare ASGI callable answering /api/hello's exact bytes.

``app_with_headers`` adds what Pyxle's default stack puts on every answer (the security headers,
``Vary``, a request id), to tell the server's cost of those headers from the app's own.
``handler_only`` runs the route's own code (the seed's handler: Starlette's ``Request`` in, its
``JSONResponse`` out) with nothing around it: the user's share of a request, no framework's."""

from starlette.requests import Request
from starlette.responses import JSONResponse

BODY = b'{"message":"Hello, world!"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


PYXLE_HEADERS = [*HEADERS, (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"strict-origin-when-cross-origin"), (b"x-frame-options", b"DENY"),
                 (b"vary", b"Accept-Encoding"), (b"x-request-id", b"768ea889bc9444bb476e66a6f0692c42")]


async def app_with_headers(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": PYXLE_HEADERS})
    await send({"type": "http.response.body", "body": BODY})


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, world!"})


async def handler_only(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    response = await hello(Request(scope, receive))
    await response(scope, receive, send)
