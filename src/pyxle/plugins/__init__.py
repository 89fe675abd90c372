"""Plugins: packages such as ``pyxle-db`` and ``pyxle-auth``, listed under ``plugins`` in the config.

A plugin is a ``PyxlePlugin`` that starts and stops with the app, registers services in a
``PluginContext`` that code looks up by name (``plugin("db.database")``), and may add ASGI
middleware (which is how plugins put values on ``request.state`` and ``request.user``).
Depends on ``_loading`` only; the app passes the configuration in.

Public names: ``PyxlePlugin``, ``PluginSpec``, ``PluginContext``, ``plugin``, ``active_context``,
``set_active_context``, ``load_plugins``, ``run_startup``, ``run_shutdown``, ``PluginError``,
``PluginResolutionError``, ``PluginServiceError``; for the app: ``Plugins``, ``load``, ``PluginSettings``.
"""

from pyxle.plugins._context import PluginContext, active_context, plugin, set_active_context
from pyxle.plugins._errors import PluginError, PluginResolutionError, PluginServiceError
from pyxle.plugins._host import Plugins, load
from pyxle.plugins._lifecycle import load_plugins, run_shutdown, run_startup
from pyxle.plugins._plugin import PluginSpec, PyxlePlugin
from pyxle.plugins._settings import PluginSettings

__all__ = [
    "PluginContext",
    "PluginError",
    "PluginResolutionError",
    "PluginServiceError",
    "PluginSettings",
    "PluginSpec",
    "Plugins",
    "PyxlePlugin",
    "active_context",
    "load",
    "load_plugins",
    "plugin",
    "run_shutdown",
    "run_startup",
    "set_active_context",
]
