"""A production build that serves without ``pages/``: the pages folder's Python files copied in, and
the build read back, checked whole, where ``pages/`` is not deployed.

pyxle-framework 0.9's builds were self-contained for the routes: a deploy shipped ``dist/`` and the
project's own modules (``db.py``) but not ``pages/``. The compiled pages are in ``server/pages/``
already; the API routes, and the ``.py`` helpers beside them (``pages/api/_util.py``, imported as
``from ._util import ...``), are copied as they are to ``server/python/<pages folder>/``, which is
put on ``sys.path`` when serving without ``pages/``, so their module names and relative imports
are the ones they have from source. ``manifest.json``'s ``python`` records them, with the API
routes among them: the route table is rebuilt from the manifest then. The other files of the pages
folder (``pages/api/data.json``, a template, a ``.sql`` file: what the code reads as it runs, at
``Path(__file__).parent / name``) are copied beside them (``python``'s ``data``). The public folder
is copied too (``server/public/``), and served from there where ``public/`` is not deployed. A build
serves only with the Pyxle that made it (``manifest.json``'s ``pyxleVersion``, ``version_problem``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pyxle import __version__
from pyxle._hidden import shown
from pyxle._loading import content_hash, read_source
from pyxle.routing import RouteTable, RoutingError, build_table

PYTHON_DIR = "server/python"  # in the build: the pages folder's files but its pages, at their path from the project root
PUBLIC_DIR = "server/public"  # in the build: a copy of the project's public folder
VERSION_KEY = "pyxleVersion"  # in manifest.json: the version of Pyxle that made the build
SSR_KEY = "ssrBundle"  # in manifest.json: the SSR bundle's content-hashed path in the build (server/ssr-<hash>.mjs)
_SKIPPED = frozenset({"node_modules", "__pycache__", ".venv", "venv"})


def version_problem(manifest: dict[str, Any], shown: str) -> str | None:
    """Why the build in ``manifest`` is not this Pyxle's (``shown``: the manifest's path, as printed),
    or None. A build is read by the Pyxle that serves it (its compiled modules, its manifest's
    shape), so one made by another version, or by one older than the version record, is stale."""
    made = manifest.get(VERSION_KEY)
    if made == __version__ and isinstance(manifest.get(SSR_KEY), str):
        return None
    if made == __version__:  # made before the SSR bundle's name was hashed: read as another version's
        by = "names no SSR bundle (an earlier Pyxle made it)"
    else:
        by = (f"was made by Pyxle {made}" if isinstance(made, str) and made
              else "records no Pyxle version (an older Pyxle made it)")
    return f"{shown} {by}, and this is Pyxle {__version__}"


def python_base(pages_dir: Path, root: Path) -> tuple[str, ...]:
    """The pages folder's path from the project root (``("pages",)``): its modules' package."""
    try:
        return pages_dir.relative_to(root).parts or ("pages",)
    except ValueError:
        return ("pages",)


def python_files(pages_dir: Path, table: RouteTable, root: Path) -> dict[str, Any]:
    """What the build records of the pages folder's ``.py`` files: each one's content hash, and which
    of them are API routes (the route table's, so the files ``scan`` leaves out stay helpers); and
    of its other files (``data``), which the code may read beside it, all but the ``.pyxl`` pages
    (compiled to ``server/pages/``) and dot-files. Raises ``SourceError`` for a file that cannot be read."""
    files: dict[str, str] = {}
    data: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(pages_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED and not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if name.startswith(".") or name.endswith(".pyxl") or (path.exists() and not path.is_file()):  # (a fifo)
                continue
            found = files if name.endswith(".py") else data
            found[path.relative_to(pages_dir).as_posix()] = content_hash(read_source(path, _shown(path, root)))
    return {"base": "/".join(python_base(pages_dir, root)), "files": files,
            "apiRoutes": [spec.file.as_posix() for spec in table.api], "data": data}


def public_listing(public_dir: Path | None) -> list[tuple[str, Path]]:
    """The public folder's files as the server serves them: ``(path in the folder, the file)``. A
    symlink counts only while it leads to a file inside the folder (docs/security.md), so a link
    out of it (``public/passwd -> /etc/passwd``), a dangling one and a loop stay out of the copy,
    and so do the files ``pyxle._hidden`` leaves out (``.env``, ``.git/``; not ``.well-known/``)."""
    if public_dir is None or not public_dir.is_dir():
        return []
    root = public_dir.resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(public_dir, followlinks=True):
        here = Path(dirpath)
        real = here.resolve()
        above = {parent.resolve() for parent in here.parents if parent.is_relative_to(public_dir)}
        if not real.is_relative_to(root) or real in above:  # a linked folder outside it, or a loop
            dirnames[:] = []
            continue
        top = here == public_dir
        dirnames[:] = sorted(name for name in dirnames if shown(name, top))  # .git/ is not walked
        for name in sorted(filenames):
            if not shown(name, top):
                continue
            path = here / name
            try:
                file = path.resolve(strict=True)
            except (OSError, RuntimeError):  # dangling, or a loop of links
                continue
            if file.is_file() and file.is_relative_to(root):
                found.append((path.relative_to(public_dir).as_posix(), file))
    return found


def public_section(files: list[tuple[str, Path]]) -> dict[str, Any]:
    """What the build records of the project's public folder (its ``public_listing``): how many
    files it holds, and a stamp of their paths, sizes and times, which tells a reused build whether
    its copy is current."""
    listed: list[tuple[str, int, int]] = []
    for name, file in files:
        with contextlib.suppress(OSError):  # gone since it was listed
            stat = file.stat()
            listed.append((name, stat.st_size, stat.st_mtime_ns))
    stamp = hashlib.sha256(json.dumps(listed).encode()).hexdigest()[:32]
    return {"files": len(listed), "stamp": stamp}


def copy_public(files: list[tuple[str, Path]], out_dir: Path) -> None:
    """Copy the project's public folder (its ``public_listing``) into the build as regular files,
    replacing any copy made before, as pyxle-framework 0.9 did: a deploy of the build without
    ``public/`` still serves its files."""
    target = out_dir / PUBLIC_DIR
    shutil.rmtree(target, ignore_errors=True)
    for name, file in files:
        copy = target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # gone since it was listed
            shutil.copyfile(file, copy)


def public_current(out_dir: Path, manifest: dict[str, Any], section: dict[str, Any]) -> bool:
    """Whether the build's copy of the public folder is the one ``section`` records."""
    return manifest.get("public") == section and (not section["files"] or (out_dir / PUBLIC_DIR).is_dir())


def public_copy(served: ServedBuild) -> Path | None:
    """The build's copy of the public folder, when the build made one."""
    copy = served.out_dir / PUBLIC_DIR
    return copy if isinstance(served.manifest.get("public"), dict) and copy.is_dir() else None


def _copied(section: dict[str, Any]) -> list[str]:
    """The files of the pages folder ``section`` records: its ``.py`` files and the others."""
    return [*section["files"], *section.get("data", {})]


def copy_python(pages_dir: Path, out_dir: Path, section: dict[str, Any]) -> None:
    """Copy the files ``section`` records into ``out_dir`` (replacing any copied before), each at its
    path in the pages folder, so ``Path(__file__).parent / "data.json"`` finds its copy."""
    target = out_dir / PYTHON_DIR
    shutil.rmtree(target, ignore_errors=True)
    folder = target.joinpath(*section["base"].split("/"))
    for file in _copied(section):
        copy = folder / file
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pages_dir / file, copy)


def python_current(out_dir: Path, manifest: dict[str, Any], section: dict[str, Any]) -> bool:
    """Whether the build's copies are those ``section`` records (a reused build checks them)."""
    if manifest.get("python") != section:
        return False
    folder = (out_dir / PYTHON_DIR).joinpath(*section["base"].split("/"))
    return all((folder / file).is_file() for file in _copied(section))


@dataclass(frozen=True)
class ServedBuild:
    """A build read back for serving without ``pages/``: its manifest, its route table, and where
    its API routes' copies are (``code_dir``: the pages folder's stand-in)."""

    out_dir: Path
    manifest: dict[str, Any]
    table: RouteTable
    code_dir: Path

    @property
    def import_path(self) -> Path:
        """The ``sys.path`` entry under which the copies have their source's module names."""
        return self.out_dir / PYTHON_DIR

    def importable(self) -> None:
        """Put ``import_path`` on ``sys.path`` after the project root (the project's own modules win)."""
        entry = str(self.import_path)
        if entry not in sys.path:
            sys.path.insert(1 if sys.path else 0, entry)


class IncompleteBuild(Exception):
    """The build cannot serve without ``pages/``; the message names the file and what to do."""


def read_served(out_dir: Path, root: Path, pages_dir: Path) -> ServedBuild:
    """The build in ``out_dir``, checked whole: every file its manifest names is there, and it was
    made from ``pages_dir`` (its modules are imported under that folder's package). Raises
    ``IncompleteBuild`` naming the first one missing (a partial copy, a stale or hand-made dist)."""
    manifest_path = out_dir / "manifest.json"
    shown = _shown(manifest_path, root)
    again = "hint: deploy the whole folder that `pyxle build` wrote (run `pyxle build` again where the pages are)"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IncompleteBuild(f"{shown} is missing; {again}") from None
    except (OSError, ValueError) as exc:
        raise IncompleteBuild(f"{shown} cannot be read ({getattr(exc, 'strerror', None) or exc}); {again}") from None
    if isinstance(manifest, dict) and (problem := version_problem(manifest, shown)) is not None:
        raise IncompleteBuild(f"{problem}; hint: run `pyxle build` with the Pyxle that serves it (Pyxle "
                              f"{__version__}) where the pages are, and deploy the dist/ it writes")
    python = manifest.get("python") if isinstance(manifest, dict) else None
    if not isinstance(python, dict) or not isinstance(manifest.get("modules"), dict):
        raise IncompleteBuild(f"{shown} does not list the API routes and other Python files of the pages folder "
                              f"(an older Pyxle made it, or no `pyxle build` did); {again}")
    configured = "/".join(python_base(pages_dir, root))
    if python["base"] != configured:  # pagesDir changed since the build, the pages not moved (or not built) yet
        raise IncompleteBuild(f"{shown} was made from {python['base']}/, and pagesDir in pyxle.config.json names "
                              f"{configured}/; hint: move the pages to {configured}/ and run `pyxle build`, or set "
                              f'pagesDir back to "{python["base"]}"')
    code_dir = (out_dir / PYTHON_DIR).joinpath(*python["base"].split("/"))
    needed = [out_dir / entry["server"] for entry in manifest["modules"].values()]
    needed += [code_dir / file for file in _copied(python)]
    if manifest["modules"]:
        needed.append(out_dir / manifest[SSR_KEY])
    for assets in manifest.get("pages", {}).values():
        needed += [out_dir / "public" / name.lstrip("/") for name in (assets["js"], *assets["imports"], *assets["css"])]
    for path in needed:
        if not path.is_file():
            raise IncompleteBuild(f"{_shown(path, root)} is missing: the build is incomplete; {again}")
    try:
        table = build_table([PurePosixPath(file) for file in manifest["modules"]] + python["apiRoutes"])
    except RoutingError as exc:  # a manifest edited by hand
        raise IncompleteBuild(f"{shown}: invalid routes: {'; '.join(exc.problems)}; {again}") from None
    return ServedBuild(out_dir, manifest, table, code_dir)


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
