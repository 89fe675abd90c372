"""What `pyxle build`, `check`, `serve` and `dev` say of a broken file the bundler reads: the user's
file, line and column, their own source line and a hint; never a Node stack trace, never the
code Pyxle generated."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import PageWatch, pyxle_command, server_env
from tests.docs._blocks import cites

HOME = "export default function Home({ data }) { return <h1>home</h1> }\n"
# The component's own line: the compiler writes the props type into it (`/** @type {...} */`).
MISMATCH = "export default function P({ data }) { return <div><h2>x</h3></div> }\n"


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args, str(project)], cwd=project, capture_output=True, text=True,
                          timeout=120, env=server_env(), check=False)


def failed(run: subprocess.CompletedProcess[str]) -> str:
    """Everything a failed command printed, checked for what must never be in it."""
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert "Traceback" not in out and "\n    at " not in out and "Node.js v" not in out, out
    assert "@type" not in out and "pyxle-css:" not in out, out  # Pyxle's own code and paths
    return out


def test_a_package_json_that_is_not_json_is_named_at_its_line_by_build_check_and_serve(make_project,
                                                                                       start_server) -> None:
    """It printed 11 Node stack frames ending in build.mjs, and `pyxle check` skipped the JSX and passed."""
    project = make_project({"pages/index.pyxl": HOME, "package.json": '{\n  "name": "x",\n}\n'}, node=True)
    expected = ('package.json:3:1: Expecting property name enclosed in double quotes\n'
                '    }\n'
                '    ^\n'
                '    hint: package.json must be strict JSON: keys and strings in double quotes, no trailing comma, no comments')
    assert failed(pyxle(project, "build")) == f"pyxle: {expected}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{expected}\n\n" and "not checked" not in check.stderr
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() == 1
    assert server.output().endswith(f"\npyxle: {expected}\n")  # after the secret-key warning


def test_a_jsx_error_on_the_components_own_line_is_reported_as_check_reports_it(make_project) -> None:
    """build said 1:180, showed the props type Pyxle writes into that line and the TypeScript hint."""
    project = make_project({"pages/index.pyxl": HOME, "pages/other.pyxl": MISMATCH}, node=True)
    expected = ('pages/other.pyxl:1:58: JSX syntax error: Unexpected closing "h3" tag does not match opening "h2" tag\n'
                f'    {MISMATCH.rstrip()}\n'
                f'    {" " * 57}^\n'
                '    hint: fix the JSX syntax')
    assert failed(pyxle(project, "build")) == f"pyxle: {expected}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{expected}\n\n"


def test_a_one_line_layout_and_typescript_without_the_marker(make_project) -> None:
    """A layout's props type is longer (262 columns against 83); the TSX hint stays for TypeScript."""
    layout = "export default function Layout({ data, children }) { return <div><main>{children}</div></main> }\n"
    typed = "export default function P({ data }: Props) { return <p>x</p> }\n"
    project = make_project({"pages/layout.pyxl": layout, "pages/index.pyxl": HOME, "pages/typed.pyxl": typed},
                           node=True)
    out = failed(pyxle(project, "build"))
    assert ('pages/layout.pyxl:1:84: JSX syntax error: Unexpected closing "div" tag does not match opening "main" tag\n'
            f'    {layout.rstrip()}\n    {" " * 83}^\n    hint: fix the JSX syntax\n') in out
    assert "TypeScript" not in out.split("pages/typed.pyxl")[0]  # not for the layout's errors
    assert ('pages/typed.pyxl:1:35: JSX syntax error: Expected ")" but found ":"\n'
            f'    {typed.rstrip()}\n    {" " * 34}^\n'
            '    hint: TypeScript in a .pyxl file needs the `# --- TSX ---` marker on the line before its client code') in out



@cites("docs/types.md", "TypeScript in a page without the marker is a build error at its line, with the hint to add it")
def test_import_type_and_export_type_without_the_marker_get_the_tsx_hint(make_project) -> None:
    """`import type { User } from ...` (the form docs/types.md tells TSX pages to write) got "fix the JSX syntax"."""
    imported = "import type { User } from '../lib/types'\nexport default function P() { return <p>x</p> }\n"
    exported = "export type { User } from '../lib/types'\nexport default function Q() { return <p>x</p> }\n"
    marker = '    hint: TypeScript in a .pyxl file needs the `# --- TSX ---` marker on the line before its client code'
    for page, column in ((imported, 13), (exported, 8)):
        project = make_project({"pages/index.pyxl": page, "lib/types.ts": "export type User = { name: string }\n"},
                               name=page[:6], node=True)
        out = failed(pyxle(project, "build"))
        assert f"pages/index.pyxl:1:{column}: JSX syntax error: " in out and "fix the JSX syntax" not in out, out
        assert out.endswith(f'    {page.splitlines()[0]}\n    {" " * (column - 1)}^\n{marker}\n'), out
        check = pyxle(project, "check")
        assert failed(check) and marker in check.stdout, check.stdout


CARD = ("import Button from './ui/Button.jsx'\nimport Plain from './plain.js'\nimport './card.css'\n"
        "export default function Card({ title }) {\n  return <div><h2>{title}</h3><Button /><Plain /></div>\n}\n")
COMPONENTS = {
    "pages/index.pyxl": "import Card from '../components/Card.jsx'\n"
                        "export default function Home() { return <Card title='x' /> }\n",
    "pages/blog/layout.pyxl": "import Nav from '../../components/Nav'\n"
                              "export default function L({ children }) { return <div><Nav />{children}</div> }\n",
    "pages/blog/index.pyxl": "export default function B() { return <p>blog</p> }\n",
    "components/Card.jsx": CARD,
    "components/card.css": ".card { color: red }\n",
    "components/ui/Button.jsx": "export default function Button({ label }: Props) {\n  return <button>{label}</button>\n}\n",
    "components/plain.js": "export default function Plain() {\n  return <span>plain</span>\n}\n",
    "components/Nav.tsx": "export default function Nav() {\n  return <nav><a href='/'>home</a></nav\n}\n",
}
# What build and check say of each, in a page's words: file:line:column, the line, a caret, a hint.
COMPONENT_ERRORS = [
    ('components/Card.jsx:5:28: JSX syntax error: Unexpected closing "h3" tag does not match opening "h2" tag\n'
     '      return <div><h2>{title}</h3><Button /><Plain /></div>\n'
     f'    {" " * 27}^\n'
     '    hint: fix the JSX syntax'),
    'components/Nav.tsx:3:1: JSX syntax error: Expected ">" but found "}"\n    }\n    ^\n    hint: fix the JSX syntax',
    ('components/plain.js:2:10: JSX syntax error: The JSX syntax extension is not currently enabled\n'
     '      return <span>plain</span>\n'
     f'    {" " * 9}^\n'
     "    hint: JSX needs a .jsx or .tsx file: esbuild reads a module's language from its extension"),
    ('components/ui/Button.jsx:1:41: JSX syntax error: Expected ")" but found ":"\n'
     '    export default function Button({ label }: Props) {\n'
     f'    {" " * 40}^\n'
     "    hint: TypeScript needs a .ts or .tsx file: esbuild reads a module's language from its extension"),
]


@cites("docs/compiler.md", "So is the JSX of the project's own modules the pages\nimport, at any depth")
@cites("docs/compiler.md", "TypeScript in a `.jsx` file, or JSX in a `.js` one, gets a hint naming the extension it needs")
def test_a_jsx_error_in_a_module_a_page_imports_is_reported_as_in_a_page(make_project) -> None:
    """check passed such a project ("0 errors"), and build named the file without the "JSX syntax
    error" and the hint a page's error gets."""
    project = make_project(COMPONENTS, node=True)
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == "".join(f"{error}\n\n" for error in COMPONENT_ERRORS), check.stdout
    built = failed(pyxle(project, "build"))
    assert built == "pyxle: " + "\n".join(COMPONENT_ERRORS) + "\n", built


def test_check_passes_the_modules_a_page_imports_when_they_parse(make_project) -> None:
    """Packages, stylesheets, images and Pyxle's own imports are the build's to resolve: no error here."""
    fine = {**COMPONENTS,
            "components/Card.jsx": "import { Link } from 'pyxle/client'\nimport { useState } from 'react'\n"
                                   "import './card.css'\nimport logo from './logo.png'\nimport Nav from './Nav'\n"
                                   "export default function Card() { return <Link href='/'><img src={logo} /><Nav /></Link> }\n",
            "components/logo.png": "PNG",
            "components/Nav.tsx": "export default function Nav(): JSX.Element { return <nav>home</nav> }\n"}
    project = make_project(fine, node=True)
    check = pyxle(project, "check")
    assert check.returncode == 0 and check.stdout == "checked 3 files: 0 errors\n", check.stdout + check.stderr


@cites("docs/compiler.md", "and of the `styling.globalScripts` every page runs and what they import")
def test_check_parses_the_global_scripts_and_what_they_import(make_project) -> None:
    """Every page imports them, so a syntax error in one fails the build; check passed it."""
    project = make_project({
        "pages/index.pyxl": HOME,
        "pyxle.config.json": '{"styling": {"globalScripts": ["scripts/analytics.js", "scripts/broken.js"]}}',
        "scripts/analytics.js": "import { track } from './track.js'\nwindow.ready = () => track('x')\n",
        "scripts/track.js": "export function track(name) { return <b>{name}</b> }\n",
        "scripts/broken.js": "window.go = () => {\n  console.log('x'\n}\n",
    }, node=True)
    expected = [
        ('scripts/broken.js:3:1: JSX syntax error: Expected ")" but found "}"\n    }\n    ^\n'
         '    hint: fix the JSX syntax'),
        ('scripts/track.js:1:38: JSX syntax error: The JSX syntax extension is not currently enabled\n'
         '    export function track(name) { return <b>{name}</b> }\n'
         f'    {" " * 37}^\n'
         "    hint: JSX needs a .jsx or .tsx file: esbuild reads a module's language from its extension"),
    ]
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == "".join(f"{error}\n\n" for error in expected), check.stdout
    built = failed(pyxle(project, "build"))
    assert built == "pyxle: " + "\n".join(expected) + "\n", built


def test_an_import_that_does_not_resolve_gets_a_hint(make_project) -> None:
    page = ("import Missing from '../components/Missing.jsx'\nimport confetti from 'confetti-xyz'\n"
            "import nope from 'react/nope'\n" + HOME)
    project = make_project({"pages/index.pyxl": page}, node=True)
    out = failed(pyxle(project, "build"))
    assert ('pages/index.pyxl:1:21: Could not resolve "../components/Missing.jsx"\n'
            "    import Missing from '../components/Missing.jsx'\n"
            f"    {' ' * 20}^\n"
            '    hint: check the path: "../components/Missing.jsx" is resolved from the importing file\'s folder\n') in out
    assert 'hint: install it with `npm install confetti-xyz`' in out
    assert 'hint: the package "react" is installed but has no "react/nope": check the path inside it' in out


@cites("docs/compiler.md", "A name\n`pyxle/client` does not export is reported as an import from `pyxle/client`, with the closest\nexport as the hint")
def test_a_misspelt_pyxle_client_import_names_pyxle_client_and_the_closest_export(make_project) -> None:
    """It named Pyxle's own file ("../pyxle/src/pyxle/client/index.js"), with no hint."""
    page = "import { Lnk, usePathName } from 'pyxle/client'\n" + HOME
    project = make_project({"pages/index.pyxl": page}, node=True)
    out = failed(pyxle(project, "build"))
    assert ('pages/index.pyxl:1:10: No matching export in "pyxle/client" for import "Lnk"\n'
            "    import { Lnk, usePathName } from 'pyxle/client'\n"
            f"    {' ' * 9}^\n"
            "    hint: did you mean `Link`?\n") in out
    assert 'for import "usePathName"' in out and "hint: did you mean `usePathname`?" in out
    assert "src/pyxle/client" not in out and "index.js" not in out
    (project / "pages" / "index.pyxl").write_text("import { Router } from 'pyxle/client'\n" + HOME)
    out = failed(pyxle(project, "build"))
    assert "hint: did you mean `getRouter`?" in out
    (project / "pages" / "index.pyxl").write_text("import { Zebra } from 'pyxle/client'\n" + HOME)
    out = failed(pyxle(project, "build"))
    assert "hint: pyxle/client exports ClientOnly, configure, Form, getRouter, Head," in out


def test_an_error_in_a_css_module_names_the_stylesheet(make_project) -> None:
    """It named `pyxle-css:/abs/path/components/Counter.module.css?pyxle-css`."""
    page = "import styles from '../components/Counter.module.css'\n" \
           "export default function Home() { return <p className={styles.counter}>x</p> }\n"
    project = make_project({"pages/index.pyxl": page,
                            "components/Counter.module.css": '@import "./missing.css";\n.counter { color: red }\n'},
                           node=True)
    assert failed(pyxle(project, "build")) == (
        'pyxle: components/Counter.module.css:1:9: Could not resolve "./missing.css"\n'
        '    @import "./missing.css";\n'
        '            ^\n'
        '    hint: check the path: "./missing.css" is resolved from the importing file\'s folder\n')


def test_dev_shows_the_users_line_in_the_overlay(make_project, start_server, page: PageWatch) -> None:
    """The overlay showed the generated props type and the TypeScript hint; a broken package.json
    stopped the bundler process ("the bundler process exited during the build")."""
    project = make_project({"pages/index.pyxl": HOME, "package.json": '{ "name": "x" }\n'}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    overlay = page.page.locator("#pyxle-dev-overlay")

    (project / "pages" / "index.pyxl").write_text(MISMATCH)
    overlay.wait_for(timeout=30000)
    shown = overlay.text_content() or ""
    assert "pages/index.pyxl:1:58: JSX syntax error: Unexpected closing" in shown, shown
    assert MISMATCH.rstrip() in shown and "hint: fix the JSX syntax" in shown, shown
    assert "@type" not in shown and "TypeScript" not in shown, shown

    (project / "pages" / "index.pyxl").write_text(HOME)
    overlay.wait_for(state="detached", timeout=30000)
    (project / "package.json").write_text('{ "name": "x", }\n')
    overlay.filter(has_text="package.json:1:16: Expecting property name").wait_for(timeout=30000)
    assert "\n    at " not in (overlay.text_content() or "") and "exited" not in (overlay.text_content() or "")


@cites("docs/compiler.md", "`check the path: \"@/components/Buton.jsx\" names no npm package, so it is a\n"
                           "path alias's (jsconfig.json or tsconfig.json \"paths\")`")
def test_an_alias_that_does_not_resolve_is_a_path_to_check_not_a_package_to_install(make_project) -> None:
    """The hint said `npm install @/components`, a name no package can have."""
    project = make_project({"jsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}\n',
                            "components/Button.jsx": "export default function Button() { return <button /> }\n",
                            "pages/index.pyxl": "import B from '@/components/Buton.jsx'\n"
                                                "export default function P() { return <B /> }\n"}, node=True)
    out = failed(pyxle(project, "build"))
    assert 'pages/index.pyxl:1:15: Could not resolve "@/components/Buton.jsx"' in out, out
    assert ('hint: check the path: "@/components/Buton.jsx" names no npm package, so it is a path alias\'s '
            '(jsconfig.json or tsconfig.json "paths")') in out, out
    assert "npm install" not in out
