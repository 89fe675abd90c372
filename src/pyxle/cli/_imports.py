"""Imports that cannot resolve: the ``ModuleNotFoundError`` a page or an API route would stop
``pyxle serve`` with, found by ``pyxle check`` and ``pyxle build`` without importing anything."""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path

_TOLERANT = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}  # handlers that catch a missing module
_TRIES = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))
_FROM = re.compile(r"\s*from\s+")


def unresolved_imports(code: str | bytes, shown_as: str, lines: list[str], root: Path,
                       found: dict[str, bool] | None = None) -> list[str]:
    """Each absolute import that runs when the module loads and names a top-level module no finder
    finds with ``root`` on ``sys.path``, as ``pyxle serve`` puts it there (``_loading.make_importable``),
    as ``file:line:col``, the source line and a hint. ``code`` keeps the file's own lines (a page's
    compiled Python does). ``found`` caches lookups across files.

    Read, never run: ``importlib.util.find_spec`` of the top-level name executes no module (a
    submodule's lookup would run its package, so ``a.b`` is checked as ``a``). An import written to
    do without its module is left alone: a relative one, one inside a function or under an ``if``
    (``if TYPE_CHECKING:``, a version test), a ``with``, or a ``try`` that catches ``ImportError``.
    """
    from pyxle._loading import import_hint
    from pyxle.compiler import Diagnostic

    try:
        tree = ast.parse(code, shown_as)
    except (SyntaxError, ValueError, RecursionError):  # the caller's own check reports it as what it is
        return []
    found = {} if found is None else found
    problems = []
    for node, name, column in _imports(tree.body, lines):
        absent = absent_module(name, root, found)
        if absent:
            missing = ModuleNotFoundError(f"No module named {absent!r}", name=absent)
            problems.append(Diagnostic.at(shown_as, lines, node.lineno, column,
                                          f"no module named {absent!r}: pyxle serve would stop on this import",
                                          import_hint(missing)).format())
    return problems


def absent_module(name: str, root: Path, found: dict[str, bool]) -> str | None:
    """The part of the dotted module ``name`` that ``import name`` would find missing, with ``root``
    on ``sys.path``; None when it resolves (or may). ``found`` caches the top-level lookups."""
    top = name.partition(".")[0]
    if top not in found:
        found[top] = _resolves(top, root)
    return top if not found[top] else _absent_in_project(name, root)


def _absent_in_project(name: str, root: Path) -> str | None:
    """The first part of a dotted ``name`` under a module of the project's own (``lib.modles``) that
    no file or folder is, read from the file system: finding a submodule otherwise runs its package.
    None for a name whose top is not the project's, or that exists."""
    parts = name.split(".")
    if len(parts) == 1:
        return None
    folder = root / parts[0]
    if (root / f"{parts[0]}.py").is_file() and not (folder / "__init__.py").is_file():
        return ".".join(parts[:2])  # db.py (beside a db/ without __init__.py too: the module wins) is no package
    if not folder.is_dir() or (not (folder / "__init__.py").is_file() and _installed(parts[0], root)):
        return None  # installed, not the project's (a regular package wins over a folder without __init__.py)
    for depth, part in enumerate(parts[1:], start=2):
        if (folder / part).is_dir():
            folder = folder / part
        elif depth == len(parts) and any((folder / f"{part}{suffix}").is_file() for suffix in (".py", ".pyc", ".so")):
            return None
        else:
            return ".".join(parts[:depth])
    return None


def _imports(body: list[ast.stmt], lines: list[str]) -> Iterator[tuple[ast.stmt, str, int]]:
    """(statement, module name, 1-based column) of each absolute import ``body`` always runs."""
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, getattr(alias, "col_offset", node.col_offset) + 1
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            text = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
            start = _FROM.match(text, node.col_offset)
            yield node, node.module, (start.end() if start else node.col_offset) + 1
        elif isinstance(node, _TRIES):
            if not any(_tolerates(handler.type) for handler in node.handlers):
                yield from _imports([*node.body, *node.orelse], lines)
            yield from _imports(node.finalbody, lines)


def _tolerates(caught: ast.expr | None) -> bool:
    """Whether ``except <caught>:`` catches a missing module (a bare ``except:`` does)."""
    if caught is None:
        return True
    if isinstance(caught, ast.Tuple):
        return any(_tolerates(item) for item in caught.elts)
    name = caught.id if isinstance(caught, ast.Name) else caught.attr if isinstance(caught, ast.Attribute) else ""
    return name in _TOLERANT


def _resolves(top: str, root: Path) -> bool:
    """Whether ``import top`` would find a module with the project's folder first on ``sys.path``;
    the folder is taken off again, so the checking process never imports from the project."""
    entry = str(root)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):  # a finder that raises, a module in sys.modules without a spec
        return True  # not provably missing: start-up will say what it is
    finally:
        if added:
            sys.path.remove(entry)


def _installed(top: str, root: Path) -> bool:
    """Whether a module or regular package named ``top`` is found outside the project's folder."""
    try:
        spec = importlib.machinery.PathFinder.find_spec(top, [p for p in sys.path if p and Path(p) != root])
    except (ImportError, ValueError):
        return True
    return spec is not None and spec.origin is not None
