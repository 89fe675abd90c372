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
    package = REPO / "src" / "pyxle"
    missing = [p.relative_to(package).as_posix() for p in package.rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
               and p.name not in globs and not any(p.name.endswith(s) for s in suffixes)]
    assert missing == []
