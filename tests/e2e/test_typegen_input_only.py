"""A model used only as an action's body, read differently as input (a field with a default is
optional), is declared under its own name too, as docs/types.md's table says of every model:
only `StrictInput` was, so `import type { Strict }` failed in `pyxle typecheck`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import server_env
from tests.docs._blocks import cites

PAGE = '''
from pydantic import BaseModel


class Cat(BaseModel):
    name: str
    lives: int = 9


class Strict(BaseModel):
    title: str
    draft: bool = True
    cat: Cat | None = None


@action
async def save(request, body: Strict):
    return {"title": body.title}


export default function Forbid() { return <p>forbid</p> }
'''

USE = '''
import type { Strict, StrictInput, Cat, CatInput } from 'pyxle/types/forbid'

const sent: StrictInput = { title: 'x' }
const read: Strict = { title: 'x', draft: true, cat: { name: 'tom', lives: 9 } }
const cat: Cat = { name: 'tom', lives: 9 }
const partial: CatInput = { name: 'tom' }

export default function Use() {
  return <p>{sent.title}{read.draft ? 'draft' : ''}{cat.lives}{partial.name}</p>
}
'''


@cites("docs/types.md", "a model used only as a body is declared both ways, `Post` and `PostInput`")
def test_a_model_used_only_as_a_body_is_declared_under_its_own_name_and_as_input(make_project) -> None:
    root = make_project({"pages/forbid.pyxl": PAGE.replace("export default function Forbid() { return <p>forbid</p> }",
                                                           "import Use from '../components/Use'\n\n"
                                                           "export default function Forbid() { return <Use /> }"),
                         "components/Use.tsx": USE}, node=True)
    done = subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (Path(root) / ".pyxle" / "types" / "forbid.d.ts").read_text()
    assert "export interface StrictInput {\n  title: string\n  draft?: boolean\n  cat?: CatInput | null\n}" in text
    assert "export interface Strict {\n  title: string\n  draft: boolean\n  cat: Cat | null\n}" in text
    assert "export interface Cat {\n  name: string\n  lives: number\n}" in text
    assert "    body: StrictInput\n" in text
