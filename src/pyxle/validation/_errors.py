"""Invalid input as a 422 ``fields`` mapping, and the checks made before a body is parsed."""

from __future__ import annotations

import re
from typing import Any

ROOT = "__root__"  # the key for errors about the whole body (not JSON, not an object)
MAX_DEPTH = 32  # JSON nesting deeper than this is refused before parsing
MESSAGE = "Validation failed"
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class InvalidInput(Exception):
    """Input that does not match the handler's annotations; ``fields`` maps a dotted path to messages."""

    def __init__(self, fields: dict[str, list[str]], message: str = MESSAGE) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class MissingExtra(Exception):
    """An annotation needs pydantic, which is not installed."""


def field_errors(errors: list[dict[str, Any]], prefix: tuple[Any, ...] = ()) -> dict[str, list[str]]:
    """pydantic's error list -> ``{"items.0.qty": ["Input should be ..."]}`` (never the input itself)."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = (*prefix, *error.get("loc", ()))
        key = ".".join(str(part) for part in loc) or ROOT
        fields.setdefault(key, []).append(str(error.get("msg", "Invalid value")))
    return fields


def check_depth(body: bytes, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` (counted cheaply first: few brackets, no scan)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise InvalidInput({ROOT: [f"JSON nested deeper than {limit} levels"]})
        elif token in (b"]", b"}"):
            depth -= 1
