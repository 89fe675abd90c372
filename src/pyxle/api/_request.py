"""The request object handed to API handlers: a Starlette Request with a client-error-safe json()."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from pyxle._client import IntPortClient
from pyxle._refused import RequestRefused


class ApiRequest(IntPortClient, Request):
    """``await request.json()`` on a malformed body is the client's error (400), not the server's (500):
    invalid JSON, an empty body, nesting deeper than Python's parser recurses, and what ``json.loads``
    takes though JSON (RFC 8259) has no such thing: ``NaN``, ``Infinity`` and a number too large for
    a float (``1e999``), which a handler echoing them back failed to write (a 500)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:  # as json.loads(body) does with bytes (a UTF-8 BOM skipped), with the decoder made once
                self._json = _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
            except (ValueError, UnicodeDecodeError) as exc:
                detail = "Request body is empty; expected JSON" if not body.strip() else f"Malformed JSON body: {exc}"
                raise RequestRefused(status_code=400, detail=detail) from None
            except RecursionError:  # the parser recurses per level: `[` x 100,000 is the client's error too
                raise RequestRefused(status_code=400, detail="Malformed JSON body: nested too deeply") from None
        return self._json


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON (RFC 8259 has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    """Called for each number with a fraction or an exponent only (a body without any pays nothing):
    cheaper than walking every decoded body for an infinity."""
    value = float(text)
    if math.isinf(value):
        raise ValueError("a number is too large for a float (JSON has no Infinity)")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)
