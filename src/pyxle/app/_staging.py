"""A reload's build, made beside the served one and put in its place only once it is checked.

The running workers' SSR renderers start Node on ``distDir``'s bundle again whenever one dies, so
the reload check (``pyxle.cli._main.check_worker``) must not build into it: a refused build left
there took the site down at the next Node crash. It builds into a copy beside it (``.dist.next``
for ``dist``: same folder, so same file system and the same relative source-map paths), which an
unchanged project finds current, and the checked copy is then exchanged with the served folder in
one rename: a request reads the one build or the other, never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_path(dist: Path) -> Path:
    """Where a reload builds for ``dist``: a hidden sibling, which no build counts among its inputs."""
    return dist.with_name(f".{dist.name}.next")


def stage(dist: Path) -> Path | None:
    """A fresh copy of ``dist`` (none when there is no build yet) to build into; its path. None
    where it cannot be written (a read-only image serving its build): the check then reads
    ``dist`` itself, as a build there would fail with its own message."""
    staging = staging_path(dist)
    shutil.rmtree(staging, ignore_errors=True)  # a check that was killed midway
    try:
        if dist.is_dir():
            shutil.copytree(dist, staging, symlinks=True)
        else:
            staging.mkdir(parents=True)
            staging.rmdir()
    except OSError:
        discard(staging)
        return None
    return staging


def promote(staging: Path, dist: Path) -> None:
    """Serve the checked build at ``staging`` from ``dist``; ``staging`` then holds nothing that is
    needed (the previous build, or nothing), for ``discard``."""
    if not staging.is_dir():  # no pages: nothing was built
        return
    if not dist.exists():
        os.rename(staging, dist)
    elif not _exchange(staging, dist):  # not Linux: two renames, dist missing for the instant between them
        previous = dist.with_name(f".{dist.name}.old")
        shutil.rmtree(previous, ignore_errors=True)
        os.rename(dist, previous)
        os.rename(staging, dist)
        os.rename(previous, staging)


def discard(staging: Path) -> None:
    """Remove what a check left at ``staging``: a refused build, or the one a promotion replaced."""
    shutil.rmtree(staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``); False where
    that is not available (another OS, an old C library, a file system without it)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # TypeError: Windows has no CDLL(None)
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
        return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0
    return False
