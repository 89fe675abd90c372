"""Pyxle: a Python full-stack web framework.

``pages/api/**.py`` are API routes; ``pages/**.pyxl`` are React pages with Python loaders and
actions. The names importable from here are the ones user code needs: route hook types, the
``@server`` loader decorator (``from pyxle import server``, as in pyxle-framework 0.9) and signed
cookies (``sign_cookie``, ``verify_cookie``).
"""

from typing import TYPE_CHECKING, Any

from pyxle.hooks import RouteContext, RouteHook

if TYPE_CHECKING:  # what type checkers and editors see of the names imported on first use below
    from pyxle.runtime import server
    from pyxle.security._cookies import sign_cookie, verify_cookie

__version__ = "1.0.0"
__all__ = ["RouteContext", "RouteHook", "__version__", "server", "sign_cookie", "verify_cookie"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `import pyxle` stays as light as the hook types.
    if name == "server":
        from pyxle.runtime import server

        return server
    if name in ("sign_cookie", "verify_cookie"):
        from pyxle.security import _cookies

        return getattr(_cookies, name)
    raise AttributeError(f"module 'pyxle' has no attribute {name!r}")
