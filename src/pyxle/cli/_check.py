"""``pyxle check``: compile every ``.pyxl`` without running it, collecting every error, find the
names its Python uses but never defines (a ``NameError`` waiting for the first request), and parse
its JSX with the esbuild that ``pyxle build`` bundles it with (a closing tag that does not match
its opening one fails the build, so it fails the check), and so the JSX of the project's modules
the pages import (``components/Card.jsx``). A ``middleware`` entry whose module is not there is an
error, as it stops ``pyxle serve``. API routes are read, not imported: a
syntax error, a file with no handler and a handler that cannot take the request are errors, and
so are two files for one URL, two source files named alike but for case (the build refuses them),
and a ``package.json`` that is not JSON (it stops the build). Nothing
is bundled or written."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import click

from pyxle.config import PyxleConfig

CHECKER = Path(__file__).resolve().parents[1] / "bundler" / "check.mjs"
_TIMEOUT = 120  # seconds for esbuild to parse every page; a hung Node is a note, not a failure


def check_pages(config: PyxleConfig) -> tuple[list[str], int]:
    """Formatted errors (``file:line:col: message``, source line, hint) and the number of files checked.

    When Node or esbuild is missing, the JSX is not checked and a note on stderr says so once;
    the Python checks still run.
    """
    from pyxle._loading import SourceError, source_text
    from pyxle.bundler import case_clashes, package_problem, source_files
    from pyxle.bundler._envreads import env_read_warnings
    from pyxle.compiler import CompileError, compile_source
    from pyxle.pages._forms import FileForms, file_forms
    from pyxle.routing import in_api_folder, utf8_name

    found: dict[str, list[str]] = {}
    clients: list[tuple[Path, str, list[str], str, str]] = []  # (path, shown as, .pyxl lines, client code, lang)
    declared: dict[PurePosixPath, dict[str, int]] = {}  # file under pages/ -> {action: line}, for layout_clashes
    forms: dict[PurePosixPath, FileForms] = {}  # file under pages/ -> its Forms and actions, for form_problems
    standalone: list[PurePosixPath] = []  # the files that say STANDALONE (a layout or template roots its pages' chain)
    modules: dict[str, bool] = {}  # top-level module name -> whether it resolves, for every file
    files = sorted(p for p in config.pages_path.rglob("*.pyxl") if utf8_name(str(p)) and not any(
        part.startswith((".", "_")) for part in p.relative_to(config.pages_path).parts))  # (a name not UTF-8: case_clashes)
    for path in files:
        shown_as = path.relative_to(config.root).as_posix()
        errors = found.setdefault(shown_as, [])
        try:
            source = source_text(path, shown_as)
            result = compile_source(source, path=shown_as)
        except CompileError as exc:
            errors.extend(e.format() for e in (getattr(exc, "errors", None) or [exc]))
        except SourceError as exc:  # not UTF-8, or a link to nowhere: as pyxle build says it
            errors.append(exc.format())
        else:
            errors.extend(python_problems(result.server_code, shown_as, source.splitlines(), config.root, modules))
            errors.extend(return_problems(result.server_code, shown_as, source.splitlines()))
            file = PurePosixPath(path.relative_to(config.pages_path).as_posix())
            declared[file] = dict(zip(result.metadata.actions, result.metadata.action_lines, strict=True))
            forms[file] = file_forms(result.client_code, result.server_code, source.splitlines(), result.metadata.actions)
            if result.metadata.standalone:
                standalone.append(file)
            clients.append((path, shown_as, source.splitlines(), result.client_code, result.client_lang))
    api_files = [p for p in sorted(config.pages_path.rglob("*.py")) if utf8_name(str(p)) and in_api_folder(
        PurePosixPath(p.relative_to(config.pages_path).as_posix())) and not any(
        part.startswith((".", "_")) for part in p.relative_to(config.pages_path).parts)]
    found.update(api_source_problems(config, api_files, modules, names=True))
    package = package_problem(config.root)  # Node could not load esbuild: the JSX goes unchecked
    # styling.globalScripts and the plain CSS of globalStyles are imported by every page, so bundled
    # and parsed like its modules (Sass is the build's, as for a page's import)
    names = (*config.styling.global_scripts, *(n for n in config.styling.global_styles if n.endswith(".css")))
    globals_ = [path.resolve() for path in (config.root / name for name in names) if path.is_file()]
    env_reads: list[dict[str, Any]] = []
    jsx, reason = jsx_errors(config.root, clients, globals_, env_reads) if package is None else ({}, "")
    if reason:
        click.echo(f"pyxle check: JSX syntax not checked: {reason}", err=True)
    for warning in env_read_warnings(config.root, env_reads, set()):  # a warning: the exit code stays
        click.echo(f"pyxle check: warning: {warning}\n", err=True)
    for shown_as, messages in jsx.items():
        found.setdefault(shown_as, []).extend(messages)
    clashes = case_clashes(config.root, source_files(config.root, (config.build_path, config.dist_path)))
    routes = [p for p in route_problems(config, declared, standalone, forms) if p.removeprefix("invalid routes: ") not in clashes]
    return [*([package] if package else []), *middleware_problems(config, modules), *clashes, *routes,
            *(message for messages in found.values() for message in messages)], len(files) + len(api_files)


def api_source_problems(config: PyxleConfig, files: Iterable[Path],
                        modules: dict[str, bool] | None = None, *, names: bool = False) -> dict[str, list[str]]:
    """What start-up would refuse in each API route file (a syntax error, no handler, a handler that
    cannot take the request, an import of a module that is not there), by file as shown: read, never
    imported (that would run them). ``pyxle build`` and ``pyxle typecheck`` stop on them as
    ``pyxle serve`` does. ``modules`` caches which imported modules resolve. ``names`` (``pyxle
    check``): in a file with none of those, the names it uses and never defines too, which start-up
    does not refuse (the first request that runs the line raises ``NameError``)."""
    from pyxle._loading import SourceError, read_source
    from pyxle.api import source_problems
    from pyxle.cli._imports import unresolved_imports

    found = {}
    modules = {} if modules is None else modules
    for path in files:
        shown_as = path.relative_to(config.root).as_posix()
        try:
            source = read_source(path, shown_as)
        except SourceError as exc:
            found[shown_as] = [exc.format()]
            continue
        text = source.decode("utf-8-sig", "replace")  # (Python reads past a byte-order mark)
        lines = text.splitlines()
        problems = [*(e.format() for e in source_problems(source, shown_as)),
                    *unresolved_imports(source, shown_as, lines, config.root, modules)]
        if names and not problems:
            problems = undefined_names(text, shown_as, lines, page=False)
        found[shown_as] = problems
    return found


def middleware_problems(config: PyxleConfig, modules: dict[str, bool] | None = None) -> list[str]:
    """Each ``middleware`` entry whose module is not there, in the words ``pyxle serve`` stops with
    (``app._middleware``): read from the file system, never imported."""
    from pyxle.app._middleware import not_imported
    from pyxle.cli._imports import absent_module

    problems = []
    for index, entry in enumerate(config.middleware):
        module, colon, _ = entry.partition(":")
        # "module.path.attr": the longest prefix that is a module is imported, so only its top is sure
        absent = absent_module(module if colon else module.partition(".")[0], config.root,
                               {} if modules is None else modules)
        if absent:
            where = f"middleware[{index}] {entry!r}"
            problems.append(not_imported(f"{where} cannot be imported: ModuleNotFoundError: No module named "
                                         f"{absent!r}", where))
    return problems


def pages_python_problems(config: PyxleConfig, files: Iterable[Path]) -> list[str]:
    """``pyxle build``'s share of ``pyxle check``: in each page's Python, the names nothing defines and
    the imports that do not resolve (``python_problems``). A page that does not compile is left to
    the build, which reports it in its own words. Each page is compiled as the build then compiles
    it (with its ``types_module``), so the build's compile is a lookup in the compiler's cache."""
    from pyxle._loading import SourceError, source_text
    from pyxle.bundler import types_module
    from pyxle.compiler import CompileError, compile_source

    found: list[str] = []
    modules: dict[str, bool] = {}
    for path in files:
        shown_as = path.relative_to(config.root).as_posix()
        file = PurePosixPath(path.relative_to(config.pages_path).as_posix())
        try:
            source = source_text(path, shown_as)
            result = compile_source(source, path=shown_as, types_module=types_module(file))
        except (CompileError, SourceError):
            continue
        found += python_problems(result.server_code, shown_as, source.splitlines(), config.root, modules)
    return found


def python_problems(server_code: str, shown_as: str, lines: list[str], root: Path,
                    modules: dict[str, bool] | None = None) -> list[str]:
    """What a page's Python would raise once it runs, found by reading it: the names it uses but
    never defines (``NameError``) and the modules it imports that are not there
    (``ModuleNotFoundError``, which stops ``pyxle serve``)."""
    from pyxle.cli._imports import unresolved_imports

    return [*unresolved_imports(server_code, shown_as, lines, root, modules),
            *undefined_names(server_code, shown_as, lines)]


def route_problems(config: PyxleConfig, declared: dict[PurePosixPath, dict[str, int]] | None = None,
                   standalone: Iterable[PurePosixPath] = (), forms: Mapping[PurePosixPath, Any] | None = None) -> list[str]:
    """What the route table refuses (two files for one URL, a name it cannot route), as start-up
    and ``pyxle routes`` say it; with ``declared`` (each file's actions), a page action named like
    an action of a layout around it, as start-up refuses it (``standalone``: the layouts and
    templates that leave out those above them); with ``forms`` (``pages.file_forms`` of each file),
    a ``<Form action="...">`` that names no action it can call, as ``pyxle build`` refuses it; and a
    route at the URL of a file of ``public/``, which it hides (``pyxle build`` refuses that too)."""
    from pyxle.app._app import public_conflicts
    from pyxle.pages import form_problems, layout_clashes
    from pyxle.routing import RoutingError, scan

    try:
        table = scan(config.pages_path).with_standalone(standalone)
    except RoutingError as exc:
        return [f"invalid routes: {problem}" for problem in exc.problems]
    shown = lambda file: (config.pages_path / file).relative_to(config.root).as_posix()
    return [*(exc.format() for exc in layout_clashes(table, declared or {}, shown)),
            *(problem for _, problem in form_problems(table, forms or {}, shown)),
            *(f"{problem}\n    hint: {hint}" for problem, hint in public_conflicts(config, table))]


def undefined_names(server_code: str, shown_as: str, lines: list[str], *, page: bool = True) -> list[str]:
    """pyflakes' "undefined name" findings in a page's Python (its lines are the ``.pyxl``'s own),
    knowing the names a page module is given without imports (``server``, ``LoaderError``, ...); an
    API route (``page=False``) is a plain module, given none."""
    import ast

    from pyflakes.checker import Checker
    from pyflakes.messages import UndefinedName

    from pyxle.compiler import Diagnostic
    from pyxle.runtime import runtime_globals

    given = set(runtime_globals()) if page else set()
    try:
        checker = Checker(ast.parse(server_code, shown_as), filename=shown_as, builtins=given)
    except RecursionError:  # a tree deeper than pyflakes walks (a chain of 1,000 `+` runs fine): not checked
        return []
    found = sorted((m for m in checker.messages if isinstance(m, UndefinedName)), key=lambda m: (m.lineno, m.col))
    return [Diagnostic.at(shown_as, lines, m.lineno, m.col + 1, f"undefined name {m.message_args[0]!r}",
                          "define or import it: the code would raise NameError when it runs").format() for m in found]


def return_problems(server_code: str, shown_as: str, lines: list[str]) -> list[str]:
    """Loaders and actions annotated to return what is never a JSON object (``-> list[Item]``), which
    start-up refuses. Read as written, nothing run: a name the file defines or imports is not
    resolved, so a ``RootModel`` of a list is found at start-up only."""
    import ast

    from pyxle.compiler import Diagnostic
    from pyxle.pages._data import not_an_object_type
    from pyxle.pages._module import not_an_object_error

    found = []
    loader_seen = False
    for node in ast.parse(server_code, shown_as).body:
        marks = {_mark(d) for d in node.decorator_list} if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
        if not marks & {"server", "action"}:
            continue
        loader = "server" in marks and not loader_seen
        loader_seen = loader_seen or loader
        if node.returns is not None and not_an_object_type(_written_type(node.returns)) is not None:
            error = not_an_object_error(shown_as, node.lineno, node.name, ast.unparse(node.returns), loader=loader)
            found.append(Diagnostic.at(shown_as, lines, node.returns.lineno, node.returns.col_offset + 1,
                                       error.message, error.hint).format())
    return found


def _mark(decorator: object) -> str:
    """``server`` for ``@server``, ``@server()``, ``@pyxle.server``; else the empty string."""
    import ast

    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""


_WRITTEN = ("list", "tuple", "set", "frozenset", "dict", "str", "bytes", "int", "float", "bool",
            "List", "Tuple", "Set", "FrozenSet", "Dict", "Sequence", "Optional", "Union", "Literal", "Annotated")


def _written_type(node: object) -> object:
    """The type an annotation's source names, as far as builtins and ``typing`` say; ``Any`` for every
    other name (a model, an import), which never refuses anything."""
    import ast
    import builtins
    import typing

    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # -> "list[Item]"
        try:
            return _written_type(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return typing.Any
    if isinstance(node, ast.Constant):
        return None if node.value is None else typing.Any
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = node.id if isinstance(node, ast.Name) else node.attr
        return typing.Any if name not in _WRITTEN else getattr(builtins, name, None) or getattr(typing, name)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return typing.Union[_written_type(node.left), _written_type(node.right)]  # noqa: UP007
    if isinstance(node, ast.Subscript):
        base = _written_type(node.value)
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base is typing.Any:
            return typing.Any
        if base is typing.Literal:
            return typing.Literal[""]
        try:
            return base[tuple(_written_type(item) for item in items)] if len(items) > 1 else base[_written_type(items[0])]
        except TypeError:
            return typing.Any
    return typing.Any


def jsx_errors(root: Path, clients: list[tuple[Path, str, list[str], str, str]],
               modules: Iterable[Path] = (), env_reads: list[dict[str, Any]] | None = None) -> tuple[dict[str, list[str]], str]:
    """esbuild's syntax errors in each compiled client module, by file, at the ``.pyxl``'s own line
    and column (the compiler keeps lines where they were), and in each module of the project the
    pages import (``components/Card.jsx``) or ``modules`` names (the global scripts and stylesheets), at its own;
    or why they could not be looked for. ``env_reads`` is given the reads of ``process.env`` names
    page code never sees (files relative to ``root``), which ``pyxle check`` warns of.

    One Node process parses every page (``bundler/check.mjs``): starting Node and esbuild once costs
    about 0.1 s, parsing a page well under a millisecond.
    """
    from pyxle.bundler import import_error, jsx_syntax_hint, module_lang, npm_package  # as `pyxle build` words it
    from pyxle.compiler import Diagnostic

    if not clients:
        return {}, ""
    if shutil.which("node") is None:
        return {}, "Node.js is not installed (`pyxle build` needs it too)"
    if npm_package(root, "esbuild") is None:
        return {}, f"esbuild is not installed in {root / 'node_modules'}; run `pyxle install`"
    by_file = {str(path): (shown_as, lines, lang) for path, shown_as, lines, _, lang in clients}
    entries = [{"file": str(path), "code": code, "loader": lang} for path, _, _, code, lang in clients]
    entries += [{"file": str(path), "code": path.read_text(encoding="utf-8", errors="replace"),
                 "loader": module_lang(path.name)} for path in modules]
    payload = json.dumps(entries)
    try:
        process = subprocess.run(["node", str(CHECKER), str(root)], input=payload, capture_output=True, text=True,
                                 cwd=root, timeout=_TIMEOUT, check=False)
        outcome = json.loads(process.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {}, f"esbuild did not finish within {_TIMEOUT} s"
    except (IndexError, json.JSONDecodeError):
        return {}, f"the JSX checker failed: {(process.stderr or process.stdout).strip() or f'exit {process.returncode}'}"
    if not outcome.get("ok"):
        return {}, str(outcome.get("reason"))
    if env_reads is not None:
        real = root.resolve()
        env_reads.extend({**read, "file": Path(read["file"]).relative_to(real).as_posix()}
                         for read in outcome.get("envReads", []) if Path(read["file"]).is_relative_to(real))
    found: dict[str, list[str]] = {}
    pages = set(by_file)
    for error in outcome["errors"]:
        file = error["file"]
        if file not in by_file:  # a module a page imports (components/Card.jsx): its own lines
            by_file[file] = imported_module(root, Path(file))
        shown_as, lines, lang = by_file[file]
        line, column = error.get("line") or 1, error.get("column") or 1
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if "hint" in error:  # not of syntax: an import of a missing file or name, a CSS syntax error
            message, hint = import_error(error["text"], root, text)
            hint = hint or error["hint"] or ""
        else:
            message = f"JSX syntax error: {error['text']}"
            hint = jsx_syntax_hint(lang, text, page=file in pages, message=error["text"])
        found.setdefault(shown_as, []).append(Diagnostic.at(shown_as, lines, line, column, message, hint).format())
    return found, ""


def imported_module(root: Path, path: Path) -> tuple[str, list[str], str]:
    """How an error in a module a page imports is shown: its path from the project root (as
    ``pyxle build`` names it), its lines, and the language its extension makes it."""
    from pyxle.bundler import module_lang

    shown_as = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else str(path)
    return shown_as, path.read_text(encoding="utf-8", errors="replace").splitlines(), module_lang(path.name)
