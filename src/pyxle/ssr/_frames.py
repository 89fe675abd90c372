"""Where a JavaScript stack points: its frames' files, lines and columns, and the first of them in
a project's own files. The workers map the bundle's locations to the sources (``_stacks.mjs``), so
a frame names a ``.pyxl`` file or a module of the project by its absolute path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

# A V8 stack frame: `at name (LOCATION)` or `at LOCATION`, LOCATION being `path:line:column` (or a
# file:// URL). A path may hold spaces and parentheses, so the location runs to the line's end.
_AT = re.compile(r"^\s*at (.+?)\)?$", re.MULTILINE)
_LOCATION = re.compile(r"(?:^|.*? \()((?:file://)?/.+):(\d+):(\d+)$")


def stack_frames(stack: str | None) -> list[tuple[Path, int, int]]:
    """The (file, line, column) of each frame of a V8 ``stack`` that names a file by its absolute
    path (``at Counter (/my app (v2)/Counter.jsx:6:27)``; a file:// URL is decoded)."""
    frames = []
    for at in _AT.finditer(stack or ""):
        found = _LOCATION.match(at.group(1))
        if found is None:
            continue
        where = found.group(1)
        path = Path(unquote(where.removeprefix("file://"))) if where.startswith("file://") else Path(where)
        frames.append((path, int(found.group(2)), int(found.group(3))))
    return frames


def own_frames(stack: str | None, root: Path, build_dir: Path) -> Iterator[tuple[Path, int, int]]:
    """The frames of ``stack`` in the project at ``root``, outside its ``build_dir`` (a location the
    map had nothing for) and ``node_modules``; both folders resolved, as Node names files."""
    for path, line, column in stack_frames(stack):
        if path.is_relative_to(root) and not path.is_relative_to(build_dir) and "node_modules" not in path.parts:
            yield path, line, column


def located(stack: str | None, root: Path, build_dir: Path) -> str | None:
    """``pages/index.pyxl:6:20``: the first of ``own_frames``, relative to ``root``; None if none.
    The file need not be there: a build deployed without its sources still names them."""
    for path, line, column in own_frames(stack, root, build_dir):
        return f"{path.relative_to(root).as_posix()}:{line}:{column}"
    return None


def thrown_in_package(stack: str | None) -> str | None:
    """The npm package (``leaflet``, ``@scope/name``) a ``stack``'s error was thrown in, if it was:
    its first frame's file is under ``node_modules``."""
    frames = stack_frames(stack)
    if not frames or "node_modules" not in frames[0][0].parts:
        return None
    parts = frames[0][0].parts
    at = len(parts) - parts[::-1].index("node_modules")  # the name after the last node_modules
    if at >= len(parts) - 1:
        return None
    return "/".join(parts[at:at + 2]) if parts[at].startswith("@") else parts[at]
