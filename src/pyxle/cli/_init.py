"""``pyxle init``: a new project from one of the starters shipped in the package (``templates/``).

``--tailwind`` lays ``templates/tailwind/`` over the app starter: Tailwind 4 through its PostCSS
plugin, which finds class names itself (no config file), in every file ``.pyxl`` included.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyxle import __version__
from pyxle.cli._project import CliError

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = ("app", "api")  # pages and an API route; API routes only (Python alone)
_RENAMED = {"gitignore": ".gitignore", "dockerignore": ".dockerignore"}  # dotfiles are stored without the dot (package data skips them)


def scaffold(target: Path, kind: str, *, tailwind: bool = False) -> list[str]:
    """Write the starter into ``target`` (created if needed) and return the files written.

    Never overwrites: when any of the starter's files already exists, nothing is written and the
    error names them, so ``pyxle init`` is safe to run in a folder that holds other work.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    if tailwind and kind != "app":
        raise CliError("--tailwind styles pages, and an --api project has none; leave out one of the two")
    if target.exists() and not target.is_dir():
        raise CliError(f"{target} is a file, not a folder")
    files = _starter_files(kind, tailwind)
    in_the_way = [name for name in files if (target / name).exists()]
    if in_the_way:
        named = ", ".join(in_the_way[:3]) + (f" and {len(in_the_way) - 3} more" if len(in_the_way) > 3 else "")
        raise CliError(f"{target} already has {named}; nothing was written "
                       "(pick a new folder, or move those files away)")
    name = target.resolve().name
    tokens = {"%%NAME%%": name, "%%PACKAGE%%": npm_name(name), "%%VERSION%%": __version__}
    for relative, source in files.items():
        text = source.read_text(encoding="utf-8")
        for token, value in tokens.items():
            text = text.replace(token, value)
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def _starter_files(kind: str, tailwind: bool = False) -> dict[str, Path]:
    """Project-relative name -> template file, the shared files first, in a stable order; a later
    folder's file replaces an earlier one of the same name."""
    files: dict[str, Path] = {}
    for folder in (TEMPLATES / "common", TEMPLATES / kind, *([TEMPLATES / "tailwind"] if tailwind else [])):
        for source in sorted(folder.rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts:
                relative = source.relative_to(folder)
                name = _RENAMED.get(relative.name, relative.name)
                files[relative.with_name(name).as_posix()] = source
    return files


def npm_name(name: str) -> str:
    """A valid npm package name from a folder name: lower case, URL-safe characters only."""
    cleaned = re.sub(r"[^a-z0-9._~-]+", "-", name.lower()).strip("-._")
    return cleaned[:214] or "pyxle-app"
