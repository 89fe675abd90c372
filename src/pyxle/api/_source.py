"""What a route file binds at its top level, read from its source without running it.

A name the file imports (``from httpx import get``) is a tool it uses, not a handler it serves,
whatever its name; telling the two apart needs the statement that bound the name, which the
module object no longer has.
"""

from __future__ import annotations

import ast
import sys

_NESTED = ("body", "orelse", "finalbody", "handlers", "cases")  # if / try / with / for / match: still the top level


Source = str | bytes | ast.Module  # a file's text, or its tree parsed already (read once, asked several things)


def _parsed(source: Source) -> ast.Module | None:
    if isinstance(source, ast.Module):
        return source
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None


def bindings(source: Source) -> dict[str, tuple[bool, int]]:
    """``name -> (bound by an import, line)`` for the last top-level statement binding each name;
    empty when the source does not parse (the import has already said why)."""
    tree = _parsed(source)
    if tree is None:
        return {}
    found: dict[str, tuple[bool, int]] = {}
    _walk(tree.body, found)
    return found


def may_serve(source: Source, methods: tuple[str, ...]) -> bool:
    """Whether the file could bind a handler: a method function it defines or assigns (one it
    imports is a tool, not a handler), ``endpoint`` or ``websocket`` however bound, a class, or
    any name it imports from a module but a method's (an HTTPEndpoint subclass, whatever its
    case, or ``*``), unless the module is the standard library's, Starlette's or Pyxle's. False only when it certainly binds none; True when the source does not parse."""
    tree = _parsed(source)
    if tree is None:
        return True
    if any(isinstance(node, ast.ClassDef) or (isinstance(node, ast.ImportFrom) and not _no_endpoints(node) and any(
            (alias.asname or alias.name) not in methods for alias in node.names)) for node in ast.walk(tree)):
        return True
    found: dict[str, tuple[bool, int]] = {}
    _walk(tree.body, found)
    return any((name in methods and not imported) or name in ("endpoint", "websocket")
               for name, (imported, _) in found.items())


# Modules that define no HTTPEndpoint subclass: a name imported from them (JSONResponse, HTTPEndpoint
# itself, dataclass) never serves the route, so a file importing only such names and defining no
# handler is refused by pyxle check as start-up refuses it.
_NO_ENDPOINTS = frozenset({*sys.stdlib_module_names, "starlette", "pyxle"})


def _no_endpoints(node: ast.ImportFrom) -> bool:
    return node.level == 0 and (node.module or "").partition(".")[0] in _NO_ENDPOINTS


def no_request(source: Source, names: tuple[str, ...]) -> list[tuple[str, int]]:
    """``(name, line)`` of each top-level ``def`` among ``names`` with no parameter for the request,
    and (``Class.name``) of each such method of a class with an ``HTTPEndpoint`` base, which takes
    ``self`` first (one parameter fewer for a ``@staticmethod``)."""
    tree = _parsed(source)
    if tree is None:
        return []
    found = [(node.name, node.lineno) for node in tree.body if _without_request(node, names, 1)]
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and any(_names_endpoint(base) for base in cls.bases):
            found += [(f"{cls.name}.{node.name}", node.lineno) for node in cls.body
                      if _without_request(node, names, 1 if _static(node) else 2)]
    return found


def _without_request(node: ast.stmt, names: tuple[str, ...], needed: int) -> bool:
    """A ``def`` among ``names`` with fewer than ``needed`` positional parameters and no ``*args``."""
    return (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names
            and not node.args.vararg and len(node.args.posonlyargs) + len(node.args.args) < needed)


def _names_endpoint(base: ast.expr) -> bool:
    """``HTTPEndpoint`` or ``endpoints.HTTPEndpoint`` as a class's base."""
    return (base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")) == "HTTPEndpoint"


def _static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _walk(body: list[ast.stmt], found: dict[str, tuple[bool, int]]) -> None:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    found[(alias.asname or alias.name).partition(".")[0]] = (True, node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = (False, node.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for name in ast.walk(node):
                if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                    found[name.id] = (False, node.lineno)
        else:
            for field in _NESTED:
                for child in getattr(node, field, ()):
                    _walk(child.body if isinstance(child, (ast.ExceptHandler, ast.match_case)) else [child], found)
