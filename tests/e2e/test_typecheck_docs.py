"""docs/types.md: its examples run as written. The page, the component and the TSX page build,
the generated declarations are the ones shown, `pyxle typecheck` passes on them, and the error
shown is what a renamed field really gives."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import REPO, server_env

DOC = (REPO / "docs" / "types.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.DOTALL)


def named_blocks() -> dict[str, str]:
    """Code blocks whose first line is a comment naming their file."""
    found = {}
    for block in blocks("python") + blocks("tsx"):
        first, _, rest = block.partition("\n")
        name = re.match(r"(?:#|//) ((?:pages|components)/\S+)$", first)
        if name:
            found[name.group(1)] = rest
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
    assert (root / ".pyxle" / "types" / "posts" / "[id].d.ts").read_text() == blocks("ts")[0]
    checked = pyxle(root, "typecheck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (root / "tsconfig.json").write_text(blocks("json")[0])  # the editor settings shown: extended, still passes
    assert pyxle(root, "typecheck").returncode == 0


def test_the_documented_error_is_what_a_misspelt_field_gives(make_project) -> None:
    files = named_blocks()
    files["pages/posts/[id].pyxl"] = files["pages/posts/[id].pyxl"].replace("{data.post.title}", "{data.post.titel}")
    root = make_project(files, node=True)
    checked = pyxle(root, "typecheck")
    assert checked.returncode == 1
    shown = re.search(r"```\n(pages/posts.*?)\n\npyxle typecheck: (.*?)\n```", DOC, re.DOTALL)
    assert shown.group(1) in checked.stdout
    assert f"pyxle typecheck: {shown.group(2)}" in checked.stderr


def test_the_documented_tsx_page_renders(make_project, start_server) -> None:
    root = make_project({"pages/todos.pyxl": named_blocks()["pages/todos.pyxl"]}, node=True)
    server = start_server(root, "serve")
    html = httpx.get(server.url + "/todos").text.replace("<!-- -->", "")  # React's marks between text parts
    assert "<h1>1 open</h1>" in html and "<button>count 1</button>" in html
