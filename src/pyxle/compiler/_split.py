"""Splitting a ``.pyxl`` file into Python and JSX, statement by statement.

Each top-level statement (one starting at column 0) is classified:

1. An explicit fence wins: ``# --- JSX ---`` (or ``# --- client ---``) makes what follows JSX,
   ``# --- server ---`` (or ``# --- python ---``) Python. ``# --- TSX ---`` is a JSX fence that
   also makes the whole client part TypeScript (TSX): the file's opt-in, since plain ``.pyxl``
   files stay JavaScript as they always were. In such a file ``type X =``, ``interface``,
   ``enum``, ``declare`` and ``namespace`` statements are client code too.
2. A statement that can only be one language is that language: ``def``/``class X:``/decorators/
   ``from x import y``/``import x``/``#`` comments are Python; ``import ... from '...'``,
   ``export``, ``const``/``let``/``var``/``function``, ``//`` comments and JSX are JavaScript.
   A Python-only statement that fails to parse is a Python syntax error at its line.
3. A statement valid in both languages (``data = load()``, ``foo(1)``, ``"use client"``):
   - a plain assignment is Python (JS modules are strict: assigning an undeclared name is an
     error), unless the name was declared with ``let``/``var`` in the JSX;
   - a lone one-line string followed by JSX (``'use client'``) is a JS directive;
   - anything else takes the language of its neighbours: JSX when the statement before it is
     JSX and the next unambiguous statement is JSX (or there is none); Python otherwise.
   - a statement that only parses as one of them is that one.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Literal

from pyxle._deep import MESSAGE, too_deep_line
from pyxle.compiler._diagnostics import Diagnostic
from pyxle.compiler._jsscan import JsScanError, js_statement_end
from pyxle.compiler._python import PyExtentError, py_statement_end, quick_statement_end

Lang = Literal["python", "jsx"]

FENCE = re.compile(r"^#\s*-{3,}\s*(jsx|tsx|client|server|python)\s*-{3,}\s*$", re.IGNORECASE)
_TSX_FENCE = re.compile(r"^[ \t]*#\s*-{3,}\s*tsx\s*-{3,}[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_PY_ONLY = re.compile(
    r"(?:async\s+def|def)\s+\w+\s*\("
    r"|class\s+\w+\s*[(:]"
    r"|@[\w.]+"
    r"|from\s+\.*[\w.]*\s+import\s"
    r"|import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*\s*(?:#.*)?$"
    r"|(?:if|elif|for|while|with|async\s+with|async\s+for|match)\s.*:\s*(?:#.*)?$"
    r"|(?:else|try|finally)\s*:\s*(?:#.*)?$"
    r"|(?:raise|global|nonlocal|assert|del|pass)\b"
)
_JS_ONLY = re.compile(
    r"(?:import|export)\b"
    r"|(?:const|let|var|function|async\s+function)\b"
    r"|class\s+[\w$]+(?:\s+extends\b[^{]*)?\s*\{"
    r"|//|/\*|<[A-Za-z>]"
)
_TS_ONLY = re.compile(r"(?:type|interface|enum|declare|namespace|abstract\s+class|const\s+enum)\s+[A-Za-z_$]")
_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)\s*(?::[^=]+)?(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)")
_DIRECTIVE = re.compile(r"""^(['"])[^'"\\]*\1;?\s*$""")
_JS_DECLARED = re.compile(r"^(?:let|var)\s+([A-Za-z_$][\w$]*)", re.MULTILINE)


@dataclass(frozen=True)
class Section:
    lang: Lang
    start: int  # 0-based line index, inclusive
    end: int  # exclusive


class TooDeep(Exception):
    """Python nested too deeply for CPython to parse (a ``RecursionError``, which names no line):
    ``line`` (1-based) is where it runs out of depth. Not a ``SyntaxError``, which would make the
    splitter read the statement as JavaScript."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"line {line}: {MESSAGE}")


def _parse(source: str, name: str, offset: int = 0) -> None:
    """``ast.parse``; ``offset``: lines of the file above ``source`` (none when it is padded)."""
    try:
        ast.parse(source, name)
    except RecursionError:
        raise TooDeep(offset + too_deep_line(source)) from None


def is_tsx(source: str) -> bool:
    """Whether the file opted into TypeScript with a ``# --- TSX ---`` fence."""
    return "tsx" in source.lower() and _TSX_FENCE.search(source) is not None


def split(source: str, path: str) -> tuple[list[Section], list[Diagnostic], list[int]]:
    """Sections in file order, diagnostics for what is clearly broken, and the (0-based) first line
    of every top-level JS statement (so "export default" inside a string is not mistaken for one)."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    splitter = _Splitter(lines, source, path, tsx=is_tsx(source))
    sections = splitter.run()
    return sections, splitter.diagnostics, sorted(splitter.js_starts)


class _Splitter:
    def __init__(self, lines: list[str], source: str, path: str, *, tsx: bool = False) -> None:
        self.lines = lines
        self.tsx = tsx
        self.text = "".join(lines)
        self.offsets = [0]
        for line in lines:
            self.offsets.append(self.offsets[-1] + len(line))
        self.path = path
        self.sections: list[Section] = []
        self.diagnostics: list[Diagnostic] = []
        self.js_declared = set(_JS_DECLARED.findall(self.text))
        self.js_starts: set[int] = set()

    def run(self) -> list[Section]:
        """Auto-split until a fence; a fence only counts where a top-level statement could start,
        so fence-like text inside a string or template literal is just text."""
        n = len(self.lines)
        i = self.auto(0, n)
        while i < n:
            kind = FENCE.match(self.lines[i].strip()).group(1).lower()  # type: ignore[union-attr]
            stop = next((k for k in range(i + 1, n) if FENCE.match(self.lines[k].strip())), n)
            if kind in ("jsx", "tsx", "client"):
                if i + 1 < stop:
                    self.add("jsx", i + 1, stop)
                    self.fenced_js_starts(i + 1, stop)
            else:
                self.fenced_python(i + 1, stop)
            i = stop
        return self.sections

    def add(self, lang: Lang, start: int, end: int) -> None:
        if self.sections and self.sections[-1].lang == lang and self.sections[-1].end == start:
            self.sections[-1] = Section(lang, self.sections[-1].start, end)
        else:
            self.sections.append(Section(lang, start, end))

    def fenced_js_starts(self, start: int, stop: int) -> None:
        k = start
        while k < stop:
            if self.lines[k].strip() and self.lines[k][0] not in " \t":
                self.js_starts.add(k)
                try:
                    k = self.js_extent(k, stop)
                    continue
                except JsScanError:
                    pass
            k += 1

    def fenced_python(self, start: int, stop: int) -> None:
        chunk = "".join(self.lines[start:stop])
        try:
            _parse("\n" * start + chunk, self.path)
        except SyntaxError as exc:
            self.syntax_error(exc)
        if start < stop:
            self.add("python", start, stop)

    def auto(self, start: int, stop: int) -> int:
        """Classify statements from ``start``; returns where a fence begins (or ``stop``)."""
        i = start
        lines = self.lines
        while i < stop:
            line = lines[i]
            stripped = line.strip()
            if not stripped:
                i += 1
                continue
            if line[0] in " \t":  # stray indented line at top level: belongs with what came before
                self.add(self.sections[-1].lang if self.sections else "python", i, i + 1)
                i += 1
                continue
            if stripped.startswith("#"):
                if FENCE.match(stripped):
                    return i
                self.add("python", i, i + 1)
                i += 1
                continue
            kind = self.signal(line)
            if kind == "python":
                i = self.take_python(i, stop)
            elif kind == "jsx":
                i = self.take_js(i, stop)
            else:
                i = self.take_ambiguous(i, stop)
        return stop

    def signal(self, line: str) -> Lang | None:
        if _PY_ONLY.match(line):
            return "python"
        if _JS_ONLY.match(line) or (self.tsx and _TS_ONLY.match(line)):
            return "jsx"
        return None

    def py_extent(self, i: int, stop: int) -> int:
        """End of the Python statement at ``i``; raises the parser's SyntaxError (real file lines)."""
        quick = min(quick_statement_end(self.lines, i), stop)
        # Parsed under a name that is no file: given a real one, CPython reads the error's line
        # from that file (at the statement's own line number here) to place the column.
        name = f"<{self.path}>"
        try:
            _parse("".join(self.lines[i:quick]), name, i)
            return quick
        except SyntaxError as exc:
            first_error = exc
        try:
            end = min(py_statement_end(self.lines, i), stop)
        except PyExtentError:
            end = quick  # the tokenizer only knows "EOF in multi-line statement": the parser says more
        if end <= quick:
            if first_error.lineno is not None:
                first_error.lineno += i
            raise first_error
        _parse("\n" * i + "".join(self.lines[i:end]), name)
        return end

    def js_extent(self, i: int, stop: int) -> int:
        end_offset = js_statement_end(self.text, self.offsets[i])
        end = self.line_of(end_offset)
        return min(max(end, i + 1), stop)

    def take_python(self, i: int, stop: int) -> int:
        try:
            end = self.py_extent(i, stop)
        except SyntaxError as exc:
            self.syntax_error(exc)
            end = self.recover(i, stop)
        except PyExtentError as exc:
            self.diagnostics.append(Diagnostic.at(self.path, self.lines, exc.line + 1, 1, f"SyntaxError: {exc}",
                                                  "this looks like Python; check brackets and quotes"))
            end = self.recover(i, stop)
        self.add("python", i, end)
        return end

    def take_js(self, i: int, stop: int) -> int:
        self.js_starts.add(i)
        try:
            end = self.js_extent(i, stop)
        except JsScanError as exc:
            line = self.line_of(exc.offset)
            column = exc.offset - self.offsets[line] + 1
            self.diagnostics.append(Diagnostic.at(self.path, self.lines, line + 1, column, f"JSX syntax error: {exc}",
                                                  "check that strings, braces and tags are closed"))
            end = self.recover(i, stop)
        self.add("jsx", i, end)
        return end

    def take_ambiguous(self, i: int, stop: int) -> int:
        try:
            py_end: int | None = self.py_extent(i, stop)
        except (SyntaxError, PyExtentError):
            py_end = None
        if py_end is None:
            return self.take_js(i, stop)
        match = _ASSIGNMENT.match(self.lines[i])
        if match and match.group(1) not in self.js_declared:
            self.add("python", i, py_end)
            return py_end
        previous = self.sections[-1].lang if self.sections else None
        following = self.next_signal(py_end, stop)
        directive = following == "jsx" and _DIRECTIVE.match(self.lines[i]) is not None
        if directive or (previous == "jsx" and following in ("jsx", None)):
            try:
                return self.take_js_quiet(i, stop)
            except JsScanError:
                pass
        self.add("python", i, py_end)
        return py_end

    def take_js_quiet(self, i: int, stop: int) -> int:
        end = self.js_extent(i, stop)
        self.js_starts.add(i)
        self.add("jsx", i, end)
        return end

    def next_signal(self, i: int, stop: int) -> Lang | None:
        for k in range(i, stop):
            line = self.lines[k]
            if line.strip() and line[0] not in " \t":
                if line.lstrip().startswith("#"):
                    return "python"
                kind = self.signal(line)
                if kind is not None:
                    return kind
        return None

    def recover(self, i: int, stop: int) -> int:
        """After an error, skip the whole broken statement (a decorator takes its def along)."""
        k = max(quick_statement_end(self.lines, i), i + 1)
        while k < stop and (not self.lines[k].strip() or self.lines[k][0] in " \t)]}"):
            k += 1
        return min(k, stop)

    def line_of(self, offset: int) -> int:
        import bisect

        return max(bisect.bisect_right(self.offsets, offset) - 1, 0) if offset < len(self.text) else len(self.lines)

    def syntax_error(self, exc: SyntaxError) -> None:
        line = exc.lineno or 1
        self.diagnostics.append(Diagnostic.at(
            self.path, self.lines, line, exc.offset or 1, f"Python syntax error: {exc.msg}",
            "this section is Python (it starts like Python code); fix the syntax or fence the JSX with # --- JSX ---",
        ))
