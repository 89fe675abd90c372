"""``PyxParser``: a ``.pyxl`` file described for editor tooling written against pyxle-framework 0.9.

pyxle-langkit (the LSP server, linter and VS Code integration that 0.9 users run) reads a page
through this API: each half's code with the file line of every code line, the loader and actions,
HEAD, ``<Script>``/``<Image>`` props and the problems found. It is built on the compiler Pyxle serves
pages with (``_split``, ``_rules``, ``jsx_parser``), so an editor sees the same split and the same
page rules as ``pyxle check`` and ``pyxle serve``; only the shape is 0.9's.

What 0.9 reported, this reports too: a loader or action that is not ``async`` is a diagnostic and is
left out of ``loader``/``actions`` (so a linter does not say it twice), a second action of the same
name likewise. Diagnostics are Python-side: JSX syntax is the editor's own JSX checker's to report,
unless ``report_jsx_syntax`` is set. Unlike 0.9, a second ``@server`` loader leaves the first one
as ``loader``, and ``HEAD: list = [...]`` counts as HEAD, as it does when the page is served.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pyxle.compiler._rules import _marker, analyse, js_statements
from pyxle.compiler._split import FENCE, split
from pyxle.compiler._split import Section as _SplitSection
from pyxle.compiler.exceptions import CompilationError
from pyxle.compiler.jsx_parser import parse_jsx_components

__all__ = ["ActionDetails", "LoaderDetails", "PyxDiagnostic", "PyxParseResult", "PyxParser"]

Section = Literal["python", "jsx"]


@dataclass(frozen=True)
class PyxDiagnostic:
    section: Section
    severity: Literal["error", "warning", "info"]
    message: str
    line: int | None  # 1-based line of the .pyxl file
    column: int | None = None  # 1-based


@dataclass(frozen=True)
class LoaderDetails:
    """The ``@server`` loader: ``parameters`` are its positional parameters' names."""

    name: str
    line_number: int  # the ``def`` line
    is_async: bool
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class ActionDetails:
    """One ``@action`` (``name`` is the function's name)."""

    name: str
    line_number: int
    is_async: bool
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class PyxParseResult:
    python_code: str  # the Python lines only; python_line_numbers[i] is the file line of line i + 1
    jsx_code: str
    python_line_numbers: tuple[int, ...]
    jsx_line_numbers: tuple[int, ...]
    loader: LoaderDetails | None = None
    actions: tuple[ActionDetails, ...] = ()
    head_elements: tuple[str, ...] = ()  # HEAD's strings when it is a literal
    head_is_dynamic: bool = False  # HEAD is computed (a function or an expression)
    diagnostics: tuple[PyxDiagnostic, ...] = ()
    script_declarations: tuple[dict[str, Any], ...] = ()  # each <Script>'s props (one with none is left out)
    image_declarations: tuple[dict[str, Any], ...] = ()  # each <Image>'s props (likewise)
    head_jsx_blocks: tuple[str, ...] = ()  # what each <Head> element holds
    cache_revalidate: float | None = None  # CACHE = {"revalidate": N}
    standalone: bool = False  # STANDALONE = True


class PyxParser:
    """Describes ``.pyxl`` files; ``tolerant`` collects problems instead of raising the first one."""

    def parse(self, source_path: Path, *, tolerant: bool = False, report_jsx_syntax: bool = False) -> PyxParseResult:
        text = Path(source_path).read_text(encoding="utf-8-sig")
        return self.parse_text(text, tolerant=tolerant, report_jsx_syntax=report_jsx_syntax)

    def parse_text(self, text: str, *, tolerant: bool = False, report_jsx_syntax: bool = False) -> PyxParseResult:
        """Never raises when ``tolerant``; otherwise raises ``CompilationError`` for the first problem."""
        lines = text.splitlines()
        try:
            sections, problems, js_starts = split(text, "<pyxl>")
        except Exception:  # noqa: BLE001 - an editor's half-typed buffer must still be described
            # a buffer the splitter cannot take (none is known since _python.py's end-of-file fix):
            # read the file as Python, so the syntax error is reported at its line
            sections, problems, js_starts = [_SplitSection("python", 0, len(lines))], [], []
        langs = _line_languages(lines, sections)
        python = [i for i, lang in enumerate(langs) if lang == "python"]
        jsx = [i for i, lang in enumerate(langs) if lang == "jsx"]
        diagnostics = [
            PyxDiagnostic(section=_section(langs, d.line), severity="error", message=d.message, line=d.line,
                          column=d.column)
            for d in problems
        ]
        if not report_jsx_syntax:
            diagnostics = [d for d in diagnostics if d.section == "python"]
        server_code = "\n".join(line if lang == "python" else "" for line, lang in zip(lines, langs, strict=True)) + "\n"
        loader, actions, head, metadata = None, (), _Head(), None
        try:
            tree = ast.parse(server_code)
        except SyntaxError as exc:
            if not any(d.section == "python" for d in diagnostics):
                diagnostics.append(PyxDiagnostic(section="python", severity="error", message=exc.msg,
                                                 line=exc.lineno, column=exc.offset))
        else:
            statements = js_statements([line if lang == "jsx" else "" for line, lang in zip(lines, langs, strict=True)],
                                       js_starts)
            metadata, rules = analyse(tree, statements, "<pyxl>", lines, require_default_export=False)
            diagnostics += [PyxDiagnostic(section=_section(langs, d.line), severity="error", message=d.message,
                                          line=d.line, column=d.column) for d in rules]
            loader, actions = _functions(tree, metadata.loader_line, metadata.action_lines)
            head = _head(tree)
        diagnostics.sort(key=lambda d: (d.line or 0, d.column or 0))
        if diagnostics and not tolerant:
            raise CompilationError(diagnostics[0].message, diagnostics[0].line, diagnostics[0].column)
        jsx_code = "".join(lines[i] + "\n" for i in jsx)
        components = parse_jsx_components(jsx_code, target_components={"Script", "Image", "Head"}).components
        return PyxParseResult(
            python_code="".join(lines[i] + "\n" for i in python),
            jsx_code=jsx_code,
            python_line_numbers=tuple(i + 1 for i in python),
            jsx_line_numbers=tuple(i + 1 for i in jsx),
            loader=loader,
            actions=actions,
            head_elements=head.elements,
            head_is_dynamic=head.dynamic,
            diagnostics=tuple(diagnostics),
            script_declarations=tuple(dict(c.props) for c in components if c.name == "Script" and c.props),
            image_declarations=tuple(dict(c.props) for c in components if c.name == "Image" and c.props),
            head_jsx_blocks=tuple(c.children or "" for c in components if c.name == "Head"),
            cache_revalidate=metadata.revalidate if metadata is not None else None,
            standalone=metadata is not None and metadata.standalone,
        )


def _line_languages(lines: list[str], sections: list[_SplitSection]) -> list[Section]:
    """The section of every line: blank lines go with the code before them, fences with Python
    (``# ---`` is a Python comment and a JS syntax error), so both halves cover the file."""
    langs: list[Section | None] = [None] * len(lines)
    for section in sections:
        langs[section.start : section.end] = [section.lang] * (section.end - section.start)
    for i, line in enumerate(lines):
        if langs[i] is None and FENCE.match(line.strip()):
            langs[i] = "python"
    first: Section = next((lang for lang in langs if lang is not None), "python")
    previous = first
    out: list[Section] = []
    for lang in langs:
        previous = lang or previous
        out.append(previous)
    return out


def _section(langs: list[Section], line: int) -> Section:
    return langs[line - 1] if 0 < line <= len(langs) else "python"


def _functions(tree: ast.Module, loader_line: int | None,
               action_lines: tuple[int, ...]) -> tuple[LoaderDetails | None, tuple[ActionDetails, ...]]:
    """The loader and actions the page rules accepted, when ``async`` (as 0.9 reported them)."""
    loader: LoaderDetails | None = None
    actions: list[ActionDetails] = []
    for node in tree.body:
        if not isinstance(node, ast.AsyncFunctionDef):
            continue
        parameters = tuple(a.arg for a in node.args.posonlyargs + node.args.args)
        kinds = {_marker(d)[0] for d in node.decorator_list}
        if "server" in kinds and node.lineno == loader_line:
            loader = LoaderDetails(node.name, node.lineno, True, parameters)
        elif "action" in kinds and node.lineno in action_lines:
            actions.append(ActionDetails(node.name, node.lineno, True, parameters))
    return loader, tuple(actions)


@dataclass(frozen=True)
class _Head:
    elements: tuple[str, ...] = ()
    dynamic: bool = False


def _head(tree: ast.Module) -> _Head:
    """The last top-level HEAD: a string or list/tuple of strings is static, anything else dynamic."""
    head = _Head()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "HEAD":
            head = _Head(dynamic=True)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "HEAD" for t in targets):
                head = _static_head(node.value)
    return head


def _static_head(value: ast.expr) -> _Head:
    if isinstance(value, ast.Constant):
        return _Head((value.value,) if isinstance(value.value, str) else ())
    if isinstance(value, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
        return _Head(tuple(e.value for e in value.elts))  # type: ignore[attr-defined]
    return _Head(dynamic=True)
