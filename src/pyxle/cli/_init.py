"""``pyxle init``: a new project from one of the starters shipped in the package (``templates/``).

``--tailwind`` lays ``templates/tailwind/`` over the app starter: Tailwind 4 through its PostCSS
plugin, which finds class names itself (no config file), in every file ``.pyxl`` included.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from pyxle import __version__
from pyxle.cli._project import CliError

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = ("app", "api")  # pages and an API route; API routes only (Python alone)
_ESCAPES = {'"': '\\"', "\\": "\\\\"}
_RENAMED = {"gitignore": ".gitignore", "dockerignore": ".dockerignore"}  # dotfiles are stored without the dot (package data skips them)


def folder_for(argument: Path) -> tuple[Path, str | None]:
    """Where ``pyxle init NAME`` writes, and the project's name when it is not the folder's: a bare
    name is made a folder name as pyxle-framework 0.9 made it (``"Shop Front"`` -> ``shop-front``,
    ``Blog_App`` -> ``blog-app``), its name kept for the starter's title; a path is used as given."""
    text = str(argument)
    if len(argument.parts) != 1 or text in (".", "..") or "/" in text or "\\" in text:
        return argument, None
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if not slug or slug == text:
        return argument, None
    return Path(slug), text


def scaffold(target: Path, kind: str, *, tailwind: bool = False, name: str | None = None) -> list[str]:
    """Write the starter into ``target`` (created if needed) and return the files written.

    Never overwrites: when any of the starter's files already exists, or a file stands where it
    needs a folder, nothing is written and the error names them, so ``pyxle init`` is safe to run
    in a folder that holds other work. A write the system refuses (a read-only or unwritable
    folder) removes what was written before it: nothing is left half made.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    if tailwind and kind != "app":
        raise CliError("--tailwind styles pages, and an --api project has none; leave out one of the two")
    files = _starter_files(kind, tailwind)
    _check_the_way(target, files)
    if name is None:  # the folder's (a name that is not UTF-8 replaced)
        name = target.resolve().name.encode("utf-8", "replace").decode("utf-8")
    tokens = {'"%%NAME%%"': python_string(name),  # in Python code (layout.pyxl): a string literal
              "%%NAME%%": name, "%%PACKAGE%%": npm_name(name), "%%VERSION%%": __version__}
    made: list[Path] = []  # files and folders written, to remove if a later write fails
    # Written under the real path: `a/b/../c` has `a/b/..` among its folders, which exists once
    # `a/b` is made and cannot then be made itself.
    root = Path(os.path.realpath(target))
    try:
        for relative, source in files.items():
            text = source.read_text(encoding="utf-8")
            for token, value in tokens.items():
                text = text.replace(token, value)
            path = root / relative
            made += _make_folders(path.parent)
            path.write_text(text, encoding="utf-8")
            made.append(path)
    except OSError as exc:
        _remove(made)
        where = exc.filename or target
        raise CliError(f"cannot write {where} ({exc.strerror or exc}); nothing was written") from None
    return list(files)


def _check_the_way(target: Path, files: dict[str, Path]) -> None:
    """Refuse, before anything is written, a starter file that exists and a file where a folder
    is needed (``target`` itself, a folder above it, ``pages`` or ``public`` in it)."""
    for folder in (target, *target.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise CliError(f"{folder} is a file, not a folder; nothing was written")
            break
    folders = {parent.as_posix() for name in files for parent in PurePosixPath(name).parents if parent.name}
    blocked = sorted(name for name in folders if (target / name).exists() and not (target / name).is_dir())
    in_the_way = [name for name in files if (target / name).exists() or (target / name).is_symlink()]
    if blocked:
        raise CliError(f"{target} has a file named {', '.join(blocked)} where the starter needs a folder; "
                       "nothing was written (pick a new folder, or move it away)")
    if in_the_way:
        named = ", ".join(in_the_way[:3]) + (f" and {len(in_the_way) - 3} more" if len(in_the_way) > 3 else "")
        raise CliError(f"{target} already has {named}; nothing was written "
                       "(pick a new folder, or move those files away)")


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and the folders above it that are missing; the ones created, outermost first."""
    missing = [f for f in (folder, *folder.parents) if not f.is_dir()][::-1]
    for each in missing:
        each.mkdir()
    return missing


def _remove(made: list[Path]) -> None:
    """Undo a scaffold that failed part-way: the files it wrote, then the folders it made."""
    for path in reversed(made):
        with contextlib.suppress(OSError):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()


def python_string(text: str) -> str:
    """``text`` as a double-quoted Python string literal (a folder may be named ``my "app"``)."""
    escaped = "".join(_ESCAPES.get(char, char) if char.isprintable() else repr(char)[1:-1] for char in text)
    return f'"{escaped}"'


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
