"""Handlers that annotate what they take: their binder and output, built when the route loads."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pyxle.api._answers import JsonAnswer, is_pair, to_response
from pyxle.api._handlers import ApiHandlers, _error, class_methods, is_async

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
    """The typed parts of each method function (and of ``endpoint``, as ``"*"``), or of each method
    of the HTTPEndpoint class (by upper-case name, ``HEAD`` too)."""
    functions = dict(handlers.methods)
    if handlers.endpoint is not None:
        functions["*"] = handlers.endpoint
    if handlers.endpoint_class is not None:
        functions = class_methods(handlers.endpoint_class)
    return {key: typed_parts(fn, path_params, shown_as) for key, fn in functions.items()}


def invalid_input(fields: dict[str, list[str]], message: str) -> JSONResponse:
    """The 422 answer for input that does not match the handler's annotations."""
    return JSONResponse({"error": message, "fields": fields}, 422)


async def run_typed(fn: Callable[..., Any], request: Request, where: str, binder: Any, output: Any,
                    run_async: bool | None = None) -> Response:
    """``fn`` (a function, or an HTTPEndpoint instance's method) called with its typed parameters
    bound (or a 422 before it runs); a model return as JSON. ``run_async``: whether ``fn`` is a
    coroutine function, where the caller knows it once for every request."""
    from pyxle.validation import InvalidInput

    kwargs: dict[str, Any] = {}
    if binder is not None:
        try:
            kwargs = await binder(request)
        except InvalidInput as exc:
            return invalid_input(exc.fields, exc.message)
    if run_async is None:
        run_async = is_async(fn)
    result = await fn(request, **kwargs) if run_async else await run_in_threadpool(fn, request, **kwargs)
    return to_response(result, where) if output is None else _typed_response(output, result, where)


def _typed_response(output: Any, result: Any, where: str) -> Response:
    """The result dumped through the return annotation, the body of ``(body, status)`` too: sent as it
    was, that body carried what a bare return leaves out (a password hash the model excludes)."""
    if isinstance(result, Response):
        return result
    if is_pair(result) and not isinstance(result[0], Response):
        return JsonAnswer(output.dump(result[0]), result[1])
    if isinstance(result, tuple):
        return to_response(result, where)  # a Response with a status, or the error naming what is allowed
    return JsonAnswer(output.dump(result))
