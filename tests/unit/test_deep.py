"""Python nested too deeply for CPython to compile: a RecursionError that names no line, which Pyxle
turns into an error at the line where the file runs out of depth."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pyxle._deep import too_deep_line
from pyxle._loading import SourceError, exec_module

DEEP = " + ".join(["1"] * 4000)


def test_the_line_named_is_the_one_that_runs_out_of_depth() -> None:
    assert too_deep_line(f"import os\n\nx = 1\n\nTOTAL = {DEEP}\n\ndef f():\n    return 1\n") == 5
    assert too_deep_line(f"x = 1\nTOTAL = {DEEP}\n".encode()) == 2


def test_an_expression_over_many_lines_is_named_at_its_last() -> None:
    """Its shorter prefixes stop at the open bracket (a syntax error), not at the depth."""
    spread = "x = 1\nTOTAL = (\n" + " +\n".join(["1"] * 4000) + ")\n"
    assert too_deep_line(spread) == len(spread.splitlines())


def test_a_module_too_deep_to_compile_is_a_source_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.py"
    with pytest.raises(SourceError) as caught:
        exec_module(f"import os\n\nTOTAL = {DEEP}\n", path, "pyxle_test_deep", shown_as="pages/api/deep.py")
    assert (caught.value.file, caught.value.line) == ("pages/api/deep.py", 3)
    assert caught.value.message == "nested too deeply for Python to compile (RecursionError)"
    assert "split the expression" in caught.value.hint
    assert "pyxle_test_deep" not in sys.modules


def test_a_recursion_as_the_module_runs_is_an_import_error_not_a_depth_one(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        exec_module("def f():\n    return f()\n\nf()\n", tmp_path / "loop.py", "pyxle_test_loop", shown_as="loop.py")
    assert caught.value.message.startswith("RecursionError while importing")
    assert caught.value.line == 2  # the line that recursed
