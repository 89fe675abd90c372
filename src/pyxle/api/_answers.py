"""What a handler's return value or page error becomes: the one conversion every handler style uses
(method functions, ``endpoint`` and an ``HTTPEndpoint`` class's methods)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from pyxle._jsonable import encode, not_json
from pyxle.runtime import INVALIDATE_HEADER, INVALIDATE_KEY, ActionError, LoaderError, error_answer, invalidate_header


def to_response(result: Any, where: str = "handler") -> Response:
    """Any Starlette Response as is; ``dict``/``list`` as JSON 200; ``(body, status)`` as that status."""
    if isinstance(result, Response):
        return result
    if isinstance(result, (dict, list)):
        if isinstance(result, dict) and INVALIDATE_KEY in result:
            return _invalidating(result, where)
        return _json(result, where)
    if is_pair(result):
        return with_status(to_response(result[0], where), result[1])
    raise TypeError(
        f"{where} returned {type(result).__name__}; return a Starlette Response, a dict or list (JSON), "
        "or a (body, status) tuple"
    )


def is_pair(result: Any) -> bool:
    return isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], int)


def with_status(response: Response, status: int) -> Response:
    """``response`` sent with ``status``. A status that carries no content (1xx, 204, 304, RFC 9110)
    loses the body and its ``Content-Length``, as Starlette's responses made with it never have one:
    the length of a body the server does not send was a lie to the client."""
    response.status_code = status
    if status < 200 or status in (204, 304):
        response.body = b""
        if "content-length" in response.headers:
            del response.headers["content-length"]
    return response


def error_response(exc: ActionError | LoaderError) -> Response:
    """A page error raised in an API route: its status and ``{"error": ...}`` (as HTTPException keeps
    its status; 0.9 answered a 500)."""
    return JsonAnswer(error_answer(exc), status_code=exc.status_code)


def _invalidating(result: dict[str, Any], where: str) -> Response:
    """A dict ``invalidate_routes`` marked: its URLs go in ``x-pyxle-invalidate``, not in the body."""
    body = dict(result)
    urls = body.pop(INVALIDATE_KEY) or ()
    return _json(body, where, {INVALIDATE_HEADER: invalidate_header(urls)} if urls else None)


def _json(body: dict[str, Any] | list[Any], where: str, headers: dict[str, str] | None = None) -> Response:
    """``body`` as JSON. It is encoded as the answer is made, so data JSON cannot carry fails here:
    the error names the handler and the first key path that holds it (``data.when: datetime ...``),
    where Starlette's named only the type, deep in its own frames."""
    try:
        return JsonAnswer(body, headers=headers)
    except (TypeError, ValueError):
        raise TypeError(not_json(f"{where} returned data", body)) from None


class JsonAnswer(JSONResponse):
    """Starlette's ``JSONResponse`` written by the encoder loaders and actions use, so a value is sent
    alike by all three (a ``UUID`` as its string, an ``Enum`` as its value) and a string holding a
    lone surrogate is written as its escape (``\\ud83d``, as ``JSON.stringify`` writes it) instead of
    failing to encode as UTF-8 (a 500 after the handler's work was done)."""

    def render(self, content: Any) -> bytes:
        return encode(content)
