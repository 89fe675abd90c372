"""Imports from ESM-only npm packages (`"type": "module"`, `.mjs`): `pyxle check` passes what
`pyxle build` bundles. check loaded every package as an empty file, which for an ES module exports
nothing, so a correct `import MagicString from 'magic-string'` failed CI with "No matching export"
and a hint to add `export default` to a package that has one (pyxle-framework 0.9.4 passed it)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import NODE_MODULES, write_project
from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import pyxle

# A package of the shape the probe met: `export default function`, nothing else ("it exports :").
ESM_DEFAULT = {
    "node_modules/esm-default/package.json": '{"name": "esm-default", "version": "1.0.0", "type": "module", "main": "index.js"}\n',
    "node_modules/esm-default/index.js": "export default function greet() { return 'hi' }\nexport const shout = () => 'HI'\n",
}

PAGE = """\
import greet, { shout } from 'esm-default'
import MagicString from 'magic-string'
import { nanoid } from 'nanoid'
import Counter from '../components/Counter.jsx'
export default function Page() {
  return <p>{greet()}{shout()}{new MagicString('x').toString()}{typeof nanoid}<Counter /></p>
}
"""


def esm_project(tmp_path: Path, page: str, counter: str = "export default function Counter() { return <b>0</b> }\n") -> Path:
    """A project whose node_modules holds the tests' packages and one ESM package of its own."""
    root = write_project(tmp_path / "app", {"pages/index.pyxl": page, "components/Counter.jsx": counter, **ESM_DEFAULT},
                         modules=None)
    for package in NODE_MODULES.iterdir():
        if not (root / "node_modules" / package.name).exists():
            (root / "node_modules" / package.name).symlink_to(package, target_is_directory=True)
    return root


@cites("docs/compiler.md", "whether it is CommonJS or an ES module")
def test_default_and_named_imports_of_esm_only_packages_pass_check_as_they_pass_build(tmp_path: Path) -> None:
    project = esm_project(tmp_path, PAGE)
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No matching export" not in check.stdout + check.stderr
    build = pyxle(project, "build")
    assert build.returncode == 0, build.stdout + build.stderr


def test_a_wrong_import_of_a_project_module_is_still_reported_beside_esm_packages(tmp_path: Path) -> None:
    project = esm_project(tmp_path, PAGE.replace("import Counter from", "import { Countr as Counter } from"))
    check = pyxle(project, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert 'pages/index.pyxl:4:10: No matching export in "components/Counter.jsx" for import "Countr"' in check.stdout
    assert "esm-default" not in check.stdout and "magic-string" not in check.stdout, check.stdout
