"""An action's typed body: ``async def save(request, body: Post)`` gets ``body`` validated.

The second parameter of an action, whatever its name, is the body; its annotation (a pydantic
model, TypedDict or dataclass) is turned into a reader once, when the page loads.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

from pyxle._loading import SourceError, def_line
from pyxle.compiler._rules import action_parameters_problem
from pyxle.runtime import ValidationActionError
from pyxle.validation import ROOT

Bind = Callable[[Request], Awaitable[dict[str, Any]]]
# The CSRF field of a form post, never part of a typed body: `Form` renders `_csrf_token` (as Pyxle 0.9
# did); the CSRF check also takes `csrf_token`, which hand-written forms may post.
CSRF_FIELDS = ("_csrf_token", "csrf_token")
# The hidden field `Form` names itself in (its place in the page): read by a no-JS re-render, so the
# message shows under the form posted; never one of the action's fields (0.9's Form sent none).
FORM_FIELD = "_pyxle_form"
NOT_FIELDS = (*CSRF_FIELDS, FORM_FIELD)  # what a typed body and the `action` prop's values leave out


def body_binder(fn: Callable[..., Any], shown_as: str) -> Bind | None:
    """``await bind(request)`` -> ``{name: validated body}``; None for ``async def act(request)``."""
    params = [p for p in inspect.signature(fn).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    line = def_line(fn)
    problem = action_parameters_problem(
        fn.__name__, [(p.name, p.annotation is not p.empty, p.default is not p.empty) for p in params])
    if problem is not None:
        raise SourceError(shown_as, line, *problem)
    if len(params) < 2 or params[1].annotation is inspect.Parameter.empty:
        return None  # the request alone, or (request, extra=None) called with it alone as 0.9 did
    from pyxle import validation

    name = params[1].name
    try:
        signature = validation.describe(fn, body_name=name)
        body = signature.params[0]
        # CSRF-checked: JSON is read from any Content-Type (a fetch without headers sends text/plain)
        reader = validation.body_reader(body.annotation, ignore_form_keys=NOT_FIELDS, default=body.default,
                                        any_type=True)
    except validation.MissingExtra as exc:
        raise SourceError(shown_as, line, f"action {fn.__name__}(): {exc}", validation.EXTRA_HINT) from None
    except (validation.SignatureProblem, TypeError) as exc:
        raise SourceError(shown_as, line, f"action {fn.__name__}(): {exc}",
                          "annotate the body with a pydantic model, a TypedDict or a dataclass") from None
    invalid = validation.InvalidInput

    async def bind(request: Request) -> dict[str, Any]:
        try:
            return {name: await reader.read(request)}
        except invalid as exc:
            raise ValidationActionError(_message(exc.message, exc.fields), fields=exc.fields) from None

    return bind


def _message(message: str, fields: dict[str, list[str]]) -> str:
    """A body the action could not read at all (``__root__`` its only key: a form with too many
    fields, JSON that is not an object) says why as its message: ``Form`` shows the message, and a
    page showing fields by name has no place for ``__root__``, so "Validation failed" said nothing."""
    root = fields.get(ROOT) if len(fields) == 1 else None
    return " ".join(root) if root else message
