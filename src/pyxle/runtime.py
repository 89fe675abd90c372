"""Names that ``.pyxl`` server code uses: decorators for loaders and actions, and their errors.

``from pyxle.runtime import server, action, LoaderError, ActionError, ValidationActionError,
invalidate_routes`` works (and ``ActionCookies``, the type of ``request.state.cookies``), and inside
a ``.pyxl`` file all but ``ActionCookies`` are available without importing them.
Standard library only: this module is imported by every page. ``INVALIDATE_KEY``,
``STATED_INVALIDATIONS`` and ``invalidate_header`` are how the endpoints read ``invalidate_routes``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar, overload
from urllib.parse import quote

from pyxle._status import answer_status

F = TypeVar("F", bound=Callable[..., Any])
INVALIDATE_KEY = "__pyxle_invalidate__"  # where a result carries its URLs to the actions endpoint
INVALIDATE_HEADER = "x-pyxle-invalidate"
# The URLs an action names with ``invalidate_routes("/a")`` as a statement: the actions endpoint
# sets a list for each call and puts them on the answer.
STATED_INVALIDATIONS: ContextVar[list[str] | None] = ContextVar("pyxle_stated_invalidations", default=None)
logger = logging.getLogger("pyxle")


def server(fn: F) -> F:
    """Mark the page's loader: ``@server async def load(request) -> dict | (dict, status)``."""
    fn.__pyxle_loader__ = True  # type: ignore[attr-defined]
    return fn


@overload
def action(fn: F) -> F: ...
@overload
def action(*, name: str | None = None) -> Callable[[F], F]: ...
def action(fn: Any = None, *, name: str | None = None) -> Any:
    """Mark a server action, served at ``POST /api/__actions/<page path>/<name>``.

    Use bare (``@action``) or with a name (``@action(name="save")``).
    """

    def mark(f: F) -> F:
        f.__pyxle_action__ = True  # type: ignore[attr-defined]
        f.__pyxle_action_name__ = name or f.__name__  # type: ignore[attr-defined]
        return f

    return mark(fn) if fn is not None else mark


class _PageError(Exception):
    """An error a page raises on purpose, with the status and data the client should see."""

    default_status = 500

    def __init__(self, message: str, status_code: int | None = None, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        status = answer_status(self.default_status if status_code is None else status_code)
        if status is None:  # raised here, on the page's line
            raise ValueError(f"{type(self).__name__} status_code must be an int from 200 to 599, not {status_code!r}")
        self.status_code = status
        self.data = {} if data is None else data  # as 0.9's: ``{**exc.data}`` in a hook works


class LoaderError(_PageError):
    """Raised by a loader: its status and data reach the nearest error page (or navigation JSON).
    ``LoaderError(message, status_code=500, data=None)``."""


class ActionError(_PageError):
    """Raised by an action: ``{"ok": false, "error": message}`` with its status, plus ``"data"`` and
    ``"fields"`` when given and not empty (as pyxle-framework 0.9 answered: a client testing
    ``if (res.data)`` sees no data). ``ActionError(message, status_code=400, data=None, *, fields=None)``."""

    default_status = 400

    def __init__(self, message: str, status_code: int | None = None, data: dict[str, Any] | None = None, *,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, status_code, data)
        self.fields = fields


def error_answer(exc: LoaderError | ActionError) -> dict[str, Any]:
    """The JSON an ``ActionError`` or ``LoaderError`` answers with (an action adds ``"ok": false``):
    ``{"error": message}``, plus ``"data"`` and ``"fields"`` only when they hold something, as in
    pyxle-framework 0.9 (``{}`` is truthy to a client testing ``if (res.data)``)."""
    answer: dict[str, Any] = {"error": exc.message}
    if exc.data:
        answer["data"] = exc.data
    fields = getattr(exc, "fields", None)
    if fields:
        answer["fields"] = fields
    return answer


class ValidationActionError(ActionError):
    """Field errors found by hand, answered like a typed body that failed validation: 422
    ``{"ok": false, "error": message, "fields": {"title": ["..."]}}`` (``"data"`` too, when given).
    ``ValidationActionError(message="Validation failed", *, fields, status_code=422, data=None)``."""

    def __init__(self, message: str = "Validation failed", *, fields: dict[str, list[str]],
                 status_code: int = 422, data: dict[str, Any] | None = None) -> None:
        super().__init__(message, status_code, data, fields=fields)


def invalidate_routes(result: Any = None, *urls: str) -> Any:
    """``result`` marked so that its response carries ``x-pyxle-invalidate: /a, /b``: the client
    drops its navigation data for those pages (and an action's answer drops the page cache's copies).

    ``result`` is what the action or API route returns: a dict (or None), marked under a private key
    the endpoint turns into the header, or a Starlette ``Response``, whose header is set (added to
    one already there), as in pyxle-framework 0.9. Called with URLs alone, as a statement in an
    action (``invalidate_routes("/posts")``), it marks that action's answer (0.9 did nothing then).
    """
    if isinstance(result, str):
        _stated((result, *urls))
        return None
    urls = tuple(url for url in urls if url)
    if not urls:
        return {} if result is None else result
    headers = getattr(result, "headers", None)
    if not isinstance(result, Mapping) and hasattr(headers, "__setitem__"):
        named = headers.get(INVALIDATE_HEADER)  # type: ignore[union-attr]
        value = invalidate_header(urls)
        headers[INVALIDATE_HEADER] = f"{named}, {value}" if named else value  # type: ignore[index]
        return result
    try:
        marked = dict(result or {})
    except (TypeError, ValueError):
        raise TypeError(f"invalidate_routes() takes the result an action or API route returns (a dict, a model, "
                        f"a Response or None), not {type(result).__name__}") from None
    marked[INVALIDATE_KEY] = [*marked.get(INVALIDATE_KEY, []), *urls]
    return marked


def _stated(urls: Iterable[str]) -> None:
    stated = STATED_INVALIDATIONS.get()
    if stated is None:
        logger.warning("invalidate_routes(%s) outside an action changes nothing: return "
                       "invalidate_routes(response, url) from the API route instead", ", ".join(map(repr, urls)))
        return
    stated.extend(url for url in urls if url)


def invalidate_header(urls: Iterable[str]) -> str:
    """``x-pyxle-invalidate``'s value: URLs percent-encoded beyond ASCII (a header is Latin-1;
    ``/tag/日本`` made the action answer 500 after its work was done) and their commas too (the
    list's separator). Escapes already there stay; the client and ``cache.invalidate`` decode them."""
    return ", ".join(quote(url, safe="/?#&=%:@!$'()*+;~-._") for url in urls)


# Starlette's Response.set_cookie parameters, in order: which ones a positional call already gave.
_COOKIE_PARAMS = ("key", "value", "max_age", "expires", "path", "domain", "secure", "httponly", "samesite")
_DELETE_PARAMS = ("key", "path", "domain", "secure", "httponly", "samesite")


class ActionCookies:
    """``request.state.cookies`` in loaders and actions: cookies for the response they lead to.

    ``set`` and ``delete`` take ``Response.set_cookie`` / ``delete_cookie`` arguments and are
    replayed on the page's or action's answer (not on an unexpected 500). Unless the call says
    otherwise, cookies are HttpOnly, SameSite=Lax, and Secure when the request came over https
    (or when they are SameSite=None, which browsers take only with Secure).
    """

    def __init__(self, https: bool = False) -> None:
        self.https = https
        self._calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._record("set_cookie", args, self._defaults(_COOKIE_PARAMS, args, kwargs))

    def delete(self, *args: Any, **kwargs: Any) -> None:
        self._record("delete_cookie", args, self._defaults(_DELETE_PARAMS, args, kwargs))

    def _record(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Keep the call for the answer, once it is known to make a header: a cookie that cannot
        fails here, on the caller's line, not after the loader or action has done its work."""
        from starlette.responses import Response

        try:
            getattr(Response(), method)(*args, **kwargs)
        except UnicodeEncodeError as exc:
            raise ValueError(f"cookie {args[0] if args else kwargs.get('key')!r}: {exc.object[exc.start:exc.end]!r} "
                             "cannot go in a Set-Cookie header; encode the value first, for example with "
                             "urllib.parse.quote()") from None
        self._calls.append((method, args, kwargs))

    def _defaults(self, params: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        given = set(params[: len(args)]) | kwargs.keys()
        named = dict(zip(params, args, strict=False)) | kwargs
        # Browsers drop a SameSite=None cookie that is not Secure (the CSRF cookie is made Secure then too).
        none = str(named.get("samesite") or "").lower() == "none"
        defaults = {"httponly": True, "samesite": "lax", "secure": self.https or none}
        return {**{k: v for k, v in defaults.items() if k not in given}, **kwargs}

    def __bool__(self) -> bool:
        return bool(self._calls)

    def apply(self, response: Any) -> Any:
        """Replay the recorded calls on ``response`` (a Starlette ``Response``) and return it. A
        cookie the response sets itself too (same name, Path and Domain) is sent once, as recorded
        here: a browser keeps the last of two, and a cache or client library may keep the first."""
        if not self._calls:
            return response
        for method, args, kwargs in self._calls:
            getattr(response, method)(*args, **kwargs)
        seen: set[tuple[str, str, str]] = set()
        kept = []
        for header in reversed(response.raw_headers):
            if header[0] == b"set-cookie":
                cookie = _cookie_identity(header[1])
                if cookie in seen:
                    continue
                seen.add(cookie)
            kept.append(header)
        response.raw_headers[:] = kept[::-1]
        return response


def _cookie_identity(header: bytes) -> tuple[str, str, str]:
    """A Set-Cookie's name, Path and Domain: what a browser stores one cookie under (RFC 6265 §5.3)."""
    name, *attributes = header.decode("latin-1").split(";")
    path = domain = ""
    for attribute in attributes:
        key, _, value = attribute.strip().partition("=")
        if key.lower() == "path":
            path = value.strip()
        elif key.lower() == "domain":
            domain = value.strip().lstrip(".").lower()
    return name.partition("=")[0].strip(), path, domain


def marked_functions(namespace: dict[str, Any]) -> tuple[Callable[..., Any] | None, dict[str, Callable[..., Any]]]:
    """A page module's loader (the first ``@server`` function) and its actions by name."""
    loaders = [v for v in namespace.values() if callable(v) and getattr(v, "__pyxle_loader__", False)]
    actions = {
        getattr(v, "__pyxle_action_name__", None) or v.__name__: v
        for v in namespace.values()
        if callable(v) and getattr(v, "__pyxle_action__", False)
    }
    return (loaders[0] if loaders else None), actions


def runtime_globals() -> dict[str, Any]:
    """What a page's server module sees without imports (seeded first, so user definitions win)."""
    return {"server": server, "action": action, "LoaderError": LoaderError, "ActionError": ActionError,
            "ValidationActionError": ValidationActionError, "invalidate_routes": invalidate_routes}
