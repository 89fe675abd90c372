"""``TaskQueue``: tasks run at most ``max_workers`` at a time, each in the context that queued it."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("pyxle.tasks")

DEFAULT_MAX_WORKERS = 4
DEFAULT_MAX_PENDING = 1000
# Told (on the queue's event loop) the tasks waiting and running after each change, and how a
# task ended when one did ("done", "failed", "cancelled", or "refused" for one the queue was too full for).
Observer = Callable[[int, int, "str | None"], None]


class TaskQueueError(RuntimeError):
    """What ``enqueue`` raises when a task cannot be queued."""


class TaskQueueNotRunning(TaskQueueError):
    def __init__(self) -> None:
        super().__init__("No task queue is running: enqueue() works while the app runs (its lifespan starts the "
                         "queue); outside it, start a TaskQueue of your own")


class TaskQueueFull(TaskQueueError):
    def __init__(self, max_pending: int) -> None:
        super().__init__(f"The task queue is full ({max_pending} tasks waiting): this one was not queued. For work "
                         "that must not be dropped under load, use a job queue (Celery, ARQ, Dramatiq)")


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


class TaskQueue:
    """A task is an asyncio task from the moment it is queued, made in a copy of the queuing
    code's context (so its log lines carry that request's id) and waiting for one of
    ``max_workers`` slots. A failing task is logged with its traceback; the others go on."""

    def __init__(self, *, max_workers: int = DEFAULT_MAX_WORKERS, max_pending: int = DEFAULT_MAX_PENDING,
                 observer: Observer | None = None) -> None:
        self.max_workers = max(1, max_workers)
        self.max_pending = max(1, max_pending)
        self.observer = observer  # the app's metrics, when they are on
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting = 0  # queued and not yet running: counted under the lock, for enqueue from threads
        self._running = 0
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._loop is not None

    @property
    def pending(self) -> int:
        """Tasks queued that have not started yet."""
        return self._waiting

    async def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._slots = asyncio.Semaphore(self.max_workers)

    async def stop(self, *, drain: bool = True, timeout: float | None = None, deadline: float | None = None) -> None:
        """Stop taking tasks; with ``drain``, wait up to ``timeout`` seconds (None: as long as
        they take) for those queued or running, then cancel the rest, saying how many and within
        what ``deadline`` (``timeout`` by default; the app passes its whole shutdown deadline, of
        which ``timeout`` is what requests left: the operator set the one, not the other)."""
        if self._loop is None:
            return
        self._loop = None
        tasks = set(self._tasks)
        if drain and tasks and (timeout is None or timeout > 0):
            _, tasks = await asyncio.wait(tasks, timeout=timeout)
        if tasks:
            logger.warning("%d background task(s) cancelled at shutdown: they had not finished%s", len(tasks),
                           f" within {deadline if deadline is not None else timeout:g}s"
                           if drain and timeout is not None else "")
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue ``func(*args, **kwargs)``; safe from any thread."""
        loop = self._loop
        if loop is None:
            raise TaskQueueNotRunning()
        try:
            in_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            in_loop = False
        with self._lock:
            full = self._waiting >= self.max_pending
            if not full:
                self._waiting += 1
        if full:
            if in_loop:
                self._report("refused")
            elif self.observer is not None:
                with contextlib.suppress(RuntimeError):  # the loop closed under a thread that queued
                    loop.call_soon_threadsafe(self._report, "refused")
            raise TaskQueueFull(self.max_pending)
        context = contextvars.copy_context()
        try:
            if in_loop:
                context.run(self._spawn, func, args, kwargs)
            else:
                loop.call_soon_threadsafe(self._spawn, func, args, kwargs, context=context)
        except RuntimeError:  # the loop closed under a thread that queued
            self._unqueue()
            raise TaskQueueNotRunning() from None

    def _unqueue(self) -> None:
        """One task less waiting: it started, or it will never run."""
        with self._lock:
            self._waiting -= 1

    def _report(self, outcome: str | None = None) -> None:
        """Tell the observer the counts as they are now (on the loop), and how a task ended."""
        if self.observer is not None:
            try:
                self.observer(self._waiting, self._running, outcome)
            except Exception:  # metrics must not stop the tasks
                logger.exception("The task queue's observer failed")

    def _spawn(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self._loop is None:  # queued from a thread as the queue stopped
            self._unqueue()
            logger.warning("Background task %s not run: the task queue had stopped", _name(func))
            return
        task = asyncio.get_running_loop().create_task(self._run(func, args, kwargs), name=f"pyxle-task {_name(func)}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._report()

    async def _run(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        assert self._slots is not None
        try:
            await self._slots.acquire()
        except asyncio.CancelledError:  # cancelled while waiting (a shutdown): it never ran
            self._unqueue()
            self._report("cancelled")
            raise
        self._unqueue()
        self._running += 1
        self._report()
        outcome = "cancelled"
        try:
            if inspect.iscoroutinefunction(func):
                result = await func(*args, **kwargs)
            else:
                result = await asyncio.to_thread(func, *args, **kwargs)
            if inspect.isawaitable(result):  # a plain callable returning a coroutine (a lambda, say)
                await result
            outcome = "done"
        except Exception:
            outcome = "failed"
            logger.exception("Background task %s failed", _name(func))
        finally:
            self._slots.release()
            self._running -= 1
            self._report(outcome)
