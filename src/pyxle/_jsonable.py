"""What JSON cannot carry in a value, looked for once encoding it has failed or looked suspect: a
float orjson writes as ``null`` (NaN, the infinities), and the key path of the first value no
encoder takes, so the error names it (``data.when: datetime ...``)."""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import Any


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
    return False


def not_json(what: str, value: Any, root: str = "data") -> str:
    """``what`` is not JSON-serialisable, and the first key path in ``value`` that is not (walked
    only once encoding has failed): ``... returned data that is not JSON-serialisable: data.when: ...``."""
    problem = find_unserialisable(value, root) or "a value JSON cannot represent"
    return f"{what} that is not JSON-serialisable: {problem}"


# How deep find_unserialisable walks: data nested deeper than the JSON encoder can go (orjson
# stops at 254 levels, the standard library's at Python's recursion limit) is named at this depth.
_DEEPEST = 256


def find_unserialisable(value: Any, path: str, depth: int = 0) -> str | None:
    """The first key path holding a value JSON cannot carry, e.g. ``data.user.created: datetime``."""
    if value is None or isinstance(value, (str, bool)):
        return None
    if depth >= _DEEPEST and isinstance(value, (dict, list, tuple)):
        shown = path if len(path) <= 80 else f"{path[:40]}...{path[-30:]}"
        return f"{shown}: nested more than {_DEEPEST} levels deep, too deep to encode (flatten it)"
    if isinstance(value, int):
        return None if _writable(value) else (
            f"{path}: an int of more than {sys.get_int_max_str_digits()} digits cannot be written as JSON "
            "(send it as a str; the limit is sys.set_int_max_str_digits())")
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path}: {value} is not valid JSON"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path}: key {key!r} is a {type(key).__name__}, not a string"
            found = find_unserialisable(item, f"{path}.{key}", depth + 1)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = find_unserialisable(item, f"{path}[{index}]", depth + 1)
            if found:
                return found
        return None
    return f"{path}: {type(value).__name__} is not JSON-serialisable (convert it to a str, number, list or dict)"


def _writable(number: int) -> bool:
    try:
        repr(number)
    except ValueError:  # more digits than sys.get_int_max_str_digits(): json.dumps refuses it too
        return False
    return True
