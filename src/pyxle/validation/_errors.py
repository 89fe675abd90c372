"""Invalid input as a 422 ``fields`` mapping, and the checks made before a body is parsed."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

ROOT = "__root__"  # the key for errors about the whole body (not JSON, not an object)
MAX_DEPTH = 32  # JSON nesting deeper than this is refused before parsing
MESSAGE = "Validation failed"
MAX_ERRORS = 100  # errors a 422 lists; a note under ROOT counts the rest
QUOTED = 40  # characters of the request a message quotes at most
KEY_PART = 100  # characters of a key's part taken from the request (an extra key, a dict's key); field names fit
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')  # what ``translate`` deletes: all but quotes, brackets
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_CHUNK = 1 << 16  # quotes and brackets split per step: bounds the memory of a body made of them
# pydantic's message for a value JSON cannot carry (an `UploadFile` field) speaks to the model's author
# ("use a JsonOrPython validator"); the client is told what to send instead.
_MESSAGES = {"needs_python_object": "Input should be a file: send the body as multipart/form-data"}


class InvalidInput(Exception):
    """Input that does not match the handler's annotations; ``fields`` maps a dotted path to messages."""

    def __init__(self, fields: dict[str, list[str]], message: str = MESSAGE) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class MissingExtra(Exception):
    """An annotation needs pydantic, which is not installed."""


def field_errors(errors: list[dict[str, Any]], prefix: tuple[Any, ...] = (), total: int = 0) -> dict[str, list[str]]:
    """pydantic's error list -> ``{"items.0.qty": ["Input should be ..."]}`` (never the input itself, a
    discriminator's tag and a key's part the request named, an extra key, ``shortened``):
    the first ``MAX_ERRORS``, and a note when ``total`` says there were more."""
    fields: dict[str, list[str]] = {}
    for error in errors[:MAX_ERRORS]:
        loc = (*prefix, *error.get("loc", ()))
        key = ".".join(shortened(str(part), KEY_PART) for part in loc) or ROOT
        message = _MESSAGES.get(error.get("type")) or str(error.get("msg", "Invalid value"))
        tag = (error.get("ctx") or {}).get("tag")
        if error.get("type") == "union_tag_invalid" and isinstance(tag, str):  # pydantic quotes the tag sent, whole
            message = message.replace(f"'{tag}'", f"'{shortened(tag)}'", 1)
        fields.setdefault(key, []).append(message)
    if max(total, len(errors)) > MAX_ERRORS:
        fields.setdefault(ROOT, []).append(f"Only the first {MAX_ERRORS} of {max(total, len(errors))} errors are listed")
    return fields


def shortened(text: str, limit: int = QUOTED) -> str:
    """``text`` cut to ``limit`` characters, ``…`` marking the cut: a message quoting the request
    (a tag, a ``Content-Type``) never echoes it whole (a 200 KB tag made a 200 KB answer)."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def check_depth(body: bytes, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` (counted cheaply first: few brackets, no scan).

    One linear pass in C over any body, unterminated strings and runs of escapes included (a regex
    that needs a string's closing quote rescans to the end from every quote: quadratic, seconds of a
    blocked event loop for 32 KB). Escape pairs go first (left to right, as JSON reads them, so
    every quote left opens or closes a string), then everything but quotes and brackets; the
    brackets between strings are counted. A backslash outside a string is invalid JSON: the parser
    stops there, so the count past it does not matter.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return
    marks = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    depth, in_string = 0, False
    for start in range(0, len(marks), _CHUNK):
        runs = marks[start:start + _CHUNK].split(b'"')
        brackets = b"".join(runs[in_string::2])  # the runs outside strings
        in_string ^= len(runs) % 2 == 0  # an odd number of quotes in this chunk
        if next(filter(limit.__lt__, accumulate(map(_STEP.__getitem__, brackets), initial=depth)), None) is not None:
            raise InvalidInput({ROOT: [f"JSON nested deeper than {limit} levels"]})
        depth += 2 * (brackets.count(b"[") + brackets.count(b"{")) - len(brackets)
