"""``pyxle dev``: reload the route table in-process when a file under the project changes.

The swap is a single assignment in the router, so in-flight requests finish on the old table.
While an edit leaves the project broken (an API route, a hook), every request gets a 500 naming
the file and line; pages that do not build answer it alone (``PyxleApp.broken_pages``), and the
other pages and the API routes serve.
The settings (``pyxle.config.json``, the ``PYXLE_*`` lines of the ``.env`` files, and all of
their lines when the app has plugins, which read them as they start) are read once, when the app
is built: an edit to them, or one that leaves them unreadable (a ``.env`` line that does not
parse), is handed to the server process, which starts a new worker with them once they load
(``pyxle.cli._devreload``); this worker serves until then. When they do not load, the server
process writes why to a file this worker follows (``DEV_REPORT``), and the
open browsers show it as the overlay until the settings are applied or as they were. The same
goes for the project's modules the middleware and plugins imported (``PyxleApp.held_modules``):
the app holds what they made when it was built, so only a new worker takes an edit to them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.types import Receive, Scope, Send
from watchfiles import Change

from pyxle.app._devevents import DevEvents, error_page
from pyxle.app._devsockets import changed_code, imported_since, restart_sockets, server_code
from pyxle.app._watch import forget_project_modules, in_tool_folder, linked_files, project_changes, source_folders
from pyxle.bundler import BUNDLED_SUFFIXES, file_stamp, is_source_name, read_outside
from pyxle.config import CONFIG_FILENAME
from pyxle.pages._actions import PREFIX as ACTIONS
from pyxle.pages._errors import VARY, error_json

EVENTS_PATH = "/__pyxle/events"
DEV_RELOAD_PID = "PYXLE_DEV_RELOAD_PID"  # set by pyxle dev: its server process, which replaces the worker
DEV_REPORT = "PYXLE_DEV_REPORT"  # set by pyxle dev: the file its server process writes a refused setting's error to
_REPORT_POLL = 0.2  # seconds between looks at that file
_REWATCH = 1.0  # seconds before watching again after the watch itself failed
# A file the app itself keeps writing (a JSON store in the project) never holds still during a
# build: after this many builds in a row left unannounced, the next one is shown anyway.
_MAX_UNANNOUNCED = 5
# A failed build is shown once the sources it read have held still this long after it (seconds):
# a save paused in the middle of its writes fails to compile, and is whole a moment later.
_FAILED_SETTLE = 0.3

if TYPE_CHECKING:
    from pyxle.app._app import PyxleApp

logger = logging.getLogger("pyxle")

# Python, and every file the bundler loads (code, JSON, imported images and fonts, stylesheets);
# the style configs (postcss.config.*, .postcssrc*, tailwind.config.*) by name.
_SOURCES = (".py", *BUNDLED_SUFFIXES)


def _is_source(name: str) -> bool:
    return is_source_name(name, _SOURCES)  # (an editor's lock or backup dot-file is not)


def _is_dotenv(root: Path, file: Path) -> bool:
    """``.env``, ``.env.local``, ``.env.development``...: read again on a reload (see docs/configuration.md)."""
    return file.parent == root and (file.name == ".env" or file.name.startswith(".env."))


@asynccontextmanager
async def watch_routes(app: PyxleApp) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(_watch(app, stop))
    try:
        yield
    finally:
        stop.set()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass  # stopped, as asked
        except Exception:
            logger.exception("the pyxle dev file watcher failed")


def _relevance(root: Path, outputs: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    """Source edits only: not the build's own output (``buildDir``, ``distDir``, wherever they are)."""

    def relevant(change: Change, path: str) -> bool:
        file = Path(path)
        return _is_dotenv(root, file) or (_is_source(file.name)
                                          and not in_tool_folder(root, file)
                                          and not any(file.is_relative_to(out) for out in outputs))

    return relevant


async def _watch(app: PyxleApp, stop: asyncio.Event) -> None:
    from pyxle.bundler import Bundler

    outputs = (app.config.build_path, app.config.dist_path)
    app.bundler = Bundler(app.config.root)  # rebuilds share one warm Node process
    if app.renderer is not None:  # a project with pages: warm it up before the first edit
        app.bundler.start()
    report = os.environ.get(DEV_REPORT)
    follower = asyncio.create_task(_follow_report(Path(report), app.dev_events, stop)) if report else None
    try:
        while not stop.is_set():
            try:
                await _rebuild_on_change(app, stop, outputs)
            except Exception:  # a fault of the watch itself: logged, and the project is watched again
                logger.exception("the pyxle dev file watcher failed; watching the project again")
                await asyncio.sleep(_REWATCH)
    finally:
        if follower is not None:
            follower.cancel()
        app.bundler.close()
        app.bundler = None


async def _rebuild_on_change(app: PyxleApp, stop: asyncio.Event, outputs: tuple[Path, ...]) -> None:
    from pyxle.app._app import StartupError
    from pyxle.app._ssrcheck import start_problem
    from pyxle.ssr import RenderError

    root = app.config.root
    plugins = app.plugins is not None
    settings = _settings(root, plugins)
    handed: list[str] = []  # the files of the last settings edit handed to the server process
    unannounced = 0  # builds in a row not shown because a file changed while they read it
    code = server_code(root)  # what the open WebSockets run, as of the last good build
    every_socket = False  # since that build: a .env file was read again, or a module imported after it edited
    def outside() -> list[Path]:  # what the bundle and the Python modules read outside the project's folders
        return sorted({*read_outside(root, app.config.build_path), *linked_files(root)})

    async for changes in project_changes(root, outputs, _relevance(root, outputs), stop, outside):
        names = sorted({Path(os.path.relpath(p, root)).as_posix() for _, p in changes})  # ../shared/S.jsx outside it
        edited = [name for name in names if name == CONFIG_FILENAME or _is_dotenv(root, root / name)]
        now = _settings(root, plugins) if edited else settings
        held_files = {file.resolve() for file in app.held_modules}  # a linked folder's by its real path, as events name it
        held = sorted({Path(os.path.relpath(p, root)).as_posix() for _, p in changes if Path(p).resolve() in held_files})
        if now != settings or held:
            handed = sorted({*(edited if now != settings else ()), *held})
            _ask_for_new_worker(handed)
            settings = now
            continue
        every_socket = every_socket or imported_since(root, code, (Path(p) for _, p in changes))
        read_from = outside()  # before the modules are forgotten: the shared ones are found through them
        forget_project_modules(root)
        read = _stamps(root, outputs, read_from)
        failed: StartupError | None = None
        unexpected: Exception | None = None
        try:
            if any(_is_dotenv(root, Path(p)) for _, p in changes):
                _reload_env(root)
                every_socket = True
            renderer = app.load_routes()
            await app.swap_renderer(renderer)
        except StartupError as exc:
            failed = exc
        except RenderError as exc:  # the new build's SSR workers did not start (a page reads window as it loads)
            failed = StartupError(start_problem(exc, root, renderer.pool.bundle))
        except Exception as exc:  # noqa: BLE001 - a fault of Pyxle's own: logged with its traceback (below), shown, and the next edit reloads
            failed, unexpected = StartupError(f"{type(exc).__name__}: {exc}"), exc
        saved_since = _stamps(root, outputs, read_from) != read
        if (failed is not None or app.broken_pages) and not saved_since:  # half a save can fail faster than its writer pauses
            await asyncio.sleep(_FAILED_SETTLE)
            saved_since = _stamps(root, outputs, read_from) != read
        if saved_since and unannounced < _MAX_UNANNOUNCED:
            unannounced += 1  # a file changed as the build read it: its own event rebuilds next
            continue
        unannounced = 0
        if failed is not None:
            logger.error("reload failed after change to %s:\n%s", ", ".join(names), failed, exc_info=unexpected)
            app.router.fallback = broken_answer(str(failed), app.dev_events, app.route_table.api_url)
            app.dev_events.broken(str(failed), names)
        else:
            pages = broken_pages(app)
            if pages is None:
                logger.info("reloaded routes after change to %s", ", ".join(names))
            else:
                logger.error("reloaded routes after change to %s; %s", ", ".join(names), pages)
            now_code = server_code(root)
            changed, everything = changed_code(code, now_code)
            restart_sockets(changed, everything or every_socket)
            code, every_socket = now_code, False
            app.dev_events.reloaded(names, pages)
            if app.dev_events.refusal is not None and handed:
                # The server process refused that edit, maybe for a page broken then: the project
                # loads now, so it is tried again (else it waited for another edit of the settings).
                _ask_for_new_worker(handed)


def broken_pages(app: PyxleApp) -> str | None:
    """What the pages that do not build say (``PyxleApp.broken_pages``), as the log and the
    overlay show it, or None when every page builds."""
    if not app.broken_pages:
        return None
    named = ", ".join(app.broken_pages)
    does = "does" if len(app.broken_pages) == 1 else "do"
    return (f"{named} {does} not build and answer{'s' if does == 'does' else ''} this error until an edit fixes "
            f"{'it' if does == 'does' else 'them'}; the other pages and the API routes serve:\n"
            + "\n".join(dict.fromkeys(app.broken_pages.values())))  # a component's error is every page's: once


def start_partly_broken(app: PyxleApp) -> None:
    """An app whose pages, some of them, do not build as it starts: the log and the browsers say
    so (once per server: ``said_once``), and its watch applies the fix."""
    pages = broken_pages(app)
    if pages is None:
        return
    said_once(pages)
    app.dev_events.reloaded([], pages)


SAID = "PYXLE_DEV_SAID"  # a hash of the broken project's error the server process logged as it started


def said_once(message: str) -> None:
    """Log the project's error at start-up once per server: the server process builds the project
    before its worker does, and both find the same error. Said again when it differs."""
    from pyxle._loading import content_hash

    digest = content_hash(message.encode())
    if os.environ.get(SAID) != digest:
        logger.error("%s", message)
    os.environ[SAID] = digest  # the worker inherits it


def start_broken(app: PyxleApp, message: str) -> None:
    """A worker whose pages do not build as it starts (restarted to apply an edit that broke them):
    it serves the error as a failed reload leaves it, overlay and all, and its watch applies the fix."""
    said_once(f"the project does not build; the error shows until an edit fixes it:\n{message}")
    app.router.fallback = broken_answer(message, app.dev_events, app.route_table.api_url)
    app.dev_events.broken(message)


def new_worker_env(values: Mapping[str, str], plugins: bool) -> dict[str, str]:
    """The variables only a new worker applies: the ``PYXLE_*`` settings of the server (not
    ``PYXLE_PUBLIC_*``: a rebuild inlines those), and every one when the app has plugins. Plugins
    read theirs as they start, and restarting them here would close what requests still use (a
    database); a new worker lets the old one finish its requests first."""
    from pyxle.config import PUBLIC_ENV_PREFIX

    return {k: v for k, v in values.items()
            if plugins or (k.startswith("PYXLE_") and not k.startswith(PUBLIC_ENV_PREFIX))}


def _settings(root: Path, plugins: bool) -> tuple[object, object]:
    """What only a new worker applies: the config file's text and the ``.env`` values that
    ``new_worker_env`` names. A config file or a ``.env`` file that cannot be read never compares
    equal, so each such edit goes to the server process, which names its error (file and line) as
    it names a config's that does not load, in place of the one before, while this worker serves."""
    from pyxle.config import ConfigError, load_env_files

    text: object
    try:
        text = (root / CONFIG_FILENAME).read_bytes()
    except FileNotFoundError:
        text = None
    except OSError:
        text = object()
    try:
        values = load_env_files(root, "development", environ={})
    except ConfigError:
        return text, object()
    return text, new_worker_env(values, plugins)


def _stamps(root: Path, outputs: tuple[Path, ...], outside: list[Path] | None = None) -> dict[str, tuple[int, int, int]]:
    """The ``file_stamp`` of every source file, taken before and after a rebuild.

    An editor that saves in place truncates the file, then writes it: a rebuild that reads it in
    between builds an empty module. When anything changed while the rebuild read it, that build is
    not announced; the write's own event is already queued and rebuilds from the finished file.
    (Vite reads an empty file again for the same reason; this covers every file a build reads,
    ``outside`` the project's folders too.) Not ``bundler.source_stamps``, which stamps only what
    the bundle reads: a reload imports the project's Python as well (API routes, helpers), and these
    are the files its watch sees (``source_folders``), so every save it reports is one they show."""
    found = {}
    for folder in source_folders(root, outputs, outside or ()):
        try:
            with os.scandir(folder) as entries:
                names = [entry.path for entry in entries if _is_source(entry.name) and entry.is_file()]
        except OSError:  # a folder that went away is a change of its own, with its own event
            continue
        found.update((name, stamp) for name in names if (stamp := file_stamp(name)) is not None)
    return found


def edited_since(root: Path, outputs: tuple[Path, ...], since: float) -> list[str]:
    """The project's source files (as ``_stamps`` finds them) saved after ``since`` (a ``time.time()``),
    relative to ``root``: the server process's look for an edit while the worker's loop is stuck
    (``pyxle.app._heartbeat.watch_edits``)."""
    after = int(since * 1e9)
    return sorted(Path(path).relative_to(root).as_posix()
                  for path, (_, modified, _) in _stamps(root, outputs).items() if modified > after)


async def _follow_report(file: Path, events: DevEvents, stop: asyncio.Event) -> None:
    """What the server process says of the settings edits this worker handed it: a refusal (the
    error, with its file, line and hint, as the log has it) shows in the browsers; an empty report
    (applied or unchanged) clears it. Each report replaces the file, so a new one is a new inode.
    Only reports written from now on count: one from before was about an earlier worker's edit."""
    seen = file_stamp(file)
    while not stop.is_set():
        await asyncio.sleep(_REPORT_POLL)
        now = file_stamp(file)
        if now == seen or now is None:
            continue
        seen = now
        try:
            text = file.read_text(encoding="utf-8")
        except OSError:
            continue
        if text:
            events.refused(text)
        else:
            events.settled()


def _ask_for_new_worker(edited: list[str]) -> None:
    """Have ``pyxle dev``'s server process load the edited settings and replace this worker."""
    pid = os.environ.get(DEV_RELOAD_PID, "")
    if not pid.isdigit():  # the app runs under another server: nothing here can replace the process
        logger.warning("%s changed: restart the server to use it", ", ".join(edited))
        return
    logger.info("%s changed: loading the project with it in a new worker (this one serves until then)",
                ", ".join(edited))
    os.kill(int(pid), signal.SIGHUP)


def _reload_env(root: Path) -> None:
    """Read the ``.env`` files again: edited values replace what they set before (never the shell's).
    Files that do not load leave the values as they were: they loaded when ``_settings`` read them,
    so they were edited since, and that edit's own event hands them to the server process."""
    from pyxle.config import ConfigError, load_env_files

    try:
        load_env_files(root, "development")
    except ConfigError:
        return


def broken_answer(message: str, events: DevEvents, api_url: Callable[[str], bool]):  # type: ignore[no-untyped-def]
    """While the project is broken: the event stream keeps working, pages show the overlay page,
    everything else gets the error as JSON: an API client's URL (``api_url``: under ``/api/`` or in
    a nested ``api/`` folder's) too, whatever its ``Accept`` says."""

    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == EVENTS_PATH:
            await events(scope, receive, send)
        elif scope["type"] == "http":
            accept = dict(scope["headers"]).get(b"accept", b"")
            page = not api_url(scope["path"])  # a page URL's answers say Vary, as a page's do
            if b"text/html" in accept and page:
                await error_page(message, events.script_policy)(scope, receive, send)
            else:
                body = {"error": "Build failed", "detail": message}
                if scope["path"].startswith(ACTIONS):  # as every action error carries it; an API route's does not
                    body = {"ok": False, **body}
                await error_json(body, 500, VARY if page else None)(scope, receive, send)
        elif scope["type"] == "websocket":
            from starlette.websockets import WebSocketClose

            await WebSocketClose(code=1011)(scope, receive, send)

    return respond
