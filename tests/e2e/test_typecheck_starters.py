"""`pyxle typecheck` on what `pyxle init` writes, as docs/types.md says to run it: every starter
passes with no errors (pages and layouts whose loaders say nothing get their props typed too), and a
real mistake in such a page is still an error (their props are typed, not `any`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import link_node_modules, server_env
from tests.docs._blocks import cites

DOC = "docs/types.md"


def pyxle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=300, check=False)


def starter(tmp_path: Path, *options: str) -> Path:
    """A fresh `pyxle init` project with what `npm install --save-dev typescript @types/react` gives it."""
    made = pyxle("init", "app", *options, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "app"
    link_node_modules(project)
    return project


def where(project: Path, file: str, text: str, word: str) -> str:
    """``file:line:column`` of ``word`` on the first line of ``file`` holding ``text``."""
    lines = (project / file).read_text().splitlines()
    number, line = next((n, line) for n, line in enumerate(lines, 1) if text in line)
    return f"{file}:{number}:{line.index(word) + 1}"


@cites(DOC, "So the page `pyxle init` writes passes `pyxle typecheck` as it is")
@pytest.mark.parametrize("options", [(), ("--tailwind",), ("--api",)], ids=["app", "tailwind", "api"])
def test_every_pyxle_init_starter_passes_pyxle_typecheck_with_no_errors(tmp_path: Path, options: tuple[str, ...]) -> None:
    project = starter(tmp_path, *options)
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    pages = 0 if "--api" in options else 2
    assert f"pyxle typecheck: no type errors ({pages} page{'' if pages == 1 else 's'} checked)" in done.stderr


@cites(DOC, "and in `layout.pyxl` and `template.pyxl` `{ data: Record<string, any>, layoutData: Record<string, any>, routePath: string")
@cites(DOC, "reading a prop the\ncomponent does not receive is still an error")
def test_pages_and_layouts_whose_loaders_say_nothing_still_get_errors_for_what_they_misread(tmp_path: Path) -> None:
    project = starter(tmp_path)
    index, layout = project / "pages" / "index.pyxl", project / "pages" / "layout.pyxl"
    index.write_text(index.read_text().replace("function Home({ data })", "function Home({ data, user })"))
    layout.write_text(layout.read_text().replace("<main>{children}</main>", "<main>{routePath.toFixed(0)}{children}</main>")
                      .replace("function Layout({ data, children })", "function Layout({ data, routePath, children })"))
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 1
    assert f"{where(project, 'pages/index.pyxl', 'function Home', 'user')}: error TS2339: Property 'user' does not exist" in done.stdout
    assert (f"{where(project, 'pages/layout.pyxl', 'routePath.toFixed', 'toFixed')}: error TS2551: "
            "Property 'toFixed' does not exist on type 'string'") in done.stdout
    assert "pyxle typecheck: 2 errors in 2 files" in done.stderr


@cites(DOC, "A page without annotations (its loader says nothing, or it has no loader) gets the same props")
def test_a_page_without_a_loader_typechecks_and_passing_a_state_setter_of_the_wrong_type_is_an_error(tmp_path: Path) -> None:
    project = starter(tmp_path)
    about = project / "pages" / "about.pyxl"
    about.write_text("import { useState } from 'react'\nimport { Form } from 'pyxle/client'\n\n"
                     "export default function About({ data }) {\n  const [message, setMessage] = useState('')\n"
                     "  return <Form action=\"x\" onError={setMessage}>{message}{Object.keys(data).length}</Form>\n}\n")
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    about.write_text(about.read_text().replace("useState('')", "useState(null)"))
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 1
    assert f"{where(project, 'pages/about.pyxl', 'onError', 'onError')}: error TS2322:" in done.stdout


@cites(DOC, "`data` and `error` are both a `PageError`")
def test_error_and_not_found_pages_typecheck_with_the_error_they_are_given_and_a_misread_is_an_error(tmp_path: Path) -> None:
    project = starter(tmp_path)
    error, missing = project / "pages" / "error.pyxl", project / "pages" / "not-found.pyxl"
    error.write_text("export default function ErrorPage({ data, error, layoutData }) {\n"
                     "  return <p role=\"alert\">{data.statusCode}: {error.message} {data.type} {Object.keys(layoutData ?? {}).length}</p>\n}\n")
    missing.write_text("export default function NotFound({ data }) {\n  return <p>{data.message}</p>\n}\n")
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    missing.write_text(missing.read_text().replace("data.message", "data.statuscode"))
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 1
    assert (f"{where(project, 'pages/not-found.pyxl', 'statuscode', 'statuscode')}: error TS2551: "
            "Property 'statuscode' does not exist on type 'PageError'. Did you mean 'statusCode'?") in done.stdout


# pyxle-framework 0.9's README page: JavaScript with an untyped parameter.
USERS_094 = '''
@server
async def load(request):
    return {"users": [{"id": 1, "name": "Ada"}]}

@action
async def remove(request):
    return {"ok": True}

import { useAction } from 'pyxle/client'

export default function Users({ data }) {
  const remove = useAction('remove')
  async function onRemove(id) {
    await remove({ id })
  }
  return <ul>{data.users.map((u) => <li key={u.id} onClick={() => onRemove(u.id)}>{u.name}</li>)}</ul>
}
'''


@cites("docs/migrating.md", "then an untyped\n  parameter of a JavaScript page (`async function onRemove(id)`) is an error")
@cites("docs/migrating.md", "set\n  `\"strict\": false` in the config to check as TypeScript 5 did by default")
def test_a_09_javascript_page_with_an_untyped_parameter_passes_unless_the_config_is_strict(tmp_path: Path) -> None:
    project = starter(tmp_path)
    (project / "pages" / "users.pyxl").write_text(USERS_094)
    for strict, expected in ((True, 1), (False, 0)):
        (project / "jsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": strict}}))
        done = pyxle("typecheck", str(project), cwd=project)
        assert done.returncode == expected, done.stdout + done.stderr
        found = "error TS7006: Parameter 'id' implicitly has an 'any' type" in done.stdout
        assert found is strict, done.stdout


@cites(DOC, "`.pyxle/` holds only generated files and ignores itself in git (`.pyxle/.gitignore`)")
def test_what_pyxle_typecheck_writes_for_an_untyped_starter_is_ignored_by_git(tmp_path: Path) -> None:
    # The starter's loaders carry no annotations, so no .pyxle/types/ is written: the pages' code
    # that tsc reads, in .pyxle/typecheck/, must still stay out of `git status`.
    project = starter(tmp_path)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / ".pyxle" / "typecheck" / "tsconfig.json").is_file()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                            capture_output=True, text=True, check=True).stdout
    assert ".pyxle/" not in status, status
