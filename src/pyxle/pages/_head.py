"""The HEAD variable of a page: a string, a list of strings, or ``def HEAD(data)`` returning either."""

from __future__ import annotations

from typing import Any

from pyxle.pages._headsafe import safe_elements


def head_elements(head: Any, data: dict[str, Any]) -> list[str]:
    """Evaluate HEAD for this request's data, as safe elements (``pyxle.pages._headsafe``); anything
    else is a clear error. Markup ``HEAD(data)`` computed keeps one element per string."""
    computed = callable(head)
    value = head(data) if computed else head
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    elif not (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)):
        raise TypeError(f"HEAD must be a string, a list of strings, or a function returning one "
                        f"(got {type(value).__name__})")
    if computed:
        return [found[0] for found in map(safe_elements, value) if found]
    return [element for markup in value for element in safe_elements(markup)]
