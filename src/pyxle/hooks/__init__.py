"""Route hooks: per-route middleware around request -> response endpoints.

Public names: ``RouteContext``, ``RouteHook``, ``wrap_endpoint``, ``load_hooks``, ``HookLoadError``,
``attach`` (the route's facts as a dict at ``scope["pyxle"]["route"]``), ``route_contexts``
(a route's context, and an optional catch-all's second one).
Hooks wrap request -> response callables: method functions, ``endpoint``, an ``HTTPEndpoint``
class's methods, page renders and actions. WebSocket handlers bypass them (the seed's rule: a
socket's lifecycle does not have that shape).
"""

from pyxle.hooks._chain import Endpoint, Hook, HookLoadError, load_hooks, wrap_endpoint
from pyxle.hooks._context import RouteContext, RouteHook, attach, route_contexts

__all__ = ["Endpoint", "Hook", "HookLoadError", "RouteContext", "RouteHook", "attach", "load_hooks", "route_contexts",
           "wrap_endpoint"]
