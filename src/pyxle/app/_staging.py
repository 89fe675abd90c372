"""A reload's build, made beside the served one and put in its place only once it is checked.

The running workers' SSR renderers start Node on ``distDir``'s bundle again whenever one dies, so
the reload check (``pyxle.cli._main.check_worker``) must not build into it: a refused build left
there took the site down at the next Node crash. It builds into a copy beside it (``.dist.next``
for ``dist``: same folder, so same file system and the same relative source-map paths), which an
unchanged project finds current, and the checked copy is then exchanged with the served folder in
one rename: a request reads the one build or the other, never a mix. The new build also keeps the
previous one's hashed browser assets and SSR bundle, one generation only (``keep_previous``): a page
an old worker or a browser's cache still holds names them, and a running server's renderers start
Node on its own bundle again (its name is hashed, so a new build's is another file).

One build stages at a time: ``pyxle build`` and a reload's check (two deploys overlapping, or a build
during a reload) would empty the copy under each other. ``stage`` takes a lock on the folder that
holds it (no file to leave behind; the kernel lets go of it when the process ends, however it ends)
and ``discard`` releases it; the second one waits, and says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds are not locked against each other there
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_KEPT = "kept.txt"  # in public/, beside the served _pyxle/: the files a build holds for its predecessor
_PREVIOUS = ("public/_pyxle/**/*", "server/ssr-*.mjs")  # what keep_previous keeps, in the build folder
_locks: dict[Path, int] = {}  # staging folder -> the descriptor holding its lock, while this process stages


def staging_path(dist: Path) -> Path:
    """Where a reload builds for ``dist``: a hidden sibling, which no build counts among its inputs."""
    return dist.with_name(f".{dist.name}.next")


def stage(dist: Path) -> Path | None:
    """A fresh copy of ``dist`` (none when there is no build yet) to build into; its path. None
    where it cannot be written (a read-only image serving its build): the check then reads
    ``dist`` itself, as a build there would fail with its own message."""
    staging = staging_path(dist)
    _lock(staging, dist)
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
    except BaseException:  # a reload check stopped midway (SIGTERM): no half copy left behind
        discard(staging)
        raise
    return staging


def promote(staging: Path, dist: Path) -> None:
    """Serve the checked build at ``staging`` from ``dist``; ``staging`` then holds nothing that is
    needed (the previous build, or nothing), for ``discard``."""
    if not staging.is_dir():  # no pages: nothing was built
        return
    if not dist.exists():
        os.rename(staging, dist)
        return
    keep_previous(dist, staging)
    if not _exchange(staging, dist):  # not Linux: two renames, dist missing for the instant between them
        previous = dist.with_name(f".{dist.name}.old")
        shutil.rmtree(previous, ignore_errors=True)
        os.rename(dist, previous)
        os.rename(staging, dist)
        os.rename(previous, staging)


def keep_previous(dist: Path, staging: Path) -> None:
    """Copy into ``staging`` the hashed browser assets (and their .br/.gz twins) and the SSR bundle
    that ``dist``'s build made and ``staging``'s lacks: the old workers answer HTML naming those
    assets until granian has replaced them, and start Node on that bundle whenever one dies until
    then. Those ``dist`` kept for its own predecessor are left out, so one generation is kept, not
    every one. A build that ran empties public/, list included; an unchanged one keeps it. The
    list names them from the build folder (``public/_pyxle/page-X.js``, ``server/ssr-X.mjs``)."""
    if not (dist / "public" / "_pyxle").is_dir() or not (staging / "public" / "_pyxle").is_dir():
        return
    list_path = staging / "public" / _KEPT
    kept_before = set(_read_kept(dist / "public" / _KEPT))
    kept = _read_kept(list_path)
    for file in sorted(found for pattern in _PREVIOUS for found in dist.glob(pattern)):
        name = file.relative_to(dist).as_posix()
        if name in kept_before or not file.is_file() or file.is_symlink() or (staging / name).exists():
            continue
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, staging / name)
        kept.append(name)
    list_path.write_text("".join(f"{name}\n" for name in kept), encoding="utf-8")


def _read_kept(path: Path) -> list[str]:
    """The asset names a build's ``kept.txt`` lists, one a line; none when it has no such file."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def discard(staging: Path) -> None:
    """Remove what a check left at ``staging``: a refused build, or the one a promotion replaced;
    the next build may stage."""
    shutil.rmtree(staging, ignore_errors=True)
    held = _locks.pop(staging, None)
    if held is not None:
        os.close(held)  # (closing the descriptor lets go of its lock)


def _lock(staging: Path, dist: Path) -> None:
    """Wait until no other process stages beside ``staging`` (an exclusive ``flock`` on their
    folder). Where the folder cannot be opened, nothing is locked: staging fails there on its own."""
    if staging in _locks or fcntl is None:
        return
    try:
        held = os.open(staging.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"pyxle: waiting for another build of {dist} to finish "
                  "(a `pyxle build` or a reload's check)", file=sys.stderr, flush=True)
            fcntl.flock(held, fcntl.LOCK_EX)
    except BaseException:  # stopped while waiting (Ctrl-C, a reload check's SIGTERM)
        os.close(held)
        raise
    _locks[staging] = held


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``); False where
    that is not available (another OS, an old C library, a file system without it)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # TypeError: Windows has no CDLL(None)
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
        return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0
    return False
