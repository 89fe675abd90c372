"""Server-side rendering in a pool of warm Node worker processes.

Public names: ``SsrPool``, ``RenderError``, ``RenderTimeout``.
Each worker loads the SSR bundle once and renders one request at a time (React's
``renderToString`` is synchronous), so the pool size is the render concurrency. A worker that
crashes or overruns the timeout is killed and replaced; the request in flight gets an error and
the next request is served normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from pathlib import Path
from typing import Any

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


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            while line := await self.process.stdout.readline():
                message = json.loads(line)
                future = self.pending.pop(message.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except (ValueError, asyncio.CancelledError):
            pass
        finally:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(RenderError("the SSR worker exited during the render"))
            self.pending.clear()

    @property
    def alive(self) -> bool:
        return self.process.returncode is None and not self.reader.done()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.reader.cancel()


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(asyncio.TimeoutError())


class SsrPool:
    """``await pool.render({...})`` -> ``{"html", "head"}``; at most ``size`` renders at once."""

    def __init__(self, bundle: Path, *, size: int = 2, timeout: float = 10.0, node: str = "node") -> None:
        self.bundle = bundle
        self.size = max(1, size)
        self.timeout = timeout
        self.node = node
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._ids = itertools.count(1)

    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            self.node, str(WORKER), str(self.bundle),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None,
            limit=64 * 1024 * 1024,
        )
        assert process.stdout is not None
        ready = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        if not ready:
            raise RenderError(f"the SSR worker failed to start (exit code {await process.wait()})")
        worker = _Worker(process)
        self._workers.add(worker)
        return worker

    async def render(self, request: dict[str, Any], props_json: str | None = None) -> dict[str, Any]:
        """Render ``request``; ``props_json`` is ``request["props"]`` already serialised (sent as is)."""
        worker = await self._idle.get()
        if not worker.alive:
            worker = await self._replace(worker)
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        worker.pending[request_id] = future
        healthy = True
        try:
            assert worker.process.stdin is not None
            if props_json is None:
                line = json.dumps({**request, "id": request_id})
            else:
                rest = json.dumps({k: v for k, v in request.items() if k != "props"})
                line = f'{{"id":{request_id},"props":{props_json},{rest[1:]}'
            worker.process.stdin.write(line.encode() + b"\n")
            await worker.process.stdin.drain()
            timer = asyncio.get_running_loop().call_later(self.timeout, _expire, future)
            try:
                message = await future
            finally:
                timer.cancel()
        except asyncio.TimeoutError:
            healthy = False
            raise RenderTimeout(f"rendering {request.get('page')!r} took longer than {self.timeout:g}s") from None
        except (ConnectionError, RenderError) as exc:
            healthy = False
            raise RenderError(str(exc)) from None
        finally:
            if healthy and worker.alive:
                self._idle.put_nowait(worker)
            else:
                asyncio.get_running_loop().create_task(self._replace_into_pool(worker))
        if "error" in message:
            raise RenderError(message["error"], message.get("stack"))
        return message

    async def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        self._workers.discard(worker)
        logger.warning("replacing SSR worker %s", worker.process.pid)
        return await self._spawn()

    async def _replace_into_pool(self, worker: _Worker) -> None:
        try:
            self._idle.put_nowait(await self._replace(worker))
        except Exception:  # keep the slot: the next render retries the spawn
            logger.exception("could not restart an SSR worker")
            self._idle.put_nowait(worker)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    async def close(self) -> None:
        for worker in list(self._workers):
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in list(self._workers):
            try:
                await asyncio.wait_for(worker.process.wait(), 2)
            except asyncio.TimeoutError:
                worker.kill()
            worker.reader.cancel()
        self._workers.clear()
