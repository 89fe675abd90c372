"""Adding ``from pyxle.runtime import server`` / ``action`` to a page's Python, for editor tooling.

pyxle-langkit (written against pyxle-framework 0.9) feeds a page's Python section to Jedi with these
imports added, so ``@server`` and ``@action`` resolve to their definitions. Pages do not need the
imports (the loader seeds those names), which is why only tools call this.
"""

from __future__ import annotations

import ast
import re
from typing import Literal, overload

__all__ = ["ensure_action_import", "ensure_server_import"]

_FROM_RUNTIME = re.compile(r"^from\s+pyxle\.runtime\s+import\s+\(?([^)#]*)")


def ensure_action_import(source: str) -> str:
    """``source`` with ``from pyxle.runtime import action`` added, unless it imports it already."""
    return _ensure(source, "action")[0]


@overload
def ensure_server_import(source: str, *, return_insert_position: Literal[False] = False) -> str: ...
@overload
def ensure_server_import(source: str, *, return_insert_position: Literal[True]) -> tuple[str, int | None]: ...
def ensure_server_import(source: str, *, return_insert_position: bool = False) -> str | tuple[str, int | None]:
    """``source`` with ``from pyxle.runtime import server`` added, unless it imports it already.

    With ``return_insert_position``: ``(code, line)``, where ``line`` is the 0-based line the import
    went in at (after a module docstring and ``from __future__`` imports), or None when nothing was added.
    """
    code, position = _ensure(source, "server")
    return (code, position) if return_insert_position else code


def _ensure(source: str, name: str) -> tuple[str, int | None]:
    if not source.strip():
        return source, None
    try:
        module: ast.Module | None = ast.parse(source)
    except SyntaxError:  # an editor buffer mid-edit: look at the lines instead
        module = None
    if _imports(module, source, name):
        return source, None
    position = _insert_line(module)
    lines = source.splitlines(keepends=True)
    lines.insert(position, f"from pyxle.runtime import {name}\n")
    return "".join(lines), position


def _imports(module: ast.Module | None, source: str, name: str) -> bool:
    """A top-level ``from pyxle.runtime import <name>`` (not aliased) is there."""
    if module is None:
        return any(
            name in [part.strip() for part in match.group(1).split(",")]
            for match in map(_FROM_RUNTIME.match, source.splitlines())
            if match
        )
    return any(
        isinstance(node, ast.ImportFrom) and node.module == "pyxle.runtime" and node.level == 0
        and any(alias.name == name and alias.asname is None for alias in node.names)
        for node in module.body
    )


def _insert_line(module: ast.Module | None) -> int:
    """After the docstring and ``from __future__`` imports, which must stay first."""
    position = 0
    for index, node in enumerate(module.body if module is not None else ()):
        docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str)
        if docstring or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            position = node.end_lineno or node.lineno
        else:
            break
    return position
