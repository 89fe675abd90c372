"""Folders a server keeps in the temporary folder while it runs (its workers' heartbeats, its
metric files), and the removal of those a killed server left behind.

SIGKILL (a crash, the OOM killer) skips every clean-up, but the kernel drops a file lock however a
process ends: each folder holds an owner file its server keeps locked, so a folder whose owner
file no process holds is abandoned for good, and the next start removes it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

try:
    import fcntl
except ImportError:  # Windows: folders are made, never found abandoned
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("pyxle")

OWNER_FILE = ".pyxle-owner"
_held: dict[str, int] = {}  # this process's folders and the descriptor that holds each one's lock


def temp_problem() -> str | None:
    """Why no folder can be made in the temporary folder, as start-up says it before anything runs
    (a read-only root file system with no writable ``/tmp``: a traceback from ``tempfile`` after the
    banner had said the server was up); None when one can."""
    try:
        tempfile.gettempdir()
    except FileNotFoundError as exc:  # "No usable temporary directory found in ['/tmp', ...]": what it tried
        return (f"{exc.strerror}: the server keeps its run files in a temporary folder, so one must be writable; "
                "hint: mount a writable /tmp (docker run --tmpfs /tmp; in Kubernetes, an emptyDir volume at /tmp) "
                "or set TMPDIR to a writable folder")
    return None


def own_dir(prefix: str) -> str:
    """A new folder in the temporary folder, its owner file locked by this process until it exits
    or calls ``release``; the file is put in place already locked, so no start sees it unheld."""
    chosen = tempfile.mkdtemp(prefix=prefix)
    if fcntl is not None:
        owner = os.path.join(chosen, OWNER_FILE)
        fd = os.open(owner + ".new", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a person looking: the lock is what counts
        os.replace(owner + ".new", owner)
        _held[chosen] = fd
    return chosen


def release(folder: str) -> None:
    """Remove a folder of ``own_dir``'s as its server stops, and let go of its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    fd = _held.pop(folder, None)
    if fd is not None:
        os.close(fd)


def remove_abandoned(prefix: str, what: str, keep: str = "") -> list[str]:
    """Remove the folders named ``prefix*`` in the temporary folder whose owner file no process
    holds locked (``what`` names one in the log line). A folder without that file is none of
    ``own_dir``'s (one the operator named, an older Pyxle's) and is left alone, as is ``keep``."""
    if fcntl is None:
        return []
    root = tempfile.gettempdir()
    try:
        names = [name for name in os.listdir(root) if name.startswith(prefix)]
    except OSError:
        return []
    removed = []
    for name in names:
        path = os.path.join(root, name)
        if os.path.islink(path) or (keep and os.path.realpath(path) == os.path.realpath(keep)):
            continue
        try:
            fd = os.open(os.path.join(path, OWNER_FILE), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:  # no owner file (not ours), or another user's
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its server (or a worker it left) still runs
            os.close(fd)
            continue
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)
        removed.append(path)
    if removed:
        logger.info("removed %d %s%s that no running server holds: %s", len(removed), what,
                    "" if len(removed) == 1 else "s", ", ".join(removed))
    return removed
