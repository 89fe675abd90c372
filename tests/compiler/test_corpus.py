"""Each corpus case: the compiler's split must match the hand-written expectation line by line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyxle.compiler import compile_source
from tests.docs._blocks import cites

CORPUS = Path(__file__).with_name("corpus")
CASES = sorted(p.stem for p in CORPUS.glob("*.pyxl"))

# Cases where the compiler disagrees with the documented rules (bug reports for the lead).
XFAIL: dict[str, str] = {}


def _params() -> list:
    out = []
    for name in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
        out.append(pytest.param(name, id=name, marks=marks))
    return out


def _load(name: str) -> tuple[str, str]:
    source = (CORPUS / f"{name}.pyxl").read_text(encoding="utf-8")
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8").rstrip("\n")
    return source, expected


def test_corpus_is_big_enough():
    assert len(CASES) >= 40


def test_every_case_has_an_expectation():
    for name in CASES:
        source, expected = _load(name)
        assert len(expected) == len(source.splitlines()), name
        assert set(expected) <= {"P", "J", "F", "."}, name


@cites("docs/compiler.md", "(so a\ndocstring full of `<div>`s or `export default` stays Python)")  # rules_triple_quoted_..., rules_docstring_...
@cites("docs/compiler.md", "(so a\ntemplate literal holding `def foo():` stays JavaScript)")  # rules_template_literal_with_python_lines
@pytest.mark.parametrize("name", _params())
def test_split_matches_expectation(name: str):
    source, expected = _load(name)
    result = compile_source(source, path=f"pages/{name}.pyxl", require_default_export=False)
    src_lines = source.splitlines()
    server = result.server_code.splitlines()
    client = result.client_code.splitlines()
    assert len(server) == len(src_lines)
    assert len(client) == len(src_lines)
    want_p = {i + 1 for i, m in enumerate(expected) if m == "P"}
    want_j = {i + 1 for i, m in enumerate(expected) if m == "J"}
    fences = {i + 1 for i, m in enumerate(expected) if m == "F"}
    got_p = {i + 1 for i, line in enumerate(server) if line.strip()} - fences  # a fence may stay as a comment
    got_j = {i + 1 for i, line in enumerate(client) if line.strip()}
    assert got_p == want_p, "server lines differ"
    assert got_j == want_j, "client lines differ"
    # Kept lines are copied verbatim.
    for n in got_p:
        assert server[n - 1] == src_lines[n - 1]
    for n in got_j:
        assert client[n - 1] == src_lines[n - 1]
    has_default = any(re.match(r"export\s+default\b|export\s*\{[^}]*\bas\s+default\b", src_lines[n - 1])
                      for n in want_j)
    assert result.metadata.has_default_export == has_default


def test_jsx_only_pages_satisfy_require_default_export():
    jsx_only = [n for n in CASES if set(_load(n)[1]) <= {"J", "."}]
    assert len(jsx_only) >= 2
    for name in jsx_only:
        source, _ = _load(name)
        result = compile_source(source, path=f"pages/{name}.pyxl", require_default_export=True)
        assert result.server_code.strip() == ""
        assert result.client_code == source
        assert result.metadata.loader is None and result.metadata.actions == ()


def test_crlf_source_keeps_line_count():
    source = (CORPUS / "python_then_jsx.pyxl").read_text(encoding="utf-8")
    expected = _load("python_then_jsx")[1]
    crlf = source.replace("\n", "\r\n")
    result = compile_source(crlf, path="pages/crlf.pyxl")
    server = result.server_code.splitlines()
    client = result.client_code.splitlines()
    assert len(server) == len(client) == len(source.splitlines())
    assert {i for i, ln in enumerate(server) if ln.strip()} == {i for i, m in enumerate(expected) if m == "P"}
    assert {i for i, ln in enumerate(client) if ln.strip()} == {i for i, m in enumerate(expected) if m == "J"}


def test_source_without_trailing_newline():
    source = "@server\nasync def load(request):\n    return {}\n\nexport default () => <p/>;"
    result = compile_source(source, path="pages/nonl.pyxl")
    assert len(result.server_code.splitlines()) == len(result.client_code.splitlines()) == 5
    assert result.client_code.splitlines()[4] == "export default () => <p/>;"
    assert result.server_code.splitlines()[:3] == source.splitlines()[:3]
