"""``pyxle install``'s pip step: the app's requirements, with this Pyxle kept in place; and the
``npm install`` that ``pyxle dev`` runs itself when it is started before ``pyxle install``.

Apps written for earlier releases pin ``pyxle-framework>=0.9.4,<0.10``; installing that as
written would replace this Pyxle with the older one in the same interpreter. Such lines are
left out, and this Pyxle is pinned as a constraint, so a plugin that needs another one makes
pip stop with a conflict instead of replacing it. When this Pyxle is an installed distribution it
is also a requirement, so pip weighs its own dependencies too: apps made with 0.3 to 0.6 pin
``starlette>=0.37,<0.38``, which pip would otherwise install over the Starlette Pyxle needs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pyxle import __version__

DISTRIBUTION = "pyxle-framework"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*\[([^\]]*)\]")


def is_framework(line: str) -> bool:
    """A requirement line naming this distribution (any spelling pip treats as the same name)."""
    if line.lstrip().startswith(("#", "-")):
        return False
    match = _NAME.match(line)
    return bool(match) and re.sub(r"[-_.]+", "-", match.group(1)).lower() == DISTRIBUTION


def pip_command(root: Path) -> tuple[list[str], list[Path], list[str]]:
    """(the pip command, files it reads that the caller deletes afterwards, the lines left out)."""
    lines = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not is_framework(line)]
    left_out = [line.strip() for line in lines if is_framework(line)]
    # In the project folder, so relative paths in the file (-r other.txt, -e ./lib) still resolve.
    requirements = root / ".pyxle-requirements.txt"
    constraints = root / ".pyxle-constraints.txt"
    pin = f"{DISTRIBUTION}=={__version__}"
    if _installed():  # with the extras the left-out lines asked for (`[pydantic]`): their packages are still needed
        kept.append(f"{DISTRIBUTION}[{','.join(extras)}]=={__version__}" if (extras := _extras(left_out)) else pin)
    constraints.write_text(pin + "\n", encoding="utf-8")
    requirements.write_text("\n".join(kept) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "pip", "install", "-r", requirements.name, "-c", constraints.name]
    return command, [requirements, constraints], left_out


def _extras(lines: list[str]) -> list[str]:
    """The extras that requirement lines name (``pyxle-framework[pydantic,redis]>=0.9``), once each."""
    named = (_EXTRAS.match(line) for line in lines)
    return sorted({extra.strip() for match in named if match for extra in match.group(1).split(",") if extra.strip()})


def _installed() -> bool:
    """Whether this Pyxle is the installed distribution (not a source tree on ``sys.path``, which
    pip would look for on the index)."""
    try:
        return version(DISTRIBUTION) == __version__
    except PackageNotFoundError:
        return False


def npm_install_for_dev(root: Path, say: Callable[[str, bool], None]) -> None:
    """``pyxle dev`` before ``pyxle install``: a ``package.json`` and no ``node_modules`` folder (nor
    the packages in a parent's, an npm workspaces root), so it runs ``npm install`` itself, as
    pyxle-framework 0.9 did, saying so (``say(text, warning)``). A failure is said with npm's last
    lines, and the server starts anyway: its pages then name the command to run."""
    from pyxle.bundler import npm_package, required_packages

    if not (root / "package.json").is_file() or (root / "node_modules").exists():
        return
    if all(npm_package(root, name) is not None for name in required_packages()):
        return
    npm = shutil.which("npm")
    if npm is None:
        say(f"{root / 'node_modules'} is missing and npm is not installed (it comes with Node.js): pages cannot be "
            "built until the npm packages are installed with `pyxle install`", True)
        return
    say(f"{root / 'node_modules'} is missing: running `npm install` (what `pyxle install` runs) in {root}, "
        "as pyxle-framework 0.9 did; this can take a minute...", False)
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=root, capture_output=True, text=True,
                          check=False)
    if done.returncode == 0:
        say("npm install: done", False)
        return
    tail = [line for line in (done.stderr.strip() or done.stdout.strip()).splitlines() if line.strip()][-10:]
    say(f"npm install failed (exit code {done.returncode}): " + "\n    ".join(tail), True)
