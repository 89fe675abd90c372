"""Generated TypeScript types of pages (`.pyxle/types/`) from real `pyxle build` and `pyxle dev`
runs, and `.pyxl` pages written in TSX: built, served, hydrated in Chromium."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import server_env

TYPED = '''
import dataclasses
from typing import Literal, Optional

from pydantic import BaseModel, Field
from typing_extensions import NotRequired, TypedDict


class Author(TypedDict):
    name: str
    email: NotRequired[str]


@dataclasses.dataclass
class Stats:
    views: int
    ratio: float = 0.5


class Post(BaseModel):
    """A blog post."""
    title: str = Field(min_length=1, description="shown as the heading")
    status: Literal["draft", "published"] = "draft"
    author: Optional[Author] = None
    tags: list[str] = []


class PostPage(TypedDict):
    post: Post
    stats: Stats
    related: list[Post]


@server
async def load(request) -> PostPage:
    return {"post": Post(title="x").model_dump(), "stats": {"views": 1, "ratio": 0.5}, "related": []}


@action
async def save(request, body: Post) -> Stats:
    return {"views": 2, "ratio": 1.0}


@action(name="ping")
async def ping_action(request):
    return {}


export default function Page({ data }) {
  return <h1>{data.post.title}</h1>
}
'''

UNTYPED = '''
import pathlib
pathlib.Path(__file__).with_name("untyped-was-imported").write_text("yes")

@server
async def load(request):
    return {"n": 1}

export default function Page({ data }) {
  return <p>{data.n}</p>
}
'''


def pyxle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], capture_output=True, text=True, env=server_env(),
                          cwd=cwd, timeout=300, check=False)


def test_pyxle_build_writes_a_pages_types_from_its_loader_and_action_annotations(make_project) -> None:
    root = make_project({"pages/blog/[slug].pyxl": TYPED, "pages/about.pyxl": UNTYPED}, node=True)
    done = pyxle("build", str(root), cwd=root)
    assert done.returncode == 0, done.stderr
    text = (root / ".pyxle" / "types" / "blog" / "[slug].d.ts").read_text()
    assert "// Import it as 'pyxle/types/blog/[slug]'." in text
    assert "export interface PostPage {\n  post: Post\n  stats: Stats\n  related: Post[]\n}" in text
    assert "export type Data = PostPage" in text
    # output: every field present, as dumped; the model's docstring and field description as JSDoc
    assert ('/** A blog post. */\nexport interface Post {\n  /** shown as the heading */\n  title: string\n'
            '  status: "draft" | "published"\n  author: Author | null\n  tags: string[]\n}') in text
    assert "export interface Author {\n  name: string\n  email?: string\n}" in text
    assert "export interface Stats {\n  views: number\n  ratio: number\n}" in text
    # input (the action's body): fields with a default are optional
    assert "export interface PostInput {\n  /** shown as the heading */\n  title: string\n  status?:" in text
    assert "  save: {\n    body: PostInput\n    result: Stats\n  }" in text
    assert "  ping: {\n    body: Record<string, any>\n    result: Record<string, any>\n  }" in text
    assert ('export interface Props {\n  data: Data\n  layoutData: Record<string, any>\n  action?: import("pyxle/client").ActionProp\n'
            '  slots: import("pyxle/client").SlotRegistry\n}') in text


def test_a_page_without_annotations_gets_no_types_and_is_not_executed_to_make_them(make_project) -> None:
    root = make_project({"pages/about.pyxl": UNTYPED, "pages/index.pyxl": TYPED}, node=True)
    done = pyxle("build", str(root), cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / ".pyxle" / "types" / "index.d.ts").is_file()
    assert not (root / ".pyxle" / "types" / "about.d.ts").exists()
    assert not (root / "pages" / "untyped-was-imported").exists()


def test_build_no_types_writes_none_and_a_page_that_lost_its_annotations_loses_its_file(make_project) -> None:
    root = make_project({"pages/index.pyxl": TYPED}, node=True)
    assert pyxle("build", str(root), "--no-types", cwd=root).returncode == 0
    assert not (root / ".pyxle").exists()
    assert pyxle("build", str(root), cwd=root).returncode == 0
    assert (root / ".pyxle" / "types" / "index.d.ts").is_file()
    assert (root / ".pyxle" / ".gitignore").read_text().splitlines()[-1] == "*"
    (root / "pages" / "index.pyxl").write_text(UNTYPED)
    assert pyxle("build", str(root), cwd=root).returncode == 0
    assert not (root / ".pyxle" / "types" / "index.d.ts").exists()


def test_a_page_whose_types_cannot_be_made_is_a_warning_naming_the_file_and_line(make_project) -> None:
    # a missing submodule of a package that is there: not looked up by the build (that would run json)
    broken = TYPED.replace("import dataclasses\n", "import dataclasses\nimport json.not_a_module_anywhere\n")
    root = make_project({"pages/index.pyxl": broken}, node=True)
    done = pyxle("build", str(root), cwd=root)
    assert done.returncode == 0, done.stderr
    assert "pyxle: warning: pages/index.pyxl:2: ModuleNotFoundError while importing" in done.stderr
    assert "its types were not generated" in done.stderr


def test_the_built_client_module_types_the_components_props_with_the_generated_types(make_project) -> None:
    from pyxle.compiler import compile_source

    result = compile_source(TYPED.lstrip("\n"), path="pages/index.pyxl", types_module="pyxle/types/index")
    line = result.client_code.splitlines()[result.props_type.line - 1]
    assert line == 'export default function Page(/** @type {import("pyxle/types/index").Props} */ { data }) {'
    assert TYPED.lstrip("\n").splitlines()[result.props_type.line - 1] == "export default function Page({ data }) {"


def test_pyxle_dev_writes_the_types_and_rewrites_them_when_the_loader_changes(make_project, start_server) -> None:
    root = make_project({"pages/index.pyxl": TYPED}, node=True)
    server = start_server(root, "dev")
    types = root / ".pyxle" / "types" / "index.d.ts"
    assert "export type Data = PostPage" in types.read_text()
    page = root / "pages" / "index.pyxl"
    page.write_text(page.read_text().replace("async def load(request) -> PostPage:", "async def load(request) -> Stats:")
                    .replace('return {"post"', 'return {"views": 1, "ratio": 1.0}\n    return {"post"'))
    deadline = time.monotonic() + 60
    while "export type Data = Stats" not in types.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "export type Data = Stats" in types.read_text(), server.output()


TSX = '''
from typing_extensions import TypedDict


class Todo(TypedDict):
    title: str
    done: bool


@server
async def load(request) -> dict[str, list[Todo]]:
    return {"todos": [{"title": "write the docs", "done": False}]}


# --- TSX ---
import { useState } from 'react'

interface CounterProps { start: number }
type Label = `count ${number}`

function Counter({ start }: CounterProps) {
  const [n, setN] = useState<number>(start)
  const label: Label = `count ${n}`
  return <button id="inc" onClick={() => setN(n + 1)}>{label}</button>
}

export default function Page({ data }) {
  const titles: string[] = data.todos.map((t) => t.title)
  return (
    <main>
      <h1 id="title">{titles[0]}</h1>
      <Counter start={data.todos.length as number} />
    </main>
  )
}
'''


def test_a_tsx_page_builds_renders_on_the_server_and_hydrates(make_project, start_server, page) -> None:
    root = make_project({"pages/index.pyxl": TSX}, node=True)
    server = start_server(root, "serve")
    html = httpx.get(server.url + "/").text
    assert '<h1 id="title">write the docs</h1>' in html
    assert '<button id="inc">count 1</button>' in html
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.click("#inc")
    page.page.wait_for_function("document.querySelector('#inc').textContent === 'count 2'", timeout=10000)
    assert page.problems() == []


def test_a_tsx_page_in_pyxle_dev_keeps_its_state_across_edits_free_of_errors(make_project, start_server, page) -> None:
    root = make_project({"pages/index.pyxl": TSX}, node=True)
    server = start_server(root, "dev")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.click("#inc")
    page.page.wait_for_function("document.querySelector('#inc').textContent === 'count 2'", timeout=10000)
    source = root / "pages" / "index.pyxl"
    source.write_text(source.read_text().replace('<h1 id="title">', '<h1 id="title" data-edited="yes">'))
    page.page.wait_for_selector("h1[data-edited=yes]", timeout=30000)
    assert page.page.text_content("#inc") == "count 2"  # Fast Refresh swapped the TSX module in place
    assert page.problems() == []


def test_a_type_syntax_error_in_a_tsx_page_names_the_pyxl_file_line_and_column(make_project) -> None:
    broken = TSX.replace("interface CounterProps { start: number }", "interface CounterProps { start: number ")
    root = make_project({"pages/index.pyxl": broken}, node=True)
    done = pyxle("build", str(root), cwd=root)
    assert done.returncode == 1
    assert "pages/index.pyxl:18:" in done.stderr, done.stderr


def test_typescript_in_a_page_without_the_marker_is_an_error_at_its_line(make_project) -> None:
    root = make_project({"pages/index.pyxl": TSX.replace("# --- TSX ---\n", "")}, node=True)
    done = pyxle("build", str(root), cwd=root)
    assert done.returncode == 1
    assert "pages/index.pyxl:" in done.stderr
    assert "# --- TSX ---" in done.stderr, done.stderr  # the hint names the marker
