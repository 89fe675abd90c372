"""Loading plugins from their specs, and starting and stopping them in order."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pyxle.plugins._context import PluginContext
from pyxle.plugins._errors import PluginError, PluginResolutionError
from pyxle.plugins._plugin import PluginSpec, PyxlePlugin, default_module

logger = logging.getLogger("pyxle.plugins")


def load_plugins(specs: Sequence[PluginSpec]) -> tuple[PyxlePlugin, ...]:
    """Import each plugin: a ``PyxlePlugin`` subclass is instantiated, an instance used as is;
    either way it gets its entry's settings. Errors name the plugin and what went wrong."""
    loaded = []
    for spec in specs:
        try:
            module = importlib.import_module(spec.module)
        except Exception as exc:  # ImportError, or the module's own failure
            hint = _missing_hint(exc, spec) if isinstance(exc, ModuleNotFoundError) else ""
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


def _missing_hint(exc: ModuleNotFoundError, spec: PluginSpec) -> str:
    """What to do about a module that is not there: install the package it is the top of (the
    plugin's own package when the entry names one), or, in a package that is there (the project's
    ``plugins/`` folder), add the file it would be."""
    missing = exc.name or ""
    top, _, rest = missing.partition(".")
    if not top:
        return ""
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        found = None
    if found is not None:  # the package is there, the submodule is not
        folders = list(found.submodule_search_locations or ())
        if not rest or not folders:
            return ""
        return f" (no file {Path(folders[0]).joinpath(*rest.split('.'))}.py)"
    if spec.module.partition(".")[0] != top:  # something the plugin imports
        return f" (is it installed? pip install {top})"
    if spec.module == default_module(spec.name):  # the entry names the plugin by its package
        return f" (is it installed? pip install {spec.name})"
    return f" (no file {top}.py in the project, nor an installed package {top})"


async def run_startup(plugins: Sequence[PyxlePlugin], ctx: PluginContext, places: Sequence[str] = ()) -> None:
    """Start each plugin in order. If one fails, those already started are stopped (in reverse),
    the services registered meanwhile are removed (they were closed), and ``PluginError`` names
    the one that failed, and its entry (``places``: ``"<config file>: plugins[1]"`` per plugin)."""
    started: list[PyxlePlugin] = []
    before = ctx._services.copy()
    for index, plugin in enumerate(plugins):
        try:
            await _maybe_await(plugin.on_startup(ctx))
        except Exception as exc:
            await run_shutdown(started, ctx)
            ctx._services.clear()
            ctx._services.update(before)
            where = f"{places[index]}: " if index < len(places) else ""
            raise PluginError(f"{where}plugin {plugin.name!r} failed to start: {type(exc).__name__}: {exc}") from exc
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
