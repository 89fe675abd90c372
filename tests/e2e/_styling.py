"""What the styling tests share: running `pyxle`, reading the built CSS, npm folders made to measure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import NODE_MODULES, REPO, server_env

TAILWIND3_MODULES = REPO / "tests" / "node-tailwind3" / "node_modules"  # installed by scripts/test.sh


def pyxle(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=120, check=False)


def build_ok(project: Path) -> None:
    built = pyxle("build", str(project))
    assert built.returncode == 0, built.stderr


def build_error(project: Path) -> str:
    """`pyxle build` fails cleanly (exit code 1, no traceback): its message."""
    built = pyxle("build", str(project))
    assert built.returncode == 1, built.stdout
    assert "Traceback" not in built.stderr
    return built.stderr


def built_css(project: Path, page: str = "index") -> str:
    """The stylesheets `dist/` links for a page, in order."""
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    return "".join((project / "dist" / "public" / href.lstrip("/")).read_text() for href in manifest["pages"][page]["css"])


def node_modules(project: Path, *, without: tuple[str, ...] = (), packages: dict[str, dict[str, str]] | None = None,
                 source: Path = NODE_MODULES) -> None:
    """The project's node_modules: the packages of ``source`` but those ``without``, and small local
    ``packages`` (name -> file -> text) as an npm package of their own would lay them out."""
    modules = project / "node_modules"
    modules.mkdir()
    for entry in source.iterdir():
        if entry.name not in (*without, ".package-lock.json"):
            (modules / entry.name).symlink_to(entry)
    for name, files in (packages or {}).items():
        (modules / name).mkdir()
        (modules / name / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0"}))
        for file, text in files.items():
            (modules / name / file).write_text(text)


def vite_era_tailwind4(project: Path, *, compiler: bool = True) -> None:
    """node_modules as `npm install` lays out 0.9's Tailwind starter (`tailwindcss` and
    `@tailwindcss/vite`, which brings Tailwind's compiler `@tailwindcss/node` and scanner
    `@tailwindcss/oxide`): no `@tailwindcss/postcss`, no PostCSS config."""
    node_modules(project, without=("@tailwindcss",))
    if compiler:
        (project / "node_modules" / "@tailwindcss").mkdir()
        for name in ("node", "oxide", "oxide-linux-x64-gnu"):
            (project / "node_modules" / "@tailwindcss" / name).symlink_to(NODE_MODULES / "@tailwindcss" / name)
