"""Running loaders: their data, status, and errors, in the shapes navigation JSON promises."""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import typing
import weakref
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from pyxle._jsonable import dumps, not_json
from pyxle._status import check_status
from pyxle.observability import phase
from pyxle.pages._answers import Answered
from pyxle.runtime import LoaderError

logger = logging.getLogger("pyxle")


class LoaderResultError(TypeError):
    """A loader returned something that is not a JSON-serialisable dict (a server bug, named precisely)."""


class Loaded(NamedTuple):
    data: dict[str, Any]
    status: int
    encoded: str  # ``data`` as JSON
    revalidate: float | None  # seconds the page may be stored (the revalidate envelope), else None


_ENVELOPE = frozenset({"data", "revalidate"})


_SAID_NONE: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()  # loaders whose None pyxle dev named


def _returned_none(loader: Callable[..., Any], where: str) -> None:
    """pyxle dev: a loader returned None (a forgotten ``return``), which renders the page with no
    data; said once per loader, naming its file and line."""
    if loader in _SAID_NONE:
        return
    _SAID_NONE.add(loader)
    from pyxle._loading import def_line

    line = def_line(loader)
    logger.warning("%s%s: %s() returned None, so the page renders with no data: did you forget a `return`?",
                   where, f":{line}" if line else "", loader.__name__)


async def run_loader(loader: Callable[..., Any], request: Request, where: str, *, warn_none: bool = False) -> Loaded:
    """The data of a loader that returns a dict or ``(dict, status)``, and its status.

    ``{"data": {...}, "revalidate": seconds}`` (exactly those two keys, ``data`` an object) is
    the revalidate envelope: the page's data is ``data``, and the page may be stored for that
    long (``None``: not stored). The data is encoded once here (which also proves it
    serialisable); responses reuse the text. A loader that returns a ``Response`` (say,
    ``RedirectResponse("/login")``) raises ``Answered``. A status no answer can have, returned or
    raised, is a ``LoaderResultError`` naming the page (``check_status``). None is no data
    (``{}``); ``warn_none`` (``pyxle dev``) logs it once per loader.
    """
    with phase("loader", where):
        try:
            result = await loader(request)
        except LoaderError as exc:
            _check_error_data(exc, loader, where)
            raise
        except HTTPException as exc:
            check_status(exc.status_code, f"{where}: loader {loader.__name__}() raised HTTPException with",
                         LoaderResultError)
            raise
    if isinstance(result, Response):
        check_status(result.status_code, f"{where}: loader {loader.__name__}() returned a {type(result).__name__} with",
                     LoaderResultError)
        raise Answered(result)
    status = 200
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], int):
        result, status = result
        check_status(status, f"{where}: loader {loader.__name__}() returned", LoaderResultError)
        status = int(status)  # HTTPStatus.CREATED too
    output = returns(loader)
    what = f"{where}: loader {loader.__name__}() returned data"
    envelope = type(result) is dict and len(result) == 2 and result.keys() == _ENVELOPE
    if result is None:
        if warn_none:
            _returned_none(loader, where)
        result = {}
    elif output is not None and not envelope:
        result = _through(output, result, what, LoaderResultError)
    elif not isinstance(result, dict):
        result = as_plain_dict(result)
    if not isinstance(result, dict):
        raise LoaderResultError(f"{where}: loader {loader.__name__}() must return a dict, (dict, status) or a Response, "
                                f"not {type(result).__name__}")
    revalidate = None
    if len(result) == 2 and result.keys() == _ENVELOPE:
        data = as_plain_dict(result["data"]) if output is None else _through(output, result["data"], what,
                                                                             LoaderResultError)
        if isinstance(data, dict):
            revalidate = _window(result["revalidate"], loader, where)
            result = data
    try:
        encoded = dumps(result)
    except (TypeError, ValueError):
        raise LoaderResultError(not_json(what, result)) from None
    return Loaded(result, status, encoded, revalidate)


_OUTPUTS: weakref.WeakKeyDictionary[Callable[..., Any], Any] = weakref.WeakKeyDictionary()


def returns(fn: Callable[..., Any]) -> Any | None:
    """The dumper of a loader's or action's return annotation (``pyxle.validation``'s ``Output``), or
    None: built once per function (the page endpoints ask for it when they load), looked up per call.

    Only an annotation that names a model, ``TypedDict`` or dataclass (also in a list, a union, a
    dict's values) gets one, as the generated types describe it: ``-> Event`` holding a ``datetime``
    is sent as pydantic writes it in JSON (an ISO string), not a 500; excluded fields are dropped and
    defaults filled, as an API route's answer is. What reaches ``data`` is dumped: ``(data, status)``
    gives ``data``'s type, a ``Response`` in a union is left out. A loader without such an annotation
    (``-> dict``, none at all) or an annotation that cannot be resolved keeps the plain path: a dict
    as it is, a model or dataclass through ``as_plain_dict``. Without pydantic such an annotation
    raises ``MissingExtra``, and one pydantic cannot validate (a dataclass holding a class it does
    not know) ``TypeError``: the page is refused when it loads (``_module.check_returns``), as a
    typed API route is. The annotation exists to filter what leaves the server, and sending the
    value unfiltered shipped the keys it leaves out (a secret) in the page's props and the action's answer.
    """
    try:
        return _OUTPUTS[fn]
    except KeyError:
        pass
    except TypeError:  # not weakly referenceable: never an ``async def``
        return None
    output = _OUTPUTS[fn] = _output(fn)
    return output


def _output(fn: Callable[..., Any]) -> Any | None:
    if "return" not in (getattr(fn, "__annotations__", None) or {}):
        return None
    try:
        annotation = _data_type(typing.get_type_hints(fn, include_extras=True)["return"])
    except Exception:  # noqa: BLE001 - a name the module cannot resolve: the plain path, as before
        return None
    if annotation is None or not _names_a_type(annotation):
        return None
    from pyxle import validation

    try:
        return validation.output(validation.Signature(params=(), returns=annotation))
    except validation.MissingExtra:  # the page is refused when it loads (see _module), as a typed API route is
        raise validation.MissingExtra(f"is annotated -> {_shown(annotation)}, which needs pydantic (it checks "
                                      "and filters what is sent), and pydantic is not installed") from None


def not_an_object(fn: Callable[..., Any]) -> str | None:
    """The return annotation of a loader or action, shown, when what it names can never be a JSON
    object (``-> list[Item]``): such a function can only fail, so the page is refused when it loads."""
    if "return" not in (getattr(fn, "__annotations__", None) or {}):
        return None
    try:
        annotation = typing.get_type_hints(fn, include_extras=True)["return"]
    except Exception:  # noqa: BLE001 - a name the module cannot resolve: nothing is known of it
        return None
    return not_an_object_type(annotation)


def not_an_object_type(annotation: Any) -> str | None:
    """``not_an_object`` of a return annotation: what reaches the JSON (``(data, status)`` -> data, no
    ``Response``), shown (``list[Item]``), when it is never an object; else None."""
    from pyxle.validation._describe import never_an_object

    data = _data_type(annotation)
    if data is None or not never_an_object(data):
        return None
    return _shown(data)


def _shown(annotation: Any) -> str:
    """An annotation as written: ``Out``, ``list[Item]`` (no module paths)."""
    return annotation.__name__ if isinstance(annotation, type) else re.sub(r"\b[\w.]+\.(?=\w)", "", str(annotation))


def _data_type(annotation: Any) -> Any | None:
    """What reaches ``data`` (or an action's JSON), as ``validation.answer_type`` reads it: ``(data,
    status)`` -> data, no ``Response`` in a union; None when only a ``Response`` is returned."""
    from pyxle.validation import REQUIRED, answer_type

    found = answer_type(annotation)
    return None if found is REQUIRED else found


def _names_a_type(annotation: Any) -> bool:
    """A model, ``TypedDict`` or dataclass, or a generic holding one (``list[Post]``, ``Post | None``)."""
    if typing.get_origin(annotation) is not None:
        return any(_names_a_type(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and (
        hasattr(annotation, "model_validate") or dataclasses.is_dataclass(annotation)
        or (issubclass(annotation, dict) and hasattr(annotation, "__required_keys__")))


def typed_result(fn: Callable[..., Any], result: Any, what: str, keep: Collection[str] = ()) -> Any:
    """An action's ``result`` dumped through its return annotation (see ``returns``); as it is without
    one, or when it is a ``Response`` or None. The ``keep`` keys of a dict (``invalidate_routes``'
    and ``background``) are not the annotation's and stay as they are."""
    output = returns(fn)
    if output is None or result is None or isinstance(result, Response):
        return result
    kept = {key: result[key] for key in keep if key in result} if type(result) is dict else None
    if kept:
        result = {key: value for key, value in result.items() if key not in kept}
    dumped = _through(output, result, what, TypeError)
    if kept and isinstance(dumped, dict):
        dumped.update(kept)
    return dumped


def _through(output: Any, result: Any, what: str, error: type[TypeError]) -> Any:
    """``result`` validated and dumped by ``output``; a mismatch names the fields, never their values."""
    try:
        return output.dump(result)
    except TypeError as exc:
        fields = getattr(exc, "fields", None)
        raise error(f"{what} that does not match its return annotation: {fields}" if fields is not None
                    else f"{what} that JSON cannot carry: {exc}") from None
    except ValueError as exc:  # an infinity or NaN; a value pydantic cannot write
        raise error(f"{what} that JSON cannot carry: {exc}") from None


def _check_error_data(exc: LoaderError, loader: Callable[..., Any], where: str) -> None:
    """A ``LoaderError``'s data reaches the error page and navigation JSON as JSON, so data JSON
    cannot carry is the loader's bug (a 500), named here rather than failing the error answer."""
    if not exc.data:
        return
    try:
        dumps(exc.data)
    except (TypeError, ValueError):
        raise LoaderResultError(not_json(f"{where}: loader {loader.__name__}() raised LoaderError with data",
                                         exc.data)) from None


def _window(value: Any, loader: Callable[..., Any], where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise LoaderResultError(f"{where}: loader {loader.__name__}() returned revalidate={value!r}; it must be "
                                "a number of seconds >= 0, or None (not stored)")
    return float(value)


def as_plain_dict(value: Any) -> Any:
    """A pydantic model or a dataclass instance as the dict JSON carries, so a loader or action may
    return what its annotation says (``-> Post``); anything else is returned as it is. Models are
    dumped by alias, as API responses are and as the generated types name their keys."""
    if isinstance(value, type):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True)
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    return value


def props_json(data_json: str, layouts: dict[str, str]) -> str:
    """``{"data": ..., "layoutData": {...}}`` assembled from already-encoded parts."""
    layout_part = ",".join(f"{dumps(file)}:{encoded}" for file, encoded in layouts.items())
    return f'{{"data":{data_json},"layoutData":{{{layout_part}}}}}'


def loader_error_payload(exc: LoaderError) -> dict[str, Any]:
    """The error page's ``error``; ``type`` is the class raised (a subclass's own name), as in 0.4 to 0.9."""
    return {"message": exc.message, "statusCode": exc.status_code, "data": exc.data or {}, "type": type(exc).__name__}
