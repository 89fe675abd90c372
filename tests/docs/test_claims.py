"""Every sentence of the docs that states a status, header, close code, flag or message is cited
by a test: by ``@cites`` on the test, or by ``tests/docs/claims.py`` for a test elsewhere."""

from __future__ import annotations

import ast
import re
from functools import cache

import pytest

from tests.docs._blocks import REPO, blocks, doc_files, suite_modules
from tests.docs.claims import CLAIMS

# Status codes (`404`, "answered 403", "403 with"), close codes, header names, flags, messages.
CLAIM = re.compile(
    r"`[1-5]\d\d\b|\b[1-5]\d\d\s+(?:with|JSON|Method|Upgrade|Not|Too|Internal|Unprocessable|back)\b"
    r"|(?:status|answered|answers|answer|refused with|is a|gets?|closes? it with|closed with|code)\s+`?(?:[1-5]\d\d|10\d\d)\b"
    r"|`[A-Z][a-z]+(?:-[A-Z][a-z]*)+`|`x-[a-z-]+`|`--[a-z][a-z-]*|`pyxle: |\{\"(?:error|ok)\"")
# Figures measured by bench/ (benchmarks.md), the design record (architecture.md), and the table of
# 0.9 statuses that tests/e2e/test_migrated*.py and test_config_compat.py check entry by entry.
NOT_CHECKED_HERE = {"docs/benchmarks.md", "docs/architecture.md", "docs/migrating.md"}


@cache
def _decorator_citations() -> list[tuple[str, str, str]]:
    """(doc, words, test) of every @cites(...) in tests/, read from the source, not by importing it."""
    found = []
    for path in suite_modules():
        tree = ast.parse(path.read_text())
        names = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) for target in node.targets if isinstance(target, ast.Name)}

        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "cites":
                    doc, words = (names[a.id] if isinstance(a, ast.Name) else a.value for a in deco.args[:2])
                    found.append((doc, words, f"{path.relative_to(REPO)}::{node.name}"))
    return found


def _flat(doc: str) -> tuple[str, list[int]]:
    """The doc's text with runs of whitespace made one space, and the line of each character."""
    text, lines = [], []
    for number, line in enumerate((REPO / doc).read_text().splitlines(), 1):
        for word in line.split():
            text.append(word + " ")
            lines.extend([number] * (len(word) + 1))
    return "".join(text), lines


def _covered(doc: str, quotes: list[str]) -> set[int]:
    flat, lines = _flat(doc)
    covered: set[int] = set()
    for quote in quotes:
        words = " ".join(quote.split())
        start = flat.find(words)
        assert start != -1, f"{doc} no longer says: {quote}"
        covered |= set(lines[start:start + len(words)])
    return covered


def _claim_lines(doc: str) -> dict[int, str]:
    inside = {n for b in blocks(doc) for n in range(b.line, b.line + b.text.count("\n") + 2)}
    text = (REPO / doc).read_text().splitlines()
    return {n: line for n, line in enumerate(text, 1) if n not in inside and CLAIM.search(line)}


def test_every_index_entry_names_a_test_that_exists() -> None:
    missing = []
    for _doc, _words, test in CLAIMS:
        file, _, name = test.partition("::")
        source = (REPO / file).read_text() if (REPO / file).is_file() else ""
        if not re.search(rf"^(?:async )?def {re.escape(name)}\(", source, re.MULTILINE):
            missing.append(test)
    assert not missing, f"tests/docs/claims.py names tests that do not exist: {missing}"


@pytest.mark.parametrize("doc", [d for d in doc_files() if d not in NOT_CHECKED_HERE])
def test_every_claim_of_the_doc_is_cited_by_a_test(doc: str) -> None:
    quotes = [words for d, words, _ in [*CLAIMS, *_decorator_citations()] if d == doc]
    covered = _covered(doc, quotes)
    uncited = [f"{doc}:{n}: {line.strip()}" for n, line in _claim_lines(doc).items() if n not in covered]
    assert not uncited, "claims no test cites (add @cites to the test that proves it, or an entry in " \
                        "tests/docs/claims.py):\n" + "\n".join(uncited)
