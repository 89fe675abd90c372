"""`pyxle check` parses each page's JSX with the esbuild `pyxle build` bundles it with: a closing tag
that does not match its opening one fails the check as it fails the build (pyxle-framework 0.9.4's
check rejected it too), at the .pyxl file's own line and column, with nothing built or written.
Without Node or esbuild the Python is still checked, and a note says the JSX was not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import server_env
from tests.docs._blocks import cites

DOC = "docs/compiler.md"

MISMATCHED = """
export default function Home() {
  return <main><h1>Hi</h2></main>
}
"""

# The error is on line 11 of the .pyxl, below its Python; a checker that counted the lines of the
# JSX alone (or of the compiled client module without the blank Python lines) would say line 3.
LAYOUT = """
import json

@server
async def load(request):
    return {"title": json.dumps("x")}

export default function Layout({ children, data }) {
  return (
    <div>
      <nav>{data.title}</nav>
      <section>é {children}</div>
    </section>
  )
}
"""

VALID_PAGE = """
@server
async def load(request):
    return {"n": 1}

export default function Home({ data }) {
  const items = [1, 2].map((i) => <li key={i}>{i < data.n ? 'a' : 'b'}</li>)
  return <main><h1 className="t">Hi {data.n}</h1><>{items}</></main>
}
"""

VALID_TSX = """
# --- TSX ---
type Props = { data: { n: number } }

export default function About({ data }: Props) {
  const twice = <T,>(x: T): T[] => [x, x]
  return <p>{twice(data?.n ?? 0).join(',')}</p>
}
"""


def check(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                          env=server_env(**env), check=False, timeout=120)


def files_in(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in project.rglob("*") if "node_modules" not in p.parts}


@cites(DOC, "it parses each page's JSX with the esbuild that `pyxle build` bundles it with, so JSX the build would "
            "reject is an error too")
@cites(DOC, "(`JSX syntax error: Unexpected closing \"h2\" tag does not match opening \"h1\" tag`); nothing is built "
            "or written")
def test_check_reports_a_closing_tag_that_does_not_match_its_opening_tag_at_file_line_col(make_project) -> None:
    project = make_project({"pages/index.pyxl": MISMATCHED}, node=True)
    before = files_in(project)
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ('pages/index.pyxl:2:24: JSX syntax error: Unexpected closing "h2" tag does not match opening "h1" tag'
            in result.stdout)
    assert "      return <main><h1>Hi</h2></main>\n" + " " * 27 + "^" in result.stdout  # the caret under h2
    assert "checked 1 file: 1 error" in result.stderr
    assert files_in(project) == before  # no build, no compiled modules: check writes nothing


@cites(DOC, "at the `.pyxl` file's own line and column")
def test_check_names_the_pyxl_files_own_line_of_a_jsx_error_below_its_python(make_project) -> None:
    """A layout (compiled like a page) with Python above its JSX; the column counts characters."""
    project = make_project({"pages/index.pyxl": VALID_PAGE, "pages/layout.pyxl": LAYOUT}, node=True)
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ('pages/layout.pyxl:11:30: JSX syntax error: Unexpected closing "div" tag does not match opening '
            '"section" tag' in result.stdout)
    assert "      <section>é {children}</div>\n" in result.stdout
    assert "index.pyxl" not in result.stdout
    assert "checked 2 files: 2 errors" in result.stderr  # esbuild reads on: </section> now closes <div>


def test_check_passes_a_valid_project_with_jsx_and_tsx_pages(make_project) -> None:
    project = make_project({"pages/index.pyxl": VALID_PAGE, "pages/about.pyxl": VALID_TSX,
                            "pages/layout.pyxl": LAYOUT.replace("{children}</div>\n    </section>",
                                                                "{children}</section>\n    </div>")}, node=True)
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 3 files: 0 errors" in result.stdout
    assert "not checked" not in result.stderr


@cites(DOC, "Without Node.js or esbuild in the project's `node_modules`, the Python is still checked and one line "
            "on stderr says the JSX was not")
def test_check_without_node_modules_still_checks_the_python_and_says_once_the_jsx_was_not(make_project) -> None:
    project = make_project({"pages/index.pyxl": MISMATCHED,
                            "pages/other.pyxl": VALID_PAGE.replace('"n": 1', '"n": missing')})
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pages/other.pyxl:3:18: undefined name 'missing'" in result.stdout
    assert "JSX syntax error" not in result.stdout
    note = f"pyxle check: JSX syntax not checked: esbuild is not installed in {project / 'node_modules'}; run `pyxle install`"
    assert result.stderr.count("JSX syntax not checked") == 1
    assert note in result.stderr


@cites(DOC, "(`pyxle check: JSX syntax not checked: Node.js is not installed`)")
def test_check_without_node_passes_valid_python_and_says_the_jsx_was_not_checked(make_project, tmp_path) -> None:
    project = make_project({"pages/index.pyxl": MISMATCHED}, node=True)
    no_node = tmp_path / "bin"  # a PATH with no `node` on it
    no_node.mkdir()
    result = check(project, PATH=str(no_node))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 1 file: 0 errors" in result.stdout
    assert result.stderr.count("pyxle check: JSX syntax not checked: Node.js is not installed") == 1


# A JSX mistake the compiler's own scan cannot read past, on line 5 of these pages: it was reported
# at <section> ("unterminated JSX element") or on line 6 ("unterminated regular expression").
STRAY = """export default function Jx() {
  return (
    <section>
      <p id="ok">ok</p>
      %s
      <p>after</p>
    </section>
  )
}
"""


@cites(DOC, "A JSX mistake the compiler cannot read past is reported where esbuild reports it and in its words\n"
           "(the last two rows, at the stray `</p>`'s name or at the `<`), not as what it ran into after it")
@cites(DOC, "| a closing tag that does not match, when the JSX then does not scan | "
           "`JSX syntax error: Unexpected closing \"p\" tag does not match opening \"section\" tag` |")
@cites(DOC, "| a `<` where an attribute or `>` belongs, when the JSX then does not scan | "
           "`JSX syntax error: Expected \">\" but found \"<\"` |")
def test_check_reports_a_jsx_mistake_that_stops_the_compiler_where_esbuild_does(make_project) -> None:
    project = make_project({"pages/tag.pyxl": STRAY % "<h1 <Welcome to Pyxle</h1>",
                            "pages/stray.pyxl": STRAY % "<p>a</p></p>"}, node=True)
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ('pages/tag.pyxl:5:11: JSX syntax error: Expected ">" but found "<"\n'
            "          <h1 <Welcome to Pyxle</h1>\n" + " " * 14 + "^\n") in result.stdout, result.stdout
    assert ('pages/stray.pyxl:5:17: JSX syntax error: Unexpected closing "p" tag does not match opening "section" '
            "tag\n          <p>a</p></p>\n" + " " * 20 + "^\n") in result.stdout, result.stdout
    assert "unterminated" not in result.stdout
    assert ":3:5:" not in result.stdout and ":6:" not in result.stdout
