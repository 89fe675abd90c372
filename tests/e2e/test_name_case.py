"""File names and imports that differ only in case. esbuild's resolver ignores case, Linux's file
system does not: two files `About.pyxl` and `about.pyxl` were bundled as one (one component served
both URLs, silently), and an import of `counter.jsx` for `Counter.jsx` was resolved, then could not
be read (a Node stack trace in build and dev, and `pyxle check` passed with "JSX checker failed")."""

from __future__ import annotations

import html

import httpx

from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import failed, pyxle

HOME = "export default function Home() { return <h1>home</h1> }\n"
CLASH = {
    "pages/index.pyxl": HOME,
    "pages/About.pyxl": "export default function P() { return <h1>UPPER About</h1> }\n",
    "pages/about.pyxl": "export default function P() { return <h1>lower about</h1> }\n",
    "pages/upper.pyxl": "import Card from '../components/Card.jsx'\nexport default function P() { return <Card /> }\n",
    "pages/lower.pyxl": "import Card from '../components/card.jsx'\nexport default function P() { return <Card /> }\n",
    "components/Card.jsx": "export default function Card() { return <b>Card</b> }\n",
    "components/card.jsx": "export default function Card() { return <i>card</i> }\n",
}
HINT = "    hint: rename one: esbuild reads them as one file, and macOS and Windows cannot hold both"
CLASH_ERRORS = [f"components/Card.jsx and components/card.jsx: two files whose names differ only in case\n{HINT}",
                f"pages/About.pyxl and pages/about.pyxl: two files whose names differ only in case\n{HINT}"]


@cites("docs/compiler.md", "Two source files whose paths differ only in case\n(`pages/About.pyxl` and `pages/about.pyxl`, "
       "`components/Card.jsx` and `components/card.jsx`) are\nrefused by `pyxle check` and `pyxle build`, naming both")
def test_two_files_whose_names_differ_only_in_case_are_refused_by_check_build_and_serve(make_project,
                                                                                         start_server) -> None:
    """build passed, and /about rendered About.pyxl's component (with about.pyxl's data)."""
    project = make_project(CLASH, node=True)
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == "".join(f"{error}\n\n" for error in CLASH_ERRORS), check.stdout
    assert failed(pyxle(project, "build")) == "pyxle: " + "\n".join(CLASH_ERRORS) + "\n"
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() == 1
    assert server.output().endswith("\npyxle: " + "\n".join(CLASH_ERRORS) + "\n"), server.output()


def wrong_case(number: int, line: str, column: int, named: str, real: str) -> str:
    """The error for an import on line ``number`` of pages/cs.pyxl whose path differs from the file's only in case."""
    return (f"pages/cs.pyxl:{number}:{column}: No such file: {named}\n    {line}\n    {' ' * (column - 1)}^\n"
            f"    hint: the file is named {real}: match its case (file systems on Linux are case-sensitive)")


IMPORTS = [  # (import line, column of its path, the file as imported, its real name)
    ("import C from '../components/counter.jsx'", 15, "components/counter.jsx", "Counter.jsx"),
    ("import styles from '../components/counter.module.css'", 20, "components/counter.module.css", "Counter.module.css"),
    ("import data from '../components/data.JSON'", 18, "components/data.JSON", "data.json"),
]


@cites("docs/compiler.md", "An import whose\npath differs from the file's name only in case")
@cites("docs/compiler.md", "is an error at the import, in `pyxle check` too: `No such\nfile: components/counter.jsx`, with the hint "
       "`the file is named Counter.jsx: match its case (file\nsystems on Linux are case-sensitive)`")
def test_an_import_whose_path_differs_from_the_files_only_in_case_is_an_error_at_the_import(make_project,
                                                                                            start_server) -> None:
    """build and dev stopped with a Node stack trace placed at node_modules/esbuild/lib/main.js, and
    check printed "JSX checker failed" with the stack and exited 0."""
    page = "\n".join(line for line, *_ in IMPORTS) + "\nexport default function P() { return <h1 className={styles.a}><C />{data.x}</h1> }\n"
    project = make_project({"pages/index.pyxl": HOME, "pages/cs.pyxl": page,
                            "components/Counter.jsx": "export default function C() { return <b>c</b> }\n",
                            "components/Counter.module.css": ".a { color: red }\n",
                            "components/data.json": '{"x": 1}\n'}, node=True)
    lines = page.splitlines()
    expected = [wrong_case(i + 1, lines[i], column, named, real) for i, (_, column, named, real) in enumerate(IMPORTS)]
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == "".join(f"{error}\n\n" for error in expected), check.stdout + check.stderr
    assert "not checked" not in check.stderr, check.stderr
    assert failed(pyxle(project, "build")) == "pyxle: " + "\n".join(expected) + "\n"
    server = start_server(project, "dev")  # it starts: the page that does not build answers its errors alone
    out = server.output()
    assert "\n    at " not in out and "Traceback" not in out and "\n".join(expected) + "\n" in out, out
    shown = html.unescape(httpx.get(server.url + "/cs", headers={"accept": "text/html"}, timeout=20).text)
    assert "\n".join(expected) in shown, shown
