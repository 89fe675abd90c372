"""`pyxle typecheck`: a real tsc (tests/node's typescript and @types/react) over real projects;
errors name the `.pyxl` file and the JSX line, and the exit code says whether the types agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import NODE_MODULES, server_env
from tests.docs._blocks import cites

PAGE = '''
from typing_extensions import TypedDict


class Post(TypedDict):
    title: str
    views: int


@server
async def load(request) -> Post:
    return {"title": "Hello", "views": 3}


import { useState } from 'react'

export default function Page({ data }) {
  const [open, setOpen] = useState(false)
  return (
    <main>
      <h1>{data.title}</h1>
      <p>{data.views.toFixed(0)} views</p>
      <button onClick={() => setOpen(!open)}>{open ? 'close' : 'open'}</button>
    </main>
  )
}
'''


def typecheck(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


def line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.lstrip("\n").splitlines(), 1) if text in line)


def at(source: str, text: str, word: str) -> str:
    """``line:column`` of ``word`` on the first line holding ``text`` (as the test project writes it)."""
    line = line_of(source, text)
    return f"{line}:{source.lstrip(chr(10)).splitlines()[line - 1].index(word) + 1}"


def test_typecheck_passes_when_the_jsx_reads_what_the_loader_returns(make_project) -> None:
    root = make_project({"pages/index.pyxl": PAGE}, node=True)
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pyxle typecheck: no type errors (1 page checked)" in done.stderr


def test_renaming_a_loader_field_fails_naming_the_page_file_and_the_jsx_line_that_reads_it(make_project) -> None:
    renamed = PAGE.replace("    views: int", "    view_count: int").replace('"views": 3', '"view_count": 3')
    root = make_project({"pages/index.pyxl": renamed}, node=True)
    done = typecheck(root)
    assert done.returncode == 1
    where = at(renamed, "{data.views.toFixed(0)}", "views")
    assert f"pages/index.pyxl:{where}: error TS2339: Property 'views' does not exist on type 'Post'." in done.stdout
    assert "      <p>{data.views.toFixed(0)} views</p>\n" in done.stdout  # the .pyxl line, a caret under it
    assert "pyxle typecheck: 1 error in 1 file" in done.stderr


def test_an_error_on_the_line_that_received_the_props_type_keeps_the_pyxl_column(make_project) -> None:
    page = PAGE.replace("export default function Page({ data }) {", "export default function Page({ data, extra }) {")
    root = make_project({"pages/index.pyxl": page}, node=True)
    done = typecheck(root)
    assert done.returncode == 1
    where = at(page, "export default function Page", "extra")
    assert f"pages/index.pyxl:{where}: error TS2339: Property 'extra' does not exist on type 'Props'." in done.stdout


TSX_PAGE = '''
from pydantic import BaseModel


class Todo(BaseModel):
    title: str
    done: bool = False


@server
async def load(request) -> dict[str, list[Todo]]:
    return {"todos": [{"title": "write", "done": False}]}


@action
async def add(request, body: Todo) -> Todo:
    return body.model_dump()


# --- TSX ---
import { useAction } from 'pyxle/client'
import type { Actions } from 'pyxle/types/todos'
import Count from '../components/Count'

export default function Page({ data }) {
  const add = useAction<Actions['add']['body'], Actions['add']['result']>('add')
  const first: string = data.todos[0].title
  return <main><h1>{first}</h1><Count n={data.todos.length} /><button onClick={() => add({ title: 'x' })}>+</button></main>
}
'''

COMPONENT = '''
import type { Data } from 'pyxle/types/todos'

export default function Count({ n }: { n: number }) {
  return <span>{n}</span>
}

export function firstTitle(data: Data): string {
  return data.todos[0].title
}
'''


def typecheck_todos(make_project, page: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """`pyxle typecheck` on a project of the TSX page ``page`` and its component."""
    return typecheck(make_project({"pages/todos.pyxl": page, "components/Count.tsx": COMPONENT}, node=True))


def test_a_tsx_page_its_typescript_component_and_the_imported_types_typecheck(make_project) -> None:
    done = typecheck_todos(make_project, TSX_PAGE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_type_error_in_a_tsx_page_names_its_pyxl_line(make_project) -> None:
    page = TSX_PAGE.replace("const first: string = data.todos[0].title", "const first: number = data.todos[0].title")
    done = typecheck_todos(make_project, page)
    assert done.returncode == 1
    assert f"pages/todos.pyxl:{at(page, 'const first: number', 'first')}: error TS2322: Type 'string' is not assignable to type 'number'." in done.stdout


def test_a_component_importing_a_pages_types_fails_when_the_loader_changes(make_project) -> None:
    page = TSX_PAGE.replace("    title: str\n", "    name: str\n").replace('{"title": "write"', '{"name": "write"')
    page = page.replace("const first: string = data.todos[0].title", "const first: string = data.todos[0].name")
    page = page.replace("add({ title: 'x' })", "add({ name: 'x' })")
    done = typecheck_todos(make_project, page)
    assert done.returncode == 1
    assert f"components/Count.tsx:{at(COMPONENT, 'return data.todos[0].title', 'title')}: error TS2339: Property 'title' does not exist on type 'Todo'." in done.stdout
    assert "pages/todos.pyxl" not in done.stdout


def test_an_action_body_of_the_wrong_shape_is_a_type_error(make_project) -> None:
    page = TSX_PAGE.replace("add({ title: 'x' })", "add({ title: 3 })")
    done = typecheck_todos(make_project, page)
    assert done.returncode == 1
    assert f"pages/todos.pyxl:{line_of(page, 'add({ title: 3 })')}:" in done.stdout
    assert "Type 'number' is not assignable to type 'string'." in done.stdout


def test_the_projects_own_tsconfig_is_extended_and_its_paths_kept(make_project) -> None:
    page = TSX_PAGE.replace("import Count from '../components/Count'", "import Count from '@/components/Count'")
    root = make_project({"pages/todos.pyxl": page, "components/Count.tsx": COMPONENT}, node=True)
    (root / "tsconfig.json").write_text('{\n  // the project\'s own settings\n  "compilerOptions": {"strict": true, '
                                        '"noUnusedLocals": true, "jsx": "react-jsx", "module": "esnext", '
                                        '"moduleResolution": "bundler", "skipLibCheck": true,\n'
                                        '    "paths": {"@/*": ["./*"]},},\n}\n')
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    config = json.loads((root / ".pyxle" / "typecheck" / "tsconfig.json").read_text())
    assert config["extends"] == str(root / "tsconfig.json")
    unused = page.replace("  const first", "  const unused = 1\n  const first")
    (root / "pages" / "todos.pyxl").write_text(unused.lstrip("\n"))
    done = typecheck(root)
    assert done.returncode == 1  # the project's noUnusedLocals applies to pages too
    assert f"pages/todos.pyxl:{at(unused, 'const unused', 'unused')}: error TS6133:" in done.stdout


def test_without_typescript_installed_typecheck_says_how_to_install_it(make_project) -> None:
    root = make_project({"pages/index.pyxl": PAGE})
    modules = root / "node_modules"
    modules.mkdir()
    for name in ("react", "react-dom", "esbuild"):
        (modules / name).symlink_to(NODE_MODULES / name)
    done = typecheck(root)
    assert done.returncode == 1
    assert done.stderr.startswith(f"pyxle: TypeScript is not installed in {root}; run "
                                  "`npm install --save-dev typescript @types/react` there")


LAYOUT = '''
from typing_extensions import TypedDict


class Site(TypedDict):
    name: str


@server
async def load(request) -> Site:
    return {"name": "Pyxle"}


export default function Layout({ data, routePath, children }) {
  return <div><header>{data.name} at {routePath.toUpperCase()}</header>{children}</div>
}
'''


def test_a_layouts_props_are_its_data_the_route_path_and_its_children(make_project) -> None:
    root = make_project({"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": PAGE}, node=True)
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    misread = LAYOUT.replace("{data.name} at", "{data.title} at")
    (root / "pages" / "layout.pyxl").write_text(misread.lstrip("\n"))
    done = typecheck(root)
    assert done.returncode == 1
    assert f"pages/layout.pyxl:{at(misread, '{data.title}', 'title')}: error TS2339" in done.stdout


ASSETS_PAGE = PAGE.replace("import { useState } from 'react'", (
    "import { useState } from 'react'\nimport styles from './page.module.css'\nimport './global.css'\n"
    "import logo from './logo.svg'\nimport Badge from '../components/Badge.jsx'\n"
    "import inline from './logo.svg?raw'\nimport dot from './logo.svg?inline'\nimport copied from './logo.svg?url'")).replace(
    "<h1>{data.title}</h1>",
    "<h1 className={styles.title}>{data.title} {process.env.PYXLE_PUBLIC_NAME}</h1><img src={logo} /><Badge n={1} />"
    "<i dangerouslySetInnerHTML={{ __html: inline.trim() }} /><img src={dot.slice(0)} /><img src={copied.slice(0)} />")
BADGE = '''// @ts-check
/** @param {{ n: number }} props */
export default function Badge({ n }) {
  return <span>{n.toFixed(0)}</span>
}
'''


@cites("docs/styling.md", "`pyxle typecheck` types each as a `string`")
def test_css_images_and_process_env_typecheck_and_a_ts_check_js_component_is_checked(make_project) -> None:
    files = {"pages/index.pyxl": ASSETS_PAGE, "pages/page.module.css": ".title { color: red }",
             "pages/global.css": "body { margin: 0 }", "pages/logo.svg": "<svg/>", "components/Badge.jsx": BADGE}
    root = make_project(files, node=True)
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    (root / "components" / "Badge.jsx").write_text(BADGE.replace("n.toFixed(0)", "n.toUpperCase()"))
    done = typecheck(root)
    assert done.returncode == 1
    assert f"components/Badge.jsx:{at(BADGE.replace('n.toFixed(0)', 'n.toUpperCase()'), 'toUpperCase', 'toUpperCase')}:" \
           " error TS2339: Property 'toUpperCase' does not exist on type 'number'." in done.stdout


def test_a_typed_page_that_cannot_be_imported_is_a_typecheck_error(make_project) -> None:
    broken = PAGE.replace("from typing_extensions import TypedDict", "from typing_extensions import TypedDict\nimport nowhere_at_all")
    root = make_project({"pages/index.pyxl": broken}, node=True)
    done = typecheck(root)
    assert done.returncode == 1
    assert done.stdout.startswith("pages/index.pyxl:2: ModuleNotFoundError while importing: No module named "
                                  "'nowhere_at_all'")


def test_without_node_typecheck_says_it_needs_it(make_project, tmp_path) -> None:
    root = make_project({"pages/index.pyxl": PAGE}, node=True)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {**server_env(), "PATH": str(empty)}
    done = subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=env, cwd=root, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr == "pyxle: Node.js is not installed; `pyxle typecheck` runs TypeScript's tsc with it\n"
