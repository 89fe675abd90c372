"""Bundling pages for the browser and for server rendering, with esbuild from the project's npm.

Public names: ``build``, ``BuildResult``, ``BuildError``, ``ToolchainMissing``, ``toolchain_problem``,
``required_packages`` (React, React DOM, esbuild),
``package_problem`` (a ``package.json`` Node would refuse, also reported by ``pyxle check``),
``jsx_syntax_hint`` (the hint ``pyxle check`` and ``pyxle build`` give a JSX syntax error),
``module_lang`` (the language of a module a page imports, by its extension),
``npm_package`` (where Node finds an npm package: the project's ``node_modules`` or a parent's),
``Bundler`` (``pyxle dev``: one warm Node process for every rebuild), ``TOOL_FOLDERS``, ``STYLE_CONFIGS``,
``STYLE_SUFFIXES``, ``FILE_ASSETS`` and ``BUNDLED_SUFFIXES`` (what a build loads, so what ``pyxle dev``
watches besides Python), ``is_source_name`` (not an editor's dot-file), ``is_virtualenv``, ``source_files`` (what a build
reads), ``case_clashes`` (two of them named alike but for case, which a build refuses) and
``read_outside`` (the files a build read outside the project's folders, which ``pyxle dev`` watches
too), ``file_stamp`` (whether a file was saved between two looks, for the build and ``pyxle dev``); and the generated TypeScript types of pages (``_types``): ``generate_types``, ``write_types``,
``declarations``, ``types_module``,
``page_files``, ``TYPES_DIR``; and ``pyxle typecheck`` (``_typecheck``): ``typecheck``, ``TypecheckUnavailable``.
Python compiles each ``.pyxl`` (its server module is written to ``server/pages/``); ``build.mjs``
(run by Node) bundles the client modules, and ``styles.mjs`` runs Sass and the project's own
PostCSS config on its stylesheets (``_styles.py`` finds that config). The output folder is everything serving pages needs:
compiled server modules, one SSR bundle with React inside (so only ``node`` itself, no npm
packages, at run time), hashed browser assets and ``manifest.json``, which records the Pyxle version
that made it (a build serves only with that version); a production build also copies the pages
folder's other files (API routes, their helpers, the files they read), so it serves without ``pages/``
(``_served``: ``read_served``, ``ServedBuild``, ``IncompleteBuild``).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pyxle import __version__
from pyxle._loading import SourceError, content_hash, read_source, source_text, startup_note
from pyxle.bundler._assets import FILE_ASSETS
from pyxle.bundler._envreads import env_read_warnings, warned_before
from pyxle.bundler._packages import module_folders, package_copies, package_record, packages_current
from pyxle.bundler._served import (
    SSR_KEY,
    VERSION_KEY,
    IncompleteBuild,
    ServedBuild,
    copy_public,
    copy_python,
    public_copy,
    public_current,
    public_listing,
    public_section,
    python_current,
    python_files,
    read_served,
    version_problem,
)
from pyxle.bundler._styles import (
    STYLE_CONFIGS,
    STYLE_SUFFIXES,
    StyleConfigError,
    config_key,
    global_files,
    postcss_config,
)
from pyxle.bundler._typecheck import TypecheckUnavailable, typecheck
from pyxle.bundler._types import (
    TYPES_DIR,
    TypesProblem,
    declarations,
    generate_types,
    page_files,
    types_module,
    write_types,
)
from pyxle.compiler import CompileError, Diagnostic, Insert, compile_source
from pyxle.routing import RouteTable, name_problems

__all__ = ["BUNDLED_SUFFIXES", "FILE_ASSETS", "STYLE_CONFIGS", "STYLE_SUFFIXES", "TOOL_FOLDERS", "TYPES_DIR", "BuildError", "BuildResult", "Bundler",
           "IncompleteBuild", "ServedBuild", "ToolchainMissing", "TypecheckUnavailable", "TypesProblem", "build", "case_clashes", "declarations", "file_stamp", "generate_types",
           "import_error", "is_source_name", "is_virtualenv", "jsx_syntax_hint", "module_lang", "npm_package", "package_problem", "page_files", "public_copy", "read_outside", "read_served",
           "required_packages", "source_files", "toolchain_problem", "typecheck",
           "types_module", "write_types"]

HERE = Path(__file__).resolve().parent
CLIENT_RUNTIME = HERE.parent / "client"
COMPILER = HERE.parent / "compiler"
_REQUIRED = ("react", "react-dom", "esbuild")
_REFRESH = ("react-refresh", "@babel/core")  # optional: React Fast Refresh in pyxle dev
# What pyxle-framework 0.9's `pyxle build` writes in dist/ besides client/, server/ and public/
# (which this build removes and writes anew): left there, 0.9's `serve --skip-build` (a rollback)
# starts on its page-manifest.json and serves old server code with every script a 404.
OLDER_BUILD = ("page-manifest.json", "meta.json", "metadata", "app", "prerendered")  # prerendered: 0.9's --static
# Folders that hold tools, not sources (dot-folders too): never build inputs, never watched in dev.
TOOL_FOLDERS = frozenset({"node_modules", ".git", ".venv", "venv", "__pycache__"})
# Every suffix a build loads: code, JSON (esbuild's own loaders), the files it copies out
# (``FILE_ASSETS``), stylesheets. One list for what makes a build stale and what pyxle dev watches.
# (Vite would also import a .txt: left out, so notes and READMEs neither rebuild nor reload.)
BUNDLED_SUFFIXES = (".pyxl", ".js", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".cjs", ".mjs", ".json",
                    *FILE_ASSETS, *STYLE_SUFFIXES)


_TSX_MARKER = "TypeScript in a .pyxl file needs the `# --- TSX ---` marker on the line before its client code"
# Client code that reads as TypeScript: declarations, type-only imports and exports, annotations,
# `as`, generic calls.
_TS_LIKE = re.compile(r"^\s*(?:export\s+)?(?:interface|type|enum|declare|namespace)\s+[A-Za-z_$]"
                      r"|^\s*(?:import|export)\s+type\s+(?:\{|\*|(?!from\b)[A-Za-z_$])"
                      r"|:\s*[A-Za-z_$][\w$.]*(?:<[^>]*>)?(?:\[\])?\s*[,)=;]|\)\s*:\s*[A-Za-z_${]"
                      r"|\bas\s+(?:const\b|[A-Z])|[\w$]<[A-Za-z_$][\w$, \[\]]*>\s*\(")


_TS_FILE = "TypeScript needs a .ts or .tsx file: esbuild reads a module's language from its extension"
_JSX_FILE = "JSX needs a .jsx or .tsx file: esbuild reads a module's language from its extension"
_NO_JSX = "The JSX syntax extension is not currently enabled"  # esbuild's error for JSX in a .js or .ts file
# The language esbuild reads a project module in (components/Card.jsx), by its extension.
_MODULE_LANGS = {".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx", ".ts": "ts", ".mts": "ts", ".cts": "ts",
                 ".tsx": "tsx", ".css": "css"}


def module_lang(name: str) -> str:
    """The language of a module a page imports, as the bundle reads it: its extension's."""
    return _MODULE_LANGS.get(PurePosixPath(name).suffix, "js")


def jsx_syntax_hint(lang: str, line: str, *, page: bool = True, message: str = "") -> str:
    """The hint for a JSX syntax error (esbuild's ``message``) on ``line`` of a page, or
    (``page=False``) of a module a page imports: where a JavaScript line reads as TypeScript, the
    TSX marker a page needs or the extension a module needs; for JSX in a ``.js`` module, the
    extension. ``pyxle check`` and ``pyxle build`` word it alike."""
    if lang in ("js", "jsx") and _TS_LIKE.search(line):
        return _TSX_MARKER if page else _TS_FILE
    if not page and lang in ("js", "ts") and message.startswith(_NO_JSX):
        return _JSX_FILE
    return "fix the JSX syntax"


_NO_EXPORT = re.compile(r'^No matching export in "(?P<file>[^"]+)" for import "(?P<name>[^"]+)"$')
_EXPORTS = re.compile(r"^export\s+(?:\{(?P<names>[^}]*)\}"  # export { a, b as c } (from ...)
                      r"|(?:async\s+)?(?:function\*?|const|let|var|class)\s+(?P<name>[\w$]+))", re.MULTILINE)
_DEFAULT = re.compile(r"^export\s+default\b|^export\s*\{[^}]*\bdefault\s*(?:,[^}]*)?\}", re.MULTILINE)
_EXPORT_ALL = re.compile(r"^export\s*\*", re.MULTILINE)  # export * from './x': names this regex cannot list
_SPECIFIER = re.compile(r"""\bfrom\s*(?P<spec>(?P<q>['"])[^'"]+(?P=q))""")


def _client_exports(module: Path) -> list[str]:
    """The names a module exports, as its ``export`` lines say (``default`` left out)."""
    return _exported_names(module.read_text(encoding="utf-8"))


def _exported_names(text: str) -> list[str]:
    names = [m["name"] or part.split(" as ")[-1].strip() for m in _EXPORTS.finditer(text)
             for part in (m["names"] or m["name"]).split(",")]
    return [name for name in dict.fromkeys(names) if name and name != "default"]


def import_error(text: str, root: Path, line: str = "") -> tuple[str, str | None]:
    """esbuild's "No matching export" and its hint: for an import from ``pyxle/client``, naming the
    module as the page imports it (not Pyxle's path inside its package) and the closest real export;
    for one of the project's modules, what it does export, as the import or export to write
    (``line``: the import's source line, whose path and local name the hint repeats)."""
    match = _NO_EXPORT.match(text)
    module = (root / match["file"]).resolve() if match else None
    if match is None or module is None or not module.is_file():
        return text, None
    if not module.is_relative_to(CLIENT_RUNTIME):
        return text, _export_hint(match["file"], match["name"], module.read_text(encoding="utf-8", errors="replace"), line)
    shown = "pyxle/client" if module == CLIENT_RUNTIME / "index.js" else f"pyxle/client/{module.relative_to(CLIENT_RUNTIME).as_posix()}"
    exports = _client_exports(module)
    by_lower = {name.lower(): name for name in exports}  # `link` is Link, `Navigate` navigate
    close = difflib.get_close_matches(match["name"].lower(), list(by_lower), n=1, cutoff=0.6)
    hint = f"did you mean `{by_lower[close[0]]}`?" if close else f"{shown} exports {', '.join(sorted(exports, key=str.lower))}"
    return f'No matching export in "{shown}" for import "{match["name"]}"', hint


def _export_hint(shown: str, name: str, code: str, line: str) -> str:
    """What a project module (``code``) that lacks the import's ``name`` does export, as what to write:
    a default-only component imported by name is imported without braces (``export Counter``, the
    old advice, is not JavaScript)."""
    exports, has_default, export_all = _exported_names(code), bool(_DEFAULT.search(code)), bool(_EXPORT_ALL.search(code))
    local = _local_name(line, name) or PurePosixPath(shown).stem
    found = _SPECIFIER.search(line)
    default_import = f"`import {local} from {found['spec']}`" if found else f"`import {local} from` its path"
    if not exports and not has_default and not export_all:
        wanted = f"export default function {local}" if name == "default" else f"export function {name}"
        return f"{shown} exports nothing (is it saved empty?): write it, with `{wanted}() {{ ... }}`"
    listed = ", ".join(sorted(exports, key=str.lower))
    if name == "default":
        return f"{shown} has no default export; it exports {listed}: import one by name, or add `export default`"
    close = difflib.get_close_matches(name, exports, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if has_default and not exports and not export_all:
        return f"{shown} has only a default export: import it without braces, {default_import}"
    if has_default:
        return f"{shown} exports {listed or 'what its `export *` passes on'} and a default: import the default without braces, {default_import}"
    return f"{shown} exports {listed}" if listed else f"{shown} has no export named {name}"


def _local_name(line: str, name: str) -> str | None:
    """The name the import binds ``name`` to, as written on its line: ``C`` for ``{ Counter as C }``,
    ``Card`` for ``import Card from`` (``name`` "default")."""
    if name == "default":
        found = re.search(r"\bimport\s+([\w$]+)\s*(?:,|\bfrom\b)", line)
    else:
        found = re.search(rf"(?<![\w$]){re.escape(name)}\s+as\s+([\w$]+)", line) or re.search(
            rf"(?<![\w$])({re.escape(name)})(?![\w$])", line)
    return found[1] if found else None


class BuildError(Exception):
    """The bundle could not be built; each message names a file, line and column when known."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


class ToolchainMissing(BuildError):
    """A (re)build is needed but Node or the project's npm packages are missing.

    ``stale``: None where the output folder holds no build of this Pyxle; else why the one there is
    stale ("" when that is not known), which ``pyxle serve`` refuses to throw away for no build.
    ``missing``: a file of that build that is gone (it cannot be served as it is either), or None.
    """

    def __init__(self, messages: list[str], stale: str | None = None, missing: str | None = None) -> None:
        super().__init__(messages)
        self.stale = stale
        self.missing = missing


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    manifest: dict[str, Any]
    # ``keep_going`` (pyxle dev): the pages left out of the build because they do not build,
    # ``"notes.pyxl" -> their errors``; the other pages are in it.
    broken: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ssr_bundle(self) -> Path:
        """The build's SSR bundle: its name is hashed, so a server keeps rendering its own after a
        new build replaced ``out_dir``'s (``app._staging`` keeps the previous one's)."""
        return self.out_dir / self.manifest[SSR_KEY]

    @property
    def public_dir(self) -> Path:
        return self.out_dir / "public"

    def server_modules(self) -> dict[str, tuple[Path, str]]:
        """``"blog/[slug].pyxl" -> (compiled server module, hash of the source it came from)``."""
        return {file: (self.out_dir / entry["server"], entry["source"])
                for file, entry in self.manifest.get("modules", {}).items()}


class Bundler:
    """``pyxle dev``: one ``build.mjs --serve`` process for every rebuild, so Node, esbuild's
    incremental contexts, Babel and its results stay warm (a rebuild re-reads only what changed).
    Started by the dev watcher (or on first use); started again if it died, and when the
    PostCSS or Tailwind config it loaded has changed (Node cannot unload a module)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._process: subprocess.Popen[str] | None = None
        self._configs: str | None = None  # config_key() of what the process has loaded
        self.env_warned = warned_before()  # the process.env names already warned of (_warn_env_reads)

    def start(self) -> None:
        """Start the process now (it loads esbuild and Babel while nothing waits for it)."""
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(["node", str(HERE / "build.mjs"), "--serve", str(self.root)],
                                             cwd=self.root, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, plan_path: Path, configs: str = "") -> str:
        """Build the plan; the bundler's one JSON line of outcome. ``configs``: ``config_key()``."""
        if self._configs is not None and configs != self._configs:
            self.close()
        self._configs = configs
        for _ in range(2):
            self.start()
            assert self._process is not None and self._process.stdin is not None and self._process.stdout is not None
            try:
                self._process.stdin.write(f"{plan_path}\n")
                self._process.stdin.flush()
                line = self._process.stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if line:
                return line
            self.close()  # it died mid-build: once more with a fresh process
        raise BuildError(["the bundler process exited during the build (see the output above)"])

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                with contextlib.suppress(OSError):  # a dead process: the unwritten line cannot go
                    self._process.stdin.close()  # it exits at the end of its input
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


def npm_package(root: Path, name: str) -> Path | None:
    """The folder Node loads the npm package ``name`` from for the project: its ``node_modules``, then
    each parent folder's (an npm workspaces root, where ``npm install`` hoists them), or None."""
    start = Path(os.path.abspath(root))  # `..` folded as Node's path.resolve folds it
    return next((folder / "node_modules" / name for folder in (start, *start.parents)
                 if (folder / "node_modules" / name / "package.json").is_file()), None)


def required_packages() -> tuple[str, ...]:
    """The npm packages every build needs (React, React DOM, esbuild)."""
    return _REQUIRED


def toolchain_problem(root: Path) -> str | None:
    """Why pages cannot be bundled here (no Node, packages not installed), or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed; it is needed to render pages (API routes work without it)"
    missing = [name for name in _REQUIRED if npm_package(root, name) is None]
    if not missing:
        return None
    undeclared = [name for name in missing if name not in _declared(root)]
    if undeclared:  # `pyxle install` would not install them: say what will
        listed = (f"{root / 'package.json'} does not list {', '.join(undeclared)}" if (root / "package.json").is_file()
                  else f"{root} has no package.json")
        return (f"npm packages not installed ({', '.join(missing)}); {listed}: run "
                f"`npm install {' '.join(undeclared)}` in {root}")
    return f"npm packages not installed ({', '.join(missing)}); run `pyxle install` in {root}"


def _declared(root: Path) -> set[str]:
    """The npm packages the project's ``package.json`` lists (none without one, or when it is not JSON:
    ``package_problem`` names that)."""
    try:
        found = json.loads((root / "package.json").read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return set()
    if not isinstance(found, dict):
        return set()
    return {name for key in ("dependencies", "devDependencies") if isinstance(found.get(key), dict) for name in found[key]}


def package_problem(root: Path) -> str | None:
    """What is wrong with the project's ``package.json`` (``file:line:col``, its line, a hint), or None.

    Node parses it strictly when it loads an npm package from the project: a trailing comma would
    otherwise stop the bundler with a JavaScript stack trace and no line.
    """
    path = root / "package.json"
    if not path.is_file():
        return None
    hint = "package.json must be strict JSON: keys and strings in double quotes, no trailing comma, no comments"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"package.json: not UTF-8 text ({exc.reason})\n    hint: {hint}"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return Diagnostic.at("package.json", text.splitlines(), exc.lineno, exc.colno, exc.msg, hint).format()
    return None


def fast_refresh(root: Path, mode: str) -> bool:
    """Whether a build keeps React state across edits: development, with the packages installed."""
    return mode == "development" and all(npm_package(root, name) is not None for name in _REFRESH)


def inputs_hash(root: Path, outputs: tuple[Path, ...], public_env: dict[str, str], mode: str, refresh: bool,
                globals_: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()), digests: dict[str, str] | None = None) -> str:
    """A fingerprint of everything a build reads, to skip rebuilding an unchanged project.

    File contents, not times: a build copied or checked out with its project stays current.
    ``outputs`` are build folders inside the project, which are not inputs. ``globals_``: the
    global styles and scripts every page imports. ``digests``: ``source_digests``, when known.
    """
    digest = hashlib.sha256(f"{mode}\n{refresh}\n{json.dumps(public_env, sort_keys=True)}\n{json.dumps(globals_)}\n".encode())
    for shown, file_digest in sorted((source_digests(root, outputs) if digests is None else digests).items()):
        digest.update(f"{shown}\0".encode())
        digest.update(bytes.fromhex(file_digest))
    runtime = (*CLIENT_RUNTIME.glob("*.js"), *CLIENT_RUNTIME.glob("*.mjs"))  # (_text.mjs, _nodetext.mjs: the SSR worker imports them too)
    for file in (*sorted(HERE.glob("*.mjs")), *sorted(runtime), *sorted(COMPILER.glob("*.py"))):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def source_digests(root: Path, outputs: tuple[Path, ...]) -> dict[str, str]:
    """``{"components/Card.jsx": sha256 hex}`` of every file a build reads (``outputs`` left out);
    two whose paths differ only in case are refused (``case_clashes``)."""
    found = {}
    sources = source_files(root, outputs)
    if clashes := case_clashes(root, sources):
        raise BuildError(clashes)
    for path in sources:
        shown = path.relative_to(root).as_posix()
        try:
            data = read_source(path, shown)
        except SourceError as exc:  # a link to a file that is gone: named, as pyxle check names it
            raise BuildError([exc.format()]) from None
        found[shown] = hashlib.sha256(data).hexdigest()
    return found


def file_stamp(path: str | Path) -> tuple[int, int, int] | None:
    """The inode, modification time and size of a file (None: gone): a save written in place moves
    the last two, one that renames a new file over it (git checkout, an editor's safe write) the first."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def source_stamps(root: Path, outputs: tuple[Path, ...], outside: Iterable[str] = ()) -> dict[Path, tuple[int, int, int]]:
    """``file_stamp`` of every file a build reads (``outside``: named from ``root``), taken before
    and after it: a file whose stamp moved was saved while it was read.

    Exactly the files its fingerprint digests (``source_files``), so only a save of one of its
    inputs unsettles a build. ``pyxle dev``'s reload stamps more (``app._reload._stamps``): it
    imports the project's Python too, and looks at what its watch sees, which the bundler may not import."""
    found = {path: file_stamp(path) for path in (*source_files(root, outputs), *(root / name for name in outside))}
    return {path: stamp for path, stamp in found.items() if stamp is not None}  # gone: missing, which tells it


def outside_sources(manifest: dict[str, Any] | None) -> list[str]:
    """The files outside the project's walked folders that the build of ``manifest`` read, from the
    project's folder (``../shared/S.jsx``): part of its fingerprint, and watched by ``pyxle dev``."""
    found = (manifest or {}).get("outside")
    return sorted(f for f in found if isinstance(f, str)) if isinstance(found, list) else []


def read_outside(root: Path, out_dir: Path) -> list[Path]:
    """The files outside the project's folders that the build in ``out_dir`` read, by their real
    paths: ``pyxle dev`` watches their folders too."""
    return [(root / name).resolve() for name in outside_sources(_read_manifest(out_dir / "manifest.json"))]


def _outside(root: Path, read: list[str], outputs: tuple[Path, ...], walked: dict[str, str]) -> list[str]:
    """Of the files esbuild read (``read``: absolute paths), those the walk of the project did not find
    (``walked``): a monorepo's shared folder imported by a relative path, a folder linked into the
    project (esbuild reads its real path). Named from the project's real folder, as ``root / name``
    opens them. Build outputs are no sources."""
    real = root.resolve()
    found = set()
    for file in map(Path, read):
        if file.is_relative_to(root) and file.relative_to(root).as_posix() in walked:
            continue
        if any(file.is_relative_to(out) for out in outputs):
            continue
        name = Path(os.path.relpath(file, real)).as_posix()
        if name not in walked:
            found.add(name)
    return sorted(found)


def _file_digests(root: Path, names: list[str]) -> dict[str, str]:
    """``source_digests`` of the files ``names``, relative to ``root``; one that is gone is left out
    (so the build that read it is stale, and ``stale_reason`` says it has been removed)."""
    found = {}
    for name in names:
        try:
            found[name] = hashlib.sha256((root / name).read_bytes()).hexdigest()
        except OSError:
            continue
    return found


_SHORT = 16  # hex digits of a file's digest the manifest records: enough to tell an edit


def _public_env_digest(public_env: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(public_env, sort_keys=True).encode()).hexdigest()[:_SHORT]


def stale_reason(manifest: dict[str, Any], digests: dict[str, str], public_env: dict[str, str]) -> str:
    """Why a build of this Pyxle no longer matches the project, from what its manifest recorded
    (``sources``, ``publicEnv``): the files changed, added or removed since, or the ``PYXLE_PUBLIC_*``
    variables. "" where the manifest does not say (then some other setting the build read)."""
    recorded = manifest.get("sources")
    reasons = []
    if isinstance(recorded, dict):
        changed = sorted(f for f, d in digests.items() if f in recorded and recorded[f] != d[:_SHORT])
        added = sorted(f for f in digests if f not in recorded)
        removed = sorted(f for f in recorded if f not in digests)
        for files, verb in ((changed, "changed"), (added, "been added"), (removed, "been removed")):
            if files:
                named = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
                reasons.append(f"{named} {'has' if len(files) == 1 else 'have'} {verb} since it was built")
    if not reasons and manifest.get("publicEnv") not in (None, _public_env_digest(public_env)):
        reasons.append("the PYXLE_PUBLIC_* variables differ from those it was built with")
    return "; ".join(reasons)


def case_clashes(root: Path, sources: list[Path]) -> list[str]:
    """Two source files whose paths differ only in case (``pages/About.pyxl``, ``pages/about.pyxl``),
    each named: esbuild's resolver ignores case, so it would bundle one file for both, silently.
    And two that differ only in Unicode form (NFC, NFD), which route at one URL, and a name that is
    not UTF-8, which no URL, import or JSON can hold (``routing.name_problems``)."""
    return name_problems([path.relative_to(root).as_posix() for path in sources])


def source_files(root: Path, outputs: tuple[Path, ...]) -> list[Path]:
    """Every file a build reads (``outputs``, the build folders, left out)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in TOOL_FOLDERS and not d.startswith(".")
                       and Path(dirpath, d) not in outputs and not is_virtualenv(Path(dirpath, d))]
        found += [Path(dirpath, name) for name in filenames if is_source_name(name, BUNDLED_SUFFIXES)]
    return found


def is_virtualenv(folder: Path) -> bool:
    """A Python virtual environment, whatever its name (``env/``, not only ``.venv``/``venv``): a
    tool folder, its packages no sources of the project's."""
    return (folder / "pyvenv.cfg").is_file()


def is_source_name(name: str, suffixes: tuple[str, ...]) -> bool:
    """Whether a file named ``name`` is a source a build reads (or ``pyxle dev`` watches): one of
    ``suffixes``, not a dot-file (an editor's lock or backup, such as Emacs's ``.#Counter.jsx``, a
    link to nowhere while its buffer has unsaved changes), except the style configs
    (``.postcssrc.json``)."""
    return name in STYLE_CONFIGS or (name.endswith(suffixes) and not name.startswith("."))


def build(root: Path, pages_dir: Path, table: RouteTable, out_dir: Path, *, mode: str,
          public_env: dict[str, str] | None = None, force: bool = False, bundler: Bundler | None = None,
          other_outputs: tuple[Path, ...] = (), global_styles: tuple[str, ...] = (),
          global_scripts: tuple[str, ...] = (), while_bundling: Callable[[], object] | None = None,
          public_dir: Path | None = None, when_stale: Callable[[str], object] | None = None,
          keep_going: bool = False) -> BuildResult:
    """Bundle every page; reuse the previous build when nothing it reads has changed.

    ``other_outputs``: the project's other build folders (``pyxle dev`` builds beside ``dist/``),
    left out of the fingerprint with ``out_dir``. ``global_styles`` / ``global_scripts``
    (``styling`` in the config, project-relative): imported by every page, before its own code.
    ``while_bundling`` is called once every page has compiled, just before Node bundles them
    (``pyxle build`` starts the type generation there, so it runs while Python would only wait).
    ``public_dir``: the project's public files, which a production build copies (``public``), so a
    deploy without ``pages/`` that left them out still serves them (``_served``). ``when_stale`` is
    called with why the build in ``out_dir`` is stale, before it is built again (``pyxle serve``
    says so: a rebuild takes seconds, and a deploy's `dist/` was meant to be current).

    Raises ``ToolchainMissing`` only when bundling is actually needed: a current build is served
    without npm packages. A build made by another version of Pyxle is stale (``version_problem``):
    rebuilt, or refused under ``--skip-build``.

    ``keep_going`` (``pyxle dev``): a page whose own file does not compile or bundle is left out
    and named in ``BuildResult.broken``, and the other pages are built, so one page saved broken
    breaks that page alone. An error in anything else (a layout, a component, a stylesheet) is
    still a ``BuildError``: which pages it breaks is not known.
    """
    public_env = public_env or {}
    manifest_path = out_dir / "manifest.json"
    if not force and os.environ.get("PYXLE_SKIP_BUILD") == "1":
        if not manifest_path.is_file():
            found = (f"{out_dir} holds no build of this Pyxle (it has no manifest.json: an older Pyxle made it)"
                     if out_dir.is_dir() and any(out_dir.iterdir())  # 0.9's: page-manifest.json, client/, server/
                     else f"there is no build in {out_dir}")
            raise BuildError([f"--skip-build: {found}; run `pyxle build` first"])
        manifest = json.loads(manifest_path.read_text())
        if (problem := version_problem(manifest, _shown(manifest_path, root))) is not None:
            hint = "run `pyxle build` with the Pyxle that serves it, or serve without --skip-build, which builds it again"
            raise BuildError([f"--skip-build: {problem}; hint: {hint}"])
        if manifest.get("publicEnv") not in (None, _public_env_digest(public_env)):
            startup_note("--skip-build: the PYXLE_PUBLIC_* variables differ from those %s was built with; its pages "
                         "show the values it was built with\n    hint: run `pyxle build` with the values to serve",
                         _shown(out_dir, root) + "/")
        return BuildResult(out_dir, manifest)
    refresh = fast_refresh(root, mode)
    previous = _read_manifest(manifest_path)
    read_from = source_stamps(root, (out_dir, *other_outputs), outside_sources(previous))
    walked = source_digests(root, (out_dir, *other_outputs))
    digests = {**walked, **_file_digests(root, outside_sources(previous))}
    fingerprint = inputs_hash(root, (out_dir, *other_outputs), public_env, mode, refresh, (global_styles, global_scripts),
                              digests)
    if (not force and previous is not None and previous.get("inputs") == fingerprint
            and version_problem(previous, "") is None and (out_dir / previous[SSR_KEY]).is_file()
            and _has_every_page(previous, table)
            and (packages_current(root, previous, digests) or toolchain_problem(root) is not None)):
        if mode == "production":
            _refresh_copies(root, pages_dir, table, out_dir, previous, public_dir)
        _warn_env_reads(root, previous, bundler)
        return BuildResult(out_dir, previous)
    problem = toolchain_problem(root)
    if problem is not None:
        if previous is None or version_problem(previous, "") is not None:
            raise ToolchainMissing([problem])  # no build this Pyxle could serve
        ssr = out_dir / previous[SSR_KEY]
        raise ToolchainMissing([problem], stale=stale_reason(previous, digests, public_env),
                               missing=None if ssr.is_file() else _shown(ssr, root))
    if (problem := package_problem(root)) is not None:
        raise BuildError([problem])
    if when_stale is not None and previous is not None and not force:
        when_stale(version_problem(previous, "it")  # out_dir may be a reload's copy of dist/: not named
                   or stale_reason(previous, digests, public_env) or "it does not match the project's settings")
    elif when_stale is not None and previous is None and _older_build(out_dir):
        when_stale("it has no manifest.json: an older Pyxle made it")
    try:
        postcss = postcss_config(root)
        styles, scripts = global_files(root, "globalStyles", global_styles), global_files(root, "globalScripts", global_scripts)
    except StyleConfigError as exc:
        raise BuildError([str(exc)]) from None

    from pyxle.pages import file_forms, form_problems

    compiled: dict[PurePosixPath, tuple[str, str, str, str]] = {}  # file -> (client, server, source hash, lang)
    forms: dict[PurePosixPath, Any] = {}  # file -> its Forms and actions, for form_problems
    pages: dict[str, _Page] = {}  # absolute path -> what its errors are mapped back with
    errors: list[str] = []
    standalone: list[PurePosixPath] = []  # the files that say STANDALONE (a layout or template roots its pages' chain)
    page_of = {str(pages_dir / spec.file): spec.file.as_posix() for spec in table.pages}  # what keep_going may leave out
    broken: dict[str, list[str]] = {}
    for file in page_files(table):
        source_path = pages_dir / file
        found = broken.setdefault(file.as_posix(), []) if keep_going and str(source_path) in page_of else errors
        try:
            source = source_text(source_path, _shown(source_path, root))
            result = compile_source(source, path=_shown(source_path, root), types_module=types_module(file))
        except SourceError as exc:  # not UTF-8: as pyxle check says it
            found.append(exc.format())
            continue
        except CompileError as exc:
            found.extend(e.format() for e in exc.errors)
            continue
        compiled[file] = (result.client_code, result.server_code, content_hash(source.encode()), result.client_lang)
        if result.metadata.standalone:
            standalone.append(file)
        pages[str(source_path)] = _Page(source.splitlines(), result.props_type, result.client_lang)
        forms[file] = file_forms(result.client_code, result.server_code, source.splitlines(), result.metadata.actions,
                                 result.props_type)
    table = table.with_standalone(standalone)  # the chains the server renders (pages.load_pages reads the same)
    for file, problem in form_problems(table, forms, lambda file: _shown(pages_dir / file, root)):
        # a <Form action="sav"> that no action it can call answers: under keep_going, an error of
        # the pages that show it (its own, or those its layout or template wraps), as a compile error is
        shows = _showing(table, file) if keep_going else []
        for page in shows:
            broken.setdefault(page.as_posix(), []).append(problem)
        if not shows:
            errors.append(problem)
    broken = {file: messages for file, messages in broken.items() if messages}
    if errors or (broken and len(broken) == len(table.pages)):  # (no page left to build: as before)
        raise BuildError([*errors, *(m for messages in broken.values() for m in messages)])

    # esbuild never removes old files. pyxle dev's bundler (``bundler``) removes the browser's own
    # some seconds after a newer build replaced them: an open page may still be importing them.
    # It rewrites only the compiled pages an edit changed: a reload of a large app reads them all.
    if not bundler:
        for stale in (out_dir / "public", out_dir / "server", out_dir / "client"):
            shutil.rmtree(stale, ignore_errors=True)
        _remove_older_build(out_dir)
    modules: dict[str, str] = {}
    server_modules: dict[str, dict[str, str]] = {}
    written: dict[Path, str] = {}
    for file, (client_code, server_code, source_hash, lang) in compiled.items():
        client = out_dir / "client" / file.with_suffix(f".{lang}")
        server = out_dir / "server" / "pages" / file.with_suffix(".py")
        written[client], written[server] = client_code, server_code
        modules[str(pages_dir / file)] = str(client)
        server_modules[file.as_posix()] = {"server": server.relative_to(out_dir).as_posix(), "source": source_hash}
    _write_compiled(written, (out_dir / "client", out_dir / "server" / "pages"))

    def plan_of(left_out: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "projectRoot": str(root),
            "outDir": str(out_dir),
            "mode": mode,
            "refresh": refresh,
            "clientRuntime": str(CLIENT_RUNTIME),
            "fileAssets": list(FILE_ASSETS),
            "modules": modules,
            "pages": [
                {
                    "id": page_id(spec.file),
                    "page": str(pages_dir / spec.file),
                    "layouts": [[f.as_posix(), str(pages_dir / f), kind] for kind, f in table.chain(spec.file)],
                    "loading": [[at, str(pages_dir / f)] for at, f in table.loading(spec.file)],
                    "error": _error_boundary(table, pages_dir, spec.file),
                }
                for spec in table.pages if spec.file.as_posix() not in left_out
            ] + [
                {
                    "id": page_id(file),
                    "page": str(pages_dir / file),
                    "layouts": [[f.as_posix(), str(pages_dir / f), kind] for kind, f in table.chain(file)],
                    "error": _error_boundary(table, pages_dir, file),
                }
                for group in table.specials.values()
                for kind, file in group.items()
                if kind in ("error", "not-found")
            ],
            "publicEnv": dict(sorted(public_env.items())),
            "postcss": str(postcss) if postcss else None,
            "globalStyles": styles,
            "globalScripts": scripts,
        }

    out_dir.mkdir(parents=True, exist_ok=True)
    plan_path = out_dir / "plan.json"
    if while_bundling is not None:
        while_bundling()
    while True:
        plan_path.write_text(json.dumps(plan_of(broken), indent=2))
        outcome = _bundle(root, plan_path, bundler, postcss)
        if outcome.get("ok"):
            break
        failed = outcome.get("errors", [])
        blamed = [page_of.get(str(e.get("file"))) for e in failed]
        messages = [_format(e, root, pages) for e in failed]
        if not keep_going or not failed or None in blamed or len(broken) + len(set(blamed)) >= len(table.pages):
            raise BuildError([*messages, *(m for found in broken.values() for m in found)])
        for file, message in zip(blamed, messages, strict=True):  # left out, and the others bundled again
            broken.setdefault(str(file), []).append(message)
    for file in broken:
        server_modules.pop(file, None)  # not built: pages.load_pages names it broken
    manifest = outcome["manifest"]
    outside = _outside(root, outcome.get("read", []), (out_dir, *other_outputs), walked)
    if outside != outside_sources(previous):  # hashed before the build where known: an edit since makes it stale
        digests = {**walked, **_file_digests(root, [f for f in outside if f not in digests]),
                   **{f: digests[f] for f in outside if f in digests}}
        fingerprint = inputs_hash(root, (out_dir, *other_outputs), public_env, mode, refresh,
                                  (global_styles, global_scripts), digests)
    manifest["outside"] = outside
    _check_copies(root, outcome.get("packages") or {}, mode, bundler)
    manifest["packages"] = package_record(root, outcome.get("packages") or {})
    manifest["moduleFolders"] = module_folders(root, digests)
    # A file saved while the build read it (an edit undone, a git checkout and back): what the
    # build holds may be neither version, so its fingerprint matches none and the next build runs.
    if source_stamps(root, (out_dir, *other_outputs), outside_sources(previous)) != read_from:
        fingerprint = f"{fingerprint}.unsettled.{os.urandom(4).hex()}"
    manifest["inputs"] = fingerprint
    manifest[VERSION_KEY] = __version__
    # What the fingerprint was made of, so a build found stale where it cannot be made again says why.
    manifest["sources"] = {file: digest[:_SHORT] for file, digest in sorted(digests.items())}
    manifest["publicEnv"] = _public_env_digest(public_env)
    manifest["modules"] = server_modules
    manifest["dottedPages"] = _dotted_pages(table)  # the document carries it, not every page's module
    manifest["loadingPages"] = _loading_pages(table)  # the same
    if mode == "production":  # what serves without pages/ (_served)
        manifest["python"] = _python_section(root, pages_dir, table)
        copy_python(pages_dir, out_dir, manifest["python"])
        public = public_listing(public_dir)
        manifest["public"] = public_section(public)
        copy_public(public, out_dir)
    manifest_path.write_text(json.dumps(manifest, indent=2))
    if mode == "production":  # the JSX handed to esbuild and its plan are not needed to serve
        plan_path.unlink()
        shutil.rmtree(out_dir / "client", ignore_errors=True)
    _warn_env_reads(root, manifest, bundler)
    return BuildResult(out_dir, manifest, broken)


def _check_copies(root: Path, packages: dict[str, list[str]], mode: str, bundler: Bundler | None) -> None:
    """Two copies of React in the bundle: ``pyxle build`` stops (every page would answer 500),
    ``pyxle dev`` warns, once per message."""
    copies = package_copies(root, packages)
    if copies and mode == "production":
        raise BuildError(copies)
    warned = bundler.env_warned if bundler is not None else set()
    for message in copies:
        if message not in warned:
            warned.add(message)
            startup_note("%s", message)


def _warn_env_reads(root: Path, manifest: dict[str, Any], bundler: Bundler | None) -> None:
    """Warn of the ``process.env`` names page code reads and never sees (the manifest's ``envReads``),
    each once: per ``pyxle build``, per ``pyxle dev`` (its bundler remembers them across rebuilds)."""
    warned = bundler.env_warned if bundler is not None else set()
    for message in env_read_warnings(root, manifest.get("envReads") or [], warned):
        startup_note("%s", message)


def _older_build(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds what an older Pyxle's build (0.9's) wrote: its ``page-manifest.json``."""
    return (out_dir / OLDER_BUILD[0]).is_file()


def _remove_older_build(out_dir: Path) -> None:
    """Remove the files an older Pyxle's build (0.9's) wrote beside this build's folders, by name
    only: other files in ``out_dir`` are the user's."""
    for name in OLDER_BUILD:
        path = out_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _bundle(root: Path, plan_path: Path, bundler: Bundler | None, postcss: Path | None) -> dict[str, Any]:
    """The outcome ``build.mjs`` reports for the plan: ``{"ok": true, "manifest": ...}`` or its errors."""
    if bundler is not None:
        last = bundler.run(plan_path, config_key(root, postcss))
        stderr = ""
    else:
        process = subprocess.run(["node", str(HERE / "build.mjs"), str(plan_path)], capture_output=True, text=True,
                                 cwd=root, check=False)
        last = process.stdout.strip().splitlines()[-1] if process.stdout.strip() else ""
        stderr = process.stderr.strip() or process.stdout.strip()
    try:
        outcome = json.loads(last)
    except json.JSONDecodeError:
        raise BuildError([f"the bundler failed: {stderr or last}"]) from None
    return outcome if isinstance(outcome, dict) else {"ok": False}


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The previous build's manifest, or None (none there, or not one a build wrote: built again)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _python_section(root: Path, pages_dir: Path, table: RouteTable) -> dict[str, Any]:
    try:
        return python_files(pages_dir, table, root)
    except SourceError as exc:
        raise BuildError([exc.format()]) from None


def _has_every_page(manifest: dict[str, Any], table: RouteTable) -> bool:
    """Whether a build compiled every page of ``table``: one saved after the route table was read,
    but before the build walked the sources, is in that build's fingerprint and not in its pages."""
    modules = manifest.get("modules")
    return isinstance(modules, dict) and all(file.as_posix() in modules for file in page_files(table))


def _write_compiled(files: dict[Path, str], folders: tuple[Path, ...]) -> None:
    """Write each compiled page whose text changed, and remove the ones no page compiles to now."""
    for target, code in files.items():
        try:
            if target.read_text(encoding="utf-8") == code:
                continue
        except (OSError, UnicodeDecodeError):
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
    for folder in folders:
        for found in folder.rglob("*") if folder.is_dir() else ():
            if found.is_file() and found not in files:
                found.unlink()


def _refresh_copies(root: Path, pages_dir: Path, table: RouteTable, out_dir: Path, manifest: dict[str, Any],
                    public_dir: Path | None) -> None:
    """A reused production build: its copies of the pages folder's files (Python, and the files it
    reads) and of the public folder follow the sources (they are no input of the bundle, and only a
    deploy without ``pages/`` or ``public/`` reads them). Left as they are where the build cannot be
    written (a read-only image serving with its ``pages/``)."""
    section = _python_section(root, pages_dir, table)
    listing = public_listing(public_dir)
    public = public_section(listing)
    if python_current(out_dir, manifest, section) and public_current(out_dir, manifest, public):
        return
    try:
        copy_python(pages_dir, out_dir, section)
        copy_public(listing, out_dir)
        manifest.update(python=section, public=public)
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    except OSError:
        pass  # this server reads pages/ itself; a deploy without it is refused, naming the copy missing


def _dotted_pages(table: RouteTable) -> list[list[str]]:
    """The URL shapes of the pages whose last segment may hold a dot (``[slug]``, a catch-all, a name
    such as ``v1.2``): the browser's router tells a page at /blog/v1.2 from a file such as
    /report.pdf by them, and navigates to the page client-side. In the manifest, for the document
    (``Renderer``): in each page's module, adding such a page would change every page's hash."""
    dotted = {shape for spec in table.pages for shape in spec.shapes
              if shape and (shape[-1] in ("?", "*") or "." in shape[-1])}
    return [list(shape) for shape in sorted(dotted)]


def _loading_pages(table: RouteTable) -> list[list[Any]]:
    """``[shape, page id or None]`` in match order: the URL shapes of the pages under a ``loading.pyxl``
    (their id), and of the pages without one that a URL of theirs would match first (None). The
    router shows the first fit's loading state while a navigation's data is on its way (empty: no
    app without a ``loading.pyxl`` pays for it)."""
    loading = [shape for spec in table.pages if table.loading(spec.file) for shape in spec.shapes]
    found: list[list[Any]] = []
    for spec in table.pages:
        wrapped = bool(table.loading(spec.file))
        for shape in spec.shapes:
            if wrapped or any(_overlap(shape, other) for other in loading):
                found.append([list(shape), page_id(spec.file) if wrapped else None])
    while found and found[-1][1] is None:  # nothing after them to shadow
        found.pop()
    return found


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether some URL fits both shapes ('=name', '?' one segment, '*' the rest, one or more)."""
    for i in range(max(len(a), len(b))):
        x, y = a[i] if i < len(a) else None, b[i] if i < len(b) else None
        if x == "*" or y == "*":
            return x is not None and y is not None
        if x is None or y is None:
            return False
        if x != "?" and y != "?" and x != y:
            return False
    return True


def _error_boundary(table: RouteTable, pages_dir: Path, file: PurePosixPath) -> list[Any] | None:
    """``[position, path]`` of the error page the browser shows when the page throws there.

    The nearest ``error.pyxl``, as the server renders for the page, placed inside the layouts and
    templates the server renders it in (those of its folder and above; ``position``: how many
    entries of ``chain(file)`` wrap it). None (an error page itself, or no ``error.pyxl``): the
    built-in message, inside every layout.
    """
    special = table.nearest(file, "error")
    if special is None or special == file:
        return None
    depth = len(special.parent.parts)
    return [sum(len(f.parent.parts) <= depth for _, f in table.chain(file)), str(pages_dir / special)]


def _showing(table: RouteTable, file: PurePosixPath) -> list[PurePosixPath]:
    """The pages that show ``file``: itself when it is a page, else those its layout or template
    wraps (none for an error page: which pages it will show is not known before they fail)."""
    return [spec.file for spec in table.pages
            if spec.file == file or any(wrapper == file for _, wrapper in table.chain(spec.file))]


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def page_id(file: PurePosixPath) -> str:
    return file.with_suffix("").as_posix()


@dataclass(frozen=True)
class _Page:
    """What an error located in a compiled page is mapped back with."""

    lines: list[str]  # the .pyxl's own lines (its compiled client module keeps them in place)
    insert: Insert | None  # the props type the compiler wrote into the component's line
    lang: str


def _format(error: dict[str, Any], root: Path, pages: dict[str, _Page] | None = None) -> str:
    """``file:line:column: text``, the source line (with a caret under the column when known), a hint.

    In a page, the line and column are the ``.pyxl``'s own (not those of the props type the compiler
    added), and a syntax error reads as ``pyxle check`` says it: TypeScript in a page without the TSX
    marker gets the hint that names the marker. So does one in a module a page imports
    (``components/Card.jsx``), TypeScript in a ``.jsx`` file getting the hint that names the extension.
    """
    file, line, column = error.get("file"), error.get("line"), error.get("column")
    text, line_text, hint = str(error.get("text")), error.get("lineText"), error.get("hint")
    page = (pages or {}).get(str(file))
    if page is not None and line:
        line_text = page.lines[line - 1] if 0 < line <= len(page.lines) else line_text
        column = page.insert.column_before(line, column) if page.insert is not None and column else column
    text, client_hint = import_error(text, root, line_text or "")
    hint = client_hint or hint
    if error.get("syntax"):
        text = f"JSX syntax error: {text}"
        lang = page.lang if page is not None else module_lang(str(file))
        hint = jsx_syntax_hint(lang, line_text or "", page=page is not None, message=str(error.get("text")))
    if file:
        try:
            file = Path(file).relative_to(root).as_posix()
        except ValueError:
            pass
        where = ":".join(str(part) for part in (file, line, line and column) if part)
        text = f"{where}: {text}"
        if line and line_text:
            text += f"\n    {line_text}"
            if column:
                text += f"\n    {' ' * max(column - 1, 0)}^"
    if hint:
        text += f"\n    hint: {hint}"
    return text
