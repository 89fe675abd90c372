"""The app's outer layer (HttpEdge) and its exception net (handle_exceptions), called in-process:
what each guarantees when the layers around them are not there to help."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.exceptions import HTTPException, WebSocketException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

from pyxle.app._compress import Compressor
from pyxle.app._edge import HttpEdge
from pyxle.app._errors import handle_exceptions
from pyxle.security import DEFAULT_SECURITY_HEADERS, security_headers

Message = dict[str, Any]


def call(app: Any, *, method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None,
         body: list[bytes] | None = None, kind: str = "http") -> list[Message]:
    """Run one request through ``app``; the messages it sent."""
    sent: list[Message] = []
    chunks = list(body if body is not None else [b""])  # [] : the client leaves before sending any

    async def receive() -> Message:
        if kind == "websocket":
            return {"type": "websocket.connect"}
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": kind, "method": method, "path": "/x", "headers": headers or [], "query_string": b"",
             "state": {}}
    asyncio.run(app(scope, receive, send))
    return sent


def start(sent: list[Message]) -> tuple[int, dict[bytes, bytes]]:
    first = sent[0]
    assert first["type"] == "http.response.start"
    return first["status"], dict(first["headers"])


def edge(app: Any, **kw: Any) -> HttpEdge:
    options: dict[str, Any] = {"add_headers": security_headers(DEFAULT_SECURITY_HEADERS),
                               "compressor": Compressor(), "max_body_size": 100, "body_timeout": 5.0}
    return HttpEdge(app, **{**options, **kw})


def test_an_unhandled_exception_is_a_generic_500_with_the_security_headers_and_vary() -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("secret password hunter2")

    sent = call(edge(broken), headers=[(b"accept-encoding", b"identity")])
    status, headers = start(sent)
    assert status == 500
    assert sent[1]["body"] == b'{"error":"Internal Server Error"}'
    assert headers[b"x-frame-options"] == b"DENY" and headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"vary"] == b"Accept-Encoding"
    exposed = call(edge(broken, expose_errors=True))
    assert b"hunter2" in exposed[1]["body"] and b"Traceback" in exposed[1]["body"]


def test_the_handler_wins_over_a_default_security_header() -> None:
    async def framed(scope: Any, receive: Any, send: Any) -> None:
        await PlainTextResponse("ok", headers={"X-Frame-Options": "SAMEORIGIN"})(scope, receive, send)

    _, headers = start(call(edge(framed)))
    assert headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert headers[b"referrer-policy"] == b"strict-origin-when-cross-origin"


def test_a_declared_body_over_the_limit_is_refused_before_anything_inside_runs() -> None:
    ran = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        ran.append(True)
        await Response("never")(scope, receive, send)

    sent = call(edge(inner), method="POST", headers=[(b"content-length", b"101")], body=[b"x" * 101])
    status, headers = start(sent)
    assert (status, headers[b"connection"]) == (413, b"close")
    assert sent[1]["body"] == b'{"error":"Request body is larger than the limit of 100 bytes"}'
    assert headers[b"x-content-type-options"] == b"nosniff"
    bad = call(edge(inner), method="POST", headers=[(b"content-length", b"ten")])
    assert start(bad)[0] == 400 and b"Invalid Content-Length" in bad[1]["body"]
    assert not ran


def test_a_streamed_body_over_the_limit_read_outside_the_routes_is_a_413() -> None:
    """A user middleware reading a chunked body (no declared length) is outside the routes'
    exception net: the edge answers its 413 itself, not a 500."""

    async def reads_body(scope: Any, receive: Any, send: Any) -> None:
        await Request(scope, receive).body()
        await Response("never")(scope, receive, send)

    sent = call(edge(reads_body), method="POST", headers=[(b"transfer-encoding", b"chunked")],
                body=[b"x" * 60, b"x" * 60])
    assert start(sent)[0] == 413 and b"limit of 100 bytes" in sent[1]["body"]
    fits = call(edge(reads_body), method="POST", headers=[(b"transfer-encoding", b"chunked")],
                body=[b"x" * 50, b"x" * 50])
    assert start(fits)[0] == 200


def test_a_client_leaving_mid_body_is_a_499_not_a_500() -> None:
    async def reads_body(scope: Any, receive: Any, send: Any) -> None:
        await Request(scope, receive).body()

    sent = call(edge(reads_body), method="POST", headers=[(b"content-length", b"50")], body=[])
    assert start(sent)[0] == 499



def test_a_chunked_body_cut_short_is_a_400_as_granian_cannot_tell_a_bad_chunk_from_a_client_gone() -> None:
    async def reads_body(scope: Any, receive: Any, send: Any) -> None:
        await Request(scope, receive).body()

    sent = call(edge(reads_body), method="POST", headers=[(b"transfer-encoding", b"chunked")], body=[])
    assert start(sent)[0] == 400 and b"Malformed request body" in sent[1]["body"]


def test_a_head_request_is_never_encoded_but_says_it_varies() -> None:
    async def page(scope: Any, receive: Any, send: Any) -> None:
        await Response("x" * 5000, media_type="text/html")(scope, receive, send)

    _, headers = start(call(edge(page), method="HEAD", headers=[(b"accept-encoding", b"gzip")]))
    assert b"content-encoding" not in headers and headers[b"vary"] == b"Accept-Encoding"
    sent = call(edge(page), headers=[(b"accept-encoding", b"gzip")])
    _, headers = start(sent)
    assert headers[b"content-encoding"] == b"gzip" and headers[b"x-frame-options"] == b"DENY"


class Teapot(LookupError):
    pass


def test_handlers_answer_by_class_along_the_mro_and_by_status() -> None:
    async def by_class(request: Request, exc: Exception) -> Response:
        assert request.url.path == "/x"
        return JSONResponse({"handled": type(exc).__name__}, 418)

    def by_status(request: Request, exc: Exception) -> Response:  # a plain function runs in the threadpool
        return PlainTextResponse("gone away", 410)

    def raising(exc: Exception) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            raise exc
        return handle_exceptions(app, {LookupError: by_class, 410: by_status})

    class Instance:  # an object with an async __call__ is awaited, not sent to the threadpool
        async def __call__(self, request: Request, exc: Exception) -> Response:
            return PlainTextResponse("instance", 451)

    async def missing(scope: Any, receive: Any, send: Any) -> None:
        raise KeyError("k")

    sent = call(handle_exceptions(missing, {KeyError: Instance()}))
    assert start(sent)[0] == 451 and sent[1]["body"] == b"instance"
    sent = call(raising(Teapot()))
    assert start(sent)[0] == 418 and sent[1]["body"] == b'{"handled":"Teapot"}'
    sent = call(raising(HTTPException(410)))
    assert start(sent)[0] == 410 and sent[1]["body"] == b"gone away"
    sent = call(raising(HTTPException(404, "no such thing", headers={"X-Why": "gone"})))
    status, headers = start(sent)
    assert status == 404 and sent[1]["body"] == b'{"error":"no such thing"}' and headers[b"x-why"] == b"gone"
    with pytest.raises(ValueError):  # what no handler takes goes on up, to the edge's 500
        call(raising(ValueError("unhandled")))


def test_an_exception_after_the_response_started_is_not_answered_twice() -> None:
    async def streams_then_fails(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise HTTPException(400)

    with pytest.raises(RuntimeError, match="already started"):
        call(handle_exceptions(streams_then_fails, {}))


def test_starlette_routes_inside_find_the_handlers_in_the_scope() -> None:
    """A Starlette ``Route`` (a plugin may mount one) handles its own exceptions with the handlers
    the app registered, which it reads from the scope."""

    async def endpoint(request: Request) -> Response:
        raise HTTPException(409, "taken")

    sent = call(handle_exceptions(Router([Route("/x", endpoint)]), {}))
    assert start(sent)[0] == 409 and sent[1]["body"] == b'{"error":"taken"}'


def test_a_websocket_exception_closes_the_socket_with_its_code() -> None:
    async def refuses(scope: Any, receive: Any, send: Any) -> None:
        raise WebSocketException(4003, "not yours")

    sent = call(handle_exceptions(refuses, {}), kind="websocket")
    assert sent == [{"type": "websocket.close", "code": 4003, "reason": "not yours"}]


def test_the_edge_observes_every_answer_it_makes_itself() -> None:
    """Observation is part of the edge (no layer of its own): its own 500s and 413s carry the
    request id and are counted with their status, and the id is only set during the request."""
    from pyxle.observability import Observer, get_request_id

    seen: list[tuple[int, str | None]] = []
    during: list[str | None] = []
    observer = Observer(observers=[lambda scope, status, seconds: seen.append((status, get_request_id()))])

    async def broken(scope: Any, receive: Any, send: Any) -> None:
        during.append(get_request_id())
        raise RuntimeError("boom")

    status, headers = start(call(edge(broken, observer=observer)))
    assert status == 500 and headers[b"x-request-id"].decode() == during[0] == seen[0][1]
    assert seen[0][0] == 500 and len(during[0] or "") == 32
    status, headers = start(call(edge(broken, observer=observer), method="POST",
                                 headers=[(b"content-length", b"1000")]))
    assert status == 413 and b"x-request-id" in headers and seen[1][0] == 413
    assert len(during) == 1  # the refused body never reached the app
    assert get_request_id() is None


def test_websockets_are_observed_by_the_middleware_the_edge_hands_them_to() -> None:
    from pyxle.observability import ObservabilityMiddleware, Observer

    seen: list[int] = []
    observer = Observer(observers=[lambda scope, status, seconds: seen.append(status)])

    async def refuses(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.close", "code": 1008})

    sent = call(edge(refuses, observer=observer, other=ObservabilityMiddleware(refuses, observer)), kind="websocket")
    assert sent == [{"type": "websocket.close", "code": 1008}] and seen == [403]


def test_the_middleware_refuses_an_observer_and_options_together() -> None:
    """Options beside an Observer would be silently ignored: a clear error instead."""
    from pyxle.observability import ObservabilityMiddleware, Observer

    with pytest.raises(TypeError, match="not both"):
        ObservabilityMiddleware(lambda *a: None, Observer(), request_id=False)
    assert ObservabilityMiddleware(lambda *a: None, request_id=False).observer.request_id is False


@pytest.mark.parametrize("server_timing", [False, True], ids=["inline", "through the observer"])
def test_the_edge_observes_the_common_set_inline_as_the_observer_does(server_timing: bool) -> None:
    """Without Server-Timing or tracing the edge does the observer's work itself (``lean``): the
    trusted incoming id, its copies in the scope, the timing, the access record and the metrics are
    those of the observer's own calls."""
    from prometheus_client import generate_latest

    from pyxle.observability import Metrics, Observer, get_request_id

    metrics = Metrics()
    records: list[tuple[int, str | None, float]] = []
    observer = Observer(trust_incoming=True, timing=True, server_timing=server_timing, metrics=metrics,
                        observers=[lambda scope, status, seconds: records.append((status, get_request_id(), seconds))])
    scopes: list[Any] = []

    async def routed(scope: Any, receive: Any, send: Any) -> None:
        scope["pyxle"]["route"] = {"path": "/x/{id:path}", "pattern": "/x/{id}"}  # labelled by pattern
        scopes.append(scope)
        await PlainTextResponse("made", status_code=201)(scope, receive, send)

    the_edge = edge(routed, observer=observer)
    assert the_edge.lean is not server_timing
    status, headers = start(call(the_edge, method="BREW", headers=[(b"x-request-id", b"abc-123")]))
    assert status == 201 and headers[b"x-request-id"] == b"abc-123"
    assert (b"server-timing" in headers) is server_timing
    scope = scopes[0]
    assert scope["pyxle"]["request_id"] == scope["state"]["request_id"] == "abc-123"
    assert scope["pyxle"]["timing_ms"] >= 0
    assert records and records[0][:2] == (201, "abc-123") and records[0][2] >= 0
    status, headers = start(call(the_edge, headers=[(b"x-request-id", b"not plain!")]))
    assert len(headers[b"x-request-id"]) == 32 and get_request_id() is None
    metrics.flush()
    text = generate_latest(metrics.registry).decode()
    assert 'pyxle_http_requests_total{method="other",route="/x/{id}",status="201"} 1.0' in text
    assert 'pyxle_http_requests_total{method="GET",route="/x/{id}",status="201"} 1.0' in text
    assert 'pyxle_http_request_duration_seconds_count{method="GET",route="/x/{id}",status="201"} 1.0' in text
