"""Whether the metrics folder has room for prometheus-client's files, asked at most once a second.

prometheus-client writes multiprocess metrics through memory-mapped files it grows without
allocating them: on a full file system (a small tmpfs) a write into a page not yet allocated is
a bus error, and the worker dies of SIGBUS with nothing in the log. Writers ask ``Room.ok()``
first and skip the write while the folder is short of room; the folder and its free space are
logged once when writing stops, and once when it resumes.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

MIN_FREE = 1 << 20  # bytes: several pages for every file of every worker (a file grows 64 KiB at a time at first)
START_FREE = 16 << 20  # below this at start-up, a warning: a few routes per worker fill it
CHECK_SECONDS = 1.0
logger = logging.getLogger("pyxle")


def free_bytes(directory: str) -> int | None:
    """Bytes an unprivileged writer may still use in ``directory``, or None when it cannot be asked."""
    try:
        stat = os.statvfs(directory)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def shown(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB" if size >= 1 << 20 else f"{size // 1024} KiB"


def warn_if_short(directory: str) -> None:
    """At start-up: say so when the metrics folder is nearly full, before the workers write to it."""
    free = free_bytes(directory)
    if free is not None and free < START_FREE:
        logger.warning("the metrics folder %s has %s free; metrics are not written while it has less than %s "
                       "(make room there, or point PROMETHEUS_MULTIPROC_DIR at a larger file system)",
                       directory, shown(free), shown(MIN_FREE))


class Room:
    """``ok()``: whether a write to the metric files in ``directory`` is safe now."""

    def __init__(self, directory: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.directory = directory
        self._clock = clock
        self._due = 0.0
        self._ok = True

    def ok(self) -> bool:
        now = self._clock()
        if now < self._due:
            return self._ok
        self._due = now + CHECK_SECONDS
        free = free_bytes(self.directory)
        ok = free is None or free >= MIN_FREE  # a folder that cannot be asked: as before, written
        if ok != self._ok:
            self._ok = ok
            if ok:
                logger.warning("metrics are written again: the metrics folder %s has %s free",
                               self.directory, shown(free or 0))
            else:
                logger.error("metrics are not written: the metrics folder %s has %s free, less than %s; the site "
                             "keeps answering and the figures stand still until there is room", self.directory,
                             shown(free or 0), shown(MIN_FREE))
        return self._ok
