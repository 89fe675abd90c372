"""The HEAD variable of a page: a string, a list of strings, or ``def HEAD(data)`` returning either."""

from __future__ import annotations

from typing import Any


def head_elements(head: Any, data: dict[str, Any]) -> list[str]:
    """Evaluate HEAD for this request's data; anything else is a clear error."""
    value = head(data) if callable(head) else head
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError(f"HEAD must be a string, a list of strings, or a function returning one (got {type(value).__name__})")
