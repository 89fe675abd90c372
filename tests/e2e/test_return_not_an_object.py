"""A loader or action annotated to return what is never a JSON object (`-> list[Item]`, a `RootModel`
of a list) could only answer 500s: `pyxle serve` refuses it at start-up naming the file, the line
and a fix, `pyxle check` finds the spelled-out ones, and `pyxle build` generates no type for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import server_env
from tests.docs._blocks import cites

DOC = "docs/validation.md"

LISTED = '''
from pydantic import BaseModel


class Item(BaseModel):
    n: int


@server
async def load(request) -> list[Item]:
    return [Item(n=1)]


export default function Listed({ data }) {
  return <main>{data.length}</main>
}
'''

ACTION = '''
from typing import Optional

from pydantic import BaseModel, RootModel


class Item(BaseModel):
    n: int


class Items(RootModel[list[Item]]):
    pass


@server
async def load(request) -> dict[str, list[Item]]:
    return {"items": [Item(n=1)]}


@action
async def many(request, body: Item) -> Optional[Items]:
    return Items([body])


export default function Listed({ data }) {
  return <main>{data.items.length}</main>
}
'''


def pyxle(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=timeout, check=False)


@cites(DOC, "a loader or action whose return annotation is never a JSON object")
@pytest.mark.parametrize(("source", "refusal", "hint"), [
    (LISTED, "pages/index.pyxl:9: load() returns list[Item], which is not a JSON object",
     "hint: a loader's data is the page's `data` prop, an object: return a dict or a model"),
    (ACTION, "pages/index.pyxl:20: many() returns Optional[Items], which is not a JSON object",  # a RootModel of a list
     'hint: an action answers `{"ok": true, ...its result}`, an object'),
], ids=["loader-list", "action-root-model"])
def test_pyxle_serve_refuses_a_return_annotation_that_is_never_an_object_naming_the_file_line_and_a_fix(
        make_project, source: str, refusal: str, hint: str) -> None:
    root = make_project({"pages/index.pyxl": source}, node=True)
    done = pyxle("serve", str(root), "--host", "127.0.0.1", "--port", "0", cwd=root)
    assert done.returncode == 1
    assert refusal in done.stderr and hint in done.stderr, done.stderr


@cites("docs/types.md", "A loader's data and an action's result are JSON objects (the `data` prop, `{\"ok\": true, ...}`):\n"
       "  a return annotation that cannot be one (`-> list[Item]`, a `RootModel` of a list, `-> str`)\n"
       "  stops start-up, `pyxle check` and `pyxle build`, naming the file and line; no type is generated for it.")
def test_pyxle_check_names_the_annotation_and_pyxle_build_types_nothing_for_it(make_project) -> None:
    root = make_project({"pages/index.pyxl": LISTED}, node=True)
    checked = pyxle("check", str(root), cwd=root)
    assert checked.returncode == 1
    assert "pages/index.pyxl:9:28: load() returns list[Item], which is not a JSON object" in checked.stdout + checked.stderr
    built = pyxle("build", str(root), cwd=root, timeout=120)
    assert "pages/index.pyxl:9: load() returns list[Item]" in built.stdout + built.stderr
    assert built.returncode == 1, built.stdout + built.stderr  # as pyxle serve and pyxle check refuse it
    assert not (root / ".pyxle" / "types" / "index.d.ts").exists()
