"""The ``.pyxl`` compiler: one file in, a Python server module and a JSX client module out.

Pure: no I/O, no other Pyxle subsystem. Line numbers are preserved in both outputs (lines of the
other language are left blank), so tracebacks and bundler errors point at the ``.pyxl`` itself.
The server module imports nothing extra: the page loader seeds ``pyxle.runtime.runtime_globals()``
into the module namespace before executing it, so ``server``, ``action``, ``LoaderError`` and
``ActionError`` need no import and a user's own definition of those names wins.

A file with a ``# --- TSX ---`` fence has a TypeScript (TSX) client module. Given the module
its generated types live in (``types_module``), the compiler types the default export's props:
with the generated types when the loader or an action is annotated, else with
``data: Record<string, any>`` and the rest of what a page or layout receives (see ``_attach``).

For editor tooling written against pyxle-framework 0.9 (pyxle-langkit), ``parser``, ``exceptions``,
``jsx_parser`` and ``writers`` give 0.9's API on this compiler (docs/editors.md); Pyxle itself does
not use them.

Public names: ``compile_source``, ``CompileResult``, ``PageMetadata``, ``CompileError``,
``Diagnostic``, ``Insert``, ``source_hash``.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from pyxle._deep import HINT, MESSAGE
from pyxle.compiler._attach import Insert, attach_props_type, props_type
from pyxle.compiler._diagnostics import CompileError, Diagnostic
from pyxle.compiler._rules import PageMetadata, analyse, js_statements
from pyxle.compiler._split import TooDeep, is_tsx, split

__all__ = ["CompileError", "CompileResult", "Diagnostic", "Insert", "PageMetadata", "compile_source", "source_hash"]


@dataclass(frozen=True)
class CompileResult:
    server_code: str
    client_code: str
    metadata: PageMetadata
    content_hash: str
    client_lang: str = "jsx"  # "tsx" for a file with a # --- TSX --- fence
    props_type: Insert | None = None  # where the generated props type went into the client code


_cache: dict[tuple[str, str, bool, str | None], CompileResult] = {}


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def compile_source(source: str, *, path: str = "<pyxl>", require_default_export: bool = True,
                   types_module: str | None = None) -> CompileResult:
    """Split, check and describe one ``.pyxl`` file; raises ``CompileError`` listing every problem.

    ``types_module``: where the page's generated types are imported from ("pyxle/types/blog/[slug]").
    Results are cached by content hash, so recompiling an unchanged file is a dictionary lookup.
    """
    digest = source_hash(source)
    key = (digest, path, require_default_export, types_module)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    lines = source.splitlines()
    try:
        sections, problems, js_starts = split(source, path)
    except TooDeep as exc:
        raise CompileError([Diagnostic.at(path, lines, exc.line, 1, MESSAGE, HINT)]) from None
    server_lines = [""] * len(lines)
    client_lines = [""] * len(lines)
    for section in sections:
        target = server_lines if section.lang == "python" else client_lines
        target[section.start : section.end] = lines[section.start : section.end]
    server_code = "\n".join(server_lines) + "\n"
    client_code = "\n".join(client_lines) + "\n"
    metadata = PageMetadata()
    if not problems:
        try:
            tree = ast.parse(server_code, path)
        except SyntaxError as exc:
            problems.append(Diagnostic.at(path, lines, exc.lineno or 1, exc.offset or 1,
                                          f"Python syntax error: {exc.msg}", "fix the Python syntax"))
        else:
            metadata, problems = analyse(tree, js_statements(client_lines, js_starts), path, lines,
                                         require_default_export=require_default_export)
    if problems:
        raise CompileError(problems)
    lang = "tsx" if is_tsx(source) else "jsx"
    inserted = None
    type_ref = props_type(types_module, generated=metadata.typed) if types_module is not None else None
    if type_ref is not None:
        client_code, inserted = attach_props_type(client_code, js_starts, type_ref, tsx=lang == "tsx")
    result = CompileResult(server_code, client_code, metadata, digest, lang, inserted)
    if len(_cache) > 4096:
        _cache.clear()
    _cache[key] = result
    return result
