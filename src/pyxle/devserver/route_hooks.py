"""Compatibility: existing Pyxle apps import hook types from ``pyxle.devserver.route_hooks``."""

from pyxle.hooks import RouteContext, RouteHook

__all__ = ["RouteContext", "RouteHook"]
