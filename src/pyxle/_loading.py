"""Importing a user's source file as a module, with errors that name the file and line."""

from __future__ import annotations

import ast
import hashlib
import importlib
import logging
import os
import sys
import sysconfig
import traceback
import weakref
from collections.abc import Iterable
from pathlib import Path
from types import CodeType, ModuleType

from pyxle import _deep

_PYXLE = Path(__file__).resolve().parent  # frames of Pyxle itself are never the user's
STARTUP_NOTED = "PYXLE_STARTUP_NOTED"  # set for the server's workers by the CLI, which printed the notes
_RAN: weakref.WeakKeyDictionary[ModuleType, str | bytes] = weakref.WeakKeyDictionary()  # module -> the source it ran
_RAN_CODE: weakref.WeakKeyDictionary[ModuleType, str] = weakref.WeakKeyDictionary()  # module -> ran_code's answer
# file -> (source, its code): pyxle dev runs every module again at each reload, most of them unchanged
_COMPILED: dict[str, tuple[str | bytes, CodeType]] = {}


def startup_note(message: str, *args: object, level: int = logging.WARNING) -> None:
    """A start-up warning (no Node, an open metrics endpoint, a function a route leaves unserved).
    The CLI checks the project before its server workers start, so a worker building the app again
    only logs it at debug level: it is printed once, not once per process."""
    logging.getLogger("pyxle").log(logging.DEBUG if os.environ.get(STARTUP_NOTED) else level, message, *args)


class SourceError(Exception):
    """A user file that cannot be used; ``str()`` is ``file:line: message`` plus a hint."""

    def __init__(self, file: str, line: int | None, message: str, hint: str = "", source_line: str = "") -> None:
        self.file, self.line, self.message, self.hint, self.source_line = file, line, message, hint, source_line
        super().__init__(self.format())

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        if self.source_line.strip():
            text += f"\n    {self.source_line.strip()}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def def_line(obj: object) -> int | None:
    """The line of a function's ``def`` (below its decorators), or of a class; None when unknown.

    A function's is read from its code object and the file's cached lines: ``pyxle dev`` asks for
    every loader and action at each reload, and ``inspect.getsourcelines`` tokenizes each body.
    """
    import inspect
    import linecache

    if isinstance(obj, type):
        try:
            lines, start = inspect.getsourcelines(obj)
        except (TypeError, OSError):
            return None
        return start + next((at for at, line in enumerate(lines) if line.lstrip().startswith("class ")), 0)
    fn = inspect.unwrap(obj) if callable(obj) else obj  # type: ignore[arg-type]
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    lines = linecache.getlines(code.co_filename, getattr(fn, "__globals__", None))
    start = code.co_firstlineno  # a decorated function's first decorator
    if not lines or start > len(lines):
        return None
    if lines[start - 1].lstrip().startswith("@"):  # decorators (of any number of lines) end at the def
        for at in range(start, len(lines)):
            if lines[at].lstrip().startswith(("def ", "async def ")):
                return at + 1
    return start


def entry_error(message: str, where: str, file: str, named: str) -> str:
    """What ``import_string`` raised for the config entry ``where``: one naming nothing (its message
    starts with ``where``) is said with the config ``file`` first and the hint ``named`` (how an entry
    is written); a module that raised reads as its own ``file:line`` already."""
    return f"{file}: {message}\n    hint: {named}" if message.startswith(where) else message


def import_string(spec: str, where: str) -> object:
    """The object named by ``"module.path:attr"`` or ``"module.path.attr"`` (config entries for
    middleware and hooks, plugins' middleware). The dotted form, which 0.4 plugins wrote, imports
    the longest prefix that is a module and looks the rest up on it.

    Raises ``ImportError`` whose message says what went wrong with ``where``: when the module
    itself raised (or a project module it imports did), as ``file:line: ...`` with the source
    line and a hint, the way a route module's import error reads.
    """
    if ":" in spec:
        module_name, _, attr = spec.partition(":")
        if not module_name or not attr:
            raise ImportError(f'{where}: expected "module.path:name"')
        module = _import_module(module_name, where)
    else:
        module, attr = _import_longest(spec, where)
    try:
        target: object = module
        for name in attr.split("."):
            target = getattr(target, name)
        return target
    except AttributeError as exc:
        raise ImportError(f"{where} cannot be imported: {type(exc).__name__}: {exc}") from exc


def located(obj: object, message: str, hint: str, spec: str | None = None) -> str:
    """``message`` as a ``SourceError``'s text: at the file and line that define ``obj`` when they
    are known, else (a plain value such as ``Audit = 42``) where the module ``spec`` names binds it.
    What config entries naming the wrong kind of object (a hook, a middleware) are refused with."""
    import inspect

    try:
        file = inspect.getsourcefile(obj)
    except TypeError:
        file = None
    line = def_line(obj) if file is not None else None
    if file is None and spec is not None:
        file, line = _binding(spec)
    if file is None:
        return f"{message}\n    hint: {hint}"
    return SourceError(_shown(Path(file)), line, message, hint).format()


def binds(fn: object, count: int, *, unknown: bool) -> bool:
    """Whether ``fn`` can be called with ``count`` positional arguments (a config entry's shape);
    ``unknown`` when its signature cannot be read (a builtin)."""
    import inspect

    try:
        inspect.signature(fn).bind(*[None] * count)  # type: ignore[arg-type]
    except TypeError:
        return False
    except ValueError:
        return unknown
    return True


def signature_of(fn: object) -> str:
    """``fn``'s parameters as written (``(request)``), for an error saying what it takes."""
    import inspect

    try:
        return str(inspect.signature(fn))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "other arguments"


def _binding(spec: str) -> tuple[str | None, int | None]:
    """The file of the module ``"module.path:attr"`` names, and the last top-level line binding ``attr``."""
    module_name, _, attr = spec.partition(":")
    file = getattr(sys.modules.get(module_name), "__file__", None)
    if file is None:
        return None, None
    name = attr.split(".")[0]
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return file, None
    lines = [node.lineno for node in tree.body
             if any(isinstance(target, ast.Name) and target.id == name for target in _targets(node))]
    return file, lines[-1] if lines else None


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return [node.target]
    return []


def _shown(path: Path) -> str:
    """``path`` relative to the ``sys.path`` folder it is imported from (the project root for its modules)."""
    for folder in sorted((Path(p).absolute() for p in sys.path if p), key=lambda p: len(p.parts), reverse=True):
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return path.as_posix()


def _import_longest(spec: str, where: str) -> tuple[ModuleType, str]:
    """``"a.b.C"``: the module ``a.b`` (else ``a``) and the rest of the name to look up on it."""
    parts = spec.split(".")
    if len(parts) < 2 or not all(parts):
        raise ImportError(f'{where}: expected "module.path:name"')
    for cut in range(len(parts) - 1, 0, -1):
        name = ".".join(parts[:cut])
        try:
            return _import_module(name, where, missing_ok=True), ".".join(parts[cut:])
        except _Missing:
            continue
    return _import_module(parts[0], where), ".".join(parts[1:])  # raises: the first part is no module


class _Missing(Exception):
    """The module looked for does not exist (not: it exists and failed to import)."""


def _import_module(name: str, where: str, *, missing_ok: bool = False) -> ModuleType:
    try:
        return importlib.import_module(name)
    except (Exception, SystemExit) as exc:  # the module is missing, or raised while it ran
        if missing_ok and isinstance(exc, ModuleNotFoundError) and exc.name \
                and (name == exc.name or name.startswith(exc.name + ".")):
            raise _Missing(name) from exc
        message = f"{where} cannot be imported: {type(exc).__name__}: {exc}"
        found = user_frame(exc)
        if found is None:
            raise ImportError(message) from exc
        file, line, text = found
        raise ImportError(SourceError(file, line, message, import_hint(exc), text).format()) from exc


def import_hint(exc: BaseException, at: str | None = None, defined: Iterable[str] = (), line: str = "") -> str:
    """What to do about a module that failed to import with ``exc`` (raised ``at`` file:line).
    A ``NameError`` in the module's own ``line`` gets the closest of the names it has
    (``defined``, and Python's builtins): ``@sever`` is ``did you mean `@server`?``."""
    if isinstance(exc, NameError) and exc.name and at is None:
        return _undefined_hint(exc.name, defined, line)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.partition(".")[0]
        if top in ("pydantic", "pydantic_core"):  # what Pyxle's validation extra installs: name the extra
            from pyxle.validation import EXTRA_HINT

            return f'no module "{exc.name}" is installed: {EXTRA_HINT}, and add it to requirements.txt'
        return (f'no module "{exc.name}" is installed: pip install the package that provides it and add that '
                f"package to requirements.txt (or, if {top} is meant to be a module of the project, fix its name)")
    if isinstance(exc, SyntaxError):
        return f"fix the syntax error{f' at {at}' if at else ''}; the module must import cleanly"
    if type(exc) is ImportError and exc.name:  # `from json import lods`: the module is there, not the name
        shadowed = _shadowed(exc.name)
        if shadowed:
            return (f"the project's {shadowed} has the name of Python's own module {exc.name}, which the server "
                    f"imported first, so `import {exc.name}` gets Python's: rename {shadowed}")
        return f"check the name imported from {exc.name}"
    return "the module raised at import time; move side effects into the handler or fix the error"


def _installed_folders() -> set[str]:
    """Where Python's own modules and installed packages live: never the user's code."""
    return {sysconfig.get_path(kind) for kind in ("stdlib", "platstdlib", "purelib", "platlib")}


def _shadowed(name: str) -> str | None:
    """The project's own module (``secrets.py``) named as the standard library module ``name`` an
    ``ImportError`` came from: ``from secrets import API_KEY`` found Python's, imported before."""
    if name not in sys.stdlib_module_names:
        return None
    installed = _installed_folders()
    for entry in sys.path:
        folder = Path(entry or ".")
        if str(folder) in installed or "site-packages" in folder.parts or not folder.is_dir():
            continue
        for own in (folder / f"{name}.py", folder / name / "__init__.py"):
            if own.is_file():
                return own.relative_to(folder).as_posix()
    return None


def user_frame(exc: BaseException) -> tuple[str, int | None, str] | None:
    """Where in the user's own code ``exc`` was raised: (file shown relative to the ``sys.path``
    folder it was imported from, such as the project root; line; source line), or None when no
    frame is the user's (the module was not found, or the error is in an installed package)."""
    installed = _installed_folders()
    folders = sorted((Path(p).absolute() for p in sys.path if p), key=lambda p: len(p.parts), reverse=True)
    if isinstance(exc, SyntaxError) and exc.filename:
        frames = [(exc.filename, exc.lineno, exc.text or "")]
    else:
        frames = [(f.filename, f.lineno, f.line or "") for f in traceback.extract_tb(exc.__traceback__)]
    for filename, lineno, text in reversed(frames):
        path = Path(filename)
        if filename.startswith("<") or "site-packages" in path.parts or "dist-packages" in path.parts \
                or any(p and path.is_relative_to(p) for p in installed) or path.is_relative_to(_PYXLE):
            continue
        folder = next((f for f in folders if path.is_relative_to(f)), None)
        return (path.relative_to(folder).as_posix() if folder else filename), lineno, text
    return None


def make_importable(root: Path) -> None:
    """Put the project root on ``sys.path`` so user code can ``from db import ...`` a root module."""
    entry = str(root)
    if entry not in sys.path:
        sys.path.insert(0, entry)


def read_source(path: Path, shown_as: str) -> bytes:
    """A source file's bytes; a SourceError naming it when it cannot be read (a link to a file that
    is gone, a file without read permission), as ``pyxle check``, build and start-up all say it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        dangling = path.is_symlink() and not path.exists()
        hint = ("it is a link to a file that does not exist: remove the link or restore its target" if dangling
                else "make it readable, or move it out of the project")
        raise SourceError(shown_as, None, f"cannot be read ({exc.strerror or exc})", hint) from None


def source_text(path: Path, shown_as: str) -> str:
    """A source file's text, which must be UTF-8 (with or without the byte-order mark that Windows
    editors write, and Python reads past); a SourceError naming the file, the line of the first
    byte that is not, and what to do, when it is not (or cannot be read)."""
    try:
        return read_source(path, shown_as).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        data = exc.object  # (after the mark, if there was one: where exc.start counts from)
        line_start = data.rfind(b"\n", 0, exc.start) + 1  # (everything before the bad byte decodes)
        line, column = data.count(b"\n", 0, exc.start) + 1, len(data[line_start:exc.start].decode("utf-8")) + 1
        raise SourceError(shown_as, line, f"not UTF-8 text ({exc.reason} at column {column})",
                          "save the file as UTF-8: Pyxle reads every source file as UTF-8") from None


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a source file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def import_file(path: Path, module_name: str, *, shown_as: str) -> ModuleType:
    """Execute ``path`` as a fresh module registered as ``module_name`` (replacing any earlier one).

    ``shown_as`` is the path printed in errors (relative to the project, so messages stay short).
    """
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise SourceError(shown_as, None, f"cannot be read: {exc.strerror}") from None
    return exec_module(source, path, module_name, shown_as=shown_as)


def exec_module(
    source: str | bytes, path: Path, module_name: str, *, shown_as: str, preset: dict[str, object] | None = None
) -> ModuleType:
    """Run ``source`` as the module ``module_name`` whose file is ``path``.

    Compiled ``.pyxl`` server code keeps the ``.pyxl``'s line numbers, so naming ``path`` as the
    file makes tracebacks and errors point into the user's own file. ``preset`` names are seeded
    first, so a user's own definition of the same name wins.
    """
    module = ModuleType(module_name)
    module.__file__ = str(path)
    module.__package__ = module_name.rpartition(".")[0]
    folder = path.with_suffix("")
    if folder.is_dir():  # users.py beside users/: the module is that folder's package too, so
        module.__path__ = [str(folder)]  # `from .users._db import` and the folder's own imports work
    if preset:
        vars(module).update(preset)
    previous = sys.modules.get(module_name)
    sys.modules[module_name] = module
    _RAN[module] = source
    try:
        exec(_compiled(source, path, shown_as), vars(module))
    except SourceError:
        _restore(module_name, previous)
        raise
    except SyntaxError as exc:
        _restore(module_name, previous)
        if exc.filename not in (None, str(path)):  # in a module this one imports
            raise _import_error(exc, path, shown_as) from exc
        raise syntax_error(exc, shown_as) from exc
    except (Exception, SystemExit) as exc:
        _restore(module_name, previous)
        raise _import_error(exc, path, shown_as, list(vars(module))) from exc
    return module


def _compiled(source: str | bytes, path: Path, shown_as: str) -> CodeType:
    """``source``'s code object, compiled once while the file's text stays the same."""
    file = str(path)
    known = _COMPILED.get(file)
    if known is not None and known[0] == source:
        return known[1]
    try:
        code = compile(source, file, "exec", dont_inherit=True)
    except RecursionError:  # compiling it, not running it: it names no line (_deep)
        raise too_deep(source, shown_as) from None
    _COMPILED[file] = (source, code)
    return code


def ran_code(module: ModuleType) -> str | None:
    """The hash of the code ``exec_module`` ran as ``module`` (a page's compiled Python, not its
    JSX), None for a module it did not run: ``pyxle dev`` tells by it whose code an edit changed.

    Hashed as its syntax tree, without positions: a page's JavaScript and JSX stand as blank lines
    in its compiled Python (which keeps the ``.pyxl``'s line numbers), so an edit adding a line to
    them moves the Python's lines without changing what it does."""
    known = _RAN_CODE.get(module)
    if known is not None:
        return known
    source = _RAN.get(module)
    if source is None:
        return None
    try:
        shape = ast.dump(ast.parse(source)).encode()
    except (SyntaxError, ValueError, RecursionError, MemoryError, SystemError):
        # It did not run, or its tree is deeper than ast.dump can walk (a chain of 1,000 `+` runs
        # fine), or CPython up to 3.11.7 failed the parse ("AST constructor recursion depth
        # mismatch" when the collector runs in it): its text tells it apart.
        shape = source if isinstance(source, bytes) else source.encode()
    known = _RAN_CODE[module] = content_hash(shape)
    return known


def syntax_error(exc: SyntaxError, shown_as: str) -> SourceError:
    """A user file's own syntax error, as start-up and ``pyxle check`` report it."""
    return SourceError(shown_as, exc.lineno, f"SyntaxError: {exc.msg}",
                       "fix the syntax error; the module must import cleanly", exc.text or "")


def too_deep(source: str | bytes, shown_as: str) -> SourceError:
    """A user file nested too deeply for Python to compile, at the line where it runs out of depth."""
    return SourceError(shown_as, _deep.too_deep_line(source), _deep.MESSAGE, _deep.HINT)


def _import_error(exc: BaseException, path: Path, shown_as: str, defined: Iterable[str] = ()) -> SourceError:
    """The error for ``path`` failing to import: at its own line that raised, and, when the error
    came from a project module it imports, where in that module (the line to fix). ``defined``:
    the names the module had when it raised (for a ``NameError``'s hint)."""
    line, text = _line_in(exc, path)
    message = f"{type(exc).__name__} while importing: {exc}"
    origin = _origin(exc, path, shown_as)
    if origin:
        message += f" (raised at {origin})"
    hint = import_hint(exc, origin.split(": ", 1)[0] if origin else None, defined, text)
    return SourceError(shown_as, line, message, hint, text)


def _undefined_hint(name: str, defined: Iterable[str], line: str) -> str:
    """``did you mean `server`?`` (``@server`` on a decorator's line), or define or import it."""
    import builtins
    import difflib

    known = [n for n in {*defined, *vars(builtins)} if not n.startswith("__")]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    if not close:
        return f"`{name}` is not defined: define or import it"
    decorator = "@" if line.lstrip().startswith(f"@{name}") else ""
    return f"did you mean `{decorator}{close[0]}`?"


def _origin(exc: BaseException, path: Path, shown_as: str) -> str | None:
    """``file:line: source`` of the deepest project frame of ``exc`` outside ``path`` (a helper
    module the route imports), shown relative to the project root; None when it is ``path``."""
    shown = Path(shown_as)
    root = path.parents[len(shown.parts) - 1] if not shown.is_absolute() and len(shown.parts) <= len(path.parents) else None
    if root is None:
        return None
    if isinstance(exc, SyntaxError) and exc.filename:
        where = (exc.filename, exc.lineno, (exc.text or "").strip())
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _in_project(f.filename, root)]
        if not frames:
            return None
        where = (frames[-1].filename, frames[-1].lineno, (frames[-1].line or "").strip())
    filename, lineno, source = where
    if filename == str(path) or not _in_project(filename, root):
        return None
    relative = Path(filename).relative_to(root).as_posix()
    return f"{relative}:{lineno}" + (f": {source}" if source else "")


def _in_project(filename: str, root: Path) -> bool:
    """A file of the project itself, not of a virtualenv kept inside it."""
    return filename.startswith(str(root) + "/") and "site-packages" not in filename


def _restore(name: str, previous: ModuleType | None) -> None:
    if previous is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = previous


def _line_in(exc: BaseException, path: Path) -> tuple[int | None, str]:
    """The deepest traceback line inside ``path``: where the user's file raised."""
    found: tuple[int | None, str] = (None, "")
    target = str(path)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == target:
            found = (frame.lineno, frame.line or "")
    return found
