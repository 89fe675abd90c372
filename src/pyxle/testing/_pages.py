"""One ``.pyxl`` file's Python, without a server: its module, its loader, its actions."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, Union

if TYPE_CHECKING:
    from pyxle.pages._actions import ActionsEndpoint
    from pyxle.pages._module import PageModule
    from pyxle.routing import RouteTable

_PathLike = Union[str, "os.PathLike[str]"]
_counter = itertools.count()


def load_page(source_path: _PathLike, *, build_root: _PathLike | None = None) -> ModuleType:
    """Compile a ``.pyxl`` file and execute its server half as a fresh module.

    ``build_root`` is accepted for compatibility and unused: the compiled code is never written.
    """
    page = _page_module(source_path)
    page.module.__pyxle_metadata__ = _metadata_0_9(page)  # type: ignore[attr-defined]
    return page.module


class NoLoaderError(LookupError, ValueError):
    """The page has no ``@server`` loader: a ``LookupError``, and the ``ValueError`` 0.9.4 raised."""


class ActionDeclaration(NamedTuple):
    """One ``@action`` of a page, as 0.9.4's metadata listed it."""

    name: str
    line: int | None


@dataclass(frozen=True)
class PageMetadata:
    """0.9.4's ``module.__pyxle_metadata__``: the attributes a 0.9 test read, with their meanings."""

    route_path: str | None
    client_path: str
    server_path: str
    loader_name: str | None
    loader_line: int | None
    actions: tuple[ActionDeclaration, ...]
    websocket_name: str | None
    websocket_line: int | None
    cache_revalidate: float | None
    standalone: bool
    head_is_dynamic: bool
    head_elements: tuple[str, ...]

    @property
    def has_loader(self) -> bool:
        return self.loader_name is not None

    @property
    def has_actions(self) -> bool:
        return bool(self.actions)

    @property
    def has_websocket(self) -> bool:
        return self.websocket_name is not None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "actions": [action._asdict() for action in self.actions]}


def _metadata_0_9(page: PageModule) -> PageMetadata:
    from pyxle.routing._rules import route_for_file, starlette_patterns

    spec = route_for_file(page.file, "page")
    stem = "/pages/" + page.file.with_suffix("").as_posix()
    compiled = page.metadata
    lines = dict(zip(compiled.actions, compiled.action_lines, strict=False)) if compiled is not None else {}
    head = page.head
    return PageMetadata(
        route_path=starlette_patterns(spec)[0] if spec is not None else None, client_path=stem + ".jsx",
        server_path=stem + ".py", loader_name=page.loader.__name__ if page.loader else None,
        loader_line=compiled.loader_line if compiled is not None and page.loader else None,
        actions=tuple(ActionDeclaration(name, lines.get(name)) for name in page.actions),
        websocket_name="websocket" if page.websocket else None,
        websocket_line=page.websocket.__code__.co_firstlineno if page.websocket else None,
        cache_revalidate=page.revalidate, standalone=page.standalone, head_is_dynamic=callable(head),
        head_elements=() if callable(head) or head is None else (head,) if isinstance(head, str) else tuple(head))


def load_loader(source_path: _PathLike, *, build_root: _PathLike | None = None) -> Callable[..., Any]:
    """The page's ``@server`` loader (an async function of the request); ``NoLoaderError`` (a ``LookupError`` and a ``ValueError``) if none."""
    page = _page_module(source_path)
    if page.loader is None:
        raise NoLoaderError(f"{source_path} has no @server loader to test")
    return page.loader


def call_action(page: _PathLike, name: str, body: dict[str, Any] | None = None, *,
                headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Run an ``@action`` through Pyxle's real actions endpoint (body validation, ``ActionError``s)
    and return the JSON it answers: ``{"ok": true, ...}`` or ``{"ok": false, "error": ..., "fields": ...}``.

    ``page`` is a page's file, whose call reaches its layouts' and templates' actions too, as its
    URL does; or a layout's or template's file, for its own actions (and the layouts' around it).
    The answer's status code is under ``"status"`` only when it is not 200.
    """
    from pyxle.pages._actions import ActionsEndpoint
    from pyxle.pages._errors import PagesRuntime
    from pyxle.pages._module import standalone_wrappers
    from pyxle.routing import scan
    from pyxle.testing._client import TestClient

    path = Path(page).resolve()
    pages_dir = _pages_dir(path)
    module = _page_module(page, pages_dir)
    table = scan(pages_dir)
    table = table.with_standalone(standalone_wrappers(table, pages_dir))
    endpoint = ActionsEndpoint(PagesRuntime(table, expose_errors=True))
    page_path = module.file.with_suffix("").as_posix()
    _add_actions(endpoint, table, pages_dir, module, page_path, shown_as=str(page))

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
        elif scope["type"] == "http":
            scope["path_params"] = {"target": scope["path"].removeprefix("/api/__actions/")}
            await endpoint(scope, receive, send)

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(f"/api/__actions/{page_path}/{name}", json=body or {}, headers=headers)
    answer = response.json()
    if response.status_code != 200:
        answer["status"] = response.status_code
    return answer


def _add_actions(endpoint: ActionsEndpoint, table: RouteTable, pages_dir: Path, module: PageModule, page_path: str,
                 *, shown_as: str) -> None:
    """Serve at ``page_path`` the actions the server serves for ``module``'s file: a page's own and
    those of the layouts and templates around it; a layout's or template's own and those of the
    ones around it (as on every page under it). ``ValueError`` for any other file (no URL serves it)."""
    file = module.file
    spec = next((spec for spec in table.pages if spec.file == file), None)
    chain = [special for _, special in table.chain(file)]
    if spec is not None:
        around = [_page_module(pages_dir / special, pages_dir) for special in chain]
        endpoint.add_page(page_path, spec, module, (), around=around)
    elif file in chain:  # a layout or template: those around it, then itself (its own names win), served
        # as for an error page, which has only the actions of the files around it
        around = [_page_module(pages_dir / special, pages_dir) for special in chain[:chain.index(file)]]
        endpoint.add_error_page(page_path, file, [*around, module], ())
    else:
        raise ValueError(f"{shown_as} is not a page, layout or template of {pages_dir}, so no URL serves its "
                         "actions: pass call_action the .pyxl file of a page (or of a layout or template)")


def _page_module(source_path: _PathLike, pages_dir: Path | None = None) -> PageModule:
    from pyxle.pages._module import load_page_module

    path = Path(source_path).resolve()
    file = PurePosixPath(path.relative_to(pages_dir or _pages_dir(path)).as_posix())
    name = f"_pyxle_test_page_{next(_counter)}"
    return load_page_module(path, file, name, shown_as=str(source_path), require_default_export=False)


def _pages_dir(path: Path) -> Path:
    """The ``pages/`` folder a page file lives in (its own folder when none is named so)."""
    return next((p for p in path.parents if p.name == "pages"), path.parent)
