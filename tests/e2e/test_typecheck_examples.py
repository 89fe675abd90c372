"""`pyxle typecheck` on the code a user starts from: copies of examples/demo and examples/auth, the
docs' site (docs/compiler.md's opening page among its pages), and the notes page
docs/getting-started.md has a new user write, all without a tsconfig of their own. They pass as
written: callbacks over a loader's untyped data need no annotation, strict's other checks hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, link_node_modules, server_env
from tests.docs._blocks import blocks, cites, project_files

DOC = "docs/types.md"
COPIED = {"demo": REPO / "examples" / "demo", "auth": REPO / "examples" / "auth", "site": REPO / "docs" / "examples" / "site"}


def typecheck(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


def copy(source: Path, root: Path) -> Path:
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("data", "__pycache__", "node_modules", ".pyxle*", "dist"))
    link_node_modules(root)
    return root


def getting_started(project: str, root: Path) -> Path:
    """The doc's project as a reader has it by then: the notes module of "A page" and the page."""
    files = {**project_files("first-page"), **project_files(project)}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    link_node_modules(root)
    return root


@cites(DOC, "it uses `strict: true` with `noImplicitAny: false`")
@pytest.mark.parametrize("name", ["demo", "auth", "site"])
def test_the_examples_typecheck_as_they_are(tmp_path: Path, name: str) -> None:
    root = copy(COPIED[name], tmp_path / name)
    assert not (root / "tsconfig.json").exists() and not (root / "jsconfig.json").exists()
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr


@cites(DOC, "but a callback's parameter needs no\nannotation (`data.notes.map((note) => ...)` over a loader that says nothing")
@pytest.mark.parametrize("project", ["first-page", "first-action"])
def test_the_getting_started_notes_page_typechecks_as_written(tmp_path: Path, project: str) -> None:
    root = getting_started(project, tmp_path / project)
    assert ".map((note" in (root / "pages" / "notes.pyxl").read_text()  # its parameters unannotated
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no type errors (1 page checked)" in done.stderr


def test_the_compiler_docs_opening_page_is_the_sites_people_page() -> None:
    """So the site's check above is the check of docs/compiler.md's first example."""
    shown = next(b.text for b in blocks("docs/compiler.md") if b.attrs.get("fragment") == "docs/examples/site/pages/people.pyxl")
    assert shown.strip() in (COPIED["site"] / "pages" / "people.pyxl").read_text()


PICKED = """
import { useState } from 'react'

export default function Notes({ data }) {
  const [picked, setPicked] = useState(null)
  return <ul>{data.notes.map((note) => <li key={note} onClick={() => setPicked(`picked ${note}`)}>{note}{picked}</li>)}</ul>
}
"""


@cites(DOC, "`useState(null)` holds only `null` until a JSDoc\n`/** @type {string | null} */ (null)` says more")
def test_without_a_config_null_checks_still_apply_and_a_jsdoc_type_widens_the_state(tmp_path: Path) -> None:
    _refused_until_typed(tmp_path, PICKED, "useState(null)", "useState(/** @type {string | null} */ (null))",
                         "error TS2345: Argument of type 'string' is not assignable to parameter of type 'SetStateAction<null>'")


LIVE = """
import { useState } from 'react'

export default function Notes({ data }) {
  const [live, setLive] = useState([])
  return <ul onClick={() => setLive((l) => [...l, 'new'])}>{[...data.notes, ...live].map((note) => <li key={note}>{note}</li>)}</ul>
}
"""


@cites(DOC, "`useState([])` a list of nothing (`never[]`)\nuntil `/** @type {string[]} */ ([])` does")
def test_without_a_config_an_empty_list_state_holds_nothing_until_a_jsdoc_type_says_what(tmp_path: Path) -> None:
    _refused_until_typed(tmp_path, LIVE, "useState([])", "useState(/** @type {string[]} */ ([]))",
                         "not assignable to type 'never'")


def _refused_until_typed(tmp_path: Path, source: str, state: str, typed: str, error: str) -> None:
    """The getting-started app with ``source`` as its page fails ``pyxle typecheck`` with ``error``,
    and passes once ``state`` is written as ``typed``."""
    root = getting_started("first-page", tmp_path / "app")
    page = root / "pages" / "notes.pyxl"
    page.write_text(page.read_text().split("import { Head }")[0] + source.lstrip())
    done = typecheck(root)
    assert done.returncode == 1 and error in done.stdout, done.stdout
    page.write_text(page.read_text().replace(state, typed))
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
