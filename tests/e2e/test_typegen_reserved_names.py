"""`pyxle typecheck` of a page whose own model is named like a declaration of the generated file
(`Props`, `Data`, `Actions`): the model is declared as `<Name>Model`, so TypeScript does not merge
it into the generated interface (a user's `Props` gaining the required `data` of the page's)."""

from __future__ import annotations

from pathlib import Path

from tests.docs._blocks import cites
from tests.e2e.test_typecheck_starters import pyxle, starter

DOC = "docs/types.md"

CARD = '''
from typing_extensions import TypedDict

class Props(TypedDict):
    title: str

@server
async def load(request) -> Props:
    return {"title": "hello"}

import Title from '../components/Title'

export default function Card({ data }) {
  return <Title title={data.title} />
}
'''

TITLE = '''import type { PropsModel } from 'pyxle/types/card'

export default function Title({ title }: PropsModel) {
  return <h1>{title}</h1>
}
'''


@cites(DOC, "A model named like a declaration of the file (`Props`, `Actions`, `Data`) or like a TypeScript "
       "type the file uses (`Record`, and `File` for an upload) is declared as `<Name>Model`")
def test_a_model_named_props_is_not_merged_into_the_generated_props(tmp_path: Path) -> None:
    project = starter(tmp_path)
    (project / "pages" / "card.pyxl").write_text(CARD)
    (project / "components").mkdir(exist_ok=True)
    (project / "components" / "Title.tsx").write_text(TITLE)
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (project / ".pyxle" / "types" / "card.d.ts").read_text()
    assert text.count("export interface Props ") == 1, text
    assert "export interface PropsModel {\n  title: string\n}\n" in text
    assert "export type Data = PropsModel\n" in text
