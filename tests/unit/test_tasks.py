"""``pyxle.tasks`` outside a server: what ``enqueue`` says with no queue running, and a queue
stopped with or without draining."""

from __future__ import annotations

import asyncio
import threading

import pytest

from pyxle import tasks
from pyxle.tasks import TaskQueue, TaskQueueNotRunning


@pytest.mark.parametrize("queue", [None, TaskQueue()], ids=["no queue", "a queue not started"])
def test_enqueue_outside_a_running_app_raises_task_queue_not_running(queue: TaskQueue | None) -> None:
    tasks.set_active_queue(queue)
    try:
        with pytest.raises(TaskQueueNotRunning, match="enqueue\\(\\) works while the app runs"):
            tasks.enqueue(print, "never")
    finally:
        tasks.set_active_queue(None)


def test_stop_without_draining_cancels_what_is_queued_and_running() -> None:
    done: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(5)
        done.append("slow")

    async def main() -> None:
        queue = TaskQueue(max_workers=1)
        await queue.start()
        queue.enqueue(slow)
        queue.enqueue(slow)
        await asyncio.sleep(0.05)
        assert queue.pending == 1  # one running, one waiting for the slot
        await queue.stop(drain=False)
        assert not queue.running and queue.pending == 0

    asyncio.run(main())
    assert done == []


def test_a_task_queued_from_a_thread_runs_on_the_loop_in_the_queuing_context() -> None:
    import contextvars

    who = contextvars.ContextVar("who", default="nobody")
    seen: list[tuple[str, bool]] = []

    async def record() -> None:
        seen.append((who.get(), threading.current_thread() is threading.main_thread()))

    def from_thread(queue: TaskQueue) -> None:
        who.set("the thread's request")
        queue.enqueue(record)

    async def main() -> None:
        queue = TaskQueue()
        await queue.start()
        await asyncio.to_thread(from_thread, queue)
        await queue.stop()

    asyncio.run(main())
    assert seen == [("the thread's request", True)]
