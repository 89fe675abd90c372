"""A submitted form as a dict: what a typed body, ``await request.json()`` of an action and a
re-rendered no-JS form all read. A key sent more than once becomes a list, in the order sent; so
does a key sent once that the body model declares as a list (one checked checkbox of several).
A file input left empty (``filename=""``) is a file not sent, as Django reads it."""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from collections.abc import Collection, Iterable
from typing import Any

from starlette.datastructures import UploadFile

from pyxle.validation._describe import strip_annotated

try:  # strips typing_extensions' NotRequired on Python 3.10, which typing's own does not know
    from typing_extensions import get_type_hints
except ImportError:  # pragma: no cover - pydantic depends on typing_extensions
    from typing import get_type_hints

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_MANY = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence,
         collections.abc.Set, collections.abc.MutableSet)


def is_form(content_type: str) -> bool:
    """Whether a ``Content-Type`` (``multipart/form-data; boundary=...`` too) is a form's body."""
    return content_type.partition(";")[0].strip().lower() in _FORM_TYPES


def form_fields(items: Iterable[tuple[str, Any]], *, skip: Collection[str] = (), text_only: bool = False,
                many: Collection[str] = (), blank: Collection[str] = ()) -> dict[str, Any]:
    """``form.multi_items()`` -> ``{"title": "x", "tag": ["a", "b"]}``; ``text_only`` drops uploaded files;
    a key in ``many`` (see ``list_keys``) is a list even when sent once; a key in ``blank`` (see
    ``single_keys``) posted empty is left out, as a field not sent. So is an upload without a file name:
    what a browser sends for a file input left empty (``filename=""``, no bytes), which Django drops too."""
    data: dict[str, Any] = {}
    for key, value in items:
        if key in skip or (text_only and not isinstance(value, str)) or (value == "" and key in blank) \
                or (isinstance(value, UploadFile) and not value.filename):
            continue
        if key not in data:
            data[key] = [value] if key in many else value
        elif isinstance(data[key], list):
            data[key].append(value)
        else:
            data[key] = [data[key], value]
    return data


def list_keys(annotation: Any) -> frozenset[str]:
    """The form keys of a body type whose fields are collections (``list[str]``, ``set[int] | None``...).

    Read once when the route loads. A form cannot tell one value from a list of one, so these keys
    are always lists, as FastAPI's ``Form()`` models read them and as the OpenAPI document says.
    A field that also takes a single value (``str | list[str]``) is left as sent.
    """
    return frozenset(key for names, field_type in _fields(_body_type(annotation)) if _is_many(field_type)
                     for key in names)


def single_keys(annotation: Any) -> frozenset[str]:
    """The form keys of a body type's fields that take one value (every declared field but ``list_keys``).

    Such a field posted empty (``age=`` of a number input left empty) is a field not sent, as
    FastAPI's ``Form()`` models read it: its default when it has one, else "Field required"; a
    browser posts every input of a form, so ``""`` is how a form says "nothing" (JSON says it with
    ``null`` or by leaving the key out, and its ``""`` stays a value).
    """
    return frozenset(key for names, field_type in _fields(_body_type(annotation)) if not _is_many(field_type)
                     for key in names)


def _body_type(annotation: Any) -> Any:
    """The body's own type: ``Post`` of ``Annotated[Post | None, ...]``; None for a union of bodies."""
    tp = strip_annotated(annotation)
    if _is_union(tp):
        bodies = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        tp = strip_annotated(bodies[0]) if len(bodies) == 1 else None
    return tp


def _fields(tp: Any) -> list[tuple[tuple[str, ...], Any]]:
    """``(form keys, type)`` per field of a pydantic model or dataclass, a dataclass or a TypedDict."""
    infos = getattr(tp, "__pydantic_fields__", None) if isinstance(tp, type) else None
    if isinstance(infos, dict):
        config = getattr(tp, "model_config", None) or getattr(tp, "__pydantic_config__", None) or {}
        by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
        return [(_keys(name, info, by_name), info.annotation) for name, info in infos.items()]
    if not isinstance(tp, type) or not (dataclasses.is_dataclass(tp) or hasattr(tp, "__required_keys__")):
        return []
    try:
        hints = get_type_hints(tp)  # without Annotated, Required, NotRequired
    except Exception:  # noqa: BLE001 - an unresolvable annotation: pydantic has refused it already, or will say why
        return []
    if dataclasses.is_dataclass(tp):
        return [((f.name,), hints.get(f.name, Any)) for f in dataclasses.fields(tp)]
    return [((name,), hint) for name, hint in hints.items()]


def _keys(name: str, info: Any, by_name: bool) -> tuple[str, ...]:
    """The keys pydantic reads a field from: its validation alias (or choices), its alias, its name."""
    alias = getattr(info, "validation_alias", None)
    choices = getattr(alias, "choices", None)
    if isinstance(alias, str):
        keys = [alias]
    elif choices is not None:
        keys = [c for c in choices if isinstance(c, str)]
    else:
        keys = [info.alias] if getattr(info, "alias", None) else []
    if by_name or not keys:
        keys.append(name)
    return tuple(keys)


def _is_many(tp: Any) -> bool:
    """A collection, or a union of collections and None (never a union that also takes one value)."""
    tp = strip_annotated(tp)
    if _is_union(tp):
        args = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return bool(args) and all(_is_many(arg) for arg in args)
    return typing.get_origin(tp) in _MANY or tp in _MANY


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) is typing.Union or type(tp).__name__ == "UnionType"
