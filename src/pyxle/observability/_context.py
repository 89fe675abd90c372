"""What the current request is, for code that has no ``request`` at hand (log records, phases)."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

# Set by the Observer for the duration of one request (its own asyncio task).
request_id_var: ContextVar[str | None] = ContextVar("pyxle_request_id", default=None)


def get_request_id(request: Any = None) -> str | None:
    """The id of ``request`` (or, without one, of the request being handled now), or None.

    Loaders, actions and API routes can pass their ``request``; library code can call it bare.
    """
    if request is not None:
        found = request.scope.get("pyxle", {}).get("request_id")
        if found is not None:
            return found  # type: ignore[no-any-return]
    return request_id_var.get()


def request_timing_ms(request: Any) -> float | None:
    """Milliseconds from the request's arrival to its response starting (``observability.timing``)."""
    return request.scope.get("pyxle", {}).get("timing_ms")  # type: ignore[no-any-return]


class RequestIdFilter(logging.Filter):
    """Gives every log record a ``request_id`` attribute ("-" outside a request), for formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True
