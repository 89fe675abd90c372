"""getting-started.md's list of extras names every extra the starters tell a user to install (the
starter's tests need `[testing]`, which the list left out), and each one it names exists."""

from __future__ import annotations

import re

from tests.docs._blocks import REPO, cites

DOC = (REPO / "docs" / "getting-started.md").read_text()
# pyproject.toml's [project.optional-dependencies] (read without tomllib, which Python 3.10 lacks)
_SECTION = (REPO / "pyproject.toml").read_text().split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
EXTRAS = set(re.findall(r"^([a-z0-9-]+) = \[", _SECTION, re.MULTILINE))
LISTED = DOC.split("Optional parts are extras:", 1)[1].split("\n\n", 1)[0]


def named(text: str) -> set[str]:
    """The extras ``text`` names: ``pyxle-framework[testing]`` and a bare ``[redis]``."""
    return {name.strip() for group in re.findall(r"\[([a-z0-9_,-]+)\]", text) for name in group.split(",")}


@cites("docs/getting-started.md", "`[testing]` (pytest and\nthe test client, which the starter's `tests/` need before `pytest` runs)")
def test_the_list_of_extras_names_every_extra_a_starter_asks_for() -> None:
    templates = REPO / "src" / "pyxle" / "cli" / "templates"
    asked = {name for path in templates.rglob("*") if path.is_file() and path.suffix in (".md", ".py", ".txt")
             for name in named(" ".join(re.findall(r"pyxle-framework\[[^\]]*\]", path.read_text())))}
    assert "testing" in asked
    assert asked <= named(LISTED), asked - named(LISTED)


def test_every_extra_the_list_names_exists() -> None:
    assert named(LISTED) and named(LISTED) <= EXTRAS, named(LISTED) - EXTRAS
