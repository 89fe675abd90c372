"""API routes: ``pages/api/**.py`` modules turned into ASGI endpoints.

Public names: ``load_api_routes``, ``ApiEndpoint``, ``ApiRequest``, ``to_response``, ``source_problems``
(what ``pyxle check`` finds in a route file without running it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyxle._loading import SourceError, content_hash, import_file, make_importable, read_source
from pyxle.api._answers import to_response
from pyxle.api._endpoint import ApiEndpoint
from pyxle.api._handlers import resolve_handlers, source_problems
from pyxle.api._request import ApiRequest
from pyxle.api._typed import typed_handlers
from pyxle.hooks import Hook, route_contexts
from pyxle.routing import RouteSpec

__all__ = ["ApiEndpoint", "ApiLoadError", "ApiRequest", "load_api_routes", "source_problems", "to_response"]


class ApiLoadError(Exception):
    """Route modules that failed to load; ``errors`` holds one ``SourceError`` per file."""

    def __init__(self, errors: Sequence[SourceError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(e.format() for e in self.errors))


def load_api_routes(
    specs: Sequence[RouteSpec], pages_dir: Path, root: Path, hooks: Sequence[Hook] = (), *,
    code_dir: Path | None = None,
) -> list[tuple[RouteSpec, ApiEndpoint]]:
    """Import every API module and resolve its handlers; every failure is collected, then raised.
    ``code_dir``: where the modules are read from when not from ``pages_dir`` (a build's copies,
    served without ``pages/``); they are still named, and imported, as ``pages_dir``'s."""
    make_importable(root)
    loaded: list[tuple[RouteSpec, ApiEndpoint]] = []
    errors: list[SourceError] = []
    for spec in specs:
        path = (code_dir or pages_dir) / spec.file
        shown_as = _relative(pages_dir / spec.file, root)
        try:
            source = read_source(path, shown_as)
            module = import_file(path, module_key(pages_dir, root, spec), shown_as=shown_as)
            handlers = resolve_handlers(module, shown_as, source)
            typed = typed_handlers(handlers, spec.params, shown_as)
        except SourceError as exc:
            errors.append(exc)
            continue
        context, bare = route_contexts(
            spec,
            target="api",
            source_absolute_path=path,
            module_key=module.__name__,
            content_hash=content_hash(source),
            allowed_methods=handlers.allowed_methods,
        )
        loaded.append((spec, ApiEndpoint(handlers, context, hooks, typed, bare, shown_as=shown_as)))
    if errors:
        raise ApiLoadError(errors)
    return loaded


def module_key(pages_dir: Path, root: Path, spec: RouteSpec) -> str:
    """``pages.api.users.[id]``: the dotted path from the project root, so relative imports work."""
    try:
        base = pages_dir.relative_to(root).parts
    except ValueError:
        base = ("pages",)
    return ".".join((*base, *spec.file.with_suffix("").parts))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
