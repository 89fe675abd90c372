"""How `pyxle typecheck` finds the configs a tsconfig `extends` (tests/e2e/test_typecheck_extends.py runs
tsc on them): the cases a run there does not reach, a cycle, a package's `exports`, a name without `.json`."""

from __future__ import annotations

import json
from pathlib import Path

from pyxle.bundler._tsconfig import extended_config, inherited_options


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def test_a_cycle_of_extends_ends_instead_of_recursing(tmp_path: Path) -> None:
    """tsc reports the circularity (TS18000); Pyxle must still write its config to let it say so."""
    app = write(tmp_path / "tsconfig.json", {"extends": "./a", "compilerOptions": {"strict": True}})
    write(tmp_path / "a.json", {"extends": "./tsconfig.json", "compilerOptions": {"target": "es2020"}})
    options, origin = inherited_options(app)
    assert options == {"target": "es2020", "strict": True} and origin["strict"] == app.resolve()


def test_a_package_config_is_found_through_its_exports_and_later_bases_win(tmp_path: Path) -> None:
    modules = tmp_path / "node_modules" / "@acme" / "tsconfig"
    write(modules / "package.json", {"name": "@acme/tsconfig", "exports": {"./react": {"default": "./react-base.json"}}})
    write(modules / "react-base.json", {"compilerOptions": {"jsx": "react-jsx", "target": "es2020"}})
    app = write(tmp_path / "apps" / "web" / "tsconfig.json",
                {"extends": ["@acme/tsconfig/react", "../../base"], "compilerOptions": {"strict": True}})
    write(tmp_path / "base.json", {"compilerOptions": {"target": "es2022", "paths": {"@/*": ["src/*"]}}})
    assert extended_config(app.parent, "@acme/tsconfig/react") == modules / "react-base.json"
    options, origin = inherited_options(app)
    assert options["target"] == "es2022" and options["jsx"] == "react-jsx"
    assert origin["paths"] == (tmp_path / "base.json").resolve()
    assert extended_config(app.parent, "@acme/missing") is None and extended_config(app.parent, "./nope") is None
