"""Typed input and output from annotations: validation, 422 ``fields``, OpenAPI pieces, TypeScript types.

Public names: ``Header``, ``Query``, ``Body`` (markers for ``Annotated``), ``InvalidInput`` (its
``fields`` map dotted paths to messages), ``MissingExtra``, ``SignatureProblem``, ``EXTRA_HINT``,
``TYPES_HINT``, ``takes_arguments``, ``describe``, ``answer_type``, ``never_an_object``, ``binder``, ``body_reader``, ``output``, ``is_structured``, ``form_fields``, ``is_form``
(a form as a dict, repeated keys as lists),
``Operation`` and ``openapi_document`` (OpenAPI 3.1), ``typescript`` (TypeScript declarations of the
JSON an annotation describes, for generated page types).

Depends on nothing else of Pyxle. pydantic (the ``validation`` extra) is imported only when a
handler's annotations need it, so an app without typed handlers never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from pyxle.validation._describe import (
    REQUIRED,
    Param,
    Signature,
    SignatureProblem,
    answer_type,
    describe,
    is_structured,
    never_an_object,
    takes_arguments,
)
from pyxle.validation._errors import MAX_DEPTH, MESSAGE, ROOT, InvalidInput, MissingExtra
from pyxle.validation._forms import form_fields, is_form
from pyxle.validation._markers import Body, Header, Query
from pyxle.validation._openapi import Operation
from pyxle.validation._openapi import document as openapi_document
from pyxle.validation._typescript import typescript

__all__ = [
    "EXTRA_HINT", "MAX_DEPTH", "MESSAGE", "REQUIRED", "ROOT", "TYPES_HINT", "Body", "Header", "InvalidInput", "MissingExtra", "Operation",
    "Param", "Query", "Signature", "SignatureProblem", "answer_type", "binder", "body_reader", "describe", "form_fields", "is_form", "is_structured", "never_an_object",
    "openapi_document",
    "output", "takes_arguments", "typescript",
]

EXTRA_HINT = "install the validation extra: pip install 'pyxle-framework[validation]'"
# The fix for an annotation pydantic cannot build a validator for (``TypeError`` from ``binder``,
# ``body_reader`` or ``output``): a typed API route's, a typed action's, a loader's return.
TYPES_HINT = "annotate with types pydantic validates (int, str, list[str], a BaseModel...)"


def binder(signature: Signature, *, ignore_form_keys: Collection[str] = ()) -> Callable[[Any], Any]:
    """``await binder(request)`` -> keyword arguments for the handler, or raises ``InvalidInput``."""
    from pyxle.validation._binder import Binder

    return Binder(signature, ignore_form_keys=ignore_form_keys)


def body_reader(annotation: Any, *, ignore_form_keys: Collection[str] = (), default: Any = REQUIRED,
                any_type: bool = False) -> Any:
    """A reader with ``await .read(request)`` and ``.validate(data)`` for one body type; no body is
    ``default`` when one is given, else a 422. ``any_type``: JSON is read whatever the ``Content-Type``."""
    from pyxle.validation._binder import BodyReader

    return BodyReader(annotation, ignore_form_keys=ignore_form_keys, default=default, any_type=any_type)


def output(signature: Signature) -> Any | None:
    """For a structured return annotation: ``.dump(result)`` -> JSON data, validated first (``TypeError``
    naming the fields that do not match, never their values). ``-> tuple[Model, int]`` dumps the model."""
    if signature.returns is REQUIRED or not is_structured(signature.returns):
        return None
    from pyxle.validation._binder import Output

    return Output(answer_type(signature.returns))
