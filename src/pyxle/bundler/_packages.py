"""The npm packages a build read (``build.mjs`` ``packagesRead``): two copies of React in one bundle,
and whether the packages a build resolved are still the ones Node would resolve now.

A build's fingerprint hashes the project's files, not ``node_modules`` (all of React for every
start). So the folders its packages came from are recorded beside it: a nested copy removed, a
version upgraded, or a nested ``node_modules`` that appeared, makes it stale."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_SINGLE = ("react", "react-dom")  # a second copy of either breaks every hook
_SHORT = 16
HINT = ("keep one copy: remove the nested one (or the package's own node_modules), ask for the same version "
        "in every package.json, or run `npm dedupe`")


def _shown(root: Path, folder: str) -> str:
    """A package folder as the user finds it: from the project, or its absolute path outside it."""
    found = Path(os.path.normpath(root / folder))
    return found.relative_to(root).as_posix() if found.is_relative_to(root) else str(found)


def package_copies(root: Path, packages: Mapping[str, list[str]]) -> list[str]:
    """One message per React package the bundle holds more than one copy of, naming each copy."""
    return [f"the bundle holds {len(folders)} copies of {name}: {' and '.join(_shown(root, f) for f in folders)}; "
            f"every page that uses a hook then fails (\"Cannot read properties of null (reading 'useState')\")\n"
            f"    hint: {HINT}"
            for name in _SINGLE if len(folders := list(packages.get(name) or [])) > 1]


def _digest(folder: Path) -> str | None:
    """The short digest of a package's package.json (its version), or None when it is gone."""
    try:
        return hashlib.sha256((folder / "package.json").read_bytes()).hexdigest()[:_SHORT]
    except OSError:
        return None


def package_record(root: Path, packages: Mapping[str, list[str]]) -> dict[str, str | None]:
    """``{folder: package.json digest}`` of every package folder a build read: from ``root`` inside
    it, absolute outside it (a link to a shared store), so a copy of the project moved elsewhere finds them."""
    return {_shown(root, folder): _digest(root / folder) for folders in packages.values() for folder in folders}


def module_folders(root: Path, sources: Iterable[str]) -> list[str]:
    """The ``node_modules`` folders Node looks in from the folders of ``sources`` (named from ``root``)
    that exist: one that appears (a shared package's own copy of React) changes what an import resolves to."""
    folders: set[Path] = set()
    for name in sources:
        folder = Path(os.path.normpath(root / name)).parent
        while folder not in folders:
            folders.add(folder)
            if folder.parent == folder:
                break
            folder = folder.parent
    found = (folder / "node_modules" for folder in folders if folder.name != "node_modules")
    return sorted(os.path.relpath(path, root) for path in found if path.is_dir())


def packages_current(root: Path, manifest: Mapping[str, Any], sources: Iterable[str]) -> bool:
    """Whether the packages the build of ``manifest`` read are still there, unchanged, and no new
    ``node_modules`` folder would resolve an import elsewhere (True for a build that recorded none)."""
    record = manifest.get("packages")
    if not isinstance(record, dict):
        return True
    if any(_digest(root / folder) != digest for folder, digest in record.items()):
        return False
    return manifest.get("moduleFolders") in (None, module_folders(root, sources))
