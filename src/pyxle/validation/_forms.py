"""A submitted form as a dict: what a typed body, ``await request.json()`` of an action and a
re-rendered no-JS form all read. A key sent more than once becomes a list, in the order sent."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any


def form_fields(items: Iterable[tuple[str, Any]], *, skip: Collection[str] = (), text_only: bool = False) -> dict[str, Any]:
    """``form.multi_items()`` -> ``{"title": "x", "tag": ["a", "b"]}``; ``text_only`` drops uploaded files."""
    data: dict[str, Any] = {}
    for key, value in items:
        if key in skip or (text_only and not isinstance(value, str)):
            continue
        if key not in data:
            data[key] = value
        elif isinstance(data[key], list):
            data[key].append(value)
        else:
            data[key] = [data[key], value]
    return data
