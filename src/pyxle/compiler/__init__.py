"""The ``.pyxl`` compiler: one file in, a Python server module and a JSX client module out.

Pure: no I/O, no other Pyxle subsystem. Line numbers are preserved in both outputs (lines of the
other language are left blank), so tracebacks and bundler errors point at the ``.pyxl`` itself.
The server module imports nothing extra: the page loader seeds ``pyxle.runtime.runtime_globals()``
into the module namespace before executing it, so ``server``, ``action``, ``LoaderError`` and
``ActionError`` need no import and a user's own definition of those names wins.

Public names: ``compile_source``, ``CompileResult``, ``PageMetadata``, ``CompileError``,
``Diagnostic``, ``source_hash``.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from pyxle.compiler._diagnostics import CompileError, Diagnostic
from pyxle.compiler._rules import PageMetadata, analyse
from pyxle.compiler._split import split

__all__ = ["CompileError", "CompileResult", "Diagnostic", "PageMetadata", "compile_source", "source_hash"]


@dataclass(frozen=True)
class CompileResult:
    server_code: str
    client_code: str
    metadata: PageMetadata
    content_hash: str


_cache: dict[tuple[str, str, bool], CompileResult] = {}


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def compile_source(source: str, *, path: str = "<pyxl>", require_default_export: bool = True) -> CompileResult:
    """Split, check and describe one ``.pyxl`` file; raises ``CompileError`` listing every problem.

    Results are cached by content hash, so recompiling an unchanged file is a dictionary lookup.
    """
    digest = source_hash(source)
    key = (digest, path, require_default_export)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    sections, problems, js_statements = split(source, path)
    lines = source.splitlines()
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
            metadata, problems = analyse(tree, js_statements, path, lines,
                                         require_default_export=require_default_export)
    if problems:
        raise CompileError(problems)
    result = CompileResult(server_code, client_code, metadata, digest)
    if len(_cache) > 4096:
        _cache.clear()
    _cache[key] = result
    return result
