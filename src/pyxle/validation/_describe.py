"""What a handler takes and returns, read from its signature once (no pydantic needed).

The first parameter is always the request. Every later one is a ``Param``: a path parameter
when the route has one of that name, the body when its type is a model, TypedDict, dataclass or
``dict`` (or a list of them) or it is marked ``Body()``, a header when marked ``Header()``, and
otherwise a query parameter.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import decimal
import enum
import inspect
import typing
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal

from pyxle.validation._markers import Body, Header, Query

Source = Literal["path", "query", "header", "body"]
REQUIRED = inspect.Parameter.empty
_COLLECTIONS = (list, tuple, set, frozenset)
_SEQUENCES = (collections.abc.Sequence, collections.abc.Set, collections.abc.Collection, collections.abc.Iterable)
_SCALARS = (str, bytes, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta, uuid.UUID,
            enum.Enum)


class SignatureProblem(Exception):
    """A signature Pyxle cannot serve; the message says which parameter and why."""


@dataclass(frozen=True)
class Param:
    name: str
    source: Source
    annotation: Any  # as written, ``Annotated`` constraints included (Any when unannotated)
    default: Any  # REQUIRED when the parameter has no default
    alias: str  # the key read from the query string or headers
    many: bool = False  # a list read from repeated query keys or headers

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Signature:
    params: tuple[Param, ...]
    returns: Any  # the return annotation, or REQUIRED when there is none

    @property
    def body(self) -> Param | None:
        return next((p for p in self.params if p.source == "body"), None)


def takes_arguments(fn: Callable[..., Any]) -> bool:
    """Whether the handler takes anything after the request (else it is called exactly as before)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    named = [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return len(named) > 1


def has_return_type(fn: Callable[..., Any]) -> bool:
    try:
        return inspect.signature(fn).return_annotation is not inspect.Signature.empty
    except (TypeError, ValueError):
        return False


def describe(fn: Callable[..., Any], path_params: Collection[str] = (), *, body_name: str | None = None) -> Signature:
    """Read the handler's parameters; ``body_name`` forces that parameter to be the body (actions)."""
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # a NameError in a string annotation, mostly
        raise SignatureProblem(f"its annotations cannot be resolved ({type(exc).__name__}: {exc})") from exc
    params: list[Param] = []
    signature = inspect.signature(fn)
    for index, p in enumerate(signature.parameters.values()):
        if index == 0 or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind is p.POSITIONAL_ONLY:
            raise SignatureProblem(f"parameter {p.name!r} is positional-only; Pyxle passes parameters by name")
        annotation = hints.get(p.name, Any)
        params.append(_param(p.name, annotation, p.default, path_params, force_body=p.name == body_name))
    bodies = [p.name for p in params if p.source == "body"]
    if len(bodies) > 1:
        raise SignatureProblem(f"parameters {', '.join(map(repr, bodies))} all read the body; take one body model")
    return Signature(tuple(params), hints.get("return", REQUIRED))


def _param(name: str, annotation: Any, default: Any, path_params: Collection[str], *, force_body: bool) -> Param:
    marker = next((m for m in _metadata(annotation) if isinstance(m, (Header, Query, Body))), None)
    bare = strip_annotated(annotation)
    if force_body or isinstance(marker, Body):
        return Param(name, "body", annotation, default, name)
    if name in path_params and marker is None:
        return Param(name, "path", annotation, default, name)
    if isinstance(marker, Header):
        return Param(name, "header", annotation, default, marker.alias or name.replace("_", "-"), _is_many(bare))
    if marker is None and is_structured(bare):
        return Param(name, "body", annotation, default, name)
    alias = marker.alias if isinstance(marker, Query) and marker.alias else name
    return Param(name, "query", annotation, default, alias, _is_many(bare))


def answer_type(annotation: Any) -> Any:
    """What reaches the JSON of a return annotation: an API route's body, a loader's ``data``, an
    action's result (the output filter, the OpenAPI document and the generated types all read it).

    ``tuple[Model, int]`` (the ``(body, status)`` form) is the model; a ``Response`` is sent as it
    is, so ``Model | Response`` is ``Model``; ``REQUIRED`` when only a ``Response`` is ever returned
    (``-> Response``, ``-> RedirectResponse | Response``): no JSON at all. Otherwise the annotation
    as written (``Annotated`` kept).
    """
    bare = strip_annotated(annotation)
    args = typing.get_args(bare)
    if typing.get_origin(bare) is tuple and len(args) == 2 and args[1] is int:
        return answer_type(args[0])
    if _is_response(bare):
        return REQUIRED
    if typing.get_origin(bare) is typing.Union or type(bare).__name__ == "UnionType":
        found = [answer_type(arg) for arg in args]
        if all(a is b for a, b in zip(found, args, strict=True)):
            return annotation
        kept = [tp for tp in found if tp is not REQUIRED]
        return REQUIRED if not kept else kept[0] if len(kept) == 1 else typing.Union[tuple(kept)]  # noqa: UP007
    return annotation


def _is_response(tp: Any) -> bool:
    from starlette.responses import Response

    return isinstance(tp, type) and issubclass(tp, Response)


def strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = annotation.__origin__
    return annotation


def _metadata(annotation: Any) -> tuple[Any, ...]:
    return getattr(annotation, "__metadata__", ()) if typing.get_origin(annotation) is typing.Annotated else ()


def is_structured(tp: Any) -> bool:
    """A type that is read from a body: a model, TypedDict, dataclass, dict, or a collection of them."""
    tp = strip_annotated(tp)
    origin = typing.get_origin(tp)
    if origin is dict or tp is dict:
        return True
    if origin in _COLLECTIONS:
        return any(is_structured(arg) for arg in typing.get_args(tp) if arg is not Ellipsis)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        return any(is_structured(arg) for arg in typing.get_args(tp) if arg is not type(None))
    return isinstance(tp, type) and (
        hasattr(tp, "model_validate") or _is_typeddict(tp) or dataclasses.is_dataclass(tp)
    )


def never_an_object(tp: Any) -> bool:
    """Whether JSON of this type can never be an object: a list, tuple or set, a scalar, a ``Literal``, an
    enum, a ``RootModel`` of one, or a union of only these. A loader's data and an action's result are
    objects (the ``data`` prop, ``{"ok": true, ...}``), so such a return annotation cannot work."""
    tp = strip_annotated(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        kept = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return bool(kept) and all(never_an_object(arg) for arg in kept)
    if origin is Literal or origin in _COLLECTIONS or origin in _SEQUENCES or tp in _COLLECTIONS or tp in _SEQUENCES:
        return True
    if getattr(tp, "__pydantic_root_model__", False):
        return never_an_object(tp.model_fields["root"].annotation)
    return isinstance(tp, type) and issubclass(tp, _SCALARS)


def holds_upload(tp: Any, seen: frozenset[Any] = frozenset()) -> bool:
    """Whether a body type has an ``UploadFile`` somewhere (a field, a list's items): only a
    multipart form can carry one."""
    from starlette.datastructures import UploadFile

    tp = strip_annotated(tp)
    if tp in seen:
        return False
    if isinstance(tp, type) and issubclass(tp, UploadFile):
        return True
    args = typing.get_args(tp)
    if args:
        return any(holds_upload(arg, seen) for arg in args if arg is not Ellipsis)
    if not isinstance(tp, type):
        return False
    seen = seen | {tp}
    if hasattr(tp, "model_fields"):
        return any(holds_upload(f.annotation, seen) for f in tp.model_fields.values())
    if dataclasses.is_dataclass(tp) or _is_typeddict(tp):
        try:
            hints = typing.get_type_hints(tp)
        except Exception:  # noqa: BLE001 - an unresolvable field: nothing known of it
            return False
        return any(holds_upload(hint, seen) for hint in hints.values())
    return False


def _is_typeddict(tp: type) -> bool:
    """``typing.TypedDict`` or ``typing_extensions.TypedDict`` (which ``typing.is_typeddict`` misses before 3.12)."""
    return issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _is_many(tp: Any) -> bool:
    tp = strip_annotated(tp)
    if typing.get_origin(tp) is typing.Union or type(tp).__name__ == "UnionType":
        return any(_is_many(arg) for arg in typing.get_args(tp) if arg is not type(None))
    return typing.get_origin(tp) in _COLLECTIONS or tp in _COLLECTIONS
