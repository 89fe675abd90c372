"""Everything under src/pyxle that is not Python ships in the wheel (the bundler and the SSR worker
are .mjs files: a wheel without them cannot build or render pages)."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(tomllib is None, reason="tomllib is Python 3.11+")
def test_every_runtime_file_is_package_data() -> None:
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["pyxle"]
    suffixes = {g.removeprefix("**/*") for g in globs if g.startswith("**/*.")}
    folders = {g.removesuffix("**/*") for g in globs if g.endswith("/**/*")}  # everything below, .py too
    package = REPO / "src" / "pyxle"
    in_packages = {p.parent for p in package.rglob("__init__.py")}  # .py files there ship as modules
    missing = []
    for path in package.rglob("*"):
        relative = path.relative_to(package).as_posix()
        if (not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc"
                or (path.suffix == ".py" and path.parent in in_packages) or any(map(relative.startswith, folders))):
            continue
        if path.name not in globs and not any(path.name.endswith(s) for s in suffixes):
            missing.append(relative)
    assert missing == []
    assert (package / "cli" / "templates" / "common" / "gitignore").is_file()  # the starters are covered
