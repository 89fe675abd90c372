"""``CompilationError``, as pyxle-framework 0.9 named it, for editor tooling written against 0.9.

pyxle-langkit (the LSP server and linter for ``.pyxl`` files) catches this around
``pyxle.compiler.parser.PyxParser``. Pyxle's own compiler raises ``CompileError`` (every problem,
with hints); this is the one-message, one-line shape that 0.9's tools read.
"""

from __future__ import annotations

__all__ = ["CompilationError"]


class CompilationError(Exception):
    """The first problem in a ``.pyxl`` file: ``message`` and its 1-based ``line_number``."""

    def __init__(self, message: str, line_number: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line_number = line_number
        self.column = column
        super().__init__(f"Line {line_number}: {message}" if line_number is not None else message)
