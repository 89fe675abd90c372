"""Whether a build's SSR bundle loads, checked once before any server worker needs it.

Each worker's render pool imports the bundle as it starts, and a bundle that throws then (a page's
module-level code reading ``window``) stops every worker: granian restarts them in a loop at start,
and a SIGHUP reload would replace working ones with them. ``pyxle build``, ``pyxle serve`` and
the reload check start one SSR worker as the pool does, with source maps, so the error names the
project's own file and line.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from pyxle._loading import SourceError

# What code written for the browser reads at a module's top level, and the server does not have.
_BROWSER_GLOBALS = frozenset({
    "window", "document", "navigator", "location", "localStorage", "sessionStorage", "self", "history",
    "HTMLElement", "Element", "Node", "requestAnimationFrame", "matchMedia", "getComputedStyle", "screen",
})


def project_frame(stack: str | None, root: Path, build_dir: Path) -> tuple[Path, int, int, str] | None:
    """The first frame of a JavaScript ``stack`` in the project's own files (not its build, not
    ``node_modules``) that is there to read: (file, line, column, that source line), or None."""
    from pyxle.ssr import own_frames

    for path, line, column in own_frames(stack, root.resolve(), build_dir.resolve()):  # as Node names them
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return path, line, column, lines[line - 1] if 0 < line <= len(lines) else ""
    return None


def bundle_problem(bundle: Path, root: Path) -> str | None:
    """Why the SSR ``bundle`` of the project at ``root`` cannot be loaded, or None when it loads:
    one SSR worker is started on it as the render pool starts them, then stopped."""
    from pyxle.config import public_env
    from pyxle.ssr import RenderError, SsrPool

    async def start_and_stop() -> None:
        pool = SsrPool(bundle, size=1, env=public_env())  # its stacks name the project's files (ssr/_stacks.mjs)
        await pool.start()
        await pool.close()

    try:
        asyncio.run(start_and_stop())
    except RenderError as exc:
        return start_problem(exc, root, bundle)
    return None


def start_problem(exc: Exception, root: Path, bundle: Path) -> str:
    """What to tell of a render pool on ``bundle`` that did not start with ``exc``: where in the
    project the bundle threw as it loaded (``BundleError``, with source maps), or ``exc``."""
    from pyxle.ssr import BundleError

    if isinstance(exc, BundleError):
        return _described(exc, root, bundle)
    return f"the SSR bundle {_shown(bundle, root)} cannot be loaded: {exc}"


def check_ssr(app: Any) -> None:
    """Raise ``StartupError`` when the SSR bundle ``app`` would render with does not load."""
    from pyxle.app._app import StartupError

    renderer = app._initial_renderer
    if renderer is None or not renderer.server_rendering:  # no pages, or no Node: nothing is rendered here
        return
    problem = bundle_problem(renderer.pool.bundle, app.config.root)
    if problem is not None:
        raise StartupError(problem)


def _described(exc: Any, root: Path, bundle: Path) -> str:
    """``file:line: ReferenceError while the SSR bundle loads: ...``, its source line and a hint.
    An error thrown by an npm package names it, at the project file that imports it where known."""
    from pyxle.ssr import thrown_in_package

    name, message = exc.error_name, exc.error_message
    text = f"{name} while the SSR bundle loads: {message}"
    found = project_frame(exc.stack, root, bundle.parents[1])
    missing = re.fullmatch(r"(\w+) is not defined", message)
    browser = missing.group(1) if name == "ReferenceError" and missing and missing.group(1) in _BROWSER_GLOBALS else None
    package = thrown_in_package(exc.stack)
    if package is not None:
        text += f" (in the npm package {package})"
        found = found or _importer(root, package, bundle.parents[1])
        why = f"reads {browser} as it loads, and the server has no {browser}" if browser else "throws as it loads"
        hint = (f"{package} {why}: load it in the browser only, with `await import('{package}')` "
                "inside a useEffect (or a React.lazy component)")
    elif browser:
        hint = (f"a module's top-level code runs on the server too, where there is no {browser}: "
                "move it into a useEffect (or an event handler), which runs only in the browser")
    elif found is not None and "import.meta.glob" in found[3]:
        hint = ("import.meta.glob is Vite's, and Pyxle bundles pages with esbuild, which does not expand it: import "
                "each file by name, or read the files in a @server loader and pass them to the page as data")
    else:
        hint = ("a module's top-level code runs on the server too, when the SSR bundle loads: fix the error, or "
                "move the code into a useEffect (or an event handler), which runs only in the browser")
    if found is None:
        at = next((line.strip() for line in (exc.stack or "").splitlines() if line.lstrip().startswith("at ")), "")
        return SourceError(_shown(bundle, root), None, f"{text} ({at})" if at else text,
                           hint).format()
    file, line, _, source = found
    return SourceError(_shown(file, root.resolve()), line, text, hint, source).format()


_CODE = frozenset({".pyxl", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"})


def _importer(root: Path, package: str, build_dir: Path) -> tuple[Path, int, int, str] | None:
    """The first line of the project's code that imports ``package`` (a package's ESM code runs at
    the bundle's top level, so no frame of the stack names the importer): as ``project_frame``."""
    from pyxle.bundler import source_files

    quoted = re.compile(rf"""(?:from\s*|import\s*\(?\s*|require\(\s*)['"]{re.escape(package)}(?:/[^'"]*)?['"]""")
    for path in sorted(source_files(root, (build_dir,))):
        if path.suffix not in _CODE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if quoted.search(line):
                return path, number, 0, line
    return None


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
