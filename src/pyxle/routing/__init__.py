"""File path -> URL pattern rules, precedence and conflicts.

Pure: paths in, routes out. Public names:

- ``scan(pages_dir)`` -> ``RouteTable`` (raises ``RoutingError`` listing every problem)
- ``build_table(files)`` -> ``RouteTable`` for already-listed relative paths (what ``scan`` uses)
- ``RouteSpec``, ``RouteTable``, ``RoutingError``
"""

from pyxle.routing._rules import RouteSpec, RoutingError, route_for_file
from pyxle.routing._table import RouteTable, build_table, scan

__all__ = ["RouteSpec", "RouteTable", "RoutingError", "build_table", "route_for_file", "scan"]
