"""Typing a page component's props, written into its first parameter.

The compiler knows both halves of a file: when its loader or actions carry annotations, the default
export's props get ``import("<types module>").Props`` (the page's generated types) with nothing
written by the user; otherwise they get the same shape with ``data: Record<string, any>``, as
docs/types.md says, so that ``pyxle typecheck``'s strict mode does not fail a page for what its
loader leaves unsaid. In JSX it is an inline JSDoc type before the parameter
(``/** @type {T} */ { data }``), which TypeScript reads in checked JavaScript and esbuild drops as a
comment; in TSX it is a parameter annotation (``{ data }: T``), unless the user wrote one. The
insertion stays on its line, so line numbers hold; ``Insert`` says where it went, so a type
checker's columns can be mapped back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pyxle.compiler._jsscan import JsScanError, _Scanner

_FUNCTION = re.compile(r"export\s+default\s+(?:async\s+)?function\b\s*\*?\s*[\w$]*\s*\(")
_ARROW = re.compile(r"export\s+default\s+(?:async\s*)?\(")
_NAMED = re.compile(r"export\s+default\s+([A-Za-z_$][\w$]*)\s*;?\s*(?://.*)?$", re.MULTILINE)
_CLOSERS = {"{": "}", "[": "]", "(": ")"}
# What the component receives besides ``data`` (the ``Props`` of the generated types say the same).
# ``action``: after a no-JS post to the file's own ``@action`` failed validation; a layout's or
# template's action gives it to that file's component, as a page's does (client/_tree.js pageTree).
# ``slots``: every slot the page's layouts and the page give, name -> entries (as in Pyxle 0.3-0.9).
_PAGE_PROPS = 'action?: import("pyxle/client").ActionProp, slots: import("pyxle/client").SlotRegistry'
_LAYOUT_PROPS = f'routePath: string, children?: import("react").ReactNode, {_PAGE_PROPS}'
# ``layoutData``: every layout loader's result of the page merged (client/_tree.js mergeLayoutData).
_LAYOUT_DATA = "layoutData: Record<string, any>"
_LAYOUTS = ("layout", "template")
_ERROR_PAGES = ("error", "not-found")  # given the error, not a loader's data
_ERROR_PROPS = 'import("pyxle/client").ErrorPageProps'


@dataclass(frozen=True)
class Insert:
    line: int  # 1-based line of the client module
    column: int  # 1-based column where the text was inserted
    length: int

    def column_before(self, line: int, column: int) -> int:
        """A column of the client module as it was before the insertion."""
        if line != self.line or column <= self.column:
            return column
        return max(self.column, column - self.length)


def props_type(types_module: str, *, generated: bool) -> str | None:
    """The type of the props of the component whose page's types live at ``types_module``.

    ``generated``: the page has generated types (its loader or an action is annotated). None for
    ``loading.pyxl``, which is rendered with no props.
    """
    stem = types_module.rsplit("/", 1)[-1]
    if stem in _ERROR_PAGES:
        return _ERROR_PROPS
    if generated:
        return f'import("{types_module}").Props'
    if stem == "loading":
        return None
    return f"{{ data: Record<string, any>, {_LAYOUT_DATA}, {_LAYOUT_PROPS if stem in _LAYOUTS else _PAGE_PROPS} }}"


def attach_props_type(code: str, js_starts: Sequence[int], type_ref: str, *, tsx: bool) -> tuple[str, Insert | None]:
    """``code`` with the default export's first parameter typed as ``type_ref`` (when one is found)."""
    offsets = [0]
    for line in code.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    scanner = _Scanner(code)
    try:
        at = _first_parameter(code, scanner, [offsets[i] for i in js_starts if i < len(offsets)])
        if at is None:
            return code, None
        if tsx:
            at = _after_binding(code, scanner, at)
            if at is None:
                return code, None
            text = f": {type_ref}"
        else:
            text = f"/** @type {{{type_ref}}} */ "
    except JsScanError:
        return code, None
    line = code.count("\n", 0, at)
    return code[:at] + text + code[at:], Insert(line + 1, at - offsets[line] + 1, len(text))


def _first_parameter(code: str, scanner: _Scanner, starts: list[int]) -> int | None:
    """Offset of the default-exported component's first parameter; None when it takes none."""
    for start in starts:
        if match := _FUNCTION.match(code, start):
            return _parameter_at(code, match.end())
        if (match := _ARROW.match(code, start)) and _is_arrow(code, scanner, match.end()):
            return _parameter_at(code, match.end())
        if match := _NAMED.match(code, start):
            return _declared(code, scanner, match.group(1), starts)
    return None


def _declared(code: str, scanner: _Scanner, name: str, starts: list[int]) -> int | None:
    """The first parameter of ``function Name(`` or ``const Name = (...) =>`` (not if Name is typed)."""
    name = re.escape(name)
    function = re.compile(rf"(?:export\s+)?(?:async\s+)?function\s*\*?\s*{name}\s*\(")
    variable = re.compile(rf"(?:export\s+)?(?:const|let|var)\s+{name}\s*=\s*(?:async\s*)?(function\b[^(]*)?\(")
    for start in starts:
        if match := function.match(code, start):
            return _parameter_at(code, match.end())
        if (match := variable.match(code, start)) and (match.group(1) or _is_arrow(code, scanner, match.end())):
            return _parameter_at(code, match.end())
    return None


def _is_arrow(code: str, scanner: _Scanner, after_paren: int) -> bool:
    end = scanner.code(after_paren, ")")
    rest = code[end:].lstrip()
    return rest.startswith("=>") or (rest.startswith(":") and "=>" in rest.split("\n", 1)[0])


def _parameter_at(code: str, index: int) -> int | None:
    while index < len(code) and code[index] in " \t\r\n":
        index += 1
    return None if index >= len(code) or code[index] == ")" else index


def _after_binding(code: str, scanner: _Scanner, index: int) -> int | None:
    """Where a TSX annotation of the parameter at ``index`` goes; None when it has one already."""
    if code[index] in _CLOSERS:
        end = scanner.code(index + 1, _CLOSERS[code[index]])
    else:
        match = re.compile(r"[A-Za-z_$][\w$]*").match(code, index)
        if match is None:
            return None
        end = match.end()
    rest = code[end:].lstrip(" \t")
    return None if rest.startswith((":", "?")) else end
