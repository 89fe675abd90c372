"""The request object handed to API handlers: a Starlette Request with a client-error-safe json()."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request


class ApiRequest(Request):
    """``await request.json()`` on a malformed body is the client's error (400), not the server's (500):
    invalid JSON, an empty body, or nesting deeper than Python's parser recurses."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body)
            except (ValueError, UnicodeDecodeError) as exc:
                detail = "Request body is empty; expected JSON" if not body.strip() else f"Malformed JSON body: {exc}"
                raise HTTPException(status_code=400, detail=detail) from None
            except RecursionError:  # the parser recurses per level: `[` x 100,000 is the client's error too
                raise HTTPException(status_code=400, detail="Malformed JSON body: nested too deeply") from None
        return self._json
