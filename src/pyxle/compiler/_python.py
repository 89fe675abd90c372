"""Where a top-level Python statement ends, found by Python's own tokenizer.

``tokenize`` knows triple-quoted strings, brackets, backslash continuations and indented blocks,
so JSX-looking text inside a docstring can never end a Python section early.
"""

from __future__ import annotations

import re
import tokenize

_CLAUSE = re.compile(r"(elif\b|else\s*:|except\b|except\s*:|finally\s*:|case\b)")


class PyExtentError(Exception):
    """The lines do not tokenize as Python (unterminated string or bracket, bad indentation)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line  # 0-based index into the lines given


def py_statement_end(lines: list[str], start: int) -> int:
    """Index (exclusive) of the line after the Python statement starting at ``lines[start]``.

    A decorator runs on to its ``def``; a compound statement to the end of its block, including
    ``elif``/``else``/``except``/``finally`` clauses.
    """
    position = start
    readline = iter(lines[start:]).__next__

    def read() -> str:
        try:
            return readline()
        except StopIteration:
            return ""

    tokens = tokenize.generate_tokens(read)
    depth = 0
    last_significant = ""
    end = start
    try:
        for tok in tokens:
            row = start + tok.start[0] - 1
            if tok.type == tokenize.INDENT:
                depth += 1
            elif tok.type == tokenize.DEDENT:
                depth -= 1
                if depth == 0:
                    if row >= len(lines):  # the file ends inside the block
                        return end
                    if _CLAUSE.match(lines[row].lstrip()) and not lines[row][:1].isspace():
                        continue
                    return end
            elif tok.type == tokenize.NEWLINE:
                end = start + tok.end[0]  # the statement's last physical line, exclusive
                if depth == 0 and last_significant not in (":",) and not _decorator(lines[position]):
                    nxt = _next_code_line(lines, end)
                    if nxt is None or not _CLAUSE.match(lines[nxt]) or lines[nxt][:1].isspace():
                        return end
                if depth == 0 and _decorator(lines[position]):
                    position = _next_code_line(lines, end) or end
            elif tok.type == tokenize.ENDMARKER:
                return max(end, position)
            elif tok.type not in (tokenize.NL, tokenize.COMMENT):
                last_significant = tok.string if tok.type == tokenize.OP else "x"
                if depth == 0 and tok.start[1] == 0:
                    position = row
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        line = getattr(exc, "lineno", None) or (exc.args[1][0] if len(exc.args) > 1 else 1)
        raise PyExtentError(str(exc.args[0]), start + max(line, 1) - 1) from None
    return end


def quick_statement_end(lines: list[str], start: int) -> int:
    """The usual extent: up to the next line at column 0 (clauses and decorated defs continue).

    Cheap, and a candidate only: the caller parses it and falls back to ``py_statement_end``
    when a triple-quoted string or bracket runs on at column 0 (the short chunk then fails).
    """
    decorated = lines[start].startswith("@")
    k = start + 1
    n = len(lines)
    last = start + 1
    while k < n:
        line = lines[k]
        if not line.strip() or line[0] in " \t)]}":  # a closing bracket never starts a statement
            if line.strip():
                last = k + 1
            k += 1
            continue
        if _CLAUSE.match(line) or (decorated and line.startswith(("@", "def ", "async def ", "class "))):
            decorated = decorated and line.startswith("@")
            last = k + 1
            k += 1
            continue
        break
    return last


def _decorator(line: str) -> bool:
    return line.startswith("@")


def _next_code_line(lines: list[str], index: int) -> int | None:
    for k in range(index, len(lines)):
        stripped = lines[k].strip()
        if stripped and not stripped.startswith("#"):
            return k
    return None
