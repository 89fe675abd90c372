"""An import of a name a module does not export: `pyxle check` reports it as `pyxle build` does, at
the import, on a page that also imports `pyxle/client` (check left that unresolved, so esbuild
never linked the imports and check passed what build failed on), with a hint that is valid JavaScript
and names what the module does export."""

from __future__ import annotations

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import failed, pyxle

COUNTER = "export default function Counter() { return <output>0</output> }\n"


def page_code(imports: str) -> str:
    return (f"{imports}\nimport {{ Link }} from 'pyxle/client'\n"
            "export default function Home() { return <Link href=\"/\">home</Link> }\n")


def reported(project) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """What build failed with, and what check printed (it fails too)."""
    built = failed(pyxle(project, "build"))
    check = pyxle(project, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    return built, check.stdout


@cites("docs/compiler.md", "has only a default export")
def test_a_named_import_of_a_default_only_component_says_to_import_it_without_braces(make_project) -> None:
    """The hint said the file exports nothing and to add `export Counter` (not JavaScript); check passed."""
    project = make_project({"pages/index.pyxl": page_code("import { Counter } from '../components/Counter.jsx'"),
                            "components/Counter.jsx": COUNTER}, node=True)
    expected = ('pages/index.pyxl:1:10: No matching export in "components/Counter.jsx" for import "Counter"\n'
                "    import { Counter } from '../components/Counter.jsx'\n"
                "             ^\n"
                "    hint: components/Counter.jsx has only a default export: import it without braces, "
                "`import Counter from '../components/Counter.jsx'`")
    built, checked = reported(project)
    assert built == f"pyxle: {expected}\n", built
    assert checked == f"{expected}\n\n", checked


def test_a_renamed_named_import_keeps_its_local_name_in_the_hint(make_project) -> None:
    project = make_project({"pages/index.pyxl": page_code('import { Counter as C } from "../components/Counter"'),
                            "components/Counter.jsx": COUNTER}, node=True)
    built, checked = reported(project)
    hint = ("hint: components/Counter.jsx has only a default export: import it without braces, "
            "`import C from \"../components/Counter\"`")
    assert hint in built and hint in checked, built + checked


@cites("docs/compiler.md", "exports nothing (is it saved empty?)")
def test_a_name_imported_from_an_empty_module_is_reported_with_a_javascript_fix(make_project) -> None:
    project = make_project({"pages/index.pyxl": page_code("import { Thing } from '../components/Empty.jsx'"),
                            "components/Empty.jsx": ""}, node=True)
    expected = ('pages/index.pyxl:1:10: No matching export in "components/Empty.jsx" for import "Thing"\n'
                "    import { Thing } from '../components/Empty.jsx'\n"
                "             ^\n"
                "    hint: components/Empty.jsx exports nothing (is it saved empty?): "
                "write it, with `export function Thing() { ... }`")
    built, checked = reported(project)
    assert built == f"pyxle: {expected}\n", built
    assert checked == f"{expected}\n\n", checked


def test_a_default_import_of_an_empty_module_names_export_default(make_project) -> None:
    project = make_project({"pages/index.pyxl": page_code("import Thing from '../components/Empty.jsx'"),
                            "components/Empty.jsx": "\n"}, node=True)
    built, checked = reported(project)
    hint = ("hint: components/Empty.jsx exports nothing (is it saved empty?): "
            "write it, with `export default function Thing() { ... }`")
    assert hint in built and hint in checked, built + checked


def test_a_misspelt_name_from_pyxle_client_is_reported_by_check_as_by_build(make_project) -> None:
    project = make_project({"pages/index.pyxl": page_code("import { Lnk } from 'pyxle/client'")}, node=True)
    expected = ('pages/index.pyxl:1:10: No matching export in "pyxle/client" for import "Lnk"\n'
                "    import { Lnk } from 'pyxle/client'\n"
                "             ^\n"
                "    hint: did you mean `Link`?")
    built, checked = reported(project)
    assert built == f"pyxle: {expected}\n", built
    assert checked == f"{expected}\n\n", checked


def test_check_reports_every_such_import_even_beside_one_it_cannot_resolve(make_project) -> None:
    """An unresolved npm package is the build's to report; it must not hide the names check can see."""
    project = make_project({"pages/index.pyxl": page_code("import { Counter } from '../components/Counter.jsx'\n"
                                                     "import confetti from 'not-installed-confetti'"),
                            "pages/other.pyxl": page_code("import { Lnk } from 'pyxle/client'"),
                            "components/Counter.jsx": COUNTER}, node=True)
    check = pyxle(project, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert 'pages/index.pyxl:1:10: No matching export in "components/Counter.jsx"' in check.stdout, check.stdout
    assert 'pages/other.pyxl:1:10: No matching export in "pyxle/client" for import "Lnk"' in check.stdout, check.stdout
    assert "not-installed-confetti" not in check.stdout


def test_a_mixed_module_lists_its_names_and_its_default(make_project) -> None:
    project = make_project({"pages/index.pyxl": page_code("import { Countr } from '../components/Counter.jsx'"),
                            "components/Counter.jsx": COUNTER + "export const Label = 'x'\n"}, node=True)
    built, checked = reported(project)
    hint = ("hint: components/Counter.jsx exports Label and a default: import the default without braces, "
            "`import Countr from '../components/Counter.jsx'`")
    assert hint in built and hint in checked, built + checked


def test_valid_imports_from_the_same_modules_pass_check(make_project) -> None:
    project = make_project({"pages/index.pyxl": page_code("import Counter from '../components/Counter.jsx'\n"
                                                     "import { useState } from 'react'\n"
                                                     "import { Form, navigate } from 'pyxle/client'"),
                            "components/Counter.jsx": COUNTER}, node=True)
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_dev_shows_the_hint_in_its_overlay(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": page_code("import Counter from '../components/Counter.jsx'"),
                            "components/Counter.jsx": COUNTER}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "pages" / "index.pyxl").write_text(page_code("import { Counter } from '../components/Counter.jsx'"))
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="has only a default export").wait_for(timeout=30000)
    assert ("components/Counter.jsx has only a default export: import it without braces, "
            "`import Counter from '../components/Counter.jsx'`") in (overlay.text_content() or "")
