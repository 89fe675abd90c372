"""Which handlers an API module provides, checked once at load time."""

from __future__ import annotations

import ast
import functools
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint

from pyxle._loading import SourceError, def_line, startup_note, syntax_error, too_deep
from pyxle.api._source import bindings, may_serve, no_request

METHODS = ("get", "post", "put", "patch", "delete", "options")
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@dataclass(frozen=True)
class ApiHandlers:
    """Exactly one HTTP style (method functions, ``endpoint``, or an HTTPEndpoint class), or none."""

    methods: dict[str, Callable[..., Any]]  # upper-case method -> function
    endpoint: Callable[..., Any] | None
    endpoint_class: type[HTTPEndpoint] | None
    websocket: Callable[..., Any] | type[WebSocketEndpoint] | None

    @property
    def has_http(self) -> bool:
        return bool(self.methods) or self.endpoint is not None or self.endpoint_class is not None

    @property
    def allowed_methods(self) -> tuple[str, ...]:
        """What the ``Allow`` header lists: served methods, HEAD with GET, OPTIONS always."""
        if self.endpoint is not None:
            return _ORDER
        if self.endpoint_class is not None:
            names = {m for m in _ORDER if getattr(self.endpoint_class, m.lower(), None) is not None} | {"OPTIONS"}
            if "GET" in names:
                names.add("HEAD")
            return tuple(m for m in _ORDER if m in names)
        if not self.methods:
            return ()
        names = set(self.methods) | {"OPTIONS"}
        if "GET" in names:
            names.add("HEAD")
        return tuple(m for m in _ORDER if m in names)


def resolve_handlers(module: ModuleType, shown_as: str, source: str | bytes | None = None) -> ApiHandlers:
    """Find the module's handlers; a module that mixes styles or has none is an error naming it.

    A method function is one the file defines or assigns (``source`` says which names it imported:
    ``from httpx import get`` is a tool the file uses, not a GET handler).
    """
    namespace = vars(module)
    bound = bindings(source) if source is not None else {}
    methods: dict[str, Callable[..., Any]] = {}
    not_functions: list[tuple[str, object, int | None]] = []
    imported_names: list[str] = []

    def origin(name: str, value: object) -> tuple[bool, int | None]:
        """Whether the file imported ``name`` (its source says; without one, ``value``'s module does),
        and the line binding it when the source gives one."""
        return bound.get(name, (getattr(value, "__module__", module.__name__) != module.__name__, None))

    for name in METHODS:
        if name not in namespace:
            continue
        value = namespace[name]
        imported, line = origin(name, value)
        if imported:
            imported_names.append(name)
            continue
        if _is_function(value):
            methods[name.upper()] = value
        elif not (isinstance(value, type) and issubclass(value, HTTPEndpoint)):
            not_functions.append((name, value, line))
    endpoint = namespace.get("endpoint")
    found = [value for value in namespace.values()
             if isinstance(value, type) and issubclass(value, HTTPEndpoint) and value is not HTTPEndpoint]
    if endpoint in found:  # 0.9 took an HTTPEndpoint subclass as `endpoint` too: it is the route's class
        classes, endpoint = [endpoint], None
    elif endpoint is not None and not _is_function(endpoint):
        raise _error(shown_as, endpoint, "`endpoint` must be a function endpoint(request) or an HTTPEndpoint subclass")
    else:
        # The module's own classes; one imported from elsewhere serves the route only when nothing
        # else would (0.9 served `from views import Users`), so an imported base class never does.
        classes = [value for value in found if value.__module__ == module.__name__]
        if not classes and not methods and endpoint is None:
            classes = found
    websocket = namespace.get("websocket")
    if not_functions and (methods or not (endpoint or classes or websocket)):  # else 0.9 ignored them
        name, value, line = not_functions[0]
        shown = "a class" if isinstance(value, type) else repr(value)[:40]
        raise SourceError(shown_as, line, f"`{name}` is {shown}, not a function",
                          f"a handler is a function, async def {name}(request); rename `{name}` if it is not one")
    for fn in [*methods.values(), *([endpoint] if endpoint is not None else [])]:
        if not takes_request(fn):  # 0.9 called it with the request too: a TypeError on every call
            name = getattr(fn, "__name__", "endpoint")
            raise _no_request_error(shown_as, name, _own_line(shown_as, fn))

    if endpoint is not None and methods:  # 0.9 served endpoint() alone: a helper named get() stays a helper
        startup_note("%s: endpoint() answers every method; %s beside it %s not served (rename %s, or drop endpoint())",
                     shown_as, ", ".join(f"{m.lower()}()" for m in methods), "is" if len(methods) == 1 else "are",
                     "it" if len(methods) == 1 else "them")
        methods = {}
    for name, view in (class_methods(classes[0]).items() if len(classes) == 1 else ()):
        if not takes_request(view):  # Starlette calls it with the request: a TypeError on every call
            shown = f"{classes[0].__name__}.{name.lower()}"
            raise _no_request_error(shown_as, shown, _own_line(shown_as, view))
    if len(classes) > 1:
        raise _error(shown_as, classes[1], f"defines several HTTPEndpoint classes ({', '.join(c.__name__ for c in classes)})",
                     "keep one HTTPEndpoint subclass per route file")
    if classes and (methods or endpoint is not None):
        raise _error(shown_as, classes[0], f"defines both the HTTPEndpoint class {classes[0].__name__} and handler functions",
                     "serve the route with either the class or functions, not both")
    if websocket is not None and not _is_websocket_handler(websocket):
        raise _error(shown_as, websocket, "`websocket` must be `async def websocket(ws)` or a WebSocketEndpoint subclass")

    head = namespace.get("head")
    if methods and _is_function(head) and not origin("head", head)[0]:
        # 0.9 ignored it too; serving it now would make a helper named head() a handler
        startup_note("%s: head() is not a handler; HEAD is answered from get() (an HTTPEndpoint class's "
                     "head method answers HEAD itself)", shown_as)
    handlers = ApiHandlers(methods, endpoint, classes[0] if classes else None, websocket)
    if not handlers.has_http and websocket is None:
        raise _no_handler(shown_as, imported_names)
    return handlers


def _no_handler(shown_as: str, imported_names: list[str]) -> SourceError:
    return SourceError(
        shown_as, None, "defines no handler",
        "define functions named after HTTP methods (get, post, put, patch, delete, options), "
        "endpoint(request), an HTTPEndpoint subclass, or async def websocket(ws); "
        "name helper modules with a leading _ so they are not routes"
        + (f"; {', '.join(imported_names)} is imported, and only functions the file defines or assigns "
           f"are handlers (`{imported_names[0]} = helpers.{imported_names[0]}` serves one)" if imported_names else ""),
    )


def source_problems(source: str | bytes, shown_as: str) -> list[SourceError]:
    """``pyxle check``: what start-up would refuse in a route file that its source shows without
    running it: a syntax error, no handler at all, handlers that cannot take the request."""
    try:
        tree = compile(source, shown_as, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return [syntax_error(exc, shown_as)]
    except ValueError as exc:  # a null byte
        return [SourceError(shown_as, None, f"cannot be compiled: {exc}", "save the file as UTF-8 Python source")]
    except RecursionError:
        return [too_deep(source, shown_as)]
    if not may_serve(tree, METHODS):
        imported = [name for name, (by_import, _) in bindings(tree).items() if by_import and name in METHODS]
        return [_no_handler(shown_as, imported)]
    return [_no_request_error(shown_as, name, line) for name, line in no_request(tree, (*METHODS, "endpoint"))]


def _no_request_error(shown_as: str, name: str, line: int | None) -> SourceError:
    """``name`` is a function's, or ``Class.method`` for an HTTPEndpoint's method (which takes ``self`` first)."""
    owner, _, method = name.rpartition(".")
    takes = "self, request" if owner else "request"
    return SourceError(shown_as, line, f"{name}() does not take the request",
                       f"take the request: async def {method}({takes})")


def class_methods(cls: type[HTTPEndpoint]) -> dict[str, Callable[..., Any]]:
    """Per upper-case method the class defines (HEAD too), the method as a call sees it: its
    signature after ``self``, its annotations and its source line (a plain ``def`` bound to the
    class stands for the instance Starlette makes per request)."""
    found: dict[str, Callable[..., Any]] = {}
    for name in (*METHODS, "head"):
        if getattr(cls, name, None) is None:
            continue
        raw = inspect.getattr_static(cls, name)
        found[name.upper()] = types.MethodType(raw, cls) if inspect.isfunction(raw) else getattr(cls, name)
    return found


def is_async(fn: object) -> bool:
    """``async def`` functions, partials of them, and objects whose ``__call__`` is ``async def``."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    if inspect.iscoroutinefunction(fn):
        return True
    return callable(fn) and not inspect.isroutine(fn) and inspect.iscoroutinefunction(type(fn).__call__)


def takes_request(fn: object) -> bool:
    """Whether ``fn`` can be called with the request as its first positional argument; True when
    its signature cannot be read (a builtin: let it run)."""
    try:
        params = inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def _is_function(value: object) -> bool:
    """A function-like handler candidate: callable, and not a class (classes are HTTPEndpoints or errors)."""
    return callable(value) and not isinstance(value, type)


def _is_websocket_handler(value: object) -> bool:
    if isinstance(value, type):
        return issubclass(value, WebSocketEndpoint)
    return is_async(value)


def _error(shown_as: str, obj: object, message: str, hint: str = "") -> SourceError:
    return SourceError(shown_as, _own_line(shown_as, obj), message, hint)


def _own_line(shown_as: str, obj: object) -> int | None:
    """``obj``'s line, when it is written in ``shown_as``: another file's line would mislead."""
    try:
        written_in = Path(inspect.getsourcefile(obj) or "").as_posix()  # type: ignore[arg-type]
    except TypeError:
        return None
    return def_line(obj) if written_in == shown_as or written_in.endswith("/" + shown_as) else None
