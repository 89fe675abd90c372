"""A compiled ``.pyxl`` file, executed: its loader, actions and HEAD, found once at load time."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from pyxle._loading import SourceError, content_hash, def_line, exec_module, source_text
from pyxle.compiler import CompileError, compile_source
from pyxle.pages._data import not_an_object, returns
from pyxle.runtime import marked_functions, runtime_globals
from pyxle.validation import EXTRA_HINT, TYPES_HINT, MissingExtra


@dataclass(frozen=True)
class PageModule:
    """One ``.pyxl`` file (page, layout or template) as the server sees it."""

    file: PurePosixPath  # relative to pages/
    path: Path
    module: ModuleType
    loader: Callable[..., Any] | None
    actions: dict[str, Callable[..., Any]]
    head: Any  # str | list[str] | Callable[[dict], str | list[str]] | None
    client_code: str
    content_hash: str
    metadata: Any = field(default=None, compare=False)
    websocket: Callable[..., Any] | None = None  # ``async def websocket(ws)``: served at the page's URL
    # ``CACHE = {"revalidate": N}``: N, how long the page cache may keep the page (a page's own file only)
    revalidate: float | None = None
    standalone: bool = False  # ``STANDALONE = True`` (a layout or template): the root of its pages' chain


class PageCompileError(Exception):
    """Compile errors of one file, each already formatted as ``file:line:col: message``."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


def load_page_module(path: Path, file: PurePosixPath, module_name: str, *, shown_as: str,
                     require_default_export: bool = True) -> PageModule:
    """Compile and execute one ``.pyxl``; compile errors and import errors name the file and line."""
    source = source_text(path, shown_as)
    try:
        result = compile_source(source, path=shown_as, require_default_export=require_default_export)
    except CompileError as exc:
        raise PageCompileError(_formatted(exc)) from None
    module = exec_module(result.server_code, path, module_name, shown_as=shown_as, preset=runtime_globals())
    return _page_module(module, file, path, shown_as, client_code=result.client_code,
                        content_hash=content_hash(source.encode()), metadata=result.metadata)


def load_built_module(code_path: Path, source_hash: str, path: Path, file: PurePosixPath, module_name: str, *,
                      shown_as: str) -> PageModule:
    """Execute a server module ``pyxle build`` compiled from ``path``; errors still name the ``.pyxl``.

    The compiler keeps line numbers, so tracebacks into ``path`` show the user's own lines.
    """
    try:
        code = code_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(shown_as, None, f"its compiled module {code_path} cannot be read: {exc.strerror}",
                          "run `pyxle build` again") from None
    module = exec_module(code, path, module_name, shown_as=shown_as, preset=runtime_globals())
    return _page_module(module, file, path, shown_as, client_code="", content_hash=source_hash, metadata=None)


def _page_module(module: ModuleType, file: PurePosixPath, path: Path, shown_as: str, *, client_code: str,
                 content_hash: str, metadata: Any) -> PageModule:
    namespace = vars(module)
    loader, actions = marked_functions(namespace)
    websocket = namespace.get("websocket")
    if websocket is not None and not (callable(websocket) and inspect.iscoroutinefunction(websocket)):
        raise SourceError(shown_as, _line(websocket) if callable(websocket) else None,
                          "`websocket` must be `async def websocket(ws)`", "write `async def websocket(ws):`")
    for fn in [*([loader] if loader else []), *actions.values()]:
        if not inspect.iscoroutinefunction(fn):
            raise SourceError(shown_as, _line(fn), f"{fn.__name__}() must be async def", "write `async def`")
        returned = not_an_object(fn)
        if returned is not None:
            raise not_an_object_error(shown_as, def_line(fn), fn.__name__, returned, loader=fn is loader)
        check_returns(shown_as, fn)
    return PageModule(
        file=file,
        path=path,
        module=module,
        loader=loader,
        actions=actions,
        head=namespace.get("HEAD"),
        client_code=client_code,
        content_hash=content_hash,
        metadata=metadata,
        websocket=websocket,
        **directives(namespace),
    )


def standalone_wrappers(table: Any, pages_dir: Path) -> list[PurePosixPath]:
    """The layouts and templates of ``table`` that say ``STANDALONE = True``, read by compiling them
    (nothing run): for ``table.with_standalone`` where their modules are not loaded. A file that
    does not compile is left out (its error is reported where it is loaded)."""
    found = []
    for group in table.specials.values():
        for kind, file in group.items():
            if kind in ("layout", "template"):
                try:
                    source = source_text(pages_dir / file, file.as_posix())
                    if compile_source(source, path=file.as_posix(), require_default_export=False).metadata.standalone:
                        found.append(file)
                except (SourceError, CompileError):
                    continue
    return found


def directives(namespace: dict[str, Any]) -> dict[str, Any]:
    """``CACHE``'s seconds and ``STANDALONE`` as the module holds them: the compiler refused any other
    form of them (``compiler._rules._directive``), and a built module was compiled by ``pyxle build``."""
    cache, standalone = namespace.get("CACHE"), namespace.get("STANDALONE")
    seconds = cache.get("revalidate") if isinstance(cache, dict) else None
    return {"revalidate": float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else None,
            "standalone": standalone is True}


def check_returns(shown_as: str, fn: Callable[..., Any]) -> None:
    """Build ``fn``'s return annotation's dumper (``returns``), refused as a typed API route's is:
    without pydantic, or for a type pydantic cannot validate, a ``SourceError`` naming the line."""
    try:
        returns(fn)
    except MissingExtra as exc:
        raise SourceError(shown_as, def_line(fn), f"{fn.__name__}() {exc}", EXTRA_HINT) from None
    except TypeError as exc:
        raise SourceError(shown_as, def_line(fn), f"{fn.__name__}(): {exc}", TYPES_HINT) from None


def not_an_object_error(shown_as: str, line: int | None, name: str, returned: str, *, loader: bool) -> SourceError:
    """A loader or action annotated to return what JSON cannot send as an object (``-> list[Item]``)."""
    what = "a loader's data is the page's `data` prop" if loader else 'an action answers `{"ok": true, ...its result}`'
    return SourceError(shown_as, line, f"{name}() returns {returned}, which is not a JSON object",
                       f"{what}, an object: return a dict or a model holding the value "
                       "(`-> dict[str, list[Item]]`, or a model with an `items: list[Item]` field)")


def _formatted(exc: CompileError) -> list[str]:
    errors = getattr(exc, "errors", None) or [exc]
    return [e.format() if hasattr(e, "format") else str(e) for e in errors]


def _line(fn: Callable[..., Any]) -> int | None:
    code = getattr(fn, "__code__", None)
    return code.co_firstlineno if code else None
