"""A stylesheet esbuild cannot parse, and an import of an export a module does not have, are errors
at their file and line in `pyxle build`, `check` and `dev` (pyxle-framework 0.9.4 reported both;
esbuild only warned of the first and left the styles out, and an emptied component read as CommonJS)."""

from __future__ import annotations

import pytest

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import failed, pyxle

PAGE = ("import styles from '../components/Counter.module.css'\nimport Counter from '../components/Counter'\n"
        "export default function Home() { return <p className={styles.counter}><Counter /></p> }\n")
COUNTER = "export default function Counter() { return <output>0</output> }\n"
GOOD_CSS = ".counter {\n  display: inline-flex;\n}\n.counter output { color: rgb(255, 0, 0) }\n"
BROKEN_CSS = ".counter {\n  display: inline-flex;\n\n.counter output { color: rgb(255, 0, 0) }\n"
UNCLOSED = ('components/Counter.module.css:1:10: CSS syntax error: Expected "}" to go with "{"\n'
            '    .counter {\n'
            '             ^\n'
            '    hint: add the "}" that closes this block: a browser drops the rules after it')


@cites("docs/styling.md", "A CSS syntax error (a block left unclosed, a stray brace) is an error at its file and line")
def test_an_unclosed_block_in_a_css_module_fails_build_and_check_at_its_line(make_project) -> None:
    """check passed ("0 errors") and build succeeded without the module's styles."""
    project = make_project({"pages/index.pyxl": PAGE, "components/Counter.jsx": COUNTER,
                            "components/Counter.module.css": BROKEN_CSS}, node=True)
    assert failed(pyxle(project, "build")) == f"pyxle: {UNCLOSED}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{UNCLOSED}\n\n", check.stdout


def test_a_stray_brace_in_a_global_stylesheet_a_page_imports(make_project) -> None:
    page = "import './global.css'\nexport default function Home() { return <p>x</p> }\n"
    project = make_project({"pages/index.pyxl": page, "pages/global.css": "body { margin: 0 }\n}\np { color: red }\n"},
                           node=True)
    expected = ('pages/global.css:2:1: CSS syntax error: Unexpected "}"\n    }\n    ^\n'
                '    hint: fix the CSS syntax: a browser drops the rules it cannot parse')
    assert failed(pyxle(project, "build")) == f"pyxle: {expected}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{expected}\n\n", check.stdout


GLOBAL_CONFIG = '{"styling": {"globalStyles": ["styles/global.css"]}}\n'
GLOBAL_UNCLOSED = UNCLOSED.replace("components/Counter.module.css", "styles/global.css")


@cites("docs/styling.md", "the files `styling.globalStyles` names included")
def test_an_unclosed_block_in_a_global_style_fails_build_and_check_at_its_line(make_project) -> None:
    """build named it; check passed ("0 errors"). A page that imports the file too gets it named once."""
    project = make_project({"pages/index.pyxl": PAGE, "components/Counter.jsx": COUNTER,
                            "components/Counter.module.css": GOOD_CSS, "styles/global.css": BROKEN_CSS,
                            "pyxle.config.json": GLOBAL_CONFIG}, node=True)
    assert failed(pyxle(project, "build")) == f"pyxle: {GLOBAL_UNCLOSED}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{GLOBAL_UNCLOSED}\n\n", check.stdout
    (project / "pages" / "other.pyxl").write_text("import '../styles/global.css'\n"
                                                  "export default function Other() { return <p>x</p> }\n")
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{GLOBAL_UNCLOSED}\n\n", check.stdout


def test_old_browser_hacks_and_package_stylesheets_still_build(make_project) -> None:
    """Only syntax errors in the project's own stylesheets fail; `*zoom: 1` is an IE hack PostCSS took."""
    page = "import './global.css'\nexport default function Home() { return <p>x</p> }\n"
    project = make_project({"pages/index.pyxl": page, "pages/global.css": ".a { *zoom: 1; colr: red }\n"}, node=True)
    assert pyxle(project, "build").returncode == 0
    assert pyxle(project, "check").returncode == 0


@cites("docs/compiler.md", "An import of a name a project module does not export is an error at the import")
def test_an_emptied_component_is_an_error_at_the_import(make_project) -> None:
    """React said "Element type is invalid ... got: object" at render, naming no file; check passed."""
    project = make_project({"pages/index.pyxl": PAGE, "components/Counter.jsx": "",
                            "components/Counter.module.css": GOOD_CSS}, node=True)
    expected = ('pages/index.pyxl:2:8: No matching export in "components/Counter.jsx" for import "default"\n'
                "    import Counter from '../components/Counter'\n"
                "           ^\n"
                "    hint: components/Counter.jsx exports nothing (is it saved empty?): "
                "write it, with `export default function Counter() { ... }`")
    assert failed(pyxle(project, "build")) == f"pyxle: {expected}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{expected}\n\n", check.stdout
    (project / "components" / "Counter.jsx").write_text("export function Count() { return 0 }\n")
    assert "hint: components/Counter.jsx has no default export; it exports Count" in failed(pyxle(project, "build"))


def test_a_commonjs_module_of_the_project_still_builds(make_project) -> None:
    project = make_project({"pages/index.pyxl": "import greet from '../lib/greet.js'\n"
                                                "export default function Home() { return <p>{greet()}</p> }\n",
                            "lib/greet.js": "module.exports = function greet() { return 'hi' }\n"}, node=True)
    built = pyxle(project, "build")
    assert built.returncode == 0, built.stdout + built.stderr


def test_an_emptied_layout_is_called_a_layout(make_project) -> None:
    project = make_project({"pages/index.pyxl": "export default function Home() { return <p>x</p> }\n",
                            "pages/layout.pyxl": "\n"}, node=True)
    out = failed(pyxle(project, "check"))
    assert "no default export: a layout's JSX must `export default` its component" in out, out
    assert "add `export default function Layout({ children }) { ... }`" in out and "Page" not in out, out


@pytest.mark.parametrize("broken", ["components/Counter.module.css", "styles/global.css"])
def test_dev_shows_a_css_syntax_error_in_the_overlay_and_recovers(make_project, start_server, page: PageWatch,
                                                                  broken: str) -> None:
    project = make_project({"pages/index.pyxl": PAGE, "components/Counter.jsx": COUNTER,
                            "components/Counter.module.css": GOOD_CSS, "styles/global.css": GOOD_CSS,
                            "pyxle.config.json": GLOBAL_CONFIG}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    overlay = page.page.locator("#pyxle-dev-overlay")
    css = project / broken
    css.write_text(BROKEN_CSS)
    overlay.wait_for(timeout=30000)
    shown = overlay.text_content() or ""
    assert f'{broken}:1:10: CSS syntax error: Expected "}}" to go with "{{"' in shown, shown
    assert "add the \"}\" that closes this block" in shown, shown
    server.wait_for_output(f"{broken}:1:10: CSS syntax error", timeout=10)
    css.write_text(GOOD_CSS)
    overlay.wait_for(state="detached", timeout=30000)
