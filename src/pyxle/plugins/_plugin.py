"""The base class a plugin subclasses, and what names it in the config."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyxle.plugins._context import PluginContext
from pyxle.plugins._errors import PluginError


class PyxlePlugin:
    """Subclass it and override what the plugin needs; a module exposes it as ``plugin``.

    ``settings`` holds the entry's ``settings`` object from ``pyxle.config.json``. Start-up runs in
    the order the config lists plugins, shutdown in the reverse order, both inside the app's
    lifespan; ``middleware()`` names ASGI middleware the app wraps around its routes.
    """

    name: str = "unnamed"
    version: str = "0.0.0"
    settings: Mapping[str, Any] = {}  # replaced per instance when the plugin is loaded

    def middleware(self) -> Sequence[tuple[str, Mapping[str, Any]]]:
        """``[("module.path:Class", {keyword arguments}), ...]``, the first listed outermost
        (``"module.path.Class"`` works as well)."""
        return ()

    async def on_startup(self, ctx: PluginContext) -> None:
        """Open what the plugin needs and ``ctx.register`` its services."""

    async def on_shutdown(self, ctx: PluginContext) -> None:
        """Close what ``on_startup`` opened."""


_NAME_CHARS = re.compile(r"[-]")


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """One ``plugins`` entry: which module to import and which attribute of it is the plugin."""

    name: str
    module: str
    attribute: str = "plugin"
    settings: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_config_entry(entry: str | Mapping[str, Any], *, source: str = "pyxle.config.json") -> PluginSpec:
        """``"pyxle-db"`` or ``{"name": "pyxle-db", "settings": {...}}``; the module defaults to the
        package named after the plugin (``pyxle_db.plugin``), ``module``/``attribute`` override it."""
        if isinstance(entry, str):
            name, settings, module, attribute = entry, {}, None, None
        elif isinstance(entry, Mapping):
            name = entry.get("name")
            settings = entry.get("settings") or {}
            module, attribute = entry.get("module"), entry.get("attribute")
            if not isinstance(settings, Mapping):
                raise PluginError(f"{source}: plugin {name!r}: settings must be an object, not {type(settings).__name__}")
        else:
            raise PluginError(f"{source}: a plugin entry is a name or an object, not {type(entry).__name__}")
        if not isinstance(name, str) or not name.strip():
            raise PluginError(f'{source}: a plugin entry needs a non-empty "name"')
        return PluginSpec(
            name=name,
            module=module or default_module(name),
            attribute=attribute or "plugin",
            settings=dict(settings),
        )


def default_module(name: str) -> str:
    """``pyxle-db`` -> ``pyxle_db.plugin``: the plugin module of the package a name refers to."""
    return _NAME_CHARS.sub("_", name) + ".plugin"
