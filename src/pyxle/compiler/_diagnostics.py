"""Compile errors that point at the ``.pyxl`` file's own line and column, with a hint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str = ""
    source_line: str = ""

    @classmethod
    def at(cls, path: str, lines: Sequence[str], line: int, column: int, message: str, hint: str = "") -> Diagnostic:
        text = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
        return cls(path, line, max(column, 1), message, hint, text)

    def format(self) -> str:
        """``path:line:col: message``, the source line, a caret under the column, and the hint."""
        out = f"{self.path}:{self.line}:{self.column}: {self.message}"
        if self.source_line:
            out += f"\n    {self.source_line}\n    {' ' * (self.column - 1)}^"
        if self.hint:
            out += f"\n    hint: {self.hint}"
        return out


class CompileError(Exception):
    """One or more diagnostics for a file; ``errors`` lists them all, in line order."""

    def __init__(self, errors: Sequence[Diagnostic]) -> None:
        self.errors = sorted(errors, key=lambda d: (d.line, d.column))
        first = self.errors[0]
        self.path, self.line, self.column = first.path, first.line, first.column
        self.message, self.hint, self.source_line = first.message, first.hint, first.source_line
        super().__init__("\n".join(e.format() for e in self.errors))

    def format(self) -> str:
        return "\n\n".join(e.format() for e in self.errors)
