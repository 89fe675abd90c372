"""Composing hooks around an endpoint, and loading them from ``"module.path:attr"`` strings."""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from pyxle._loading import SourceError, def_line, import_string
from pyxle.config import CONFIG_FILENAME
from pyxle.hooks._context import RouteContext, RouteHook

Endpoint = Callable[[Request], Awaitable[Response]]
Hook = Callable[[RouteContext, Request, Endpoint], Awaitable[Response]]
_LIFECYCLE = ("on_pre_call", "on_post_call", "on_error")
_NAMED = ('a hook is named "module.path:attr" or "module.path.attr", its module imported from the project root '
          '(where pyxle.config.json is)')
_SHAPES = ("expected async def hook(context, request, call_next), a RouteHook subclass, or a class with "
           "on_pre_call/on_post_call/on_error methods or an async __call__(self, context, request, call_next)")


class HookLoadError(Exception):
    """A configured hook that cannot be imported or is not a hook."""


def wrap_endpoint(endpoint: Endpoint, hooks: Sequence[Hook], context: RouteContext) -> Endpoint:
    """The first hook is the outermost; each sees ``call_next`` leading to the rest and the endpoint."""
    for hook in reversed(hooks):
        endpoint = partial(_call_hook, hook, context, endpoint)
    return endpoint


async def _call_hook(hook: Hook, context: RouteContext, call_next: Endpoint, request: Request) -> Response:
    response = await hook(context, request, call_next)
    if not isinstance(response, Response):
        raise TypeError(f"route hook {_name(hook)} returned {type(response).__name__}, expected a Response")
    return response


def load_hooks(specs: Sequence[str], *, setting: str) -> list[Hook]:
    """Import each ``"module.path:attr"`` (or ``"module.path.attr"``, as middleware entries may be
    written) and make it a hook, once, at start-up; an entry naming nothing stops start-up naming
    ``pyxle.config.json``, the setting and the entry.

    Accepted, as pyxle-framework 0.9 accepted them: an async function; a class, made with no
    arguments (a ``RouteHook`` subclass, any class with ``on_pre_call``/``on_post_call``/``on_error``
    methods, which then behaves as a ``RouteHook``, or one with an async ``__call__``); or an
    instance of one. Anything else stops start-up naming the setting, the file and line, and what
    a hook looks like: found per request, it was a 500 on every route the hook wraps.
    """
    hooks: list[Hook] = []
    for index, spec in enumerate(specs):
        where = f"{setting}[{index}] {spec!r}"
        try:
            target = import_string(spec, where)
        except ImportError as exc:
            message = str(exc)
            if message.startswith(where):  # names nothing (a module that raised reads as its own file:line)
                message = f"{CONFIG_FILENAME}: {message}\n    hint: {_NAMED}"
            raise HookLoadError(message) from exc
        hooks.append(_as_hook(target, where, spec))
    return hooks


def _as_hook(target: object, where: str, spec: str) -> Hook:
    if isinstance(target, type):
        target = _instance(target, where)
    if isinstance(target, RouteHook):
        return target
    if any(callable(getattr(target, name, None)) for name in _LIFECYCLE):
        return _Adopted(target)
    if callable(target) and _takes_three(target):
        return target  # type: ignore[return-value]
    shown = target if inspect.isfunction(target) or inspect.ismethod(target) else type(target)
    problem = (f"takes {_signature(target)}, not (context, request, call_next)" if callable(target)
               else f"is not a hook: it is an object of type {type(target).__name__}")
    raise HookLoadError(_at(shown, f"{where} {problem}", _SHAPES, spec))


def _instance(cls: type, where: str) -> object:
    """``cls()``: hooks are made once, with no arguments (settings come from the environment or
    class attributes)."""
    try:
        inspect.signature(cls).bind()
    except TypeError as exc:
        raise HookLoadError(_at(cls, f"{where}: class {cls.__qualname__} cannot be made without arguments ({exc})",
                                "give __init__ defaults for its parameters (Pyxle makes the hook once, as "
                                f"{cls.__qualname__}()), or list a module-level instance instead")) from None
    except ValueError:  # no signature to read (a builtin): try it
        pass
    try:
        return cls()
    except Exception as exc:  # its __init__ raised: start-up stops, naming it
        raise HookLoadError(_at(cls, f"{where}: {cls.__qualname__}() raised {type(exc).__name__}: {exc}",
                                "Pyxle makes each hook class once at start-up; fix its __init__")) from exc


def _takes_three(fn: object) -> bool:
    """Whether ``fn(context, request, call_next)`` binds; True when its signature cannot be read."""
    try:
        inspect.signature(fn).bind(None, None, None)  # type: ignore[arg-type]
    except TypeError:
        return False
    except ValueError:
        return True
    return True


def _signature(fn: object) -> str:
    try:
        return str(inspect.signature(fn))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "other arguments"


class _Adopted(RouteHook):
    """A class written for pyxle-framework 0.9 without ``RouteHook`` as its base: its lifecycle
    methods, run as a ``RouteHook`` runs them (the ones it lacks do nothing)."""

    def __init__(self, hook: object) -> None:
        self.__qualname__ = type(hook).__qualname__  # the name errors show
        for name in _LIFECYCLE:
            method = getattr(hook, name, None)
            if callable(method):
                setattr(self, name, method)


def _at(obj: Any, message: str, hint: str, spec: str | None = None) -> str:
    """``message`` as a ``SourceError``: at the file and line that define ``obj`` when they are
    known, else (a plain value such as ``Audit = 42``) where the module ``spec`` names binds it."""
    try:
        file = inspect.getsourcefile(obj)
    except TypeError:
        file = None
    line = def_line(obj) if file is not None else None
    if file is None and spec is not None:
        file, line = _binding(spec)
    if file is None:
        return f"{message}\n    hint: {hint}"
    return SourceError(_shown(Path(file)), line, message, hint).format()


def _binding(spec: str) -> tuple[str | None, int | None]:
    """The file of the module ``"module.path:attr"`` names, and the last top-level line binding ``attr``."""
    module_name, _, attr = spec.partition(":")
    file = getattr(sys.modules.get(module_name), "__file__", None)
    if file is None:
        return None, None
    name = attr.split(".")[0]
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return file, None
    lines = [node.lineno for node in tree.body
             if any(isinstance(target, ast.Name) and target.id == name for target in _targets(node))]
    return file, lines[-1] if lines else None


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return [node.target]
    return []


def _shown(path: Path) -> str:
    """``path`` relative to the ``sys.path`` folder it is imported from (the project root for its modules)."""
    for folder in sorted((Path(p).absolute() for p in sys.path if p), key=lambda p: len(p.parts), reverse=True):
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return path.as_posix()


def _name(hook: Hook) -> str:
    return getattr(hook, "__qualname__", None) or type(hook).__qualname__
