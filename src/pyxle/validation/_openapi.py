"""OpenAPI 3.1 pieces from handler signatures: parameters, bodies, responses, shared schemas.

Callers list the operations (path, method, signature); this module knows nothing of routes.
Model schemas come from pydantic (``_schema``, shared with the TypeScript types), only for handlers that are typed: what a
handler reads in validation mode, what it answers in serialization mode (keys by alias, as sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count
from typing import Any, Literal

from pyxle.validation._describe import (
    REQUIRED,
    Param,
    Signature,
    answer_type,
    holds_upload,
    is_structured,
    never_an_object,
)
from pyxle.validation._schema import Schemas

REF = "#/components/schemas/{model}"
ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
VALIDATION_ERROR = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean", "const": False},
        "error": {"type": "string"},
        "fields": {
            "type": "object",
            "description": 'Field path ("title", "items.0.qty", "__root__" for the whole body) -> messages.',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["error", "fields"],
}
ACTION_RESULT = {"type": "object", "properties": {"ok": {"type": "boolean", "const": True}}, "required": ["ok"],
                 "additionalProperties": True}
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Operation:
    path: str  # OpenAPI template: /api/users/{id}
    method: str  # lower case
    signature: Signature | None  # None: the handler takes only the request
    path_params: tuple[str, ...] = ()
    summary: str = ""
    kind: Literal["api", "action"] = "api"
    allow: tuple[str, ...] = ()  # what a 405 lists


def document(operations: Iterable[Operation], *, title: str = "Pyxle API", version: str = "0.1.0") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    schemas = Schemas(REF)
    paths: dict[str, dict[str, Any]] = {}
    ops = list(operations)
    for op, operation_id in zip(ops, _operation_ids(ops), strict=True):
        paths.setdefault(op.path, {})[op.method] = _operation(op, operation_id, schemas)
    return {"openapi": "3.1.0", "info": {"title": title, "version": version}, "paths": paths,
            "components": {"schemas": dict(sorted({"Error": ERROR, "ValidationError": VALIDATION_ERROR,
                                                   **schemas.generate()}.items()))}}


def _operation(op: Operation, operation_id: str, schemas: Schemas) -> dict[str, Any]:
    signature = op.signature
    params = signature.params if signature else ()
    typed_path = {p.name for p in params if p.source == "path"}
    parameters = [_parameter(p, schemas) for p in params if p.source != "body"]
    parameters += [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                   for name in op.path_params if name not in typed_path]
    result: dict[str, Any] = {"operationId": operation_id, "tags": ["actions" if op.kind == "action" else "api"]}
    if op.summary:
        result["summary"] = op.summary
    if parameters:
        result["parameters"] = sorted(parameters, key=lambda p: (p["in"] != "path", p["name"]))
    body = signature.body if signature else None
    if body is not None:
        schema = schemas.of(body.annotation, "validation")
        result["requestBody"] = {"required": body.required,
                                 "content": {media: {"schema": schema} for media in _media(body.annotation)}}
    responses: dict[str, Any] = {"200": _ok(op, signature, schemas)}
    if signature is not None and (params or op.kind == "action"):
        responses["422"] = _json("Input that does not match the annotations", {"$ref": REF.format(model="ValidationError")})
    if op.kind == "action":
        responses["400"] = _json("An ActionError", {"$ref": REF.format(model="Error")})
        responses["403"] = _json("Missing or invalid CSRF token", {"$ref": REF.format(model="Error")})
    else:
        responses["405"] = {**_json("Method not allowed", {"$ref": REF.format(model="Error")}),
                            "headers": {"Allow": {"schema": {"type": "string"}, "description": ", ".join(op.allow)}}}
    result["responses"] = responses
    return result


def _ok(op: Operation, signature: Signature | None, schemas: Schemas) -> dict[str, Any]:
    returns = answer_type(signature.returns) if signature else REQUIRED
    if op.kind == "action":
        if returns is not REQUIRED and is_structured(returns):
            schema = {"allOf": [ACTION_RESULT, schemas.of(returns, "serialization")]}
        else:
            schema = ACTION_RESULT
        return _json("The action's result", schema)
    if returns is not REQUIRED and is_structured(returns):
        return _json("OK", schemas.of(returns, "serialization"))
    return {"description": "OK"}


def _media(annotation: Any) -> tuple[str, ...]:
    """What a body may be sent as: a form is read as an object, so a body that is never one
    (``list[Item]``) is JSON only; an upload comes only in a multipart form."""
    if never_an_object(annotation):
        return ("application/json",)
    if holds_upload(annotation):
        return ("multipart/form-data",)
    return ("application/json", *_FORMS)


def _parameter(param: Param, schemas: Schemas) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": param.alias, "in": param.source, "required": param.required or param.source == "path",
                             "schema": schemas.of(param.annotation, "validation")}
    if param.many and param.source == "query":
        entry["style"], entry["explode"] = "form", True
    return entry


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation_ids(operations: list[Operation]) -> list[str]:
    """Each operation's id, unique as the spec requires: ``users/[id]`` and ``users/id`` (or ``a-b``
    and ``a_b``) read alike, so the first in order keeps its id and the next takes the first
    ``_2``, ``_3`` that no operation has (an id that is not shared never changes)."""
    wanted = [_operation_id(op) for op in operations]
    taken = set(wanted)  # a suffixed id must not be one an operation later in order has
    given: set[str] = set()
    ids = []
    for name in wanted:
        unique = name if name not in given else next(f"{name}_{n}" for n in count(2) if f"{name}_{n}" not in taken)
        taken.add(unique)
        given.add(unique)
        ids.append(unique)
    return ids


def _operation_id(op: Operation) -> str:
    words = [w for w in op.path.replace("{", "").replace("}", "").replace("-", "_").split("/") if w]
    return "_".join([op.method, *words]) if op.kind == "api" else "action_" + "_".join(words[2:])
