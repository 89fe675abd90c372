"""``pyxle install``'s pip step: the app's requirements, with this Pyxle kept in place; and the
``npm install`` that ``pyxle dev`` runs itself when it is started before ``pyxle install``.

Apps written for earlier releases pin ``pyxle-framework>=0.9.4,<0.10``; installing that as
written would replace this Pyxle with the older one in the same interpreter. Such lines are
left out, and this Pyxle is pinned as a constraint, so a plugin that needs another one makes
pip stop with a conflict instead of replacing it. When this Pyxle is an installed distribution it
is also a requirement, so pip weighs its own dependencies too. Apps made with 0.3 to 0.6 pin
``starlette>=0.37,<0.38``, which this Pyxle cannot run with: a line that pins one of Pyxle's own
dependencies to versions Pyxle's range excludes is left out too, as pip could only refuse it (or,
without the requirement, install it over the Starlette Pyxle needs).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path
from typing import Any

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


def pip_command(root: Path) -> tuple[list[str], list[Path], list[tuple[str, str]]]:
    """(the pip command, files it reads that the caller deletes afterwards, the lines left out with
    why)."""
    lines = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    own = _own_dependencies()
    kept, framework, why = [], [], []
    for line in lines:
        if is_framework(line):
            framework.append(line.strip())
            why.append((line.strip(), f"this Pyxle ({__version__}) is the one installed here"))
        elif (reason := _excluded_pin(line, own)) is not None:
            why.append((line.strip(), reason))
        else:
            kept.append(line)
    # In the project folder, so relative paths in the file (-r other.txt, -e ./lib) still resolve.
    requirements = root / ".pyxle-requirements.txt"
    constraints = root / ".pyxle-constraints.txt"
    pin = f"{DISTRIBUTION}=={__version__}"
    if _installed():  # with the extras the left-out lines asked for (`[pydantic]`): their packages are still needed
        kept.append(f"{DISTRIBUTION}[{','.join(extras)}]=={__version__}" if (extras := _extras(framework)) else pin)
    constraints.write_text(pin + "\n", encoding="utf-8")
    requirements.write_text("\n".join(kept) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "pip", "install", "-r", requirements.name, "-c", constraints.name]
    return command, [requirements, constraints], why


def _own_dependencies() -> dict[str, Any]:
    """This Pyxle's own requirements (not its extras'), by canonical name: empty when it is a source
    tree, not an installed distribution."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    try:
        declared = requires(DISTRIBUTION) or []
    except PackageNotFoundError:
        return {}
    found = {}
    for text in declared:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found[canonicalize_name(requirement.name)] = requirement
    return found


def _excluded_pin(line: str, own: dict[str, Any]) -> str | None:
    """Why ``line`` is left out, when it pins one of Pyxle's own dependencies to versions that
    Pyxle's range excludes (``starlette>=0.37,<0.38``, which pyxle-framework 0.3 to 0.6 wrote);
    None to keep it. A pin that shares a version with Pyxle's (``starlette>=1.0.2``) is kept."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if not own or line.lstrip().startswith(("#", "-")) or not line.strip():
        return None
    try:
        pinned = Requirement(line.split(" #")[0].strip())
    except InvalidRequirement:
        return None
    ours = own.get(canonicalize_name(pinned.name))
    if ours is None or not pinned.specifier:
        return None
    try:
        installed = version(pinned.name)
    except PackageNotFoundError:
        return None
    # The versions either range names: one that both allow means pip can satisfy both.
    named = {installed, *(spec.version.removesuffix(".*") for spec in (*ours.specifier, *pinned.specifier))}
    if any(pinned.specifier.contains(v, prereleases=True) and ours.specifier.contains(v, prereleases=True)
           for v in named):
        return None
    return f"this Pyxle needs {ours.name}{ours.specifier} ({installed} is installed)"


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
