"""Loading plugins from their specs, and starting and stopping them in order."""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Sequence
from typing import Any

from pyxle.plugins._context import PluginContext
from pyxle.plugins._errors import PluginError, PluginResolutionError
from pyxle.plugins._plugin import PluginSpec, PyxlePlugin

logger = logging.getLogger("pyxle.plugins")


def load_plugins(specs: Sequence[PluginSpec]) -> tuple[PyxlePlugin, ...]:
    """Import each plugin: a ``PyxlePlugin`` subclass is instantiated, an instance used as is;
    either way it gets its entry's settings. Errors name the plugin and what went wrong."""
    loaded = []
    for spec in specs:
        try:
            module = importlib.import_module(spec.module)
        except Exception as exc:  # ImportError, or the module's own failure
            hint = f" (is it installed? pip install {spec.name})" if isinstance(exc, ModuleNotFoundError) else ""
            raise PluginResolutionError(
                f"plugin {spec.name!r}: cannot import {spec.module}: {type(exc).__name__}: {exc}{hint}"
            ) from exc
        target: Any = getattr(module, spec.attribute, None)
        if target is None:
            raise PluginResolutionError(f"plugin {spec.name!r}: {spec.module} has no attribute {spec.attribute!r}")
        if isinstance(target, type) and issubclass(target, PyxlePlugin):
            target = target()
        if not isinstance(target, PyxlePlugin):
            raise PluginResolutionError(
                f"plugin {spec.name!r}: {spec.module}.{spec.attribute} is a {type(target).__name__}, "
                "not a PyxlePlugin subclass or instance"
            )
        target.settings = dict(spec.settings)
        loaded.append(target)
    return tuple(loaded)


async def run_startup(plugins: Sequence[PyxlePlugin], ctx: PluginContext) -> None:
    """Start each plugin in order. If one fails, those already started are stopped (in reverse),
    the services registered meanwhile are removed (they were closed), and ``PluginError`` names
    the one that failed."""
    started: list[PyxlePlugin] = []
    before = ctx._services.copy()
    for plugin in plugins:
        try:
            await _maybe_await(plugin.on_startup(ctx))
        except Exception as exc:
            await run_shutdown(started, ctx)
            ctx._services.clear()
            ctx._services.update(before)
            raise PluginError(f"plugin {plugin.name!r} failed to start: {type(exc).__name__}: {exc}") from exc
        started.append(plugin)


async def run_shutdown(plugins: Sequence[PyxlePlugin], ctx: PluginContext) -> None:
    """Stop each plugin in reverse order; a failing one is logged and the others still stop."""
    for plugin in reversed(plugins):
        try:
            await _maybe_await(plugin.on_shutdown(ctx))
        except Exception:
            logger.exception("plugin %r failed to shut down", plugin.name)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
