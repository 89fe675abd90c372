"""What ``pyxle dev`` watches: the project root itself and every folder of the project's own sources.

Each folder is watched on its own, without recursion, so the tool folders (``node_modules``,
virtualenvs, dot-folders) and the build output are never walked at any depth: they hold thousands
of folders, seconds at start-up and an inotify watch each. The root is watched as a folder, not
file by file, so a root file created later, or replaced by a save that writes a new file and
renames it over the old one (JetBrains' safe write, Emacs, vim), is seen like any other edit.
When a folder appears, goes or is renamed, the watch is built again before the change is
reported, so the reload that follows reads everything written in the new folder until then, and
every later edit is seen.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import sysconfig
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from types import ModuleType

from watchfiles import Change
from watchfiles._rust_notify import RustNotify  # watchfiles' documented Rust backend (awatch is built on it)

from pyxle.bundler import TOOL_FOLDERS, is_virtualenv

FileChange = tuple[Change, str]
_LIBRARIES = (Path(__file__).resolve().parents[1], Path(__file__).parents[1],  # Pyxle
              *(Path(sysconfig.get_path(name)) for name in ("stdlib", "platstdlib", "purelib", "platlib")))
_PREFIXES = tuple(Path(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
_MAINS = {"__main__", "__mp_main__"}  # the script that started the process: never imported again
_DEBOUNCE_MS, _STEP_MS, _TIMEOUT_MS = 50, 20, 5000
# A batch is reported once the sources have held still this long (an editor that pauses in the
# middle of a save), but never later than _SETTLE_MS after it came (a file the app keeps writing).
_QUIET_MS, _SETTLE_MS = 60, 1000


def is_tool_folder(name: str) -> bool:
    """``node_modules``, a virtualenv, ``__pycache__`` or a dot-folder (``.git``, ``.pyxle-build``...)."""
    return name in TOOL_FOLDERS or name.startswith(".")


def in_tool_folder(root: Path, file: Path) -> bool:
    """Whether ``file`` lies in a tool folder (``node_modules``, a virtualenv, a dot-folder) of the
    project. Only the folders below ``root`` count: a project may itself live under ``~/venv/``."""
    inside = file.relative_to(root).parts[:-1] if file.is_relative_to(root) else ()
    return any(is_tool_folder(part) for part in inside)


def project_modules(root: Path) -> dict[str, Path]:
    """The imported modules that are the project's code: its own files (helpers like ``db.py``
    included) and the shared ones they import from outside it (``shared_modules``)."""
    own = {}
    for name, module in list(sys.modules.items()):
        file = Path(getattr(module, "__file__", None) or "/")
        if file.is_relative_to(root) and not in_tool_folder(root, file) and not _library(file):
            own[name] = file
    return {**own, **shared_modules(own)}


def shared_modules(own: dict[str, Path]) -> dict[str, Path]:
    """The Python modules outside the project that its modules ``own`` import, but for the standard
    library's and installed packages': a monorepo's shared package (``pip install -e``, PYTHONPATH).
    Found by what the modules hold (a module, or a function or class of one), from package to
    package: a test runner's or a tool's modules outside the project are never dropped by a reload."""
    tops = set()
    todo = [sys.modules[name] for name in own if name in sys.modules]
    seen = {id(module) for module in todo}
    while todo:
        for value in list(vars(todo.pop()).values()):
            name = _module_name(value)
            module = sys.modules.get(name) if name else None
            if module is None or id(module) in seen or _shared_file(module) is None:
                continue
            seen.add(id(module))
            tops.add(name.partition(".")[0])
            todo.append(module)
    return {name: file for name, module in list(sys.modules.items())
            if name.partition(".")[0] in tops and name not in own and (file := _shared_file(module)) is not None}


def _module_name(value: object) -> str | None:
    """The name of the module ``value`` is, or was defined in; None for a value that says none
    (or refuses to say: a proxy to a request's state raises outside a request)."""
    if isinstance(value, ModuleType):
        return value.__name__
    try:
        name = getattr(value, "__module__", None)
    except Exception:  # noqa: BLE001 - any object's attribute look-up may raise anything
        return None
    return name if isinstance(name, str) else None


def _shared_file(module: object) -> Path | None:
    """The ``.py`` file of a module no library holds (``_library``, or under Python's own prefixes)."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or not file.endswith(".py") or getattr(module, "__name__", "") in _MAINS:
        return None
    path = Path(file)
    return None if _library(path) or any(path.is_relative_to(prefix) for prefix in _PREFIXES) else path


def _library(file: Path) -> bool:
    """An installed package's module, or Pyxle's own, even inside the project (a virtualenv under
    another name, a checkout of Pyxle): dropped and imported again, its classes would be copies."""
    return ("site-packages" in file.parts or "dist-packages" in file.parts
            or any(file.is_relative_to(folder) for folder in _LIBRARIES))


def linked_files(root: Path) -> list[Path]:
    """The real paths of the project's modules (``project_modules``) that lie outside its folder:
    a shared package's, and a folder linked into the project (its link is not followed at the root)."""
    real = root.resolve()
    files = {file.resolve() for file in project_modules(root).values()}
    return sorted(file for file in files if not file.is_relative_to(real))


def forget_project_modules(root: Path) -> None:
    """Drop the project's own modules so the next import reads their files again: a reload's, and a
    server worker's (forked from the process that built the app once to check it, it inherits the
    modules that process imported, as they were then)."""
    for name in project_modules(root):
        sys.modules.pop(name, None)


def source_folders(root: Path, outputs: tuple[Path, ...], outside: Iterable[Path] = ()) -> frozenset[Path]:
    """The root and every folder below it that may hold the project's sources. A folder linked at
    the root is left out (``node_modules`` linked from elsewhere); one linked deeper is followed
    once, as a recursive watch would, but never back into a folder already watched (the nearest
    path to the root is the one kept). And the folders of ``outside``: files the build read from
    outside these (``bundler.read_outside``: a monorepo's shared components)."""
    found, seen, todo = {root}, {root.resolve()}, deque([root])
    while todo:
        folder = todo.popleft()
        for entry in _subfolders(folder):
            real = entry.resolve()
            if (is_tool_folder(entry.name) or entry in outputs or (folder == root and entry.is_symlink())
                    or real in seen or is_virtualenv(entry)):
                continue
            found.add(entry)
            seen.add(real)
            todo.append(entry)
    found.update(folder for folder in {file.parent for file in outside} if folder not in seen and folder.is_dir())
    return frozenset(found)


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return sorted(Path(entry.path) for entry in entries if entry.is_dir())
    except OSError:  # gone or unreadable since it was listed: nothing to watch there
        return []


async def project_changes(root: Path, outputs: tuple[Path, ...], relevant: Callable[[Change, str], bool],
                          stop: asyncio.Event, outside: Callable[[], list[Path]] = list) -> AsyncIterator[set[FileChange]]:
    """Batches of relevant changes until ``stop`` is set. A folder that appeared, went or was
    renamed is always relevant: the files it holds may have sent no event of their own.
    ``outside``: the files the last build read from outside the project (``bundler.read_outside``),
    asked again after each batch, whose rebuild may have read others."""
    files = outside()
    folders = source_folders(root, outputs, files)
    pending: set[FileChange] = set()
    while not stop.is_set():
        try:
            notify = RustNotify(sorted(map(str, folders)), False, _force_polling(), 300, False, True)
        except FileNotFoundError:  # a folder went away between the walk and its watch: walk again
            await asyncio.sleep(_STEP_MS / 1000)
            folders = source_folders(root, outputs, files)
            continue
        with notify:
            if pending:  # the changes that rebuilt the watch, reported now that it is in place
                yield pending
            while not stop.is_set():
                batch = await _next_batch(notify, stop)
                if not batch:
                    continue
                batch = await _settled(notify, stop, batch, relevant)
                before, folders = folders, _refreshed(root, outputs, folders, batch, files)
                moved = {(change, path) for change, path in batch if Path(path) in (before ^ folders)}
                pending = {(change, path) for change, path in batch if relevant(change, path)} | moved
                if folders != before:
                    break  # watch the new layout, then report
                if pending:
                    yield pending
                    pending = set()
                    if (now := outside()) != files:  # the rebuild read other files outside the project
                        files, folders = now, source_folders(root, outputs, now)
                        break


def _refreshed(root: Path, outputs: tuple[Path, ...], folders: frozenset[Path],
               batch: set[FileChange], outside: list[Path]) -> frozenset[Path]:
    """The folders to watch after ``batch``: walked again only when a folder was among its paths."""
    if any(Path(path) in folders or os.path.isdir(path) for _, path in batch):
        return source_folders(root, outputs, outside)
    return folders


async def _settled(notify: RustNotify, stop: asyncio.Event, batch: set[FileChange],
                   relevant: Callable[[Change, str], bool]) -> set[FileChange]:
    """``batch`` and the changes that follow it until no source has changed for ``_QUIET_MS``
    (``_SETTLE_MS`` at most): a save written in parts is read once it is whole, not half-written."""
    if not any(relevant(change, path) for change, path in batch):
        return batch
    start = last = time.monotonic()
    while not stop.is_set():
        wait = min(last + _QUIET_MS / 1000, start + _SETTLE_MS / 1000) - time.monotonic()
        if wait <= 0:
            break
        more = await _next_batch(notify, stop, max(1, round(wait * 1000)))
        batch |= more
        if any(relevant(change, path) for change, path in more):
            last = time.monotonic()
    return batch


async def _next_batch(notify: RustNotify, stop: asyncio.Event, timeout_ms: int = _TIMEOUT_MS) -> set[FileChange]:
    """The next batch of changes, or an empty set after a quiet spell or once stopped. Waited for in
    a thread; if the task is cancelled, it stops the watch and waits for the thread (one step at
    most), so the watch is never closed under a running call."""
    call = asyncio.get_running_loop().run_in_executor(None, notify.watch, _DEBOUNCE_MS, _STEP_MS, timeout_ms, stop)
    try:
        raw = await asyncio.shield(call)
    except asyncio.CancelledError:
        stop.set()
        await call
        raise
    return {(Change(change), path) for change, path in raw} if isinstance(raw, set) else set()


def _force_polling() -> bool:
    """Polling where file events do not arrive: asked for with ``WATCHFILES_FORCE_POLLING`` (a
    network or container mount), and on WSL, as ``watchfiles.awatch`` decides."""
    asked = os.environ.get("WATCHFILES_FORCE_POLLING")
    if asked:
        return asked.lower() not in {"false", "disable", "disabled"}
    system = platform.uname()
    return "microsoft-standard" in system.release.lower() and system.system.lower() == "linux"
