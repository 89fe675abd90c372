"""Warnings for page code reading ``process.env`` names it never sees (``envreads.mjs`` finds them).

Only ``PYXLE_PUBLIC_*`` and ``NODE_ENV`` reach page code, in the browser and in SSR alike; any
other name is ``undefined`` there without a word, the first thing a port from Next.js
(``NEXT_PUBLIC_*``) or Vite (``VITE_*``) runs into. Each name is said once, where it is first read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pyxle._loading import SourceError

# The names warned of so far, for the server's workers: the CLI's build warned of them, and the
# rebuilds of pyxle dev's worker (its own bundler) do not say them again.
ENV_WARNED = "PYXLE_ENV_WARNED"

# Other frameworks' prefixes for variables the browser may read: what a port renames.
_FOREIGN_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "GATSBY_", "NUXT_PUBLIC_")


def warned_before() -> set[str]:
    """The names this process's parent (the CLI, for a server worker) already warned of."""
    return set(filter(None, os.environ.get(ENV_WARNED, "").split(",")))


def env_read_warnings(root: Path, reads: Iterable[Mapping[str, Any]], warned: set[str]) -> list[str]:
    """One warning (``file:line: message``, the source line, a hint) per name not in ``warned``,
    which is updated: ``pyxle dev`` passes the same set to every rebuild, so a name is said once."""
    messages = []
    for read in reads:
        name = str(read.get("name", ""))
        if not name or name in warned:
            continue
        warned.add(name)
        file, line = str(read.get("file", "")), int(read.get("line") or 0)
        message = (f"process.env.{name} is undefined in page code (the browser and server rendering): "
                   "only PYXLE_PUBLIC_* variables reach the browser")
        messages.append(SourceError(file, line or None, message, _hint(name), _source_line(root / file, line)).format())
    if messages:
        os.environ[ENV_WARNED] = ",".join(sorted(warned | warned_before()))
    return messages


def _hint(name: str) -> str:
    """Rename a foreign public prefix; anything else is either public (rename it) or the server's."""
    for prefix in _FOREIGN_PREFIXES:
        if name.startswith(prefix):
            return f"rename {name} to PYXLE_PUBLIC_{name[len(prefix):]} (in .env and in the code)"
    return (f"rename it PYXLE_PUBLIC_{name} if the browser may see its value; a secret belongs in a loader "
            "(os.environ), which passes the page what it needs")


def _source_line(path: Path, line: int) -> str:
    """The read's line of the file, or '' when it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""
