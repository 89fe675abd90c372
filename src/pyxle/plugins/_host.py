"""One app's plugins: loaded with the app, started and stopped with its lifespan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.middleware import Middleware

from pyxle._loading import import_string
from pyxle.plugins._context import PluginContext, set_active_context
from pyxle.plugins._errors import PluginError
from pyxle.plugins._lifecycle import load_plugins, run_shutdown, run_startup
from pyxle.plugins._plugin import PluginSpec, PyxlePlugin


class Plugins:
    """The configured plugins of one app, their shared ``context`` and the middleware they add."""

    def __init__(self, plugins: Sequence[PyxlePlugin], context: PluginContext, middleware: Sequence[Middleware],
                 places: Sequence[str] = ()) -> None:
        self.plugins = tuple(plugins)
        self.places = tuple(places)  # each plugin's entry, as its start-up error names it
        self.context = context
        self.middleware = list(middleware)
        self._started = False

    async def start(self) -> None:
        await run_startup(self.plugins, self.context, self.places)
        self._started = True
        set_active_context(self.context)

    async def stop(self) -> None:
        """Stop the plugins if they started (a failed start stopped those it had started already)."""
        if not self._started:
            return
        self._started = False
        set_active_context(None)
        await run_shutdown(self.plugins, self.context)


def load(entries: Sequence[Any], settings: Any, source: str | None = None) -> Plugins:
    """Import every ``plugins`` entry and the middleware each one names; ``PluginError`` names the
    plugin that cannot be used. ``settings`` becomes ``context.settings``; ``source``: the config
    file the entries came from, so that a plugin failing to start is named with its entry there."""
    specs = [PluginSpec.from_config_entry(entry) for entry in entries]
    plugins = load_plugins(specs)
    middleware = []
    for spec, plugin in zip(specs, plugins, strict=True):
        try:
            declared = list(plugin.middleware() or ())
        except Exception as exc:
            raise PluginError(f"plugin {spec.name!r}: middleware() failed: {type(exc).__name__}: {exc}") from exc
        for index, item in enumerate(declared):
            where = f"plugin {spec.name!r} middleware[{index}]"
            path, options = _middleware_entry(item, where)
            try:
                cls = import_string(path, f"{where} {path!r}")
            except ImportError as exc:
                raise PluginError(str(exc)) from exc
            middleware.append(Middleware(cls, **options))
    places = [f"{source}: plugins[{index}]" for index in range(len(specs))] if source else []
    return Plugins(plugins, PluginContext(settings=settings), middleware, places)


def _middleware_entry(item: Any, where: str) -> tuple[str, dict[str, Any]]:
    """One item of ``middleware()``: an import string, alone or with its keyword arguments."""
    try:
        path, options = (item, {}) if isinstance(item, str) else item
        options = dict(options or {})
    except (TypeError, ValueError):
        path, options = None, {}
    if not isinstance(path, str):
        raise PluginError(f'{where}: expected "module.path:Class" or ("module.path:Class", {{options}}), got {item!r}')
    return path, options
