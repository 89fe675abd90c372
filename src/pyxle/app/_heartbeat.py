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

A worker that crashes (a segfault in a C extension) dumps its threads to the same file as it dies
(faulthandler's fatal-signal handler), and the server process logs them the same way once it has
reaped it (``ended``), so the line that crashed it is named. Each worker marks its app started
(``mark_started``): the server starts one that crashed after that again, each time, and counts
only one that died before toward granian's crash loop (``pyxle.cli._granian``).

``pyxle dev`` never replaces a worker for its silence alone (a loop held at a breakpoint is the
developer's doing), but its worker applies an edit by importing the module again on its loop, so
an edit that loops as it imports stops the loop and the worker's own file watch with it. There,
the server process replaces a silent worker once a source file was saved after its loop stopped
(``watch_edits``): the developer is editing, and a new worker loads the file as it is now. A
rebuild holds the loop too (the bundler runs while it waits), and is Pyxle's own work, not a
stuck loop: the worker says so while it builds (``building``), and is given what a loading one is.
A file saved during a build was read by it, or not: once it ends, the loop takes that save up, and
a loop stuck after it (the page just built loops as it imports) is restarted for that save.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

HEARTBEAT_DIR = "PYXLE_HEARTBEAT_DIR"  # set by pyxle serve and pyxle dev: where its workers' heartbeat files are
BEAT_SECONDS = 1.0
DUMP = getattr(signal, "SIGUSR2", None)  # a stuck worker's threads to its threads file (none on Windows)
THREADS = ".threads"  # the suffix of that file, beside the worker's heartbeat file
STARTED = ".started"  # beside the worker's heartbeat file once its app has started (``mark_started``)
LOADING = ".loading"  # pyxle dev: beside the heartbeat file while the worker loads the project (``loading``)
BUILD = ".build"  # pyxle dev: beside the heartbeat file, when the worker's last build started (and ended)
_DUMP_WAIT = 0.5  # seconds for that to be written before the worker is killed
STALLED = 2 * BEAT_SECONDS  # pyxle dev: a heartbeat older than this is a loop that stopped turning
# pyxle dev: an edit counts as made after the loop stopped when saved this long after its last beat
# (the loop would have beaten again by then; the edit that stopped it was saved before).
_EDIT_AFTER = BEAT_SECONDS + 0.5
_FRAME = re.compile(r'File "(.+)", line (\d+) in ')

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
    threads = _dump_threads(path)
    path.with_name(path.name + LOADING).unlink(missing_ok=True)  # loaded: its loop beats from now on
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
        path.with_name(path.name + BUILD).unlink(missing_ok=True)
        faulthandler.unregister(DUMP)
        faulthandler.disable()
        threads.close()
        path.with_name(path.name + THREADS).unlink(missing_ok=True)


def loading(mode: str) -> None:
    """``pyxle dev``: start this worker's heartbeat as it starts loading the project, before its loop
    runs (``beating`` takes over then). A page that loops as it is imported stops a worker there
    too (one started to apply the last edit), and an edit replaces it (``watch_edits``), once it
    has been loading for ``--worker-timeout``: a first build takes a while, and saves meanwhile
    must not start it over. Not ``pyxle serve``, whose workers may take longer than that to load."""
    folder = os.environ.get(HEARTBEAT_DIR)
    if mode != "development" or not folder or DUMP is None:
        return
    path = Path(folder) / str(os.getpid())
    _dump_threads(path)  # faulthandler holds the file until ``beating`` registers its own
    with contextlib.suppress(OSError):
        path.with_name(path.name + LOADING).touch()
        path.touch()


@contextlib.contextmanager
def building(mode: str) -> Iterator[None]:
    """``pyxle dev``: while inside (the bundler runs, holding the loop), write when it started beside
    this worker's heartbeat file: ``watch_edits`` leaves it to finish while files are saved, up to
    ``--worker-timeout``, as it leaves a loading worker. It ends with a beat, and adds when, so a
    loop still stuck after it counts the saves made since the build started (``_unapplied_since``)."""
    folder = os.environ.get(HEARTBEAT_DIR)
    path = Path(folder or ".") / str(os.getpid())
    if mode != "development" or not folder or DUMP is None or not path.exists():  # no worker's (a reload check)
        yield
        return
    build = path.with_name(path.name + BUILD)
    start = time.time()
    with contextlib.suppress(OSError):
        build.write_text(f"{start}")
    try:
        yield
    finally:
        end = time.time()
        with contextlib.suppress(OSError):
            build.write_text(f"{start} {end}")
            os.utime(path, (end, end))


def _dump_threads(path: Path) -> TextIO:
    """Open the threads file beside heartbeat file ``path`` and have ``DUMP`` write every thread's
    stack to it, from C: that works while the loop is blocked; so does a fatal signal (SIGSEGV,
    SIGABRT, SIGBUS, SIGFPE, SIGILL), as the worker dies: the server process logs them (``ended``)."""
    threads = open(path.with_name(path.name + THREADS), "w")  # noqa: SIM115  (open while registered)
    faulthandler.register(DUMP, file=threads, all_threads=True)
    faulthandler.enable(file=threads, all_threads=True)
    return threads


def mark_started() -> None:
    """In a worker whose app has just started: say so beside its heartbeat file (``STARTED``)."""
    folder = os.environ.get(HEARTBEAT_DIR)
    if folder:
        with contextlib.suppress(OSError):
            (Path(folder) / f"{os.getpid()}{STARTED}").touch()


# The signals faulthandler reports as a worker dies of them (its fatal-signal handler).
FATAL = {getattr(signal, name) for name in ("SIGSEGV", "SIGABRT", "SIGBUS", "SIGFPE", "SIGILL") if hasattr(signal, name)}


def ended(pid: int, name: str, exitcode: int | None, log: bool) -> bool:
    """In the server process, once worker ``pid`` (``name``: worker-1) has exited and been reaped:
    whether its app had started. With ``log`` (it died unexpectedly), one record says how it ended
    and, for a fatal signal, has every thread's stack as it died (faulthandler's, in the
    ``threads`` field) and names the innermost line of the project's own files in them."""
    folder = os.environ.get(HEARTBEAT_DIR)
    if not folder:
        return False
    heartbeat = Path(folder) / str(pid)
    started_file = heartbeat.with_name(heartbeat.name + STARTED)
    started = started_file.exists()
    started_file.unlink(missing_ok=True)
    if not log:
        return started
    threads = ""
    if exitcode is not None and -exitcode in FATAL:
        # Its files stay otherwise: a stuck worker's (SIGKILL) are read by ``_dump_and_kill``.
        threads_file = heartbeat.with_name(heartbeat.name + THREADS)
        with contextlib.suppress(OSError):
            threads = threads_file.read_text(errors="replace").strip()
        threads_file.unlink(missing_ok=True)
        heartbeat.unlink(missing_ok=True)
    root = os.environ.get("PYXLE_PROJECT_ROOT")
    where = _project_line(threads, Path(root)) if threads and root else None
    logger.error("%s (pid %d) %s%s%s%s", name, pid, _how(exitcode), f" at {where}" if where else "",
                 "" if started else " before its app started", "; its threads follow" if threads else "",
                 extra={"threads": threads or None})
    return started


def _how(exitcode: int | None) -> str:
    """How a worker ended, from its exit code (minus the signal's number when a signal ended it)."""
    if exitcode is None or exitcode >= 0:
        return f"exited with code {exitcode}"
    try:
        signame = signal.Signals(-exitcode).name
    except ValueError:
        signame = f"signal {-exitcode}"
    if signame == "SIGKILL":
        return "was killed with SIGKILL"
    return f"died of {signame}"


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
    threads = _dump_and_kill(heartbeat)
    if threads is None:
        return
    logger.error("worker %d has not run its event loop for %.0fs (over PYXLE_WORKER_TIMEOUT=%g): a blocking call in "
                 "async code? %s; it is replaced", int(heartbeat.name), silent, timeout,
                 "Its threads follow" if threads else "It wrote no stacks in time", extra={"threads": threads or None})


def watch_edits(folder: Path, root: Path, edited_since: Callable[[float], list[str]], stop: threading.Event,
                loading_timeout: float) -> None:
    """``pyxle dev``, in a thread of the server process until ``stop``: replace each worker whose
    loop stopped turning (its heartbeat is older than ``STALLED``; ``loading_timeout`` while it
    loads the project or builds) once a source file of the project was saved after that (``edited_since(time)``:
    the project's paths saved since). A loop held with no edit since (a breakpoint) is left alone."""
    while not stop.wait(BEAT_SECONDS):
        now = time.time()
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    if not entry.name.isdigit():
                        continue
                    last = entry.stat().st_mtime
                    built = _last_build(entry.path)
                    busy = os.path.exists(entry.path + LOADING) or (built is not None and len(built) == 1)
                    stalled = loading_timeout if busy else STALLED
                    if now - last <= stalled:
                        continue
                    edited = edited_since(_unapplied_since(last, built))
                    if edited:
                        _restart_for_edit(Path(entry.path), now - last, edited, root)
                        os.unlink(entry.path)
                        Path(entry.path + THREADS).unlink(missing_ok=True)
                        Path(entry.path + LOADING).unlink(missing_ok=True)
                        Path(entry.path + BUILD).unlink(missing_ok=True)


def _last_build(heartbeat: str) -> list[float] | None:
    """When the worker's last build started, and ended if it has (``building``); None if none."""
    try:
        return [float(time) for time in Path(heartbeat + BUILD).read_text().split()] or None
    except (OSError, ValueError):
        return None


def _unapplied_since(last: float, built: list[float] | None) -> float:
    """From when a save counts as one the stuck loop has not applied: ``_EDIT_AFTER`` past its last
    beat, or the start of the build it ended with (the loop never turned since): a file saved
    during a build is the loop's to take up once it ends, and it is stuck."""
    since = last + _EDIT_AFTER
    if built is not None and len(built) == 2 and abs(built[1] - last) < 0.01:
        since = min(since, built[0])
    return since


def _restart_for_edit(heartbeat: Path, silent: float, edited: list[str], root: Path) -> None:
    """Kill the stuck worker of ``heartbeat`` (the server starts another, which loads the edit), and
    say so in one line with where its loop was held: the innermost line of the project's own files
    in its threads' stacks (all of them follow when none is the project's)."""
    threads = _dump_and_kill(heartbeat)
    if threads is None:
        return
    where = _project_line(threads, root)
    at = f" at {where}" if where else " (its threads follow)" if threads else ""
    saved = ", ".join(edited[:3]) + (f" and {len(edited) - 3} more" if len(edited) > 3 else "")
    logger.warning("worker %d's event loop has been stuck for %.0fs%s; %s was saved since: restarted it to apply the "
                   "edit", int(heartbeat.name), silent, at, saved, extra={"threads": None if where else threads or None})


def _project_line(threads: str, root: Path) -> str | None:
    """``pages/index.pyxl:3``: the innermost frame in ``threads`` (faulthandler's dump, most recent
    call first) that is in one of the project's own files, not a tool folder's (a virtualenv)."""
    from pyxle.app._watch import in_tool_folder

    for match in _FRAME.finditer(threads):
        file = Path(match.group(1))
        if file.is_relative_to(root) and not in_tool_folder(root, file):
            return f"{file.relative_to(root).as_posix()}:{match.group(2)}"
    return None


def _dump_and_kill(heartbeat: Path) -> str | None:
    """Have the worker of ``heartbeat`` write its threads' stacks, then kill it: the stacks ("" when
    none came in time), or None when it is no worker of this process (gone, its number reused)."""
    pid = int(heartbeat.name)
    if not _is_child(pid):  # it exited without removing its file, and the number may be reused
        return None
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
    return threads


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
