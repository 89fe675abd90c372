"""Python annotations -> TypeScript declarations, for the JSON a client sends or receives.

Pure: reads annotations, imports pydantic only when a pydantic model is met (it is one already).
Two readings of a model: ``output`` (what Pyxle sends: every field present, named as dumped, which
is by alias) and ``input`` (what a client sends to a typed body: fields with a default are optional,
aliases win). Named types (models, TypedDicts, dataclasses, enums) become their own exported
declarations; a pydantic ``RootModel`` is a type alias of its root, which is what it dumps to.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import re
import types
import typing
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any, Literal

from pyxle.validation._describe import _is_typeddict

Mode = Literal["input", "output"]
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
_STRINGS = (str, bytes, datetime.date, datetime.time, datetime.timedelta, uuid.UUID, PurePath)
_SEQUENCES = (list, tuple, set, frozenset, Sequence, Collection, Iterable, typing.AbstractSet)


def typescript(declarations: Mapping[str, Any], *, inputs: Collection[str] = (),
               reserved: Collection[str] = ()) -> str:
    """``export type`` for each name -> annotation, and an ``export interface`` per named type used.

    A nested mapping (not a type) becomes an object type: ``{"save": {"body": Post}}``. Dotted
    paths listed in ``inputs`` ("Actions.save.body") are read as request input. ``reserved``: names
    the caller declares itself next to these, which a model so named must not take (TypeScript
    would merge the two interfaces).
    """
    writer = _Writer(reserved=set(declarations) | set(reserved))
    aliases = [(name, writer.entry(value, name, frozenset(inputs), "")) for name, value in declarations.items()]
    out = list(writer.named.values())
    out += [f"export type {name} = {text}\n" for name, text in aliases if text != name]
    return "\n".join(out)


class _Writer:
    def __init__(self, reserved: set[str]) -> None:
        self.reserved = reserved
        self.names: dict[tuple[Any, Mode], str] = {}  # (type, mode) -> its declared name
        self.named: dict[str, str] = {}  # name -> declaration text
        self.taken: set[str] = set()

    def entry(self, value: Any, path: str, inputs: frozenset[str], indent: str) -> str:
        if isinstance(value, Mapping):
            if not value:
                return "{}"
            inner = indent + "  "
            fields = [f"{inner}{_key(k)}: {self.entry(v, f'{path}.{k}', inputs, inner)}" for k, v in value.items()]
            return "{\n" + "\n".join(fields) + f"\n{indent}}}"
        mode: Mode = "input" if path in inputs else "output"
        named = _strip(value)
        if _is_named(named) and named.__name__ == path and path in self.reserved and (named, mode) not in self.names:
            self.names[(named, mode)] = path  # a declaration named like its model is that model
            self.taken.add(path)
            self.named[path] = ""  # keeps its place ahead of the models it refers to
            self.named[path] = self.declare(named, path, mode)
            return path
        return self.ts(value, mode)

    def ts(self, tp: Any, mode: Mode) -> str:
        tp = _strip(tp)
        if tp is Any:
            return "any"
        if tp is None or tp is type(None):
            return "null"
        if isinstance(tp, typing.TypeVar):
            return "unknown"
        if isinstance(tp, typing.NewType):
            return self.ts(tp.__supertype__, mode)
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is Literal:
            return " | ".join(_literal(a) for a in args)
        if origin is typing.Union or isinstance(tp, types.UnionType):
            return " | ".join(dict.fromkeys(self.ts(a, mode) for a in args))
        if origin in (dict, Mapping, typing.MutableMapping) or tp in (dict, Mapping):
            key = self.ts(args[0], mode) if args else "string"
            value = self.ts(args[1], mode) if len(args) > 1 else "any"  # a bare dict is dict[Any, Any]
            return f"Record<{key if key not in ('number', 'any', 'unknown') else 'string'}, {value}>"
        if origin is tuple and args and args[-1] is not Ellipsis:
            return "[" + ", ".join(self.ts(a, mode) for a in args if a != ()) + "]"
        if origin in _SEQUENCES or tp in _SEQUENCES:
            item = self.ts(args[0], mode) if args else "any"
            return f"({item})[]" if " " in item else f"{item}[]"
        if _is_named(tp):
            return self.name_of(tp, mode)
        if origin is not None and _is_named(origin):
            return self.name_of(origin, mode)
        return _scalar(tp)

    def name_of(self, tp: type, mode: Mode) -> str:
        """The declared name of a model in a mode; an input reading identical to the output shares its name."""
        if issubclass(tp, enum.Enum):
            mode = "output"  # the same values either way
        key = (tp, mode)
        if key in self.names:
            return self.names[key]
        base = re.sub(r"\W+", "_", tp.__name__).strip("_") or "Model"
        if mode == "input":
            output = self.name_of(tp, "output")
            name = self.fresh(base + "Input")
            self.names[key] = name
            text = self.declare(tp, name, mode)
            if text.replace(name, output, 1) == self.named[output]:
                self.names[key] = output
                self.taken.discard(name)
                return output
            self.named[name] = text
            return name
        self.names[key] = name = self.fresh(base)
        self.named[name] = ""  # keeps its place: models come out in the order they were met
        self.named[name] = self.declare(tp, name, mode)
        return name

    def fresh(self, base: str) -> str:
        name = base if base not in self.reserved else base + "Model"
        candidate, n = name, 2
        while candidate in self.taken or candidate in self.reserved:
            candidate, n = f"{name}{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def declare(self, tp: type, name: str, mode: Mode) -> str:
        doc = _doc(tp)
        if issubclass(tp, enum.Enum):
            return f"{doc}export type {name} = {' | '.join(_literal(m.value) for m in tp) or 'never'}\n"
        if _is_root_model(tp):
            return f"{doc}export type {name} = {self.ts(tp.model_fields['root'].annotation, mode)}\n"
        lines = []
        for key, annotation, optional, description in _fields(tp, mode):
            if description:
                lines.append(f"  /** {_comment(description)} */")
            lines.append(f"  {_key(key)}{'?' if optional else ''}: {self.ts(annotation, mode)}")
        return f"{doc}export interface {name} {{\n" + "".join(line + "\n" for line in lines) + "}\n"


Field = tuple[str, Any, bool, str]  # (JSON key, annotation, optional, description)


def _fields(tp: type, mode: Mode) -> list[Field]:
    """The JSON keys of a model, TypedDict or dataclass, as sent (output) or accepted (input)."""
    if hasattr(tp, "model_fields"):
        found: list[Field] = []
        for name, info in tp.model_fields.items():
            if mode == "output" and info.exclude:
                continue
            key = (info.validation_alias if isinstance(info.validation_alias, str) else info.alias or name) \
                if mode == "input" else (info.serialization_alias or info.alias or name)  # dumped by alias
            found.append((key, info.annotation, mode == "input" and not info.is_required(), info.description or ""))
        if mode == "output":
            for name, computed in getattr(tp, "model_computed_fields", {}).items():
                found.append((computed.alias or name, computed.return_type, False, computed.description or ""))
        return found
    hints = _hints(tp)
    if _is_typeddict(tp):
        required = getattr(tp, "__required_keys__", frozenset(hints))
        return [(k, v, not _required(v, k in required), "") for k, v in hints.items()]
    if dataclasses.is_dataclass(tp):
        return [(f.name, hints.get(f.name, Any), mode == "input" and (
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING), "")
            for f in dataclasses.fields(tp) if f.init or mode == "output"]
    return []


def _required(annotation: Any, default: bool) -> bool:
    """``Required[...]``/``NotRequired[...]`` as written (string annotations hide them from TypedDict)."""
    qualifier = getattr(typing.get_origin(annotation), "_name", "")
    return True if qualifier == "Required" else False if qualifier == "NotRequired" else default


def _hints(tp: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(tp, include_extras=True)
    except Exception:  # noqa: BLE001 - an unresolvable forward reference: its fields are read as written
        return dict(getattr(tp, "__annotations__", {}))


def _is_root_model(tp: type) -> bool:
    return bool(getattr(tp, "__pydantic_root_model__", False))


def _is_named(tp: Any) -> bool:
    return isinstance(tp, type) and (
        hasattr(tp, "model_fields") or _is_typeddict(tp) or dataclasses.is_dataclass(tp) or issubclass(tp, enum.Enum))


def _strip(tp: Any) -> Any:
    """Annotated[T, ...] and typing.Required/NotRequired/ReadOnly -> T."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = tp.__origin__
        elif origin is not None and getattr(origin, "_name", "") in ("Required", "NotRequired", "ReadOnly"):
            tp = typing.get_args(tp)[0]
        else:
            return tp


def _scalar(tp: Any) -> str:
    if not isinstance(tp, type):
        return "unknown"
    if issubclass(tp, bool):
        return "boolean"
    if issubclass(tp, (int, float)):
        return "number"
    if issubclass(tp, decimal.Decimal):
        return "string"  # pydantic writes Decimal as a string in JSON
    if issubclass(tp, _STRINGS):
        return "string"
    if tp is object:
        return "unknown"
    if tp.__module__.startswith("pydantic"):  # EmailStr, HttpUrl, SecretStr...: strings in JSON
        return "string"
    return "unknown"


def _literal(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    return json.dumps(value)


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else json.dumps(key)


def _comment(text: str) -> str:
    return " ".join(text.replace("*/", "* /").split())


def _doc(tp: type) -> str:
    doc = tp.__doc__ if tp.__doc__ and tp.__doc__ is not getattr(tp.__mro__[1], "__doc__", None) else ""
    if not doc or doc.startswith(f"{tp.__name__}(") or (dataclasses.is_dataclass(tp) and doc.startswith(tp.__name__)):
        return ""
    first = doc.strip().split("\n\n")[0]
    return f"/** {_comment(first)} */\n"
