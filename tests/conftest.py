"""Shared fixtures: real `pyxle` server processes on loopback, and throwaway projects."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
NODE_MODULES = REPO / "tests" / "node" / "node_modules"  # installed by scripts/test.sh (React 19)
NODE_MODULES_REACT18 = REPO / "tests" / "node-react18" / "node_modules"  # the same with React 18


def link_node_modules(project: Path, modules: Path = NODE_MODULES) -> None:
    """Give a test project the npm packages a pages project installs with `pyxle install`."""
    assert (modules / "react-dom").is_dir(), f"run scripts/test.sh once: it installs {modules}"
    (project / "node_modules").symlink_to(modules, target_is_directory=True)
# Servers that share state (--workers N, Redis) refuse to start without a key, as real ones must.
SHARED_SECRET = {"PYXLE_SECRET_KEY": "test-only-secret-key-shared-by-every-worker"}
_BANNER = re.compile(r"pyxle (?:serve|dev): http://([\d.:\[\]a-z]+):(\d+)")


# The process groups this test process started (leader pid -> process): killed at the session's end
# and at exit, whatever ended the run (a test that never reached its teardown, Ctrl-C).
_SPAWNED: dict[int, subprocess.Popen] = {}
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child is sent SIGKILL when ``parent``, the test process, dies, even by
    SIGKILL (no teardown or atexit runs then). Everything a ``pyxle`` server starts (granian's
    workers, Node renderers, the bundler) exits with it."""

    def preexec() -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before the line above took effect
            os._exit(1)

    return preexec


def spawn(command: Sequence[str], **kwargs: Any) -> subprocess.Popen:
    """``subprocess.Popen(command, **kwargs)`` in a process group of its own, which dies with the
    test run: killed by ``reap`` (the session's end, exit), and by the kernel when this process dies.

    The parent-death signal fires when the *thread* that started the child ends, so a child started
    from another thread gets none (its group is still reaped at the session's end and at exit)."""
    main = threading.current_thread() is threading.main_thread()
    # preexec_fn is unsafe where a lock held by another thread is needed in the child: this one
    # takes none (two system calls through a function resolved beforehand).
    proc = subprocess.Popen(command, start_new_session=True,  # type: ignore[call-overload]
                            preexec_fn=_die_with(os.getpid()) if main else None, **kwargs)  # noqa: PLW1509
    _SPAWNED[proc.pid] = proc
    return proc


def reap() -> None:
    """SIGKILL the group of every process ``spawn`` started that is still running."""
    for pid, proc in list(_SPAWNED.items()):
        if proc.poll() is None:  # its leader runs, so the group id is still this one's
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        del _SPAWNED[pid]


atexit.register(reap)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The session's end: no server outlives it, whichever test or fixture forgot one."""
    reap()


def ssr_bundle(build: Path) -> Path:
    """The SSR bundle of the build in ``build`` (its name is hashed: the manifest names it)."""
    return build / json.loads((build / "manifest.json").read_text())["ssrBundle"]


def pyxle_command() -> list[str]:
    """The installed ``pyxle`` command, as users run it. (``python -m pyxle`` would put the current
    folder on ``sys.path`` and hide a project module that only imports from there.)"""
    script = Path(sys.executable).with_name("pyxle")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pyxle"]


class Server:
    """A running ``pyxle`` process; ``url`` is its base URL, ``output()`` everything it printed."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], prefix: Sequence[str] = ()) -> None:
        self.args = args
        self.proc = spawn(
            [*prefix, *pyxle_command(), *args],  # prefix: a command it runs under (setpriv)
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self._port_found = threading.Event()
        self.url = ""
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if not self.url and (m := _BANNER.search(line)):
                self.url = f"http://{m.group(1)}:{m.group(2)}"
                self._port_found.set()
        self._port_found.set()

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[len("http"):]

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_output(self, text: str, timeout: float = 10) -> str:
        """Everything printed so far, once ``text`` is in it: a log line written just before a
        response can reach this process's reader after the response reaches the test."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert time.monotonic() < deadline, f"{text!r} not in the output after {timeout}s:\n{self.output()}"
            time.sleep(0.05)
        return self.output()

    def wait_ready(self, timeout: float = 30) -> None:
        self._port_found.wait(timeout)
        if not self.url:
            raise RuntimeError(f"server did not start: {self.args}\n{self.output()}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.output()}")

    def wait_exit(self, timeout: float = 30) -> int:
        """The exit code, once everything the process printed has been read."""
        code = self.proc.wait(timeout)
        self._drainer.join(timeout)
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


_SERVERS = pytest.StashKey[list[Server]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test's report carries what its servers printed: a failure seen once in CI can
    then be read, not only guessed at."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed:
        # The test's own servers, and those its fixtures hold (a module's shared server).
        held = [value for value in getattr(item, "funcargs", {}).values() if isinstance(value, Server)]
        servers = dict.fromkeys([*item.stash.get(_SERVERS, []), *held])
        for n, server in enumerate(servers, 1):
            report.sections.append((f"pyxle server {n} output", _ends(server.output())))


def _ends(text: str, head: int = 8_000, tail: int = 16_000) -> str:
    """A long output's start and end: where a fault began, and what it ended in (tracebacks
    repeated while granian restarted workers filled the last 20,000 characters, hiding the cause)."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n[... {len(text) - head - tail} characters left out ...]\n{text[-tail:]}"


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYXLE_")}
    # No empty entry: one (a trailing ":") would add the current folder to sys.path by accident.
    paths = [str(REPO / "src"), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@pytest.fixture
def start_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator:
    """``start_server(project, "serve", "--workers", "2", env={...}, ready=True)`` -> Server."""
    servers: list[Server] = []
    request.node.stash[_SERVERS] = servers  # shown with the test's report if it fails

    def start(project: Path, command: str = "serve", *args: str, env: dict[str, str] | None = None,
              ready: bool = True) -> Server:
        cwd = project if project.is_dir() else project.parent if project.parent.is_dir() else REPO
        server = Server([command, str(project), "--host", "127.0.0.1", "--port", "0", *args], cwd,
                        server_env(**(env or {})))
        servers.append(server)
        if ready:
            server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def make_project(tmp_path: Path):
    """``make_project({"pages/api/hello.py": "...source..."})`` -> project folder (sources dedented)."""

    def make(files: dict[str, str], name: str = "app", *, node: bool = False) -> Path:
        return write_project(tmp_path / name, files, NODE_MODULES if node else None)

    return make


def write_project(root: Path, files: Mapping[str, str], modules: Path | None = NODE_MODULES) -> Path:
    """``files`` (path in the project -> source, dedented) written under ``root``, with a ``pages/``
    folder and, unless ``modules`` is None, the npm packages linked in."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (root / "pages").mkdir(parents=True, exist_ok=True)
    if modules is not None:
        link_node_modules(root, modules)
    return root


@contextmanager
def serving(project: Path, *args: str, command: str = "serve", env: Mapping[str, str] | None = None,
           timeout: float = 120) -> Iterator[Server]:
    """``pyxle <command> <project> *args`` on a free loopback port, ready, for the ``with`` block:
    the shape of a module fixture that serves one project to all of its tests."""
    server = Server([command, str(project), "--host", "127.0.0.1", "--port", "0", *args], project,
                    server_env(**(env or {})))
    try:
        server.wait_ready(timeout)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo app under `pyxle serve`, on a copy with its own fresh SQLite file."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("data", "__pycache__", "node_modules", ".pyxle-build", "dist"))
    link_node_modules(root)
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root,
                    server_env(DEMO_DB_PATH=str(root / "data" / "test.sqlite3")))
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright (no browser download).

    Module-scoped: Playwright's sync API keeps an event loop running in the main thread, which
    would break ``asyncio.run`` in the tests that follow.
    """
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Chromium is missing: scripts/test.sh installs Debian's chromium package"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


class PageWatch:
    """A browser page that records console messages, page errors and failed responses."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.messages: list[tuple[str, str, str]] = []
        self.failed: list[tuple[int, str]] = []
        page.on("console", lambda m: self.messages.append((m.type, m.text, m.location.get("url", ""))))
        page.on("pageerror", lambda e: self.messages.append(("pageerror", str(e), "")))
        page.on("response", lambda r: r.status >= 400 and self.failed.append((r.status, r.url)))

    def problems(self) -> list[tuple[str, str]]:
        """Errors, warnings, hydration complaints and failed loads; only the favicon probe is exempt."""
        found = [(kind, f"{text} ({url})" if url else text) for kind, text, url in self.messages
                 if (kind in ("error", "warning", "pageerror") or "hydrat" in text.lower())
                 and not url.endswith("/favicon.ico")]
        return found + [("http", f"{status} {url}") for status, url in self.failed if not url.endswith("/favicon.ico")]

    def hydrated(self) -> None:
        self.page.wait_for_function("window.__PYXLE_ROOT__ !== undefined", timeout=15000)


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    watched = PageWatch(context.new_page())
    yield watched
    context.close()


T = TypeVar("T")


def until(check: Callable[[], T], timeout: float = 30, every: float = 0.1) -> T:
    """``check()``'s value once it is truthy, polled every ``every`` s; fails after ``timeout`` s.
    The bounds are generous: on a loaded machine what must come can take seconds to."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not reached within {timeout}s"
        time.sleep(every)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A real ``redis-server`` on a free loopback port, without persistence.

    ``stop()`` and ``start()`` keep the port, so a test can take Redis away and bring it back.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server")
        assert executable, "redis-server is missing: scripts/test.sh installs Debian's redis-server package"
        self.proc = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One Redis for the session (use a key prefix of your own); tests that stop it use ``start_redis``."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def start_redis(tmp_path: Path) -> Iterator:
    """``start_redis()`` -> a RedisServer of the test's own, stopped at the end."""
    servers: list[RedisServer] = []

    def start() -> RedisServer:
        server = RedisServer(tmp_path)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
