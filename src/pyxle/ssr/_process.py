"""One Node render worker: its process, the pipe its answers come back on, its console output and
the errors its renders left uncaught, and what it prints outside those (Node's own report of a
fatal error)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import select
import shutil
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from pyxle.ssr._errors import BundleError, RenderError

WORKER = Path(__file__).resolve().parent / "worker.mjs"
logger = logging.getLogger("pyxle.ssr")
_LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
# Linux: the worker is killed with the server process that started it, even mid-render (a killed
# server worker would otherwise leave a render that never ends running forever).
_PDEATHSIG = ("setpriv", "--pdeathsig", "KILL") if sys.platform == "linux" and shutil.which("setpriv") else ()
START_TIMEOUT = 30.0
# What a worker keeps of the server's environment: what Node and the libraries it loads read to
# run (the locale, the time zone, temporary files, certificates, Node's own settings). Page code runs
# there and its HTML is public, and `globalThis.process.env` (or `const { env } = process`) is no
# text a build can rewrite: the server's secrets (PYXLE_SECRET_KEY, a database URL, cloud keys) must
# not be in it. The public variables come from the caller (``env``); proxy URLs, which may hold a
# password, stay out too.
_RUNTIME = frozenset({
    "PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TMP", "TEMP", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "NODE_ENV", "NODE_OPTIONS", "NODE_EXTRA_CA_CERTS", "NODE_PATH", "NODE_ICU_DATA", "NODE_NO_WARNINGS",
    "NODE_DEBUG", "NODE_V8_COVERAGE", "NODE_COMPILE_CACHE", "UV_THREADPOOL_SIZE", "SYSTEMROOT",
})
# What the worker prints outside its console capture is logged a burst at a time: lines that come
# within _QUIET seconds of each other are one record (a crash report is written in several pieces),
# up to _BURST_BYTES or _BURST_SECONDS of them.
_QUIET = 0.05
_BURST_BYTES = 64 * 1024
_BURST_SECONDS = 1.0


class NodeProcess:
    """A started worker. ``on_answer(message)`` gets each answer; ``on_exit()`` is called once, when
    its answer pipe closes (the process exited or was killed), and ``exited`` stays true after."""

    def __init__(self, process: asyncio.subprocess.Process, answers: int) -> None:
        self.process = process
        self.pid = process.pid
        self._answers = answers  # the read end of the answer pipe (for the timeout's last look)
        self.transport: asyncio.ReadTransport | None = None
        self.printed: _PrintedPipe | None = None  # the worker's stdout and stderr
        self._loop = asyncio.get_running_loop()  # kept: before Python 3.12, each look-up is a getpid() call
        self.ready: asyncio.Future[None] = self._loop.create_future()
        self.exited = False
        self.on_answer: Callable[[dict[str, Any]], None] = lambda message: None
        self.on_log: Callable[[dict[str, Any]], None] = log_console
        self.on_exit: Callable[[], None] = lambda: None
        self.on_pong: Callable[[], None] = lambda: None  # the worker answered a ping: its event loop is free
        # After a long render it waits for a go (True), and starts again (False): see worker.mjs.
        self.on_hold: Callable[[bool], None] = lambda holding: self.write(b'{"go":1}\n') if holding else None
        self.failed: dict[str, Any] | None = None  # why the bundle did not load, as the worker said
        self._out: list[bytes] = []

    def write(self, line: bytes) -> None:
        """Queue a request line; everything queued in one event-loop turn goes out in one write."""
        if not self._out:
            self._loop.call_soon(self._flush)
        self._out.append(line)

    def _flush(self) -> None:
        stdin = self.process.stdin
        if self._out and stdin is not None and not stdin.is_closing():
            stdin.write(b"".join(self._out))
        self._out.clear()

    def answer_waiting(self) -> bool:
        """Whether bytes sit unread in the answer pipe (the event loop has not got to them yet)."""
        try:
            return bool(select.select([self._answers], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def kill(self) -> None:
        """SIGKILL, unless its exit is known. Sent by pid: asyncio's ``kill()`` reaps an exited
        process first (``Popen.poll``), so asyncio's own waiter then finds it gone, logs "Unknown
        child process pid N, will report returncode 255", and its real exit status is lost. The
        pid stays the worker's until that waiter reaps it (and sets ``returncode`` just after)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self.transport is not None:
            self.transport.close()

    async def wait(self) -> int:
        return await self.process.wait()

    async def why_it_ended(self) -> str:
        """Why the worker is gone, once its last output is logged: "it exited with code 3", "it was
        killed by SIGKILL" (said after that output, so a crash report comes before its verdict)."""
        try:
            code = await asyncio.wait_for(self.process.wait(), 2)
        except asyncio.TimeoutError:
            return "its answer pipe closed"
        await self.printed_all(1)
        if code >= 0:
            return f"it exited with code {code}"
        try:
            return f"it was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"it was killed by signal {-code}"

    async def printed_all(self, timeout: float) -> None:
        """Wait until everything the worker printed is logged (its stdout and stderr closed), for up
        to ``timeout`` seconds: a process it started may hold them open, and then they are closed."""
        printed = self.printed
        if printed is None:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(printed.closed), timeout)
        printed.close()

    def close_input(self) -> None:
        """Ask the worker to finish: it renders the lines written so far, then exits."""
        self._flush()
        if self.process.stdin is not None:
            self.process.stdin.close()


_ANSWER_ID = re.compile(rb'\{"id":(\d+)[,}]')  # how the worker begins every answer


class _AnswerPipe(asyncio.Protocol):
    """Splits the answer pipe into JSON lines and hands them to the worker."""

    def __init__(self, worker: NodeProcess) -> None:
        self.worker = worker
        self._partial = b""

    def data_received(self, data: bytes) -> None:
        lines = data.split(b"\n")
        if self._partial:
            lines[0] = self._partial + lines[0]
        self._partial = lines.pop()
        for line in lines:
            try:
                message = orjson.loads(line)
            except orjson.JSONDecodeError:
                logger.error("an SSR worker wrote a malformed answer: %r", line[:200])
                found = _ANSWER_ID.match(line)
                if found is not None:  # an answer that cannot be read: its render fails now, not at the timeout
                    self.worker.on_answer({"id": int(found.group(1)), "error": "the SSR worker wrote a malformed answer"})
                continue
            if "id" in message:
                self.worker.on_answer(message)
            elif "log" in message:
                self.worker.on_log(message)
            elif "pong" in message:
                self.worker.on_pong()
            elif "hold" in message:
                self.worker.on_hold(bool(message["hold"]))
            elif message.get("ready") and not self.worker.ready.done():
                self.worker.ready.set_result(None)
            elif isinstance(message.get("failed"), dict):
                self.worker.failed = message["failed"]

    def connection_lost(self, exc: Exception | None) -> None:
        worker = self.worker
        worker.exited = True
        if not worker.ready.done():
            failed = worker.failed
            worker.ready.set_exception(
                RenderError("the SSR worker exited while starting") if failed is None else
                BundleError(str(failed.get("name") or "Error"), str(failed.get("message") or ""), str(failed.get("stack") or "")))
        worker.on_exit()


def log_console(message: dict[str, Any], locate: Callable[[str], str | None] | None = None) -> None:
    """A component's console output, in the server's log with the page it came from; or an error it
    left uncaught (``fault``), with the page whose render scheduled it or else the one rendered last;
    or Pyxle's own note on a render (``own``: a Suspense boundary that failed), not worded as output,
    then the error's stack, after the file and line of the project's it names first (``locate``), as
    a render error's first line names them."""
    page = message.get("page")
    if message.get("own"):
        where = f"rendering page {page!r}" if page else "rendering"
        text, stack = message.get("text", ""), message.get("stack")
        if stack is not None:
            at = locate(stack) if locate is not None else None
            text = f"{text} at {at}: {stack}" if at else f"{text}: {stack}"
        logger.log(_LEVELS.get(message["log"], logging.INFO), "%s: %s", where, text)
        return
    fault = message.get("fault")
    if fault is not None:
        last = message.get("last")
        where = (f"from page {page!r}" if page else
                 f"in the SSR worker (the page it rendered last: {last!r})" if last else "in the SSR worker")
        logger.error("%s %s: %s", fault, where, message.get("text", ""))
        return
    where = f"page {page!r}" if page else "the SSR worker"
    logger.log(_LEVELS.get(message["log"], logging.INFO), "console output from %s: %s", where, message.get("text", ""))


class _PrintedPipe(asyncio.Protocol):
    """The worker's stdout and stderr, which the console capture does not see: what Node itself
    writes there (its report of an uncaught exception, a warning, an error at start-up), or a native
    module. Logged at ERROR, one record per burst, so a JSON log line holds a whole crash report."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._loop = asyncio.get_running_loop()
        self.closed: asyncio.Future[None] = self._loop.create_future()
        self.transport: asyncio.BaseTransport | None = None
        self._burst: list[bytes] = []
        self._size = 0
        self._began = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        now = self._loop.time()
        if not self._burst:
            self._began = now
        self._burst.append(data)
        self._size += len(data)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._size >= _BURST_BYTES or now - self._began >= _BURST_SECONDS:
            self.flush()
        else:
            self._timer = self._loop.call_later(_QUIET, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        text = b"".join(self._burst).decode("utf-8", "replace").strip("\n")
        self._burst.clear()
        self._size = 0
        if text.strip():
            logger.error("SSR worker %s printed:\n%s", self.pid, text)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.flush()
        if not self.closed.done():
            self.closed.set_result(None)


def worker_env(env: Mapping[str, str]) -> dict[str, str]:
    """A worker's environment: ``env`` (the public variables) and what Node needs of the server's."""
    kept = {name: value for name, value in os.environ.items() if name in _RUNTIME or name.startswith("LC_")}
    return {**kept, **env}


async def start_worker(bundle: Path, node: str = "node", *, timeout: float = 10.0,
                       env: Mapping[str, str] | None = None, hold: float = 0.0) -> NodeProcess:
    """Start a worker on ``bundle`` and wait until it has loaded it; a streamed render leaves what
    is still loading after ``timeout`` seconds to the browser. ``env``: the variables page code may
    read at run time (``PYXLE_PUBLIC_*``), besides what Node needs (``worker_env``). ``hold``: after
    a render this long (seconds), it waits for the go of ``on_hold`` (0: never)."""
    read_fd, write_fd = os.pipe()
    printed_read, printed_write = os.pipe()  # its stdout and stderr, for the log
    try:
        process = await asyncio.create_subprocess_exec(
            *_PDEATHSIG, node, str(WORKER), str(bundle), str(write_fd), str(int(timeout * 1000)), str(int(hold * 1000)),
            stdin=asyncio.subprocess.PIPE, stdout=printed_write, stderr=printed_write, pass_fds=(write_fd,),
            env=worker_env(env or {}),
        )
    except BaseException:
        os.close(read_fd)
        os.close(printed_read)
        raise
    finally:
        os.close(write_fd)
        os.close(printed_write)
    worker = NodeProcess(process, read_fd)
    loop = asyncio.get_running_loop()
    _, worker.printed = await loop.connect_read_pipe(lambda: _PrintedPipe(process.pid),
                                                     os.fdopen(printed_read, "rb", buffering=0))
    worker.transport, _ = await loop.connect_read_pipe(lambda: _AnswerPipe(worker), os.fdopen(read_fd, "rb", buffering=0))
    try:
        await asyncio.wait_for(asyncio.shield(worker.ready), START_TIMEOUT)
    except BaseException as exc:
        worker.kill()
        if isinstance(exc, asyncio.TimeoutError):
            await worker.printed_all(0.5)
            raise RenderError(f"the SSR worker did not start within {START_TIMEOUT:g}s") from None
        if isinstance(exc, RenderError):
            code = await process.wait()
            await worker.printed_all(1)
            if isinstance(exc, BundleError):
                raise exc from None
            raise RenderError(f"the SSR worker failed to start (exit code {code}); its error is in the log above") from None
        raise
    return worker
