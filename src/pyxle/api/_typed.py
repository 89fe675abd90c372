"""Handlers that annotate what they take: their binder and output, built when the route loads."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any

from starlette.responses import JSONResponse

from pyxle.api._handlers import ApiHandlers, _error

Typed = tuple[Any, Any]  # (binder or None, output or None)


def typed_parts(fn: Callable[..., Any], path_params: Collection[str], shown_as: str) -> Typed | None:
    """``(binder or None, output or None)`` for a handler with typed parameters or a model return;
    ``None`` for ``handler(request)`` without a return annotation, which keeps today's plain call."""
    from pyxle import validation
    from pyxle.security._csrf import FORM_FIELDS

    takes = validation.takes_arguments(fn)
    if not takes and inspect.signature(fn).return_annotation is inspect.Signature.empty:
        return None
    try:
        signature = validation.describe(fn, path_params)
        if not takes and not validation.is_structured(signature.returns):
            return None
        # A form's CSRF field is the token, never input: left out of the body, as an action's is.
        binder = validation.binder(signature, ignore_form_keys=FORM_FIELDS) if takes else None
        return binder, validation.output(signature)
    except validation.MissingExtra as exc:
        raise _error(shown_as, fn, str(exc), validation.EXTRA_HINT) from None
    except (validation.SignatureProblem, TypeError) as exc:
        raise _error(shown_as, fn, f"{fn.__name__}(): {exc}", validation.TYPES_HINT) from None


def typed_handlers(handlers: ApiHandlers, path_params: Collection[str], shown_as: str) -> dict[str, Typed | None]:
    """The typed parts of each method function (and of ``endpoint``, as ``"*"``)."""
    functions = dict(handlers.methods)
    if handlers.endpoint is not None:
        functions["*"] = handlers.endpoint
    return {key: typed_parts(fn, path_params, shown_as) for key, fn in functions.items()}


def invalid_input(fields: dict[str, list[str]], message: str) -> JSONResponse:
    """The 422 answer for input that does not match the handler's annotations."""
    return JSONResponse({"error": message, "fields": fields}, 422)
