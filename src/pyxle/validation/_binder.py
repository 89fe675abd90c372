"""Reading a handler's typed parameters from a request, with pydantic (imported here only)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import math
from collections.abc import Callable, Collection, Iterable
from functools import cached_property
from typing import Any

from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from pyxle.validation._describe import REQUIRED, Param, Signature, holds_upload
from pyxle.validation._errors import (
    MAX_ERRORS,
    ROOT,
    InvalidInput,
    MissingExtra,
    check_depth,
    field_errors,
    shortened,
)
from pyxle.validation._finite import MESSAGE as NOT_FINITE
from pyxle.validation._finite import Check, finite_check, first_non_finite, non_finite
from pyxle.validation._forms import blank_keys, float_fields, form_fields, is_form, is_json, list_keys, one_keys

try:
    from pydantic import TypeAdapter, ValidationError
    from pydantic_core import SchemaValidator
except ImportError:  # pragma: no cover - exercised by the missing-extra test in a venv without it
    TypeAdapter = ValidationError = SchemaValidator = None  # type: ignore[assignment,misc]

_NO_ERRORS: dict[str, list[str]] = {}
_BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, which json.loads (and so request.json()) skips too
FULL_REPORT_BYTES = 64 * 1024  # a longer JSON body is validated failing fast: a list stops at its first bad item
_LISTABLE = 10_000  # past this many errors pydantic's list of them is not built (seconds of a blocked loop)
_SEQUENCES = frozenset({"list", "tuple", "set", "frozenset", "dict"})
# pydantic 2.11 reads a model's fields by name as well as by alias when asked (``by_name``); before, by alias only.
_BY_NAME = {"by_name": True} if TypeAdapter is not None and "by_name" in inspect.signature(
    TypeAdapter.validate_python).parameters else {}


def require_pydantic() -> None:
    if TypeAdapter is None:
        raise MissingExtra("typed parameters need pydantic, which is not installed")


def adapter(annotation: Any) -> Any:
    """A pydantic ``TypeAdapter`` for the annotation (raises ``TypeError`` for a type it cannot validate,
    with pydantic's first line, which names the type and the fix; the rest is about its own hooks)."""
    require_pydantic()
    try:
        return TypeAdapter(annotation)
    except Exception as exc:  # pydantic's PydanticSchemaGenerationError and friends
        reason = str(exc).strip().split("\n", 1)[0]
        raise TypeError(f"{annotation!r} cannot be validated: {reason}") from exc


class BodyReader:
    """One body type: JSON (depth-checked, then parsed and validated in one pydantic call) or a form
    (its list-typed fields known from the annotation, so a key sent once is a list of one)."""

    def __init__(self, annotation: Any, *, ignore_form_keys: Collection[str] = (), default: Any = REQUIRED,
                 any_type: bool = False) -> None:
        """``default``: what no body at all gives (``body: Post | None = None``), as FastAPI passes it.
        ``any_type``: read JSON whatever the ``Content-Type`` (an action's: its CSRF token keeps other
        sites out, and a ``fetch`` without headers sends ``text/plain``)."""
        self.adapter = adapter(annotation)
        self.floats = finite_check(annotation)
        self.ignore = frozenset(ignore_form_keys)
        self.many = list_keys(annotation)
        self.last = one_keys(annotation)  # sent twice: the last value, as 0.9's Form (Object.fromEntries)
        self.blank = blank_keys(annotation)  # posted empty where "" is invalid: not sent (FastAPI's Form() too)
        self.default = default
        self.fresh_default = fresh(default)
        self.any_type = any_type
        self.float_types = float_fields(annotation) if self.floats is not None else {}
        self.float_keys = frozenset(self.float_types)

    async def read(self, request: Request) -> Any:
        if self.default is not REQUIRED and request.headers.get("content-length") == "0":
            return self.fresh_default()
        kind = request.headers.get("content-type", "")
        if is_form(kind):
            return self.validate(form_fields(await _form_items(request), skip=self.ignore, many=self.many,
                                             last=self.last, blank=self.blank))
        if kind and not self.any_type and not is_json(kind):  # text/plain: what another site may send without a preflight
            shown = shortened(kind.partition(";")[0].strip())
            raise InvalidInput({ROOT: [f"Content-Type {shown} is not JSON or a form; send application/json"]})
        body = (await request.body()).removeprefix(_BOM)
        if not body or body.isspace():
            if self.default is not REQUIRED:
                return self.fresh_default()
            raise InvalidInput({ROOT: ["Request body is empty; expected JSON"]})
        check_depth(body)
        validator = self.adapter if len(body) <= FULL_REPORT_BYTES else self.fail_fast
        try:
            value = validator.validate_json(body)
        except ValidationError as exc:
            fields = reported(exc)
            if self.floats is not None and validator is self.adapter:
                fields = _add(fields, _unseen(fields, _json_non_finite(body, self.float_keys, self.float_fields,
                                                                       fields)))
            raise InvalidInput(fields) from None
        return finite(value, self.floats)

    def validate(self, data: Any) -> Any:
        try:
            value = self.adapter.validate_python(data)
        except ValidationError as exc:
            fields = reported(exc)
            if self.float_keys and isinstance(data, dict):
                fields = _add(fields, _unseen(fields, _form_non_finite(data, self.float_keys)))
            raise InvalidInput(fields) from None
        return finite(value, self.floats)

    @cached_property
    def float_fields(self) -> dict[str, Any]:
        """A validator per field that can hold a float, for its value alone (built on the first JSON
        body that fails): pydantic reads ``"inf"`` as a float, which only a validated value shows."""
        found = {}
        for key, annotation in self.float_types.items():
            try:
                found[key] = TypeAdapter(annotation)
            except Exception:  # noqa: BLE001, S112 - a type pydantic cannot validate alone (a forward reference): not looked into
                continue
        return found

    @cached_property
    def fail_fast(self) -> Any:
        """The annotation's validator with every list, tuple, set and dict stopping at its first
        invalid item: a 10 MiB body of 3.4 million ``{}`` made pydantic build 6.8 million errors,
        seconds of a blocked event loop (``_use_prebuilt=False``: else a model's own validator, not
        failing fast, would be reused)."""
        try:
            return SchemaValidator(_failing_fast(self.adapter.core_schema), _use_prebuilt=False)
        except Exception:  # noqa: BLE001 - a pydantic-core without that switch or fail_fast: the plain one
            return self.adapter


class Binder:
    """Built once per handler: ``await binder(request)`` is the keyword arguments, or ``InvalidInput``."""

    def __init__(self, signature: Signature, *, ignore_form_keys: Collection[str] = ()) -> None:
        require_pydantic()
        self._simple: list[tuple[Param, Any, Callable[[Request], Any], Check | None, Callable[[], Any]]] = [
            (p, check, _getter(p), finite_check(p.annotation), fresh(p.default))
            for p in signature.params if p.source != "body" for check in (_checked_adapter(p),)
        ]
        body = signature.body
        self._body = (body.name, BodyReader(body.annotation, ignore_form_keys=ignore_form_keys,
                                            default=body.default)) if body else None

    async def __call__(self, request: Request) -> dict[str, Any]:
        values: dict[str, Any] = {}
        errors = _NO_ERRORS
        for param, check, get, floats, default in self._simple:
            raw = get(request)
            if raw is None or raw == []:
                if param.default is REQUIRED:
                    errors = _add(errors, {param.alias: ["Field required"]})
                else:
                    values[param.name] = default()
                continue
            try:
                value = check.validate_python(raw)
                values[param.name] = finite(value, floats, (param.alias,))
            except ValidationError as exc:
                errors = _add(errors, reported(exc, (param.alias,)))
            except InvalidInput as exc:
                errors = _add(errors, exc.fields)
        if self._body is not None:
            name, reader = self._body
            try:
                values[name] = await reader.read(request)
            except InvalidInput as exc:
                errors = _add(errors, exc.fields)
        if errors:
            raise InvalidInput(errors)
        return values


class Output:
    """A return annotation, as FastAPI's ``response_model``: the result is validated, then dumped in JSON mode.

    In ``pyxle serve`` as in ``pyxle dev``: dumping a plain dict (a database row) without validating
    it first sent it as it was, a field marked ``exclude=True`` (a password hash) and keys the
    annotation does not name included, defaults left out; pydantic's warning about it then wrote
    the whole value into the log. Validated, excluded fields are dropped, defaults filled in, and
    aliases and serialisers applied (``datetime`` as its ISO string). Models are dumped by alias,
    as FastAPI sends them (``response_model_by_alias``) and as the OpenAPI document and the
    generated TypeScript types describe them.

    A result that does not match is ``OutputMismatch`` naming the fields, never their values (the
    app answers 500: with the message in dev, the generic body in production, where it is logged).
    An infinity or NaN is a server error naming where it is: ``mode="json"`` would write ``null``.
    """

    def __init__(self, annotation: Any) -> None:
        self.adapter = adapter(annotation)
        self.floats = finite_check(annotation)  # the validated value is of the annotation's type

    def dump(self, result: Any) -> Any:
        try:
            value = self.adapter.validate_python(result, from_attributes=True)
        except ValidationError as exc:
            value = self._as_fastapi_reads(result, exc)
        if self.floats is not None and self.floats(value):
            raise ValueError(f"the response holds an infinity or NaN at {first_non_finite(value)}, "
                             "which JSON cannot carry")
        # No warnings: a model instance changed after it was built (``user.name = 5``) is not validated
        # again, and pydantic's warning about it quoted the value into the log (a secret, as often).
        return self.adapter.dump_python(value, mode="json", by_alias=True, warnings=False)

    def _as_fastapi_reads(self, result: Any, exc: Any) -> Any:
        """A result another model, dataclass or object holds, read again as FastAPI reads it: models
        and dataclasses as dicts (a ``TypedDict`` annotation takes no attributes), keys by field name
        or alias (``full_name`` of a dataclass for ``Field(alias="fullName")``); else ``exc``'s fields."""
        plain = _plain(result)
        if plain is result and not _BY_NAME:
            raise OutputMismatch(reported(exc)) from None
        try:
            return self.adapter.validate_python(plain, from_attributes=True, **_BY_NAME)
        except ValidationError:
            raise OutputMismatch(reported(exc)) from None


class OutputMismatch(TypeError):
    """A result that does not match its return annotation; ``fields`` maps dotted paths to messages
    (pydantic's, which never quote the input)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(f"the response does not match its return annotation: {fields}")
        self.fields = fields


def fresh(default: Any) -> Callable[[], Any]:
    """What gives each request the default: a deep copy of a mutable one (``[]``, ``{}``), as FastAPI
    passes it, so what one request appends to it never reaches the next; an immutable one as it is."""
    try:
        shared = copy.deepcopy(default) is default  # None, numbers, strings, tuples of them: no copy to make
    except Exception:  # noqa: BLE001 - a default that cannot be copied (a lock): shared, as Python shares it
        shared = True
    return (lambda: default) if shared else (lambda: copy.deepcopy(default))


def reported(exc: Any, prefix: tuple[Any, ...] = ()) -> dict[str, list[str]]:
    """pydantic's errors as ``fields``, the first ``MAX_ERRORS`` of them: ``errors()`` builds the whole
    list at once, holding the GIL, so past ``_LISTABLE`` errors only their number is given."""
    count = exc.error_count()
    if count > _LISTABLE:
        return {ROOT: [f"{count} errors, too many to list"]}
    return field_errors(exc.errors(include_url=False)[:MAX_ERRORS], prefix, count)


def _plain(value: Any) -> Any:
    """``value`` with its models and dataclasses made dicts (models by alias, as FastAPI's
    ``_prepare_response_content``), in lists, tuples, sets and dict values too; itself when it holds none."""
    if hasattr(type(value), "model_dump") and hasattr(type(value), "model_fields"):
        return value.model_dump(by_alias=True, warnings=False)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(item) for item in value]
        changed = any(a is not b for a, b in zip(items, value, strict=False))
        return type(value)(items) if changed and not hasattr(value, "_fields") else value
    if isinstance(value, dict):
        found = {key: _plain(item) for key, item in value.items()}
        return found if any(found[key] is not item for key, item in value.items()) else value
    return value


def _failing_fast(schema: Any) -> Any:
    """A copy of a pydantic-core schema whose collections set ``fail_fast`` (its leaves shared)."""
    if isinstance(schema, dict):
        copy = {key: _failing_fast(value) for key, value in schema.items()}
        if copy.get("type") in _SEQUENCES:
            copy["fail_fast"] = True
        return copy
    if isinstance(schema, list):
        return [_failing_fast(item) for item in schema]
    return schema


def finite(value: Any, check: Check | None, prefix: tuple[Any, ...] = ()) -> Any:
    """The validated value, or ``InvalidInput`` where ``check`` finds an infinity or NaN in it (``1e999``, ``"inf"``)."""
    found = list(non_finite(value, prefix)) if check is not None and check(value) else ()
    if found:
        raise InvalidInput({".".join(map(str, loc)) or ROOT: [NOT_FINITE] for loc in found})
    return value


async def _form_items(request: Request) -> list[tuple[str, Any]]:
    """The form's fields; a form that cannot be parsed (no boundary, cut short before its closing
    boundary, a part without a name, more than 1000 fields or files) is bad input
    like any other: a 422, not ``request.form()``'s 400."""
    try:
        form = await request.form()
    except MultiPartException as exc:
        raise InvalidInput({ROOT: [exc.message]}) from None
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        raise InvalidInput({ROOT: [str(exc.detail)]}) from None
    return form.multi_items()


def _checked_adapter(param: Param) -> Any:
    """The adapter of a path, query or header parameter. An ``UploadFile`` there is FastAPI's
    ``doc: UploadFile`` parameter, which pydantic refuses with words about its own config."""
    if holds_upload(param.annotation):
        raise TypeError(f"parameter {param.name!r}: an UploadFile is read from the body, so it is a field of the "
                        "body's model (a BaseModel with model_config = ConfigDict(arbitrary_types_allowed=True))")
    try:
        return adapter(param.annotation)
    except TypeError as exc:
        raise TypeError(f"parameter {param.name!r}: {exc}") from None


def _getter(param: Param) -> Callable[[Request], Any]:
    key = param.alias
    if param.source == "path":
        return lambda request: request.path_params.get(key)
    if param.source == "header":
        if param.many:
            return lambda request: request.headers.getlist(key)
        return lambda request: request.headers.get(key)
    if param.many:
        return lambda request: request.query_params.getlist(key)
    return lambda request: request.query_params.get(key)


# An input that failed validation for one field is never checked for infinities and NaN (only a
# validated value is walked): those in the others are found here, so one 422 names every field.
def _unseen(fields: dict[str, list[str]], found: Iterable[str]) -> dict[str, list[str]]:
    """``NOT_FINITE`` for each path ``found`` that pydantic did not report already."""
    return {path: [NOT_FINITE] for path in found if path not in fields}


def _json_non_finite(body: bytes, keys: frozenset[str], validators: dict[str, Any],
                     reported: dict[str, list[str]]) -> list[str]:
    """The paths of a JSON body's infinities and NaN: numbers (``1e999``, ``NaN``, ``Infinity``), under
    ``keys`` only (the fields that can hold a float) when the body has fields, so an ignored extra is
    not named (pydantic reports one where the annotation cannot hold a float); and strings pydantic
    reads as floats (``"inf"``, ``"-Infinity"``, ``"nan"``), found by validating alone each field in
    ``validators`` that pydantic did not report."""
    try:
        raw = json.loads(body)
    except ValueError:
        return []
    paths = [".".join(map(str, loc)) or ROOT for loc in non_finite(raw)]
    if keys:
        paths = [path for path in paths if path.partition(".")[0] in keys]
    if isinstance(raw, dict):
        paths += _read_non_finite(raw, validators, reported)
    return paths


def _read_non_finite(raw: dict[str, Any], validators: dict[str, Any], reported: dict[str, list[str]]) -> list[str]:
    """The paths of the infinities and NaN in the fields of ``raw`` that ``validators`` read, each
    validated alone; a field with an error of its own in ``reported`` is skipped (it has its message)."""
    found = []
    for key, validator in validators.items():
        if key not in raw or any(path == key or path.startswith(f"{key}.") for path in reported):
            continue
        try:
            value = validator.validate_python(raw[key])
        except ValidationError:
            continue
        found += [".".join(map(str, loc)) for loc in non_finite(value, (key,))]
    return found


def _form_non_finite(data: dict[str, Any], keys: frozenset[str]) -> list[str]:
    """The ``keys`` of a form sent as ``inf`` or ``nan``, which pydantic reads as floats that are not finite."""
    found = []
    for key in keys:
        value = data.get(key)
        try:
            if isinstance(value, str) and not math.isfinite(float(value)):
                found.append(key)
        except ValueError:
            continue
    return found


def _add(errors: dict[str, list[str]], more: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = dict(errors)
    for key, messages in more.items():
        merged[key] = [*merged.get(key, []), *messages]
    return merged

