"""JSX elements and their props, for editor tooling written against pyxle-framework 0.9.

pyxle-langkit's linter checks ``<Script>`` and ``<Image>`` props (a missing ``src``, an ``alt``,
``width``/``height``) with ``parse_jsx_components``. 0.9 ran Babel under Node for it; this walks the
JSX with the compiler's own scanner (``_jsscan``), so it needs no Node and never executes anything.

Props as 0.9 gave them: a string attribute is its (entity-decoded) text, a bare attribute is True,
``{...}`` holding a string, number or boolean literal is that value, any other expression is its
source as ``"{expr}"``, and a spread sets ``"__spread__": True``. ``line`` is 1-based and ``column``
0-based, within the JSX code given (Babel's convention, which langkit maps back to the file).
JSX the scanner cannot follow (a tag left open, a mismatched closing tag, TypeScript generics) gives
``error`` and no components; it never raises.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyxle.compiler._jsscan import JsScanError, _Scanner

__all__ = ["JSXComponent", "JSXParseResult", "parse_jsx_components"]

_NAME = re.compile(r"[A-Za-z_$][\w$.:-]*")
_NUMBER = re.compile(r"(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?|0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+")


@dataclass(frozen=True)
class JSXComponent:
    """One JSX element: its tag name, props, children's source (None when self-closing), position."""

    name: str
    props: dict[str, Any] = field(default_factory=dict)
    children: str | None = None
    self_closing: bool = False
    line: int | None = None  # 1-based, within the JSX code
    column: int | None = None  # 0-based


@dataclass(frozen=True)
class JSXParseResult:
    components: tuple[JSXComponent, ...] = ()
    error: str | None = None


def parse_jsx_components(jsx_code: str, *, target_components: Iterable[str] | None = None) -> JSXParseResult:
    """Every element named in ``target_components`` (all elements when None), in source order."""
    if not jsx_code.strip():
        return JSXParseResult()
    targets = None if target_components is None else frozenset(target_components)
    collector = _Collector(jsx_code + "\n}", targets)  # the closing brace ends the top-level scan
    try:
        end = collector.code(0, "}")
        if end < len(jsx_code):
            raise JsScanError("unexpected '}'", end - 1)
    except JsScanError as exc:
        line, column = collector.position(min(exc.offset, len(jsx_code)))
        return JSXParseResult((), f"{exc} ({line}:{column})")
    found = sorted(collector.found, key=lambda item: item[0])
    return JSXParseResult(tuple(component for _, component in found))


class _Collector(_Scanner):
    """The compiler's statement scanner, recording each JSX element it steps over."""

    def __init__(self, text: str, targets: frozenset[str] | None) -> None:
        super().__init__(text)
        self.targets = targets
        self.found: list[tuple[int, JSXComponent]] = []

    def position(self, offset: int) -> tuple[int, int]:
        return self.text.count("\n", 0, offset) + 1, offset - (self.text.rfind("\n", 0, offset) + 1)

    def jsx(self, i: int) -> int:
        """Index after the element at ``i``; checks that its closing tag matches."""
        name, props, j, self_closing = self.open_tag(i)
        children_start, children = j, ""
        if not self_closing:
            text = self.text
            while True:
                if j >= self.n:
                    raise JsScanError(f"unterminated JSX element <{name}>", i)
                c = text[j]
                if c == "{":
                    j = self.code(j + 1, "}")
                elif c == "<" and text.startswith("</", j):
                    close = text.find(">", j)
                    if close == -1:
                        raise JsScanError("unterminated JSX closing tag", j)
                    if text[j + 2 : close].strip() != name:
                        raise JsScanError(f"Expected corresponding JSX closing tag for <{name}>", j)
                    children, j = text[children_start:j], close + 1
                    break
                elif c == "<":
                    j = self.jsx(j)
                else:
                    j += 1
        if self.targets is None or name in self.targets:
            line, column = self.position(i)
            self.found.append((i, JSXComponent(name, props, None if self_closing else children.strip(),
                                               self_closing, line, column)))
        return j

    def open_tag(self, i: int) -> tuple[str, dict[str, Any], int, bool]:
        """``(name, props, index after the tag, self-closing)`` for the tag starting at ``i``."""
        text = self.text
        j = self.skip_space(i + 1)
        match = _NAME.match(text, j)
        name = match.group(0) if match else ""
        j = match.end() if match else j
        props: dict[str, Any] = {}
        while True:
            j = self.skip_space(j)
            if j >= self.n:
                raise JsScanError("unterminated JSX tag", i)
            if text.startswith("/>", j):
                return name, props, j + 2, True
            if text[j] == ">":
                return name, props, j + 1, False
            if text[j] == "{":  # {...spread}
                j = self.code(j + 1, "}")
                props["__spread__"] = True
                continue
            attribute = _NAME.match(text, j)
            if attribute is None:
                raise JsScanError(f"unexpected {text[j]!r} in JSX tag <{name}>", j)
            j = self.skip_space(attribute.end())
            props[attribute.group(0)], j = self.attribute_value(j) if text.startswith("=", j) else (True, j)

    def attribute_value(self, j: int) -> tuple[Any, int]:
        """The value after ``=`` at ``j``, and the index after it."""
        j = self.skip_space(j + 1)
        c = self.text[j : j + 1]
        if c in ("'", '"'):
            end = self.jsx_string(j, c)
            return html.unescape(self.text[j + 1 : end - 1]), end
        if c == "{":
            end = self.code(j + 1, "}")
            return _literal(self.text[j + 1 : end - 1].strip()), end
        if c == "<":
            end = self.jsx(j)
            return "{" + self.text[j:end] + "}", end
        raise JsScanError("expected a JSX attribute value", j)

    def jsx_string(self, i: int, quote: str) -> int:
        """JSX attribute strings may span lines and have no escapes."""
        end = self.text.find(quote, i + 1)
        if end == -1:
            raise JsScanError("unterminated string constant", i)
        return end + 1

    def skip_space(self, j: int) -> int:
        while j < self.n and self.text[j] in " \t\r\n":
            j += 1
        return j


def _literal(expression: str) -> Any:
    """A string, number or boolean literal as its value; anything else as ``"{expression}"``."""
    if expression in ("true", "false"):
        return expression == "true"
    if _NUMBER.fullmatch(expression):
        try:
            value = float(int(expression, 0)) if expression[:2].lower() in ("0x", "0o", "0b") else float(expression)
        except ValueError:
            return "{" + expression + "}"
        return int(value) if value.is_integer() else value
    if expression[:1] in ("'", '"') and expression[-1:] == expression[0] and len(expression) > 1:
        try:
            if _Scanner(expression).string(0, expression[0]) == len(expression):
                value = ast.literal_eval(expression)
                if isinstance(value, str):
                    return value
        except (JsScanError, ValueError, SyntaxError):
            pass
    return "{" + expression + "}"
