"""File path -> URL pattern rules, precedence and conflicts.

Pure: paths in, routes out. Public names:

- ``scan(pages_dir)`` -> ``RouteTable`` (raises ``RoutingError`` listing every problem)
- ``build_table(files)`` -> ``RouteTable`` for already-listed relative paths (what ``scan`` uses)
- ``in_api_folder(file)``: whether a file's ``.py`` would be an API route (an ``api/`` folder at any depth)
- ``api_like(url_path)``: whether an API route may answer a URL (it has an ``api`` segment)
- ``under(url_path, prefix)``: a prefix match on segment boundaries (the config's path prefixes)
- ``canonical(url_path)``: the path with ``//``, ``.`` and ``..`` resolved, as those prefixes are written
- ``name_problems(names)``: names that are not UTF-8, or differ only in case or Unicode form (NFC, NFD);
  ``utf8_name(name)``, ``nfc(text)``
- ``starlette_patterns(spec)``: the pattern as pyxle-framework 0.9 wrote it (``{slug:path}``), for route hooks
- ``RouteSpec``, ``RouteTable``, ``RoutingError``
"""

from pyxle.routing._names import name_problems, nfc, utf8_name
from pyxle.routing._rules import (
    RouteSpec,
    RoutingError,
    api_like,
    canonical,
    in_api_folder,
    route_for_file,
    starlette_patterns,
    under,
)
from pyxle.routing._table import RouteTable, build_table, scan

__all__ = ["RouteSpec", "RouteTable", "RoutingError", "api_like", "build_table", "canonical", "in_api_folder", "name_problems", "nfc", "route_for_file",
           "scan", "starlette_patterns", "under", "utf8_name"]
