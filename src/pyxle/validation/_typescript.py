"""Python annotations -> TypeScript declarations, for the JSON a client sends or receives.

Read from pydantic's JSON Schemas (``_schema``, which the OpenAPI document uses too): what Pyxle
sends (``output``: loader data, action results) in serialization mode, so serializers are followed
(``PlainSerializer``, ``@field_serializer``, ``@model_serializer``, ``ser_json_timedelta``) and every
field is present, named as dumped (by alias); what a typed body accepts (``input``) in validation
mode: fields with a default are optional, validation aliases win. Named schemas (models,
TypedDicts, dataclasses, enums) become their own exported declarations; a pydantic ``RootModel``
is a type alias of its root, which is what it dumps to. Needs pydantic (the ``validation`` extra).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from pyxle.validation._schema import UNKNOWN, UPLOAD, Schemas

_REF = "#/$defs/{model}"
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
# What the declarations name besides their own types: TypeScript's ``Record``, the DOM's ``File`` (an
# upload), and the type keywords, which no interface may be named. A model so named would be read in
# their place (a ``File`` model as an upload field's type), so it is declared as ``<Name>Model``.
_TS_NAMES = frozenset({"Record", "File", "any", "unknown", "never", "string", "number", "boolean", "null",
                       "undefined", "object", "symbol", "bigint", "void"})


def typescript(declarations: Mapping[str, Any], *, inputs: Collection[str] = (),
               reserved: Collection[str] = ()) -> str:
    """``export type`` for each name -> annotation, and an ``export interface`` per named type used.

    A nested mapping (not a type) becomes an object type: ``{"save": {"body": Post}}``. Dotted
    paths listed in ``inputs`` ("Actions.save.body") are read as request input. ``reserved``: names
    the caller declares itself next to these, which a model so named must not take (TypeScript
    would merge the two interfaces); the TypeScript types the declarations use (``Record``, ``File``)
    are too.
    """
    schemas = Schemas(_REF, for_types=True)
    wanted = _wanted(declarations, "", frozenset(inputs), schemas)
    writer = _Writer(schemas.generate(), wanted, reserved={*_TS_NAMES, *declarations, *reserved})
    aliases = [(name, writer.entry(value, name, "")) for name, value in declarations.items()]
    writer.outputs()
    out = list(writer.named.values())
    out += [f"export type {name} = {text}\n" for name, text in aliases if text != name]
    return "\n".join(out)


def _wanted(value: Mapping[str, Any], path: str, inputs: frozenset[str], schemas: Schemas) -> dict[str, Any]:
    """Dotted path -> its schema (filled in by ``schemas.generate``), for every annotation in ``value``."""
    found: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if isinstance(item, Mapping):
            found.update(_wanted(item, where, inputs, schemas))
        elif where in inputs:
            found[where] = schemas.of(item, "validation")
            schemas.of(item, "serialization")  # so a model read otherwise than it is sent is named apart
        else:
            found[where] = schemas.of(item, "serialization")
    return found


class _Writer:
    def __init__(self, defs: dict[str, Any], wanted: dict[str, Any], reserved: set[str]) -> None:
        self.defs = defs
        self.wanted = wanted
        self.reserved = reserved
        self.names: dict[str, str] = {}  # schema name (``Post-Input``) -> its declared name
        self.named: dict[str, str] = {}  # declared name -> declaration text
        self.taken: set[str] = set()
        # the names types take as they are: a name made to tell two types apart (``Item2``, ``FileModel``)
        # skips these, so a type whose own name is unique keeps it
        self.own = {base for base in map(self.base, defs) if base not in reserved}

    def entry(self, value: Any, path: str, indent: str) -> str:
        if isinstance(value, Mapping):
            if not value:
                return "{}"
            inner = indent + "  "
            fields = [f"{inner}{_key(k)}: {self.entry(v, f'{path}.{k}', inner)}" for k, v in value.items()]
            return "{\n" + "\n".join(fields) + f"\n{indent}}}"
        schema = self.wanted[path]
        ref = _ref(schema)
        if ref is not None and ref not in self.names and path in self.reserved and self.base(ref) == path:
            self.names[ref] = path  # a declaration named like its model is that model
            self.taken.add(path)
            self.named[path] = ""  # keeps its place ahead of the models it refers to
            self.named[path] = self.declare(ref, path)
            return path
        return self.ts(schema)

    def ts(self, schema: Any) -> str:
        if schema is False:  # JSON Schema's "no value": ``additionalProperties: false`` of an empty object
            return "never"
        if not isinstance(schema, dict) or schema.get(UNKNOWN):
            return "unknown" if schema is not True else "any"
        if schema.get(UPLOAD):
            return "File"
        ref = schema.get("$ref")
        if ref is not None:
            return self.name_of(ref.rsplit("/", 1)[-1])
        if "const" in schema:
            return _literal(schema["const"])
        if "enum" in schema:
            return " | ".join(_literal(v) for v in schema["enum"]) or "never"
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema and (key != "allOf" or len(schema[key]) == 1):
                return " | ".join(dict.fromkeys(self.ts(part) for part in schema[key]))
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(dict.fromkeys(self.ts({**schema, "type": k}) for k in kind))
        if kind == "array":
            if "prefixItems" in schema or schema.get("maxItems") == 0:
                return "[" + ", ".join(self.ts(item) for item in schema.get("prefixItems", ())) + "]"
            item = self.ts(schema.get("items", True))
            return f"({item})[]" if " " in item else f"{item}[]"
        if kind == "object":
            if "properties" in schema:
                return "{ " + "; ".join(self.fields(schema)) + " }"
            names = schema.get("propertyNames", {})
            key = self.ts(names) if "enum" in names or "const" in names else "string"
            return f"Record<{key}, {self.ts(schema.get('additionalProperties', True))}>"
        return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
                "null": "null"}.get(kind, "any")  # no type: any JSON (``Any``, ``object``)

    def fields(self, schema: dict[str, Any], indent: str = "") -> list[str]:
        required = set(schema.get("required", ()))
        lines = []
        for key, value in schema["properties"].items():
            if indent and isinstance(value, dict) and value.get("description"):
                lines.append(f"{indent}/** {_comment(value['description'])} */")
            lines.append(f"{indent}{_key(key)}{'' if key in required else '?'}: {self.ts(value)}")
        if schema.get("additionalProperties", False) is not False:
            # extra keys are sent (``extra="allow"``); ``unknown``, as an index signature must admit every field's type
            lines.append(f"{indent}[key: string]: unknown")
        return lines

    def base(self, ref: str) -> str:
        """A named schema's declared name before it is made unique: its type's name (the title pydantic
        gives it), ``<Name>Input`` for the input reading of a type read differently both ways."""
        title = self.defs.get(ref, {}).get("title") or ref.removesuffix("-Input").removesuffix("-Output")
        base = re.sub(r"\W+", "_", title).strip("_") or "Model"
        return base + "Input" if ref.endswith("-Input") else base

    def name_of(self, ref: str) -> str:
        if ref in self.names:
            return self.names[ref]
        self.names[ref] = name = self.fresh(self.base(ref))
        self.named[name] = ""  # keeps its place: types come out in the order they were met
        self.named[name] = self.declare(ref, name)
        return name

    def outputs(self) -> None:
        """Declare the output reading of each model declared as ``<Name>Input``: a model is an
        interface of its own name (docs/types.md), also when only a body uses it."""
        for ref in [ref for ref in self.names if ref.endswith("-Input")]:
            output = ref.removesuffix("-Input") + "-Output"
            if output in self.defs:
                self.name_of(output)

    def fresh(self, base: str) -> str:
        name = base if base not in self.reserved else base + "Model"
        candidate, n = name, 2
        while candidate in self.taken or candidate in self.reserved or (candidate != base and candidate in self.own):
            candidate, n = f"{name}{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def declare(self, ref: str, name: str) -> str:
        schema = self.defs[ref]
        doc = _doc(schema.get("description", ""))
        if schema.get("type") == "object" and "properties" in schema:
            lines = self.fields(schema, "  ")
            return f"{doc}export interface {name} {{\n" + "".join(line + "\n" for line in lines) + "}\n"
        return f"{doc}export type {name} = {self.ts(schema)}\n"


def _ref(schema: dict[str, Any]) -> str | None:
    """The named schema that ``schema`` is exactly, if it is one."""
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and len(schema) == 1 else None


def _literal(value: Any) -> str:
    return json.dumps(value)


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else json.dumps(key)


def _comment(text: str) -> str:
    return " ".join(text.replace("*/", "* /").split())


def _doc(description: str) -> str:
    first = description.strip().split("\n\n")[0]
    return f"/** {_comment(first)} */\n" if first else ""
