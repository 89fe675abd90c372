"""The rows of ``pyxle routes``: every route in match order, with what serves it."""

from __future__ import annotations

from typing import Any

from pyxle.cli._project import CliError
from pyxle.config import PyxleConfig


def load_routes(config: PyxleConfig) -> tuple[list[tuple[Any, Any]], Any]:
    """Every API route and page, loaded from source (no build), and the actions endpoint (or None)."""
    from pyxle.api import ApiLoadError, load_api_routes
    from pyxle.routing import RoutingError, scan

    actions = None
    try:
        table = scan(config.pages_path)
        loaded: list[tuple[Any, Any]] = list(load_api_routes(table.api, config.pages_path, config.root))
        if table.pages or table.specials:
            from pyxle.pages import PageLoadError, load_pages

            try:
                pages = load_pages(table, config.pages_path, config.root)
            except PageLoadError as exc:
                raise CliError("\n".join(exc.messages)) from None
            loaded += pages.pages
            actions = pages.actions
    except RoutingError as exc:
        raise CliError("invalid routes:\n  " + "\n  ".join(exc.problems)) from None
    except ApiLoadError as exc:
        raise CliError(str(exc)) from None
    return loaded, actions


def route_rows(config: PyxleConfig) -> list[dict[str, Any]]:
    """A page's ``actions`` are every action its URL serves: its own, then those of the layouts and
    templates around it, which ``layout_actions`` names with their file (``{"ping": "pages/layout.pyxl"}``)."""
    loaded, actions = load_routes(config)
    rows = []
    for spec, endpoint in sorted(loaded, key=lambda entry: entry[0].sort_key):
        row: dict[str, Any] = {
            "pattern": spec.pattern,
            "file": f"{config.pages_dir}/{spec.file}",
            "kind": spec.kind,
            "methods": list(endpoint.context.allowed_methods),
            "websocket": endpoint.accepts_websockets,
        }
        if spec.kind == "page":
            row["loader"] = endpoint.page.loader.__name__ if endpoint.page.loader else None
            row["actions"] = list(endpoint.page.actions)
            inherited = _layout_actions(actions, endpoint.page.file) if actions is not None else {}
            row["actions"] += list(inherited)
            row["layout_actions"] = {name: f"{config.pages_dir}/{file}" for name, file in inherited.items()}
        rows.append(row)
    return rows


def _layout_actions(actions: Any, file: Any) -> dict[str, Any]:
    """``{name: file}`` of the actions a page's URL serves from the layouts and templates around it."""
    from pyxle.pages import page_path

    own = page_path(file)
    return {name: owner for (page, name), owner in sorted(actions.owners.items()) if page == own and owner != file}
