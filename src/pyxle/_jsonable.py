"""The one JSON encoder of loaders, actions and API routes, so a value they return is sent alike by
all three; and what JSON cannot carry in a value, looked for once encoding it has failed or looked
suspect: a float orjson writes as ``null`` (NaN, the infinities), and the key path of the first value
no encoder takes, so the error names it (``data.when: datetime ...``)."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import sys
import uuid
from typing import Any

import orjson

# orjson's types and a UUID (its string) and an Enum (its value); a datetime and a dataclass are
# passed to _refuse, as the standard library refuses them.
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _as_orjson_writes(value: Any) -> Any:
    """For the standard library's encoder, a UUID and an Enum as orjson writes them; nothing else."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return _refuse(value)


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON with the standard library's rules, encoded by orjson (about 10x faster).

    orjson writes NaN and infinities as ``null``; those stay errors here, so a ``null`` in the
    output triggers a check. Anything orjson refuses (ints beyond 64 bits, lone surrogates, more
    than 254 levels) goes to ``json``, ASCII-only: a lone surrogate (half an emoji, as JavaScript's
    ``.slice()`` leaves it) is then the escape ``\\ud83d``, as ``JSON.stringify`` writes it; written
    as itself, it made the answer's UTF-8 encoding fail after the error handling (a bare 500).
    """
    try:
        encoded = orjson.dumps(value, default=_refuse, option=_ORJSON)
    except TypeError:
        try:
            return json.dumps(value, separators=(",", ":"), allow_nan=False, default=_as_orjson_writes).encode()
        except RecursionError:  # deeper than Python's own limit: as unserialisable as a datetime
            raise ValueError("nested too deeply to encode as JSON") from None
    if b"null" in encoded and non_finite(value):
        raise ValueError("Out of range float values are not JSON compliant")
    return encoded


def dumps(value: Any) -> str:
    """``encode`` as text: a page's answers are assembled from it."""
    return encode(value).decode()


def non_finite(value: Any) -> bool:
    """A NaN or infinite float anywhere orjson would look: dicts, lists, tuples, dataclasses."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(non_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(non_finite(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(non_finite(getattr(value, field.name)) for field in dataclasses.fields(value))
    if isinstance(value, enum.Enum):
        return non_finite(value.value)
    return False


def not_json(what: str, value: Any, root: str = "data") -> str:
    """``what`` is not JSON-serialisable, and the first key path in ``value`` that is not (walked
    only once encoding has failed): ``... returned data that is not JSON-serialisable: data.when: ...``."""
    problem = find_unserialisable(value, root) or "a value JSON cannot represent"
    return f"{what} that is not JSON-serialisable: {problem}"


# Where a path is named when the data is nested too deeply to encode (orjson stops at 254 levels,
# the standard library, which encode falls back to, at Python's recursion limit: about a thousand).
_SHOWN_DEPTH = 256


def find_unserialisable(value: Any, path: str) -> str | None:
    """The first key path holding a value JSON cannot carry, e.g. ``data.user.created: datetime``,
    however deep (walked without recursion); else, data nested deeper than the standard library's
    encoder goes (near Python's recursion limit), named down to ``_SHOWN_DEPTH`` with its depth."""
    deepest, deep_path = 0, None
    seen: set[int] = set()  # the containers walked: data that holds one twice (or itself) ends
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, at, depth = stack.pop()
        if isinstance(item, enum.Enum):  # sent as its value
            item = item.value
        deepest = max(deepest, depth)
        if depth == _SHOWN_DEPTH and deep_path is None:
            deep_path = at
        if item is None or isinstance(item, (str, bool, uuid.UUID)):
            continue
        if isinstance(item, int):
            if not _writable(item):
                return (f"{at}: an int of more than {sys.get_int_max_str_digits()} digits cannot be written as "
                        "JSON (send it as a str; the limit is sys.set_int_max_str_digits())")
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{at}: {item} is not valid JSON"
        elif isinstance(item, (dict, list, tuple)) and id(item) in seen:
            continue
        elif isinstance(item, dict):
            seen.add(id(item))
            for key in item:
                if not isinstance(key, str):
                    return f"{at}: key {key!r} ({type(key).__name__}) is not a string"
            stack.extend((child, f"{at}.{key}", depth + 1) for key, child in reversed(item.items()))
        elif isinstance(item, (list, tuple)):
            seen.add(id(item))
            stack.extend((child, f"{at}[{index}]", depth + 1) for index, child in reversed(list(enumerate(item))))
        else:
            return f"{at}: {type(item).__name__} is not JSON-serialisable (convert it to a str, number, list or dict)"
    if deep_path is None or deepest <= sys.getrecursionlimit() // 2:  # not what the encoder failed on
        return None
    shown = deep_path if len(deep_path) <= 80 else f"{deep_path[:40]}...{deep_path[-30:]}"
    return f"{shown}: nested {deepest} levels deep, too deep to encode (flatten it)"


def _writable(number: int) -> bool:
    try:
        repr(number)
    except ValueError:  # more digits than sys.get_int_max_str_digits(): json.dumps refuses it too
        return False
    return True
