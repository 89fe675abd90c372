"""Route hooks: per-route middleware around function endpoints.

Public names: ``RouteContext``, ``RouteHook``, ``wrap_endpoint``, ``load_hooks``, ``HookLoadError``.
Hooks wrap request -> response callables only; ``HTTPEndpoint`` classes and WebSocket
handlers bypass them (the seed's rule: their lifecycle does not have that shape).
"""

from pyxle.hooks._chain import Endpoint, Hook, HookLoadError, load_hooks, wrap_endpoint
from pyxle.hooks._context import RouteContext, RouteHook

__all__ = ["Endpoint", "Hook", "HookLoadError", "RouteContext", "RouteHook", "load_hooks", "wrap_endpoint"]
