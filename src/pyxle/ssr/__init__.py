"""Server-side rendering in a pool of warm Node worker processes.

Public names: ``SsrPool``, ``RenderError``, ``RenderTimeout``.
Each worker loads the SSR bundle once and renders one request at a time (React's
``renderToString`` is synchronous), so the pool size is the render concurrency. A worker that
crashes or overruns the timeout (counted from when a render reaches the head of its queue) is
killed and replaced; the render in progress gets an error, and the rest are served normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from pathlib import Path
from typing import Any

import orjson

__all__ = ["RenderError", "RenderTimeout", "SsrPool"]

WORKER = Path(__file__).resolve().parent / "worker.mjs"
logger = logging.getLogger("pyxle.ssr")


class RenderError(Exception):
    """The page threw while rendering (``stack`` holds the JS stack), or its worker died."""

    def __init__(self, message: str, stack: str | None = None) -> None:
        super().__init__(message)
        self.stack = stack


class RenderTimeout(RenderError):
    """A render overran the timeout; its worker was replaced."""


class _Job:
    """One render: its encoded line, its answer, and the worker it was sent to (None while queued)."""

    __slots__ = ("future", "id", "line", "timer", "worker")

    def __init__(self, job_id: int, line: bytes, future: asyncio.Future[dict[str, Any]]) -> None:
        self.id = job_id
        self.line = line
        self.future = future
        self.worker: _Worker | None = None
        self.timer: asyncio.TimerHandle | None = None


class _Worker:
    """A Node process with the jobs sent to it, answered in order; lines are written in batches."""

    def __init__(self, process: asyncio.subprocess.Process, pool: SsrPool) -> None:
        self.process = process
        self.pool = pool
        self.pending: dict[int, _Job] = {}  # insertion order is send order: the first is rendering now
        self.retired = False
        self._out: list[bytes] = []
        self.reader = asyncio.create_task(self._read())

    def send(self, job: _Job) -> None:
        """Queue the line; everything queued in one event-loop turn goes out in one write."""
        job.worker = self
        self.pending[job.id] = job
        if len(self.pending) == 1:
            self.pool._arm(job)
        if not self._out:
            asyncio.get_running_loop().call_soon(self._flush)
        self._out.append(job.line)

    def _flush(self) -> None:
        if self._out and not self.retired and self.process.stdin is not None:
            self.process.stdin.write(b"".join(self._out))
        self._out.clear()

    async def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            while line := await self.process.stdout.readline():
                message = orjson.loads(line)
                job = self.pending.pop(message.get("id"), None)
                if job is not None and not job.future.done():
                    job.future.set_result(message)
                for head in self.pending.values():  # the next job starts rendering now
                    self.pool._arm(head)
                    break
        except (ValueError, asyncio.CancelledError):
            pass
        finally:
            self.pool._worker_exited(self)

    @property
    def alive(self) -> bool:
        return not self.retired and self.process.returncode is None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


class SsrPool:
    """``await pool.render({...})`` -> ``{"html", "head"}``.

    Renders go to the worker with the fewest outstanding jobs without waiting for it to be idle,
    so a worker always has its next line queued and one pipe write carries several requests.
    When a worker hangs or dies, only the job it was rendering fails; the jobs queued behind it
    are sent again to another worker (rendering has no side effects).
    """

    def __init__(self, bundle: Path, *, size: int = 2, timeout: float = 10.0, node: str = "node",
                 node_args: tuple[str, ...] = ()) -> None:
        self.bundle = bundle
        self.size = max(1, size)
        self.timeout = timeout
        self.node = node
        self.node_args = node_args  # pyxle dev: --enable-source-maps, so stacks name the user's files
        self._workers: list[_Worker] = []
        self._backlog: list[_Job] = []  # jobs waiting for a worker to (re)start
        self._spawning: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._closed = False

    async def start(self) -> None:
        self._workers = list(await asyncio.gather(*(self._spawn() for _ in range(self.size))))

    async def _spawn(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            self.node, *self.node_args, str(WORKER), str(self.bundle),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None,
            limit=64 * 1024 * 1024,
        )
        assert process.stdout is not None
        ready = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        if not ready:
            raise RenderError(f"the SSR worker failed to start (exit code {await process.wait()})")
        return _Worker(process, self)

    async def render(self, request: dict[str, Any], props_json: str | None = None) -> dict[str, Any]:
        """Render ``request``; ``props_json`` is ``request["props"]`` already serialised (sent as is)."""
        job_id = next(self._ids)
        if props_json is None:
            line = orjson.dumps({**request, "id": job_id})
        else:
            rest = orjson.dumps({k: v for k, v in request.items() if k != "props"})
            line = b'{"id":%d,"props":%s,%s' % (job_id, props_json.encode(), rest[1:])
        loop = asyncio.get_running_loop()
        job = _Job(job_id, line + b"\n", loop.create_future())
        self._dispatch(job)
        try:
            message = await job.future
        finally:
            if job.timer is not None:
                job.timer.cancel()
        if "error" in message:
            raise RenderError(message["error"], message.get("stack"))
        return message

    def _dispatch(self, job: _Job) -> None:
        workers = [worker for worker in self._workers if worker.alive]
        if not workers:
            job.worker = None
            self._backlog.append(job)
            self._arm(job)
            self._top_up()
            return
        min(workers, key=lambda worker: len(worker.pending)).send(job)

    def _arm(self, job: _Job) -> None:
        """Start the job's clock: when it reaches the head of a worker's queue, or waits for one."""
        if job.timer is not None:
            job.timer.cancel()
        job.timer = asyncio.get_running_loop().call_later(self.timeout, self._expire, job)

    def _expire(self, job: _Job) -> None:
        if job.future.done():
            return
        page = orjson.loads(job.line).get("page")
        job.future.set_exception(RenderTimeout(f"rendering {page!r} took longer than {self.timeout:g}s"))
        if job.worker is None:
            self._backlog.remove(job)
        else:
            self._retire(job.worker)

    def _worker_exited(self, worker: _Worker) -> None:
        """The reader saw the end of the worker's output: the job it was rendering fails."""
        if worker.retired:
            return
        for job in worker.pending.values():
            if not job.future.done():
                job.future.set_exception(RenderError("the SSR worker exited during the render"))
            break
        self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        """Kill the worker, send its unanswered jobs elsewhere, and start a replacement."""
        if worker.retired:
            return
        worker.retired = True
        worker.kill()
        worker.reader.cancel()
        if worker in self._workers:
            self._workers.remove(worker)
        if not self._closed:
            logger.warning("replacing SSR worker %s", worker.process.pid)
        requeue = [job for job in worker.pending.values() if not job.future.done()]
        worker.pending.clear()
        if self._closed:
            for job in requeue:
                job.future.set_exception(RenderError("the SSR pool is shutting down"))
            return
        self._top_up()
        for job in requeue:
            self._dispatch(job)

    def _top_up(self) -> None:
        missing = self.size - len(self._workers) - len(self._spawning)
        for _ in range(max(0, missing)):
            task = asyncio.get_running_loop().create_task(self._replacement())
            self._spawning.add(task)
            task.add_done_callback(self._spawning.discard)

    async def _replacement(self) -> None:
        try:
            worker = await self._spawn()
        except Exception:  # the next render tries again
            logger.exception("could not start an SSR worker")
            return
        if self._closed:
            worker.retired = True
            worker.kill()
            return
        self._workers.append(worker)
        backlog, self._backlog = self._backlog, []
        for job in backlog:
            self._dispatch(job)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    async def close(self) -> None:
        self._closed = True
        for task in list(self._spawning):
            task.cancel()
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in workers:
            try:
                await asyncio.wait_for(worker.process.wait(), 2)
            except asyncio.TimeoutError:
                worker.kill()
            worker.reader.cancel()
        for job in self._backlog:
            if not job.future.done():
                job.future.set_exception(RenderError("the SSR pool is shutting down"))
        self._backlog.clear()
