"""JSON Schemas of annotations, from pydantic: the one source of the OpenAPI document's schemas and
of the generated TypeScript types.

What a handler reads is described in pydantic's validation mode, what it sends in serialization mode
(keys by alias, serializers applied: ``PlainSerializer``, ``@field_serializer``, ``@model_serializer``,
``ser_json_timedelta``), so neither can say one shape while the server writes another.
"""

from __future__ import annotations

import re
from typing import Any, Literal

Mode = Literal["validation", "serialization"]

# The key a schema carries when pydantic cannot say what is written: a serializer function without a
# return annotation (its output is whatever it returns). OpenAPI shows it as ``{}`` (any JSON).
UNKNOWN = "x-pyxle-unknown"
UPLOAD = "x-pyxle-upload"  # for the types: an ``UploadFile`` read from a form, the browser's ``File``
# A route file's module is named by its path (``pages.api.orders.[id]``, ``pages.api.[shop].items``):
# a ``[param]`` between two dots is a folder or file, not a generic's arguments.
_ROUTE_SEGMENT = re.compile(r"(?<=\.)\[{1,2}(?:\.\.\.)?[^.\][,:]+\]{1,2}(?=\.)")


class Schemas:
    """Every schema wanted, generated in one pydantic call once all are known, so that a model is one
    named schema when it reads what it sends, and ``Model-Input``/``Model-Output`` when not.

    ``for_types`` is the reading of the TypeScript types: in serialization mode every field of a
    model or dataclass is required, since Pyxle dumps defaults too (a ``TypedDict``'s ``NotRequired``
    key stays optional), and a type pydantic cannot describe is ``UNKNOWN`` rather than an error.
    """

    def __init__(self, ref_template: str, *, for_types: bool = False) -> None:
        self.ref_template = ref_template
        self.for_types = for_types
        self.wanted: list[tuple[dict[str, Any], Any, Mode]] = []

    def of(self, annotation: Any, mode: Mode) -> dict[str, Any]:
        """A schema filled in by ``generate`` (it is the object placed in the document)."""
        schema: dict[str, Any] = {}
        self.wanted.append((schema, annotation, mode))
        return schema

    def generate(self) -> dict[str, Any]:
        """Fill in every schema handed out; return the named ones (by name)."""
        if not self.wanted:
            return {}
        from pydantic import PydanticUserError, TypeAdapter

        inputs = []
        for index, (schema, annotation, mode) in enumerate(self.wanted):
            try:
                inputs.append((index, mode, TypeAdapter(annotation)))
            except PydanticUserError as exc:  # a class pydantic cannot validate (an action's result may be one)
                schema.update(self.not_described(annotation, exc))
        try:
            found, named = self.json_schemas(inputs)
        except Exception:  # noqa: BLE001 - one type's failure must not take every other schema with it
            kept = []
            for item in inputs:
                try:
                    self.json_schemas([item])
                    kept.append(item)
                except Exception as exc:  # noqa: BLE001 - that one is left out, with a note
                    self.wanted[item[0]][0].update(self.not_described(self.wanted[item[0]][1], exc))
            found, named = self.json_schemas(kept)
        for index, mode, _ in inputs:
            self.wanted[index][0].update(found.get((index, mode), {}))
        return named.get("$defs", {})

    def json_schemas(self, inputs: list[Any]) -> tuple[dict[Any, Any], dict[str, Any]]:
        from pydantic import TypeAdapter

        if not inputs:
            return {}, {}
        return TypeAdapter.json_schemas(inputs, ref_template=self.ref_template,
                                        schema_generator=generator(for_types=self.for_types))

    def not_described(self, annotation: Any, exc: Exception) -> dict[str, Any]:
        """The schema of a type pydantic cannot describe: any JSON, and in the OpenAPI document a note
        naming the type and why (the rest of the document is generated as usual)."""
        if self.for_types:
            return {UNKNOWN: True}
        reason = str(exc).split("\n", 1)[0]
        return {"description": f"Not described: {_shown(annotation)} has no JSON Schema ({reason})"}


def generator(*, for_types: bool = False) -> type:
    """pydantic's schema generator, with Pyxle's readings (see ``Schemas``)."""
    from pydantic.json_schema import CoreModeRef, DefsRef, GenerateJsonSchema

    unknown = {UNKNOWN: True} if for_types else {}

    class PyxleSchemas(GenerateJsonSchema):
        def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
            """A model of a ``[param]`` route file is named as any other (``Order``): pydantic reads
            brackets in a type's reference as a generic's, so the module path stayed in the name."""
            core_ref, mode = core_mode_ref
            plain = _ROUTE_SEGMENT.sub(lambda m: re.sub(r"\W", "_", m.group()), core_ref)
            return super().get_defs_ref((plain, mode))

        def ser_schema(self, schema: Any) -> Any:
            """A serializer function without a return annotation writes what it returns: no shape is
            known (pydantic would describe the input's, which is not what is sent)."""
            if schema.get("type") in ("function-plain", "function-wrap") and schema.get("return_schema") is None \
                    and not getattr(schema.get("function"), "__module__", "").startswith("pydantic"):
                return dict(unknown)  # pydantic's own (a Sequence's, a Path's) keep its reading
            return super().ser_schema(schema)

        def field_is_required(self, field: Any, total: bool) -> bool:
            if for_types and self.mode == "serialization" and field["type"] != "typed-dict-field":
                return field.get("serialization_exclude_if") is None
            return super().field_is_required(field, total)

        def field_is_present(self, field: Any) -> bool:
            if for_types and self.mode == "validation" and field.get("init") is False:
                return False  # a dataclass field(init=False) is never read from the body
            return super().field_is_present(field)

        def is_instance_schema(self, schema: Any) -> Any:
            """An upload (``UploadFile``, read from a multipart form) is a binary string, as FastAPI
            documents it, and to the types the ``File`` a form's file input holds (what is sent of
            one is not known); another class allowed by ``arbitrary_types_allowed`` is any JSON, with a note."""
            if for_types:
                return {UPLOAD: True} if self.mode == "validation" and _is_upload(schema["cls"]) else dict(unknown)
            if _is_upload(schema["cls"]):
                return {"type": "string", "format": "binary"}
            return {"description": f"Not described: {_shown(schema['cls'])} has no JSON Schema"}

        def handle_invalid_for_json_schema(self, schema: Any, error_info: str) -> Any:
            if for_types:
                return dict(unknown)
            return {"description": f"Not described: {error_info} has no JSON Schema"}

    return PyxleSchemas


def _is_upload(cls: Any) -> bool:
    from starlette.datastructures import UploadFile

    return isinstance(cls, type) and issubclass(cls, UploadFile)


def _shown(tp: Any) -> str:
    """A type as the user wrote it: ``models.Opaque``, ``list[models.Item]``."""
    return f"{tp.__module__}.{tp.__qualname__}" if isinstance(tp, type) else str(tp)
