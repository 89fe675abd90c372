"""One Node render worker: its process, the pipe its answers come back on, its console output."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import select
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from pyxle.ssr._errors import RenderError

WORKER = Path(__file__).resolve().parent / "worker.mjs"
logger = logging.getLogger("pyxle.ssr")
_LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
# Linux: the worker is killed with the server process that started it, even mid-render (a killed
# server worker would otherwise leave a render that never ends running forever).
_PDEATHSIG = ("setpriv", "--pdeathsig", "KILL") if sys.platform == "linux" and shutil.which("setpriv") else ()
START_TIMEOUT = 30.0


class NodeProcess:
    """A started worker. ``on_answer(message)`` gets each answer; ``on_exit()`` is called once, when
    its answer pipe closes (the process exited or was killed), and ``exited`` stays true after."""

    def __init__(self, process: asyncio.subprocess.Process, answers: int) -> None:
        self.process = process
        self.pid = process.pid
        self._answers = answers  # the read end of the answer pipe (for the timeout's last look)
        self.transport: asyncio.ReadTransport | None = None
        self._loop = asyncio.get_running_loop()  # kept: before Python 3.12, each look-up is a getpid() call
        self.ready: asyncio.Future[None] = self._loop.create_future()
        self.exited = False
        self.on_answer: Callable[[dict[str, Any]], None] = lambda message: None
        self.on_exit: Callable[[], None] = lambda: None
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
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        if self.transport is not None:
            self.transport.close()

    async def wait(self) -> int:
        return await self.process.wait()

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
                log_console(message)
            elif message.get("ready") and not self.worker.ready.done():
                self.worker.ready.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        worker = self.worker
        worker.exited = True
        if not worker.ready.done():
            worker.ready.set_exception(RenderError("the SSR worker exited while starting"))
        worker.on_exit()


def log_console(message: dict[str, Any]) -> None:
    """A component's console output, in the server's log with the page it came from."""
    page = message.get("page")
    where = f"page {page!r}" if page else "the SSR worker"
    logger.log(_LEVELS.get(message["log"], logging.INFO), "console output from %s: %s", where, message.get("text", ""))


def _stray_output() -> int | None:
    """Where the worker's own stdout goes (output the worker does not capture): the server's stderr."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return asyncio.subprocess.DEVNULL


async def start_worker(bundle: Path, node: str = "node", node_args: tuple[str, ...] = (), *,
                       timeout: float = 10.0) -> NodeProcess:
    """Start a worker on ``bundle`` and wait until it has loaded it; a streamed render leaves what
    is still loading after ``timeout`` seconds to the browser."""
    read_fd, write_fd = os.pipe()
    try:
        process = await asyncio.create_subprocess_exec(
            *_PDEATHSIG, node, *node_args, str(WORKER), str(bundle), str(write_fd), str(int(timeout * 1000)),
            stdin=asyncio.subprocess.PIPE, stdout=_stray_output(), stderr=None, pass_fds=(write_fd,),
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    worker = NodeProcess(process, read_fd)
    loop = asyncio.get_running_loop()
    worker.transport, _ = await loop.connect_read_pipe(lambda: _AnswerPipe(worker), os.fdopen(read_fd, "rb", buffering=0))
    try:
        await asyncio.wait_for(asyncio.shield(worker.ready), START_TIMEOUT)
    except BaseException as exc:
        worker.kill()
        if isinstance(exc, asyncio.TimeoutError):
            raise RenderError(f"the SSR worker did not start within {START_TIMEOUT:g}s") from None
        if isinstance(exc, RenderError):
            code = await process.wait()
            raise RenderError(f"the SSR worker failed to start (exit code {code}); its error is in the log above") from None
        raise
    return worker
