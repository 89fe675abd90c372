"""Every corpus file splits exactly as its .expected says (expectations written from the rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyxle.compiler import compile_source
from tests.unit.compiler.cases import CASES, NO_DEFAULT_EXPORT

CORPUS = Path(__file__).resolve().parent / "corpus"
NAMES = sorted(p.stem for p in CORPUS.glob("*.pyxl"))


def test_corpus_is_large_and_current() -> None:
    assert len(NAMES) >= 40
    assert set(NAMES) == set(CASES) | set(NO_DEFAULT_EXPORT), "run tests/unit/compiler/make_corpus.py"


@pytest.mark.parametrize("name", NAMES)
def test_split(name: str) -> None:
    source = (CORPUS / f"{name}.pyxl").read_text()
    expected = (CORPUS / f"{name}.expected").read_text().strip()
    result = compile_source(source, path=f"pages/{name}.pyxl", require_default_export=name not in NO_DEFAULT_EXPORT)
    source_lines = source.splitlines()
    server = result.server_code.splitlines()
    client = result.client_code.splitlines()
    assert len(server) == len(client) == len(source_lines) == len(expected)
    got = "".join("P" if s.strip() else "J" if c.strip() else "." for s, c in zip(server, client))
    assert got == expected, "\n".join(f"{i + 1:3} {e}{g} {line}" for i, (e, g, line) in
                                     enumerate(zip(expected, got, source_lines)) if e != g)
    for s, c, line in zip(server, client, source_lines):  # a line goes to one side, unchanged
        assert (s == line and not c) or (c == line and not s) or (not s and not c)
