"""Numbers JSON cannot carry: infinities and NaN, found in validated input or in a response.

pydantic accepts them in a ``float`` (``1e999``, ``NaN``, ``"inf"``) unless told otherwise, and a
config cannot tell it so for every model: a model nested in another keeps its own validator. So
the value pydantic returns is walked instead (no pydantic needed here). Input holding one is a 422
("Input should be a finite number", pydantic's message for ``allow_inf_nan=False``); a response
holding one is a server error, since ``dump_python(mode="json")`` would quietly write ``null``.

The walk is paid only by types that can hold a float (``may_hold_floats``, decided at load time
from pydantic's core schema), and is a quick yes/no; the paths are looked for only on a yes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

MESSAGE = "Input should be a finite number"
Loc = tuple[Any, ...]
_SCALARS = frozenset({str, int, bool, bytes, type(None)})
# Core schema nodes that hold no float of their own (their children are looked at): anything else,
# ``float``, ``any`` (a bare ``dict``, ``Any``) or a custom type's plain validator, may hold one.
_NO_FLOAT = frozenset({
    "str", "int", "bool", "none", "literal", "enum", "date", "time", "datetime", "timedelta", "uuid", "url",
    "multi-host-url", "bytes", "decimal", "model", "model-fields", "model-field", "dataclass", "dataclass-args",
    "dataclass-field", "typed-dict", "typed-dict-field", "nullable", "default", "union", "tagged-union",
    "definitions", "definition-ref", "list", "set", "frozenset", "tuple", "dict", "lax-or-strict",
    "json-or-python", "chain", "function-after", "function-before", "function-wrap", "computed-field",
})
_ITEMS = {"list": ("items_schema",), "set": ("items_schema",), "frozenset": ("items_schema",),
          "tuple": ("items_schema",), "dict": ("keys_schema", "values_schema")}


def may_hold_floats(schema: Any) -> bool:
    """Whether a value of this pydantic core schema can hold a float (read once, when a route loads)."""
    if isinstance(schema, list):
        return any(may_hold_floats(item) for item in schema)
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind is not None and (kind not in _NO_FLOAT or any(key not in schema for key in _ITEMS.get(kind, ()))):
        return True
    return any(may_hold_floats(value) for key, value in schema.items() if key not in ("serialization", "metadata"))


def has_non_finite(value: Any) -> bool:
    """Whether ``value`` holds an infinity or NaN anywhere: a quick yes or no, the paths left to ``non_finite``."""
    kind = type(value)
    if kind is float:
        return not math.isfinite(value)
    if kind in _SCALARS:
        return False
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        return any(map(has_non_finite, value))
    if kind is dict:
        return any(map(has_non_finite, value.values()))
    fields = getattr(value, "__dict__", None)
    if hasattr(kind, "__pydantic_fields__") and isinstance(fields, dict):  # a model: its fields, then extras
        extra = getattr(value, "__pydantic_extra__", None)
        return any(map(has_non_finite, fields.values())) or (bool(extra) and has_non_finite(extra))
    return any(True for _ in non_finite(value))  # subclasses, dataclasses; other objects are not JSON


def non_finite(value: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Where ``value`` holds an infinity or NaN: field keys as pydantic reports them (aliases), indices."""
    if isinstance(value, float):
        if not math.isfinite(value):
            yield loc
    elif isinstance(value, (str, int, bytes)) or value is None:
        return
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from non_finite(item, (*loc, key))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            yield from non_finite(item, (*loc, index))
    elif hasattr(type(value), "__pydantic_fields__") and not dataclasses.is_dataclass(value):
        yield from _model(value, loc)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from non_finite(getattr(value, field.name, None), (*loc, field.name))


def _model(value: Any, loc: Loc) -> Iterator[Loc]:
    cls = type(value)
    if getattr(cls, "__pydantic_root_model__", False):
        yield from non_finite(getattr(value, "root", None), loc)
        return
    for name, info in cls.__pydantic_fields__.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        yield from non_finite(getattr(value, name, None), (*loc, alias or name))
    yield from non_finite(getattr(value, "__pydantic_extra__", None) or {}, loc)


def first_non_finite(value: Any) -> str | None:
    """The dotted path of the first infinity or NaN in a response (``"items.0.price"``), else None."""
    found = next(non_finite(value), None) if has_non_finite(value) else None
    return None if found is None else ".".join(map(str, found)) or "the value itself"
