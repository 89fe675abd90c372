"""The npm packages a build read (pyxle.bundler._packages): copies of React named, and a build
whose packages moved, changed or gained a nearer ``node_modules`` found stale."""

from __future__ import annotations

from pathlib import Path

from pyxle.bundler._packages import module_folders, package_copies, package_record, packages_current


def tree(tmp_path: Path) -> Path:
    """``app/`` importing from ``ui/``, React in the root's ``node_modules``."""
    (tmp_path / "node_modules" / "react").mkdir(parents=True)
    (tmp_path / "node_modules" / "react" / "package.json").write_text('{"version": "19.0.0"}')
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "Toggle.jsx").write_text("export default 1\n")
    (tmp_path / "app" / "pages").mkdir(parents=True)
    return tmp_path / "app"


def recorded(app: Path) -> dict[str, object]:
    packages = {"react": ["../node_modules/react"]}
    sources = ["pages/index.pyxl", "../ui/Toggle.jsx"]
    return {"packages": package_record(app, packages), "moduleFolders": module_folders(app, sources)}


def test_one_copy_of_each_react_package_is_no_problem_and_two_are_named(tmp_path: Path) -> None:
    app = tree(tmp_path)
    assert package_copies(app, {"react": ["../node_modules/react"], "scheduler": ["a", "b"]}) == []
    [message] = package_copies(app, {"react": ["../node_modules/react", "node_modules/react"]})
    assert f"2 copies of react: {tmp_path / 'node_modules' / 'react'} and node_modules/react" in message
    assert "npm dedupe" in message


def test_a_build_stays_current_while_its_packages_do(tmp_path: Path) -> None:
    app = tree(tmp_path)
    assert packages_current(app, recorded(app), ["pages/index.pyxl", "../ui/Toggle.jsx"])


def test_an_upgraded_package_makes_the_build_stale(tmp_path: Path) -> None:
    app = tree(tmp_path)
    before = recorded(app)
    (tmp_path / "node_modules" / "react" / "package.json").write_text('{"version": "19.1.0"}')
    assert not packages_current(app, before, ["pages/index.pyxl", "../ui/Toggle.jsx"])


def test_a_nested_node_modules_that_appears_makes_the_build_stale(tmp_path: Path) -> None:
    """ui/node_modules/react would now be what ui/Toggle.jsx imports."""
    app = tree(tmp_path)
    before = recorded(app)
    (tmp_path / "ui" / "node_modules" / "react").mkdir(parents=True)
    assert not packages_current(app, before, ["pages/index.pyxl", "../ui/Toggle.jsx"])


def test_a_build_that_recorded_no_packages_is_current(tmp_path: Path) -> None:
    assert packages_current(tree(tmp_path), {}, [])
