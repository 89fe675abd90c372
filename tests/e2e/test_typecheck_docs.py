"""docs/types.md: its examples run as written. The page, the component and the TSX page build,
the generated declarations are the ones shown, `pyxle typecheck` passes on them, and the error
shown is what a renamed field really gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import server_env
from tests.docs._blocks import cites, doc_block


def named_blocks() -> dict[str, str]:
    """The project's files, by the name the first line of each block gives, as a reader copies
    them: that line is a comment, and it is kept (the error shown counts it)."""
    found = {}
    for name in ("post-page", "post-card", "todos-page"):
        block = doc_block("docs/types.md", name)
        found[block.partition("\n")[0].split()[1]] = block
    return found


def pyxle(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args, str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


def test_the_documented_project_builds_with_the_declarations_shown_and_typechecks(make_project) -> None:
    files = named_blocks()
    assert set(files) == {"pages/posts/[id].pyxl", "components/PostCard.tsx", "pages/todos.pyxl"}
    root = make_project(files, node=True)
    built = pyxle(root, "build")
    assert built.returncode == 0, built.stderr
    assert (root / ".pyxle" / "types" / "posts" / "[id].d.ts").read_text() == doc_block("docs/types.md", "post-types")
    checked = pyxle(root, "typecheck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (root / "tsconfig.json").write_text(doc_block("docs/types.md", "tsconfig"))  # the editor settings shown: extended, still passes
    assert pyxle(root, "typecheck").returncode == 0


def test_the_documented_error_is_what_a_misspelt_field_gives(make_project) -> None:
    files = named_blocks()
    files["pages/posts/[id].pyxl"] = files["pages/posts/[id].pyxl"].replace("{data.post.title}", "{data.post.titel}")
    root = make_project(files, node=True)
    checked = pyxle(root, "typecheck")
    assert checked.returncode == 1
    error, _, summary = doc_block("docs/types.md", "typecheck-error").strip().partition("\n\n")
    assert error in checked.stdout
    assert summary in checked.stderr


def test_the_documented_tsx_page_renders(make_project, start_server) -> None:
    root = make_project({"pages/todos.pyxl": named_blocks()["pages/todos.pyxl"]}, node=True)
    server = start_server(root, "serve")
    html = httpx.get(server.url + "/todos").text.replace("<!-- -->", "")  # React's marks between text parts
    assert "<h1>1 open</h1>" in html and "<button>count 1</button>" in html


def test_the_typed_parameter_shown_is_what_the_compiler_emits() -> None:
    from pyxle.compiler import compile_source

    page = doc_block("docs/types.md", "post-page")
    result = compile_source(page, path="pages/posts/[id].pyxl", types_module="pyxle/types/posts/[id]")
    shown = doc_block("docs/types.md", "typed-param").strip()
    assert shown in result.client_code.splitlines()
    assert result.client_code.splitlines().index(shown) == page.splitlines().index("export default function PostView({ data }) {")


NARROWING_PAGE = '''
from pydantic import BaseModel


class Number(BaseModel):
    n: float


@action
async def double(request, body: Number) -> Number:
    return Number(n=body.n * 2)


# --- TSX ---
import { useState } from 'react'
import { useAction } from 'pyxle/client'
import type { Actions } from 'pyxle/types/double'

export default function Page() {
  const [shown, setShown] = useState('')
  const run = useAction<Actions['double']['body'], Actions['double']['result']>('double')
  async function go() {
    const r = await run({ n: 2 })
    if (r.ok) setShown(String(r.n))
    else setShown(r.error + JSON.stringify(r.fields))
  }
  return <button onClick={go}>{shown}</button>
}
'''


@cites("docs/types.md", "keep the two lines that repeat the check's own default")
def test_the_documented_tsconfig_keeps_an_action_results_narrowing_typechecking(make_project) -> None:
    """The editor settings shown replace the default config: without `strict` (so without
    strictNullChecks) `if (r.ok) ... else r.error` did not narrow, TS2339 on `error`."""
    root = make_project({"pages/double.pyxl": NARROWING_PAGE}, node=True)
    assert pyxle(root, "typecheck").returncode == 0  # the default config
    (root / "tsconfig.json").write_text(doc_block("docs/types.md", "tsconfig"))
    checked = pyxle(root, "typecheck")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@cites("docs/types.md", "With it, a plain `tsc` checks what `pyxle typecheck` checks")
def test_a_plain_tsc_passes_with_exactly_the_documented_tsconfig(make_project) -> None:
    """The documented tsconfig had no `pyxle/client` mapping, which every generated `.d.ts` imports
    (`Props.action`, `slots`): `tsc` said "Cannot find module 'pyxle/client'" where `pyxle
    typecheck`, adding it in its own config, passed."""
    from tests.conftest import NODE_MODULES

    files = named_blocks()
    files["components/Nav.tsx"] = ("import { Link } from 'pyxle/client'\n\n"
                                   "export default function Nav() { return <Link href=\"/\">home</Link> }\n")
    root = make_project({**files, "tsconfig.json": doc_block("docs/types.md", "tsconfig")}, node=True)
    assert pyxle(root, "build").returncode == 0
    checked = subprocess.run([str(NODE_MODULES / ".bin" / "tsc"), "--noEmit", "-p", str(root)], capture_output=True,
                             text=True, cwd=root, timeout=300, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@cites("docs/types.md", "`.pyxle/client/index.d.ts` beside the pages' types, `pyxle typecheck` always")
def test_after_pyxle_typecheck_a_plain_tsc_resolves_pyxle_client_in_a_project_without_typed_pages(make_project) -> None:
    from tests.conftest import NODE_MODULES

    root = make_project({"pages/index.pyxl": "import Nav from '../components/Nav'\n\n"
                                             "export default function Home() { return <Nav /> }\n",
                         "components/Nav.tsx": "import { Link } from 'pyxle/client'\n\n"
                                               "export default function Nav() { return <Link href=\"/\">home</Link> }\n",
                         "tsconfig.json": doc_block("docs/types.md", "tsconfig")}, node=True)
    assert pyxle(root, "typecheck").returncode == 0
    checked = subprocess.run([str(NODE_MODULES / ".bin" / "tsc"), "--noEmit", "-p", str(root)], capture_output=True,
                             text=True, cwd=root, timeout=300, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
