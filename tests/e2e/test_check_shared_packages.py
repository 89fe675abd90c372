"""A monorepo's shared package outside the app (``shared/`` beside it, ``"type": "module"``), imported
by a relative path and by its package name linked in ``node_modules`` as npm workspaces and pnpm
link it: ``pyxle check`` reads it as the build does. check loaded a module outside the project and
not under ``node_modules`` as an empty file, so a correct default import failed with "No matching
export" and a hint listing no exports, while build, dev and serve rendered the page."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import NODE_MODULES, write_project
from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import pyxle

SHARED = {
    "package.json": '{"name": "@mono/shared", "version": "1.0.0", "type": "module", "main": "./Box.jsx"}\n',
    "Box.jsx": "export default function Box() { return <b>box</b> }\nexport const size = 2\n",
}

PAGE = """\
import Box from '../../shared/Box.jsx'
import Box2, { size } from '@mono/shared'

export default function Page() {
  return <div><Box /><Box2 />{size}</div>
}
"""


def monorepo(tmp_path: Path, page: str) -> Path:
    """``app/`` beside ``shared/``, which ``app/node_modules/@mono/shared`` links to."""
    for name, text in SHARED.items():
        (tmp_path / "shared").mkdir(exist_ok=True)
        (tmp_path / "shared" / name).write_text(text)
    app = write_project(tmp_path / "app", {"pages/index.pyxl": page}, modules=None)
    (app / "node_modules" / "@mono").mkdir(parents=True)  # its own folder: the suite's is shared
    for package in NODE_MODULES.iterdir():
        (app / "node_modules" / package.name).symlink_to(package, target_is_directory=True)
    (app / "node_modules" / "@mono" / "shared").symlink_to("../../../shared", target_is_directory=True)
    return app


@cites("docs/compiler.md", "it is read as the project's own modules are, so its exports and its JSX are checked")
def test_a_default_import_from_a_shared_esm_package_outside_the_app_passes_check_as_it_builds(tmp_path: Path) -> None:
    app = monorepo(tmp_path, PAGE)
    check = pyxle(app, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No matching export" not in check.stdout + check.stderr
    build = pyxle(app, "build")
    assert build.returncode == 0, build.stdout + build.stderr


def test_a_missing_export_of_a_shared_package_outside_the_app_is_reported_with_what_it_exports(tmp_path: Path) -> None:
    app = monorepo(tmp_path, PAGE.replace("import Box2, { size }", "import Box2, { sise }").replace("{size}", "{sise}"))
    check = pyxle(app, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert 'pages/index.pyxl:2:16: No matching export in "../shared/Box.jsx" for import "sise"' in check.stdout, check.stdout
    assert "hint: did you mean `size`?" in check.stdout, check.stdout
    assert "for import \"default\"" not in check.stdout, check.stdout


def test_a_syntax_error_in_a_shared_module_outside_the_app_fails_check(tmp_path: Path) -> None:
    """The build fails on it, so check does: the module is parsed as the project's own are."""
    app = monorepo(tmp_path, PAGE)
    (tmp_path / "shared" / "Box.jsx").write_text("export default function Box() { return <b>box</i> }\n")
    check = pyxle(app, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "shared/Box.jsx:1:" in check.stdout, check.stdout
