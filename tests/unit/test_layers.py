"""The map's dependency rules (docs/architecture.md, "Packages under src/pyxle/"), checked against
the code: every import of another part of Pyxle, at the top of a module or inside a function,
must be one the package's row allows. A lower layer reaching up (``pages`` importing ``app``) once
went unnoticed for a session: it is caught here, naming the file and line."""

from __future__ import annotations

import ast
import gc
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "pyxle"
MAP = REPO / "docs" / "architecture.md"
PARTS = {path.stem if path.is_file() else path.name for path in SRC.iterdir()
         if (path.is_dir() and (path / "__init__.py").exists()) or (path.suffix == ".py" and path.stem != "__init__")}
EVERYTHING = ("all of the above", "everything")


def allowed() -> dict[str, set[str]]:
    """Each package's row: the parts of Pyxle it may import (what its third cell names, outside
    the parenthesised notes)."""
    rows: dict[str, set[str]] = {}
    section = MAP.read_text().split("## Packages under `src/pyxle/`", 1)[1]
    for line in section.split("\n\n", 2)[1].splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        name = re.fullmatch(r"`([a-z_]+)`", cells[0])
        if name is None or name.group(1) not in PARTS:
            continue  # the JS client, the compatibility paths
        text = cells[2]
        if any(word in text for word in EVERYTHING):
            rows[name.group(1)] = set(PARTS)
            continue
        plain = re.sub(r"\([^)]*\)", "", text)
        rows[name.group(1)] = {part for part in PARTS if re.search(rf"(?<![\w.]){re.escape(part)}(?![\w])", plain)}
    return rows


def parsed(path: Path) -> ast.Module:
    """``path``'s tree, parsed with the collector paused: an earlier test's garbage finalised
    mid-parse, whose error traceback then parses too, hits CPython 3.11.7's "AST constructor
    recursion depth mismatch" (it failed a CI run once)."""
    gc.disable()
    try:
        return ast.parse(path.read_text(), str(path))
    finally:
        gc.enable()


def imported(path: Path) -> list[tuple[str, int]]:
    """The parts of Pyxle ``path`` imports (``pyxle.app._static`` -> ``app``), with their lines."""
    found = []
    for node in ast.walk(parsed(path)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "pyxle" else [f"pyxle.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "pyxle" and len(parts) > 1 and parts[1] in PARTS:
                found.append((parts[1], node.lineno))
    return found


def test_the_map_names_a_row_for_every_package_it_checks() -> None:
    rows = allowed()
    packages = {name for name in PARTS if (SRC / name).is_dir()}
    assert packages - {"devserver"} <= set(rows), sorted(packages - set(rows))


def test_every_package_imports_only_what_the_map_allows() -> None:
    rows = allowed()
    wrong = []
    for package, permitted in rows.items():
        for path in sorted((SRC / package).rglob("*.py")):
            for part, line in imported(path):
                if part != package and part not in permitted:
                    wrong.append(f"{path.relative_to(REPO)}:{line}: {package} imports {part}")
    assert not wrong, "imports the map (docs/architecture.md) does not allow:\n" + "\n".join(wrong)
