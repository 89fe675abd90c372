"""Python nested too deeply for CPython to compile: a ``RecursionError``, not a ``SyntaxError``, which
names no line (a chain of 3,000 ``+``; Python cannot import it either)."""

from __future__ import annotations

MESSAGE = "nested too deeply for Python to compile (RecursionError)"
HINT = "split the expression (a chain of thousands of operators, say) into smaller ones, or build it in a loop"


def too_deep_line(text: str | bytes) -> int:
    """The 1-based line of ``text`` at which compiling it first runs out of depth: the end of the
    shortest prefix of lines that raises ``RecursionError`` (a shorter one compiles, or stops at a
    syntax error: an expression over many lines is named at its last)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = text.splitlines(keepends=True)
    low, high = 1, len(lines)  # the answer is in [low, high]; all of the text raises
    while low < high:
        middle = (low + high) // 2
        if _runs_out("".join(lines[:middle])):
            high = middle
        else:
            low = middle + 1
    return high


def _runs_out(text: str) -> bool:
    """Whether compiling ``text`` runs out of depth (the parser and the code generator each have a limit)."""
    try:
        compile(text, "<deep>", "exec", dont_inherit=True)
    except RecursionError:
        return True
    except (SyntaxError, ValueError):  # a prefix that stops mid-statement
        pass
    return False
