"""What the migrated-app tests share: a fixture app from tests/fixtures/migrated/ installed into
a temporary folder (as `pyxle install` would, with the suite's npm packages linked rather than
downloaded), built with `pyxle build` and served with `pyxle serve --skip-build`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from pyxle.cli._install import pip_command
from tests.conftest import REPO, Server, pyxle_command, server_env, serving

FIXTURES = REPO / "tests" / "fixtures" / "migrated"
IGNORED = shutil.ignore_patterns("node_modules", "dist", ".pyxle-build", "data", "__pycache__")


def install(name: str, into: Path, modules: Path | None) -> Path:
    """The app copied unchanged; its pip step checked to keep this Pyxle; its npm packages linked
    (``modules`` None: the caller lays them out)."""
    root = into / name
    shutil.copytree(FIXTURES / name, root, ignore=IGNORED)
    command, temporary, left_out = pip_command(root)
    for path in temporary:
        path.unlink()
    assert all("pyxle-framework" in line for line, _ in left_out) and "-c" in command
    if modules is not None:
        (root / "node_modules").symlink_to(modules, target_is_directory=True)
    return root


def build(root: Path, **env: str) -> str:
    """`pyxle build`, as the user runs it in the app's folder; its output."""
    done = subprocess.run([*pyxle_command(), "build"], cwd=root, env=server_env(**env), capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def served(name: str, into: Path, modules: Path | None, *args: str, prepare=None, **env: str) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """For a module fixture: the app installed (``prepare(root)`` then lays out anything more),
    built, and under `pyxle serve --skip-build` until the module is done. ``server.root`` is the
    app's folder, ``server.build_output`` what `pyxle build` printed."""
    root = install(name, into, modules)
    if prepare is not None:
        prepare(root)
    output = build(root)
    with serving(root, "--skip-build", "--ssr-workers", "1", *args, env=env) as server:
        server.root = root  # type: ignore[attr-defined]
        server.build_output = output  # type: ignore[attr-defined]
        yield server


def computed(page, selector: str, prop: str) -> str:  # type: ignore[no-untyped-def]
    """A computed style of the first element matching ``selector``."""
    return page.locator(selector).first.evaluate(f"(e) => getComputedStyle(e).getPropertyValue({prop!r})")
