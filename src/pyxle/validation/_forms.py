"""A submitted form as a dict: what a typed body, ``await request.json()`` of an action and a
re-rendered no-JS form all read. A key sent more than once becomes a list, in the order sent, except
where one value is wanted: an untyped action's ``request.json()`` and a typed field that takes one
value keep the last, as pyxle-framework 0.9's ``Form`` (``Object.fromEntries``) sent it (files
excepted in ``request.json()``: a name carrying several is their list). A key sent
once that the body model declares as a list is a list of one (one checked checkbox of several). A
field posted empty is ``""`` where ``""`` is valid for its type, else a field not sent. A file input
left empty (``filename=""``) is a file not sent, as Django reads it."""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import typing
from collections.abc import Collection, Iterable
from typing import Annotated, Any

from starlette.datastructures import UploadFile

from pyxle.validation._describe import strip_annotated

try:  # strips typing_extensions' NotRequired on Python 3.10, which typing's own does not know
    from typing_extensions import get_type_hints
except ImportError:  # pragma: no cover - pydantic depends on typing_extensions
    from typing import get_type_hints

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_MANY = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence,
         collections.abc.Set, collections.abc.MutableSet)


def is_json(content_type: str) -> bool:
    """Whether a ``Content-Type`` is JSON's (``application/json``, ``application/problem+json``...)."""
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def is_form(content_type: str) -> bool:
    """Whether a ``Content-Type`` (``multipart/form-data; boundary=...`` too) is a form's body."""
    return content_type.partition(";")[0].strip().lower() in _FORM_TYPES


def form_fields(items: Iterable[tuple[str, Any]], *, skip: Collection[str] = (), text_only: bool = False,
                many: Collection[str] = (), blank: Collection[str] = (), last: Collection[str] = (),
                last_wins: bool = False) -> dict[str, Any]:
    """``form.multi_items()`` -> ``{"title": "x", "tag": ["a", "b"]}``; ``text_only`` drops uploaded files;
    a key in ``many`` (see ``list_keys``) is a list even when sent once; a key in ``last`` (see
    ``one_keys``), or every key with ``last_wins``, keeps the last value sent, as ``Object.fromEntries``
    does (in the place it was first sent), except that with ``last_wins`` a key carrying more than one
    file is the list of them (``<input type="file" multiple>``, ``useAction``'s ``{ more: [a, b] }``),
    where keeping the last would drop uploads without a word; a key in ``blank`` (see ``blank_keys``) posted empty is left
    out, as a field not sent. So is an upload without a file name: what a browser sends for a file
    input left empty (``filename=""``, no bytes), which Django drops too."""
    data: dict[str, Any] = {}
    for key, value in items:
        if key in skip or (text_only and not isinstance(value, str)) or (value == "" and key in blank) \
                or (isinstance(value, UploadFile) and not value.filename):
            continue
        if last_wins and isinstance(value, UploadFile) and _holds_files(data.get(key)):
            data[key] = [*data[key], value] if isinstance(data[key], list) else [data[key], value]
        elif key not in data or last_wins or key in last:
            data[key] = [value] if key in many else value
        elif isinstance(data[key], list):
            data[key].append(value)
        else:
            data[key] = [data[key], value]
    return data


def _holds_files(value: Any) -> bool:
    """Whether a value ``form_fields`` kept is a file, or a list of files (what another file joins)."""
    return isinstance(value, UploadFile) or (isinstance(value, list) and isinstance(value[0], UploadFile))


def list_keys(annotation: Any) -> frozenset[str]:
    """The form keys of a body type whose fields are collections (``list[str]``, ``set[int] | None``...).

    Read once when the route loads. A form cannot tell one value from a list of one, so these keys
    are always lists, as FastAPI's ``Form()`` models read them and as the OpenAPI document says.
    A field that also takes a single value (``str | list[str]``) is left as sent.
    """
    return frozenset(key for names, field_type, _ in _fields(_body_type(annotation)) if _is_many(field_type)
                     for key in names)


def float_fields(annotation: Any) -> dict[str, Any]:
    """The keys of a body type's fields that can hold a float, each with its type and constraints:
    where a value sent as ``inf`` or ``nan`` is looked for when another field failed (``BodyReader``)."""
    from pyxle.validation._finite import finite_check

    return {key: constrained for names, field_type, constrained in _fields(_body_type(annotation))
            if finite_check(field_type) is not None for key in names}


def one_keys(annotation: Any) -> frozenset[str]:
    """The form keys of a body type's fields that take one value only (``str``, ``bool = False``,
    ``int | None``; not a collection, a union with one, or ``Any``). Sent more than once, such a key
    is its last value, as Starlette's ``form[key]`` and pyxle-framework 0.9's ``Form`` read it: a
    hidden ``agree=off`` before a checkbox ``agree=on`` is the checkbox when it is checked."""
    return frozenset(key for names, field_type, _ in _fields(_body_type(annotation))
                     if not _takes_many(field_type) for key in names)


def blank_keys(annotation: Any) -> frozenset[str]:
    """The form keys of a body type's one-value fields that ``""`` is not a valid value of
    (``age: int | None``, ``Literal["a", "b"]``, ``Annotated[str, Field(min_length=1)]``).

    Such a field posted empty (``age=`` of a number input left empty) is a field not sent, as
    FastAPI's ``Form()`` models read it: its default when it has one, else "Field required". A field
    that takes ``""`` (``bio: str``, ``str | None = None``) gets it, as pyxle-framework 0.9's ``Form``
    sent it. Decided once, when the route loads (needs pydantic, as every typed body does).
    """
    tp = _body_type(annotation)
    config = _str_config(tp)
    return frozenset(key for names, field_type, constrained in _fields(tp)
                     if not _is_many(field_type) and not _takes_empty(constrained, config) for key in names)


def _takes_empty(annotation: Any, config: tuple[tuple[str, Any], ...]) -> bool:
    """Whether ``""`` validates against the field's type with its constraints (cached per type)."""
    try:
        return _takes_empty_cached(annotation, config)
    except TypeError:  # an unhashable annotation: asked each time (at load time only)
        return _validates_empty(annotation, config)


@functools.lru_cache(maxsize=512)
def _takes_empty_cached(annotation: Any, config: tuple[tuple[str, Any], ...]) -> bool:
    return _validates_empty(annotation, config)


def _validates_empty(annotation: Any, config: tuple[tuple[str, Any], ...]) -> bool:
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(annotation, config=dict(config) or None).validate_python("")  # type: ignore[arg-type]
    except ValidationError:
        return False
    except Exception:  # noqa: BLE001 - a type pydantic cannot validate alone: read as a field not sent, as before
        return False
    return True


def _str_config(tp: Any) -> tuple[tuple[str, Any], ...]:
    """A model's ``str_*`` settings (``str_min_length=1``, ``str_strip_whitespace``), which bear on ``""``."""
    config = (getattr(tp, "model_config", None) or getattr(tp, "__pydantic_config__", None) or {}) \
        if isinstance(tp, type) else {}
    return tuple(sorted((k, v) for k, v in dict(config).items() if k.startswith("str_")))


def _body_type(annotation: Any) -> Any:
    """The body's own type: ``Post`` of ``Annotated[Post | None, ...]``; None for a union of bodies."""
    tp = strip_annotated(annotation)
    if _is_union(tp):
        bodies = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        tp = strip_annotated(bodies[0]) if len(bodies) == 1 else None
    return tp


def _fields(tp: Any) -> list[tuple[tuple[str, ...], Any, Any]]:
    """``(form keys, type, type with its constraints)`` per field of a pydantic model or dataclass,
    a dataclass or a TypedDict."""
    infos = getattr(tp, "__pydantic_fields__", None) if isinstance(tp, type) else None
    if isinstance(infos, dict):
        config = getattr(tp, "model_config", None) or getattr(tp, "__pydantic_config__", None) or {}
        by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
        return [(_keys(name, info, by_name), info.annotation, _constrained(info)) for name, info in infos.items()]
    if not isinstance(tp, type) or not (dataclasses.is_dataclass(tp) or hasattr(tp, "__required_keys__")):
        return []
    try:
        hints = get_type_hints(tp, include_extras=True)  # Annotated kept: its constraints bear on ""
    except Exception:  # noqa: BLE001 - an unresolvable annotation: pydantic has refused it already, or will say why
        return []
    hints = {name: _unwrapped(hint) for name, hint in hints.items()}
    if dataclasses.is_dataclass(tp):
        return [((f.name,), strip_annotated(hints.get(f.name, Any)), hints.get(f.name, Any))
                for f in dataclasses.fields(tp)]
    return [((name,), strip_annotated(hint), hint) for name, hint in hints.items()]


def _constrained(info: Any) -> Any:
    """A pydantic field's type with the constraints pydantic moved out of it (``Field(min_length=1)``)."""
    metadata = getattr(info, "metadata", None)
    return Annotated[(info.annotation, *metadata)] if metadata else info.annotation


def _unwrapped(hint: Any) -> Any:
    """``Annotated[str, ...]`` of ``NotRequired[Annotated[str, ...]]`` (``Required``, ``ReadOnly`` too)."""
    while getattr(typing.get_origin(hint), "_name", None) in {"Required", "NotRequired", "ReadOnly"}:
        hint = typing.get_args(hint)[0]
    return hint


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


def _takes_many(tp: Any) -> bool:
    """A type a list of the values sent may be: a collection, ``Any``, or a union with one of them."""
    tp = strip_annotated(tp)
    if tp is Any or tp is object:
        return True
    if _is_union(tp):
        return any(_takes_many(arg) for arg in typing.get_args(tp))
    return typing.get_origin(tp) in _MANY or tp in _MANY


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) is typing.Union or type(tp).__name__ == "UnionType"
