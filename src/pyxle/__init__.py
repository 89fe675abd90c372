"""Pyxle: a Python full-stack web framework.

``pages/api/**.py`` are API routes; ``pages/**.pyxl`` are React pages with Python loaders and
actions. The names importable from here are the ones user code needs: route hook types.
"""

from pyxle.hooks import RouteContext, RouteHook

__version__ = "1.0.0"
__all__ = ["RouteContext", "RouteHook", "__version__"]
