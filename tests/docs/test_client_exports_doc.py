"""docs/client.md's table of exports names every export of `pyxle/client`, and nothing it lacks:
``useNonce`` was exported (and typed) but missing from the table a reader looks names up in."""

from __future__ import annotations

import re

from tests.docs._blocks import REPO

INDEX = REPO / "src" / "pyxle" / "client" / "index.js"


def exported() -> set[str]:
    """The names index.js exports (``export { A, B } from ...``), its default aside."""
    names = re.findall(r"^export \{([^}]*)\}", INDEX.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {name.strip() for group in names for name in group.split(",") if name.strip()}


def tabled() -> set[str]:
    """The names in the first column of client.md's export table (``useAction(name, ...)`` is ``useAction``)."""
    text = (REPO / "docs" / "client.md").read_text(encoding="utf-8")
    table = text.split("| export | what |", 1)[1].split("\n\n", 1)[0]
    cells = [row.split("|")[1] for row in table.splitlines()[2:] if row.startswith("|")]
    return {re.match(r"[A-Za-z_$][\w$]*", code).group() for cell in cells for code in re.findall(r"`([^`]+)`", cell)}


def test_the_export_table_of_client_md_names_every_export_and_only_those() -> None:
    assert exported(), INDEX
    assert tabled() == exported(), (sorted(exported() - tabled()), sorted(tabled() - exported()))
