"""Numbers JSON cannot carry: infinities and NaN, found in validated input or in a response.

pydantic accepts them in a ``float`` (``1e999``, ``NaN``, ``"inf"``) unless told otherwise, and a
config cannot tell it so for every model: a model nested in another keeps its own validator. So
the value pydantic returns is walked instead (no pydantic needed here). Input holding one is a 422
("Input should be a finite number", pydantic's message for ``allow_inf_nan=False``); a response
holding one is a server error, since ``dump_python(mode="json")`` would quietly write ``null``.

Input is checked by ``finite_check(annotation)``, built when the route loads: it looks only where
the annotation can hold a float (an order's prices, not its names), and is None where nothing can.
A response is walked whole (``has_non_finite``: it may not be what its annotation says). Either is
a quick yes or no; the paths are looked for (``non_finite``) only on a yes.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import math
import types
import typing
import uuid
from collections.abc import Callable, Iterator
from typing import Any

MESSAGE = "Input should be a finite number"
Loc = tuple[Any, ...]
_SCALARS = frozenset({str, int, bool, bytes, type(None)})
Check = Callable[[Any], bool]  # true when the value holds an infinity or NaN
# Types whose values hold no float (bool is an int; an Enum of floats is looked into).
_NO_FLOAT_TYPES = (str, int, bytes, type(None), datetime.date, datetime.time, datetime.timedelta,
                   decimal.Decimal, uuid.UUID)
_SEQUENCES = (list, set, frozenset)
_UNIONS = (typing.Union, types.UnionType)


def finite_check(annotation: Any) -> Check | None:
    """A check for values validated as ``annotation`` that visits only what can be a float; None
    when nothing can. What it cannot see into (``Any``, unions of several types, dataclasses) is
    walked whole. Built once per route, when it loads."""
    return _check(annotation, set())


def _bad_float(value: float) -> bool:
    return not math.isfinite(value)


def _check(annotation: Any, models: set[type]) -> Check | None:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _check(args[0], models)
    if origin is typing.Literal:
        return None
    if origin in _UNIONS:
        checks = [check for arg in args if (check := _check(arg, models)) is not None]
        if not checks:
            return None
        if len(args) == 2 and type(None) in args and len(checks) == 1:  # Optional[X]
            inner = checks[0]
            return lambda value: value is not None and inner(value)
        return has_non_finite
    if origin in _SEQUENCES or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item = _check(args[0], models) if args else has_non_finite
        return None if item is None else lambda value: any(map(item, value))
    if origin is dict and len(args) == 2 and _check(args[0], models) is None:
        item = _check(args[1], models)
        return None if item is None else lambda value: any(map(item, value.values()))
    if origin is not None or not isinstance(annotation, type):  # other generics, Any, forward references
        return has_non_finite
    if annotation is float:
        return _bad_float
    if issubclass(annotation, _NO_FLOAT_TYPES) or (issubclass(annotation, enum.Enum) and not issubclass(annotation, float)):
        return None
    if hasattr(annotation, "__pydantic_fields__"):
        return _model_check(annotation, models)
    return has_non_finite


def _model_check(model: type, models: set[type]) -> Check | None:
    """A model's float fields (through their own checks), and its extras when it keeps them."""
    if model in models:  # a model that holds itself: walked whole from there
        return has_non_finite
    models = models | {model}
    fields = [(name, check) for name, info in model.__pydantic_fields__.items()  # type: ignore[attr-defined]
              if (check := _check(info.annotation, models)) is not None]
    extra = model.model_config.get("extra") == "allow"  # type: ignore[attr-defined]
    if not fields and not extra:
        return None
    if len(fields) == 1 and not extra:
        (name, only), = fields
        return lambda value: only(value.__dict__[name])

    def check(value: Any) -> bool:
        found = value.__dict__
        return any(field(found[name]) for name, field in fields) or (
            extra and has_non_finite(value.__pydantic_extra__ or {}))

    return check


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
