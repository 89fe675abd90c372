"""The action a ``<Form action="save">`` names, checked against the actions it can call: those of
its page and of the layouts and templates around it (a layout's Form: those of any page under it
too). A misspelt name otherwise showed only when the form was sent ("Unknown action 'sav'").

Read from the compiled files, nothing run: ``pyxle check`` and ``pyxle build`` report a name only
where the compiler sees every action there is (``sees_every_action``: a name imported from a
module may be an action it cannot see); ``pyxle dev`` checks again with the actions it loaded.
A Form whose ``action`` is not a string, or that names another page (``pagePath``) or spreads its
props, is left alone.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

from pyxle.compiler import Diagnostic, Insert
from pyxle.compiler.jsx_parser import parse_jsx_components
from pyxle.routing import RouteTable

__all__ = ["FileForms", "FormAction", "file_forms", "form_actions", "form_problems", "sees_every_action"]

_CLIENT = r"""\s*from\s*['"]pyxle/client['"]"""
_NAMED = re.compile(r"\bimport\s+(?:[\w$]+\s*,\s*)?\{([^}]*)\}" + _CLIENT)
_NAMESPACE = re.compile(r"\bimport\s+\*\s*as\s+([\w$]+)" + _CLIENT)
# Modules whose names are no Pyxle actions: Python's own, Pyxle's, and libraries that know nothing of it.
_NO_ACTIONS = frozenset({*sys.stdlib_module_names, "pyxle", "starlette", "pydantic", "typing_extensions"})
_MARKERS = ("server", "action")
_KINDS = {"layout": "layout", "template": "template", "error": "error page", "not-found": "not-found page",
          "loading": "loading page"}


@dataclass(frozen=True)
class FormAction:
    """One ``<Form action="name">``: the name, where its tag starts (1-based line and column), the tag as written."""

    name: str
    line: int
    column: int
    tag: str = "Form"


@dataclass(frozen=True)
class FileForms:
    """What one compiled ``.pyxl`` gives the check: its Forms, its lines, its actions, and its Python
    (None: ``actions`` are all it has, as loaded), read only when a Form may call its actions."""

    forms: tuple[FormAction, ...]
    lines: tuple[str, ...]
    actions: frozenset[str]
    server_code: str | None = None

    @cached_property
    def complete(self) -> bool:
        """Whether ``actions`` are all the actions the file has (``sees_every_action``)."""
        return self.server_code is None or sees_every_action(self.server_code)


def form_actions(client_code: str, insert: Insert | None = None) -> list[FormAction]:
    """The Forms of ``pyxle/client`` in a compiled client module whose ``action`` is a string. Its
    lines are the ``.pyxl``'s; ``insert``: the props type the compiler wrote into one of them."""
    tags = {local for names in _NAMED.findall(client_code) for local in _form_names(names)}
    tags |= {f"{namespace}.Form" for namespace in _NAMESPACE.findall(client_code)}
    if not tags:
        return []
    found = []
    for element in parse_jsx_components(client_code, target_components=tags).components:
        name, props = element.props.get("action"), element.props
        if not isinstance(name, str) or name.startswith("{") or "pagePath" in props or "__spread__" in props:
            continue
        line, column = element.line or 1, (element.column or 0) + 1
        found.append(FormAction(name, line, insert.column_before(line, column) if insert else column, element.name))
    return found


def _form_names(names: str) -> list[str]:
    """The local names ``{ Form, Form as F, Head }`` gives ``Form``."""
    found = []
    for part in names.split(","):
        imported, _, local = part.strip().partition(" as ")
        if imported.strip() == "Form":
            found.append((local or imported).strip())
    return found


def sees_every_action(server_code: str) -> bool:
    """Whether a page's actions are all its ``@action`` functions: no name is imported from a
    module that may hold one (Python's own and Pyxle's hold none), none is bound from a call or
    another name, and no function has a decorator other than Pyxle's markers."""
    try:
        tree = ast.parse(server_code)
    except SyntaxError:
        return False
    return all(_plain(node) for node in _top_level(tree.body))


def _top_level(body: Iterable[ast.stmt]) -> Iterable[ast.stmt]:
    """The module's statements, those under an ``if``, ``try``, ``with`` or loop at the top level included."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
            for field in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)


def _plain(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").partition(".")[0] in _NO_ACTIONS
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return node.value is None or all(isinstance(part, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict,
                                                           ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.UnaryOp,
                                                           ast.BoolOp, ast.Compare, ast.expr_context, ast.operator,
                                                           ast.unaryop, ast.boolop, ast.cmpop))
                                         for part in ast.walk(node.value))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        marked = [_marker(d) for d in node.decorator_list]
        return "action" in marked or all(marked)
    return True


def _marker(decorator: ast.expr) -> str:
    """``server`` or ``action`` for Pyxle's markers (``@action(name=...)`` too), else ''."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
    return name if name in _MARKERS else ""


def file_forms(client_code: str, server_code: str | None, lines: Iterable[str], actions: Iterable[str],
               insert: Insert | None = None) -> FileForms:
    """A compiled file, as ``form_problems`` reads it. ``server_code`` None: ``actions`` are all it
    has (loaded, not read); else they are the compiler's, all it has if it sees them all."""
    return FileForms(tuple(form_actions(client_code, insert)), tuple(lines), frozenset(actions), server_code)


def form_problems(table: RouteTable, files: Mapping[PurePosixPath, FileForms],
                  shown: Callable[[PurePosixPath], str]) -> list[tuple[PurePosixPath, str]]:
    """``file:line:col`` errors for the Forms that name an action none of the files they can call
    has, where each of those files' actions are all known (``files``: by file under pages/, as
    compiled; one missing is not known), each with the file that holds the Form."""
    served = [spec.file for spec in table.pages] + [
        file for group in table.specials.values() for kind, file in group.items() if kind in ("error", "not-found")]
    pages = {spec.file for spec in table.pages}
    problems = []
    for file, found in files.items():
        if not found.forms:
            continue
        reached = _reached(table, file, served, page=file in pages)
        if not all(f in files and files[f].complete for f in reached):
            continue
        callable_ = sorted({name for f in reached for name in files[f].actions})
        for form in found.forms:
            if form.name in callable_:
                continue
            kind = "page" if file in pages else _KINDS.get(file.stem, file.stem)
            others = "nor do its layouts" if file in pages else "nor do the layouts around it or the pages under it"
            message = f'<{form.tag} action="{form.name}">: this {kind} has no action {form.name!r} ({others})'
            problems.append((file, Diagnostic.at(shown(file), list(found.lines), form.line, form.column, message,
                                                 _hint(form.name, callable_)).format()))
    return problems


def _reached(table: RouteTable, file: PurePosixPath, served: list[PurePosixPath], *, page: bool) -> set[PurePosixPath]:
    """The files whose actions a Form in ``file`` can call: a page's own and its layouts'; a layout's
    (or another special file's) also those of every page under its folder, and of their layouts."""
    reached = {file, *(f for _, f in table.chain(file))}
    if not page:
        folder = file.parent
        for other in served:
            if folder == PurePosixPath(".") or other.parent == folder or folder in other.parent.parents:
                reached |= {other, *(f for _, f in table.chain(other))}
    return reached


def _hint(name: str, callable_: list[str]) -> str:
    close = difflib.get_close_matches(name, callable_, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    fix = f"define `@action async def {name}(request)`, or give the Form `pagePath` for another page's"
    if callable_:
        return f"the actions a Form here can call are {', '.join(callable_)}; {fix}"
    return f"no action is defined here; {fix}"
