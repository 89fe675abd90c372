"""Which files of ``public/`` are never served nor copied into the build: those whose name, or the
name of a folder they are in, starts with a dot (``.env``, ``.git/``, ``.DS_Store``), as Express's
static (``dotfiles: 'ignore'``) and common nginx configurations leave them out, so a secret put
there by mistake is not world-readable. ``.well-known/`` at the top is served (RFC 8615:
``security.txt``, ACME challenges). Depends on nothing."""

from __future__ import annotations

import os
from pathlib import Path

WELL_KNOWN = ".well-known"
_WELL_KNOWN_DIR = WELL_KNOWN + "/"


def hidden(path: str) -> bool:
    """Whether ``path`` (in the public folder, ``/``-separated, normalised: ``img/.DS_Store``) is
    left out. Per request, so a string test, no split."""
    path = path.removeprefix(_WELL_KNOWN_DIR)
    return path.startswith(".") or "/." in path


def shown(name: str, top: bool) -> bool:
    """Whether a file or folder named ``name`` in the public folder (``top``: at its top) is served."""
    return not name.startswith(".") or (top and name == WELL_KNOWN)


def left_out(public_dir: Path) -> list[str]:
    """What ``hidden`` leaves out of ``public_dir``, sorted: ``.env``, ``.git/`` (a folder named
    once, not each file in it), ``img/.DS_Store``. For the start-up note that names them."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(public_dir):
        here = Path(dirpath).relative_to(public_dir).as_posix()
        prefix = "" if here == "." else here + "/"
        top = not prefix
        found += [f"{prefix}{name}/" for name in dirnames if not shown(name, top)]
        found += [f"{prefix}{name}" for name in filenames if not shown(name, top)]
        dirnames[:] = [name for name in dirnames if shown(name, top)]
    return sorted(found)


def note(public: str, names: list[str], shown_at_most: int = 5) -> str:
    """The start-up warning naming the files ``left_out`` of the public folder ``public``."""
    named = [f"{public}/{name}" for name in names[:shown_at_most]]
    if len(names) > len(named):
        named.append(f"{len(names) - len(named)} more")
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    verb = "is" if len(names) == 1 else "are"
    return (f"{listed} {verb} not served: a file or folder of {public}/ whose name starts with a dot is left out "
            f"(a 404, and not copied into the build), as it may hold a secret; only {public}/{WELL_KNOWN}/ is served; "
            "hint: rename what the site should serve, and keep secrets out of "
            f"{public}/")
