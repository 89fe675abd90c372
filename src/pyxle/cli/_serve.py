"""Running the app on the network with granian, the server picked by measurement.

On the seed's /api/hello, granian served Pyxle about 2.3x faster than uvicorn on the same
machine (docs/benchmarks.md). Workers are processes that each build the app from the
environment (``pyxle.app:worker_app``), so state is per process. The main process supervises
them: a worker that dies is started again, however many there are, and the server itself keeps
running (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyxle._redis import CHECKED as REDIS_CHECKED
from pyxle._tmpdirs import own_dir, release, remove_abandoned
from pyxle.app import LimitError, Limits
from pyxle.app._access import json_line
from pyxle.app._app import STARTED_FILE
from pyxle.app._heartbeat import HEARTBEAT_DIR, watch, watch_edits

if TYPE_CHECKING:
    from pyxle.cli._devreload import DevReload

__all__ = ["BindError", "LimitError", "Limits", "log_config", "reserve_port", "resolve_host", "run", "url_host"]

WORKER_FACTORY = "pyxle.app:worker_app"
logger = logging.getLogger("pyxle")
RUN_PREFIX = "pyxle-run-"  # the server's run folder in the temporary folder: heartbeats, the started file
FD_RESERVE = 256  # file descriptors a worker keeps for everything but connections (pipes, files, databases)
FD_CAP = 1 << 20  # connections per worker when the open-file limit is unlimited
FD_LOW = 1024  # an open-file limit below this is warned about at start


class BindError(Exception):
    """The address cannot be bound (in use, not permitted, not local)."""


def resolve_host(host: str, setting: str = "--host") -> str:
    """The address to bind for ``host``: an address is its own, a name is looked up once and its
    first address taken (``getaddrinfo``, as asyncio and uvicorn bind a name). granian binds
    addresses only: a name reached it as a traceback. ``setting``: where the host was given, to
    name in the error when it does not resolve."""
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        reason = exc.strerror or str(exc)
    except UnicodeError:  # a label over 63 characters cannot be encoded for the lookup
        reason = "not a valid host name"
    else:
        if found:
            return str(found[0][4][0])
        reason = "no address"
    raise BindError(f'{setting} "{host}" does not resolve to an address ({reason}); hint: give an address of '
                    "this machine, such as 127.0.0.1 or 0.0.0.0, or a name it resolves (in /etc/hosts)")


def url_host(address: str) -> str:
    """``address`` as it stands in a URL: an IPv6 one in brackets (``http://[::1]:8000``)."""
    return f"[{address}]" if ":" in address else address


def reserve_port(host: str, port: int, host_setting: str = "--host") -> tuple[int, socket.socket | None]:
    """Check the address is free ("port in use" is one clear line), then hold it for the server's
    whole life: the port (0 becomes a free one) and the socket holding it, to close once stopped.

    granian binds the port (with ``SO_REUSEPORT``) only as the server starts, once the project is
    built and checked. A port only checked would be free again until then: another server started
    meanwhile (two deploys, two ``--port 0`` test servers) would be told so too, both would listen,
    and the kernel would split the connections between two apps. The holder never listens, so no
    connection reaches it; having ``SO_REUSEPORT`` and not ``SO_REUSEADDR``, it lets the server's
    socket join and makes every other server's check fail, and the kernel gives its port to no one
    else.

    The check has ``SO_REUSEADDR``, as the server's own socket: connections of the previous run in
    TIME-WAIT do not make a port look taken. Where such connections keep a holder without it out
    (a previous server that was not granian), the holder takes ``SO_REUSEADDR`` too.

    ``host`` is an address (``resolve_host``); an address that is not this machine's is named with
    ``host_setting``, where it was chosen.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as check:
        check.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            check.bind((host, port))
        except OSError as exc:
            raise BindError(_bind_problem(exc, host, port, host_setting)) from None
        port = check.getsockname()[1]
    if not hasattr(socket, "SO_REUSEPORT"):  # Windows: granian's one shared socket; the check is all there is
        return port, None
    holder = socket.socket(family, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        holder.bind((host, port))
    except OSError:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind((host, port))
        except OSError:
            holder.close()
            raise BindError(f"{url_host(host)}:{port} is already in use; choose another with --port") from None
    return port, holder


def _bind_problem(exc: OSError, host: str, port: int, host_setting: str) -> str:
    """Why ``host:port`` cannot be bound, with the setting to change: the port when it is taken or
    not permitted, the host when it is no address of this machine."""
    where = f"{url_host(host)}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"{where} is already in use; choose another with --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"{where} cannot be bound ({exc.strerror}): {host} is not an address of this machine; "
                f"choose another with {host_setting}, such as 127.0.0.1 or 0.0.0.0")
    return f"{where} cannot be bound ({exc.strerror}); choose another with --port"


def connection_limit() -> int:
    """Connections each worker may hold open at once: what its open-file limit allows, less a reserve.

    Idle keep-alive connections count, so granian's default (1024 per server) let a thousand idle
    clients lock everyone else out. The soft limit is raised to the hard one first (granian does
    the same as it loads); idle connections are closed after the keep-alive timeout, and the work
    that is expensive (renders) has its own bounded queue. The reserve is a quarter of a small
    limit (256 left 64 connections of 256 files), and a small limit is logged with how to raise it.
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return FD_CAP
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FD_CAP if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (OSError, ValueError):  # macOS refuses more than its own cap (OPEN_MAX) for an unlimited hard one
            pass
    files = FD_CAP if soft == resource.RLIM_INFINITY else min(soft, FD_CAP)
    connections = max(1, files - min(FD_RESERVE, files // 4))
    if files < FD_LOW:
        logger.warning("the open-file limit is %d, so each worker accepts at most %d connections at once; raise it "
                       "where pyxle is started (ulimit -n 65536 in its shell, LimitNOFILE=65536 in its systemd unit, "
                       "docker run --ulimit nofile=65536)", files, connections)
    return connections


class TextFormatter(logging.Formatter):
    """Text logs: a record's line, then its traceback and, for a stuck worker's (``_heartbeat``),
    the stacks of its threads, as Python writes them. Its time is UTC with a ``Z``, as the access
    line's beside it (``2026-12-05T12:58:05.268Z``): local time with no zone was a second clock."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        threads = getattr(record, "threads", None)
        return f"{line}\n{threads}" if threads else line


class JsonFormatter(logging.Formatter):
    """``--log-format json``: one JSON object per record, the traceback, a ``stack_info=True``
    stack and a stuck worker's threads (``_heartbeat``) as string fields; records made while a
    request is handled carry its ``request_id``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),  # UTC, as access lines
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        threads = getattr(record, "threads", None)
        if threads:
            entry["threads"] = threads
        return json_line(entry)  # the access log's format: compact, ASCII only


def json_formatter() -> JsonFormatter:
    """The JSON logs' formatter, made as each process (the server's, every worker's) configures its
    logging: Python's warnings go through logging there too (``py.warnings``), as records of the
    same JSON, since ``warnings`` writes its own plain-text lines to stderr otherwise."""
    logging.captureWarnings(True)
    return JsonFormatter()


class SaidAlready(logging.Filter):
    """granian's "ASGI lifespan startup failed" without the traceback of a middleware's failed
    start-up: Pyxle said it already, in one message naming the file and line (``fail_start``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from pyxle.app._middleware import MiddlewareLoadError

        if record.exc_info and isinstance(record.exc_info[1], MiddlewareLoadError):
            record.exc_info = None
        return True


def log_config(json_format: bool = False, level: str = "INFO") -> dict[str, Any]:
    """Pyxle's, the app's and the server's records to stderr, each tagged with the id of the request
    it was logged in (the access log writes to stdout itself, see app._access). Each logger has a
    dict of its own: granian sets ``loggers['_granian']['level']`` in it (see ``run``), in every worker."""

    def default() -> dict[str, Any]:
        return {"handlers": ["default"], "level": level, "propagate": False}

    text = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "pyxle.observability.RequestIdFilter"}, "said": {"()": SaidAlready}},
        "formatters": {
            "default": {"()": json_formatter} if json_format else {"()": TextFormatter, "fmt": text},
        },
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr",
                        "filters": ["request_id"]},
        },
        "loggers": {
            "_granian": {**default(), "filters": ["said"]},
            # granian's notes on a peer that left (a WebSocket dropped without a close frame: "Failed
            # to close websocket ... Broken pipe"; a stream the client closed: "ASGI transport error")
            # are INFO lines with no path or request id, one per lost mobile connection: shown at DEBUG.
            "_granian.asgi.io": {**default(), "level": level if level == "DEBUG" else _at_least(level, "WARNING")},
            "granian.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "pyxle": default(),
            # what the app prints, in JSON (app._printed): shown whatever the level, as printed in text
            "print": {**default(), "level": "DEBUG"},
        },
        "root": {"handlers": ["default"], "level": level},  # the app's own loggers
    }


def _at_least(level: str, floor: str) -> str:
    return level if logging.getLevelName(level) >= logging.getLevelName(floor) else floor


def run(host: str, port: int, *, workers: int = 1, json_logs: bool = False, log_level: str = "INFO",
        limits: Limits | None = None, dev: DevReload | None = None) -> None:
    """Serve the project exported to the environment (see ``pyxle.cli``) until interrupted.
    ``dev`` (``pyxle dev``): what a reload asked for by the worker applies first (``_devreload``).

    HTTP/1.1 only (WebSockets included): in granian's automatic mode a connection that never sends
    a byte waits forever for its protocol to be detected, outside every timeout. Behind a proxy,
    and without TLS here, HTTP/2 would only be cleartext h2c anyway.
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    from pyxle.cli._granian import PyxleServer

    limits = limits or Limits()
    settings = {
        "factory": True, "interface": Interfaces.ASGI, "address": host, "port": port, "workers": workers,
        "websockets": True, "log_dictconfig": log_config(json_logs, log_level), "http": HTTPModes.http1,
        "log_level": LogLevels(log_level.lower()),  # granian's own lines ("Spawning worker-1") follow logLevel too
        "http1_settings": HTTP1Settings(header_read_timeout=max(1, round(limits.keep_alive_timeout * 1000))),
        "backpressure": connection_limit(), "respawn_failed_workers": True,
        "workers_kill_timeout": limits.shutdown_timeout, "stop_grace": dev_stop_grace(limits, os.environ, dev),
    }
    remove_abandoned(RUN_PREFIX, "run folder")
    run_dir = own_dir(RUN_PREFIX)
    try:
        with _watching_workers(Path(run_dir), limits, dev):
            started_file = Path(run_dir) / "started"
            os.environ[STARTED_FILE] = str(started_file)  # workers touch it once their app has started
            if dev is not None:
                dev.report_to(Path(run_dir) / "dev-report")  # why an edited setting was refused, for the browsers
            _supervise(lambda: PyxleServer(WORKER_FACTORY, **settings), started_file, dev)
    finally:
        release(run_dir)


# pyxle dev: seconds the workers have after Ctrl-C before they are killed, as other dev servers stop
# at once: a worker whose loop is stuck (a `while True` in a loader) or a request that never ends
# is the developer's own, and waiting the shutdown timeout (10 s) for it only held the terminal.
DEV_STOP_GRACE = 1.0


def dev_stop_grace(limits: Limits, environ: Mapping[str, str], dev: DevReload | None) -> float | None:
    """How long ``pyxle dev``'s workers have after a stop signal: ``DEV_STOP_GRACE``, or the
    shutdown timeout that ``PYXLE_SHUTDOWN_TIMEOUT`` sets; None for ``pyxle serve`` (its deadline)."""
    if dev is None:
        return None
    return limits.shutdown_timeout if (environ.get("PYXLE_SHUTDOWN_TIMEOUT") or "").strip() else DEV_STOP_GRACE


@contextlib.contextmanager
def _watching_workers(run_dir: Path, limits: Limits, dev: DevReload | None) -> Iterator[None]:
    """``pyxle serve``: replace a worker whose event loop is stuck (``pyxle.app._heartbeat``).
    ``pyxle dev``: only once a source file was saved after it stopped, since a loop held at a
    breakpoint is the developer's doing; its worker, which watches the files, cannot see that edit."""
    folder = run_dir / "heartbeats"
    folder.mkdir()
    os.environ[HEARTBEAT_DIR] = str(folder)
    stop = threading.Event()
    if dev is None:
        args: tuple[Any, ...] = (folder, limits.worker_timeout, stop)
        target: Callable[..., None] = watch
    else:
        from pyxle.app._reload import edited_since

        def edited(since: float) -> list[str]:
            config = dev.applied_settings.config  # its buildDir and distDir as last applied
            return edited_since(dev.root, (config.build_path, config.dist_path), since)

        args, target = (folder, dev.root, edited, stop, limits.worker_timeout), watch_edits
    watcher = threading.Thread(target=target, args=args, name="pyxle-heartbeats", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def _supervise(make_server: Any, started_file: Path, dev: DevReload | None = None) -> None:
    """Run granian, and start its workers again whenever they all keep dying, with a growing pause,
    until a signal asks the server to stop. A server whose app never started in any worker (a
    plugin that fails to start, say) stops instead: starting it again would fail the same way."""
    delay, check = 0.5, ReloadCheck()
    try:
        while True:
            server = make_server()
            # granian installs it as the SIGHUP handler
            server.signal_handler_reload = (checked_reload(server, check) if dev is None
                                            else dev_reload(server, dev, started_file, check))
            started = time.monotonic()
            try:
                server.serve()
                return
            except SystemExit as exc:
                # granian stops when a worker dies again within seconds of being restarted.
                if server.interrupt_signal or not exc.code:
                    raise
                if not started_file.exists():
                    logger.error("the app failed to start in every worker; the server stops")
                    raise
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)
            logger.error("server workers keep exiting; starting them again in %gs", delay)
            sys.stderr.flush()
            server.main_loop_interrupt.clear()
            if server.main_loop_interrupt.wait(delay) and server.interrupt_signal:
                return
    finally:
        check.end()


CHECK_WORKER = "from pyxle.cli._main import check_worker; check_worker()"
CHECK_GRACE = 5.0  # seconds a stopped check has to discard its staged build before it is killed


class ReloadCheck:
    """The process checking a reload (``CHECK_WORKER``), in a process group of its own that the
    server's stop ends: left running, it outlived the server by seconds and could still put its
    build in place of the served one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._ended = False

    def run(self, timeout: float = 600) -> subprocess.CompletedProcess[str] | None:
        """The check's result; None when the server stopped before or while it ran."""
        with self._lock:
            if self._ended:
                return None
            process = self._process = subprocess.Popen(
                [sys.executable, "-c", CHECK_WORKER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end_group(process)
            raise
        if self._ended:
            return None
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def end(self) -> None:
        """The server stops: end the running check, if any, and start no other."""
        with self._lock:
            self._ended = True
            process = self._process
        if process is not None:
            _end_group(process)


def _end_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM to ``process``'s group (the check discards its staged build as it exits, and its
    Node processes go with it); SIGKILL if it is still there after ``CHECK_GRACE``."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(CHECK_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def checked_reload(server: Any, check: ReloadCheck) -> Callable[..., None]:
    """SIGHUP: start new workers with the project as it is now, then stop the old ones, but only
    once the project is known to load. granian alone replaces every worker even when the new ones
    exit at once (a syntax error deployed), which takes the site down; this first builds the app
    in a separate process as a worker would (a stale build is built then) and refuses the reload,
    naming the problem, if that fails. The old workers keep serving meanwhile."""
    checking = threading.Lock()

    def check_then_reload() -> None:
        try:
            result = check.run()
            if result is None:  # the server stops
                return
            if result.returncode == 0:
                _adopt_checked(result.stdout)
                _start_reload(server)
                return
            logger.error("reload refused, the running workers keep serving: %s", refusal(result.stderr, result.returncode))
        except subprocess.TimeoutExpired:
            logger.error("reload refused, the running workers keep serving: loading the project took over 600s")
        finally:
            checking.release()

    def on_hangup(*args: Any) -> None:
        if os.getpid() != server.pid:  # a worker, which inherited the handler: the group got the signal
            return
        if not checking.acquire(blocking=False):
            logger.info("SIGHUP: a reload is already being checked")
            return
        logger.info("SIGHUP: checking that the project loads before replacing the workers")
        threading.Thread(target=check_then_reload, name="pyxle-reload-check", daemon=True).start()

    return on_hangup


def refusal(stderr: str, code: int) -> str:
    """Why a reload check failed: its own ``pyxle: ...`` error, without what was printed before it
    (a warning of a library the project imports), else all it printed."""
    text = stderr.strip()
    at = text.rfind("\npyxle: ")
    return (text[at + 1 :] if at >= 0 else text or f"exit code {code}").removeprefix("pyxle: ")


def dev_reload(server: Any, dev: DevReload, started_file: Path, check: ReloadCheck) -> Callable[..., None]:
    """``pyxle dev``'s SIGHUP, sent by its worker when ``pyxle.config.json`` or a ``PYXLE_*`` setting
    of a ``.env`` file changed: ``checked_reload``, after the config loads here (``DevReload``), then
    the log says so once the new worker has started. A SIGHUP while a reload is being checked
    (another save) is checked again after it, so the last edit is the one applied."""
    checking, again = threading.Lock(), threading.Event()

    def check_then_reload() -> None:
        again.clear()
        try:
            if not dev.prepare():
                return
            dev.export(os.environ)  # the check and the new worker inherit it
            result = check.run()
            if result is None:  # the server stops
                return
            if result.returncode != 0:
                dev.refused(refusal(result.stderr, result.returncode))
                return
            _adopt_checked(result.stdout)
            if _replace_workers(server, started_file):
                dev.applied()
            else:
                logger.error("the new worker has not started after 120s; its errors are above")
        except subprocess.TimeoutExpired:
            dev.refused("loading the project took over 600s")
        finally:
            checking.release()
            if again.is_set():
                on_hangup()

    def on_hangup(*args: Any) -> None:
        if os.getpid() != server.pid:  # a worker, which inherited the handler
            return
        if not checking.acquire(blocking=False):
            again.set()
            return
        threading.Thread(target=check_then_reload, name="pyxle-dev-reload", daemon=True).start()

    return on_hangup


def _adopt_checked(output: str) -> None:
    """The Redis URLs the reload check found answering (its last line, see ``check_worker``):
    workers started from now on, by the reload or later in place of one that died, count on them
    without asking (``pyxle._redis.checked_at_start``)."""
    for line in reversed(output.splitlines()):
        name, _, value = line.partition("=")
        if name == REDIS_CHECKED:
            os.environ[REDIS_CHECKED] = value
            return


def _start_reload(server: Any) -> None:
    """Have granian replace its workers; each old one is told as its successor takes connections
    (``PyxleServer._respawn_workers``)."""
    server.reload_signal = True
    server.main_loop_interrupt.set()


def _replace_workers(server: Any, started_file: Path, timeout: float = 120) -> bool:
    """Have granian replace its workers; whether, within ``timeout``, a new one has started its app
    (it touches ``started_file``) and the old ones have stopped. granian keeps an old worker
    serving a few seconds after its successor was spawned, and the two share the port meanwhile."""
    def touched() -> int:
        try:
            return started_file.stat().st_mtime_ns
        except OSError:
            return 0

    before, old = touched(), list(server.wrks)
    _start_reload(server)
    deadline = time.monotonic() + timeout
    while touched() == before or any(worker.is_alive() for worker in old):
        if time.monotonic() > deadline or server.interrupt_signal:
            return False
        time.sleep(0.05)
    return True
