"""File names and imports that differ only in case. esbuild's resolver ignores case, Linux's file
system does not: two files `About.pyxl` and `about.pyxl` were bundled as one (one component served
both URLs, silently), and an import of `counter.jsx` for `Counter.jsx` was resolved, then could not
be read (a Node stack trace in build and dev, and `pyxle check` passed with "JSX checker failed")."""

from __future__ import annotations

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

