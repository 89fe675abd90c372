"""`pyxle typecheck` of pages and layouts that read `layoutData` (every layout loader's result,
which they receive as in Pyxle 0.9): it is in their props, typed pages' generated `Props` and
untyped ones' inline type alike, so reading it is no error."""

from __future__ import annotations

from pathlib import Path

from tests.docs._blocks import cites
from tests.e2e.test_typecheck_starters import pyxle, starter

DOC = "docs/types.md"

LAYOUT = '''
@server
async def load(request):
    return {"n": 3}

export default function Layout({ data, layoutData, children }) {
  return <main data-n={layoutData.n + data.n}>{children}</main>
}
'''

TYPED = '''
from typing_extensions import TypedDict

class Count(TypedDict):
    count: int

@server
async def load(request) -> Count:
    return {"count": 1}

export default function L({ data, layoutData }) {
  return <p>{data.count + layoutData.n}</p>
}
'''

UNTYPED = '''
@server
async def load(request):
    return {"count": 1}

export default function U({ data, layoutData }) {
  return <p>{data.count} {layoutData.n}</p>
}
'''


@cites(DOC, "- `Props` is what the component receives: `data`, `layoutData` (every layout loader's result of\n  the page merged")
def test_pages_and_layouts_that_read_layout_data_pass_pyxle_typecheck(tmp_path: Path) -> None:
    project = starter(tmp_path)
    (project / "pages" / "layout.pyxl").write_text(LAYOUT)
    (project / "pages" / "typed.pyxl").write_text(TYPED)
    (project / "pages" / "untyped.pyxl").write_text(UNTYPED)
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "layoutData: Record<string, any>\n" in (project / ".pyxle" / "types" / "typed.d.ts").read_text()
