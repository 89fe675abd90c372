"""Replacing a worker whose event loop has stopped turning.

A blocking call in async code (``time.sleep``, a synchronous database driver, a long CPU loop)
stops a worker's loop: it answers nothing, its share of new connections hang, and no process
exits, so nothing else notices. Under ``pyxle serve`` each worker touches a file of its own from
its loop every second (``beating``); the server process watches the files (``watch``) and replaces
a worker silent for longer than ``PYXLE_WORKER_TIMEOUT``, as gunicorn's ``--timeout`` does, once
the worker has written where each of its threads stands, so the blocking line is named. The
worker writes them to a file beside its heartbeat, from C (its loop is blocked); the server
process logs them as one record with the stacks in its ``threads`` field: written to stderr,
they were some forty plain lines in a log whose every line is JSON otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HEARTBEAT_DIR = "PYXLE_HEARTBEAT_DIR"  # set by pyxle serve: where its workers' heartbeat files are
BEAT_SECONDS = 1.0
DUMP = getattr(signal, "SIGUSR2", None)  # a stuck worker's threads to its threads file (none on Windows)
THREADS = ".threads"  # the suffix of that file, beside the worker's heartbeat file
_DUMP_WAIT = 0.5  # seconds for that to be written before the worker is killed

logger = logging.getLogger("pyxle")


@contextlib.contextmanager
def beating(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """While inside, touch this worker's heartbeat file every second from ``loop``, and let
    ``DUMP`` write every thread's stack to the file beside it (from C: it works while the loop is
    blocked). Nothing happens outside ``pyxle serve`` (no ``HEARTBEAT_DIR``)."""
    folder = os.environ.get(HEARTBEAT_DIR)
    if not folder or DUMP is None:
        yield
        return
    path = Path(folder) / str(os.getpid())
    threads = open(path.with_name(path.name + THREADS), "w")  # noqa: SIM115  (open while registered)
    faulthandler.register(DUMP, file=threads, all_threads=True)
    handle: asyncio.TimerHandle | None = None

    def beat() -> None:
        nonlocal handle
        with contextlib.suppress(OSError):  # the server is gone and took its folder: nobody watches
            path.touch()
        handle = loop.call_later(BEAT_SECONDS, beat)

    beat()
    try:
        yield
    finally:
        if handle is not None:
            handle.cancel()
        path.unlink(missing_ok=True)
        faulthandler.unregister(DUMP)
        threads.close()
        path.with_name(path.name + THREADS).unlink(missing_ok=True)


def others_serving() -> bool:
    """Whether another worker of this ``pyxle serve`` has run its event loop within the last few
    seconds (its heartbeat file is fresh): a worker that cannot load the project waits then,
    rather than exit and have granian stop those others as a crash loop."""
    folder = os.environ.get(HEARTBEAT_DIR)
    if not folder:
        return False
    fresh = time.time() - 3 * BEAT_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.name.isdigit() and int(entry.name) != os.getpid() and entry.stat().st_mtime > fresh:
                    return True
    return False


def watch(folder: Path, timeout: float, stop: threading.Event) -> None:
    """In a thread of the server process until ``stop``: replace each worker whose heartbeat is
    older than ``timeout`` seconds."""
    while not stop.wait(BEAT_SECONDS):
        now = time.time()
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    silent = now - entry.stat().st_mtime
                    if entry.name.isdigit() and silent > timeout:
                        _replace(Path(entry.path), silent, timeout)
                        os.unlink(entry.path)
                        # A worker gone without its ``finally`` (SIGKILL, a crash) left its threads file too.
                        Path(entry.path + THREADS).unlink(missing_ok=True)


def _replace(heartbeat: Path, silent: float, timeout: float) -> None:
    """Have the worker of ``heartbeat`` write its threads' stacks, then kill it (the server starts
    another), and log them with why, as one record."""
    pid = int(heartbeat.name)
    if not _is_child(pid):  # it exited without removing its file, and the number may be reused
        return
    try:
        os.kill(pid, DUMP)  # type: ignore[arg-type]
        time.sleep(_DUMP_WAIT)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    threads_file = heartbeat.with_name(heartbeat.name + THREADS)
    try:
        threads = threads_file.read_text(errors="replace").strip()
        threads_file.unlink()
    except OSError:
        threads = ""
    logger.error("worker %d has not run its event loop for %.0fs (over PYXLE_WORKER_TIMEOUT=%g): a blocking call in "
                 "async code? %s; it is replaced", pid, silent, timeout,
                 "Its threads follow" if threads else "It wrote no stacks in time", extra={"threads": threads or None})


def _is_child(pid: int) -> bool:
    """Whether ``pid`` is a process this one started (read from /proc; trusted where there is none)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return Path("/proc/self").exists() is False
    except OSError:
        return False
    parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
    return parent == str(os.getpid())
