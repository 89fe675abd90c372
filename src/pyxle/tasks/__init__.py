"""Fire-and-forget work that runs in this process, beside the requests: ``enqueue(fn, *args)``.

The name and API are pyxle-framework 0.9's (its starter's AGENTS.md tells apps to use it), so
apps written for it run unchanged. Unlike ``request.state.background``, which runs after one
response is sent, a task starts at once and outlives the request that queued it.

Public names:

- ``enqueue(fn, *args, **kwargs)``: queue ``fn`` on the app's queue, from loaders, actions, API
  routes, hooks and plugins (and from a sync handler's thread)
- ``TaskQueue``: a bounded pool (``max_workers`` at a time, ``max_pending`` waiting); the app
  starts one with its lifespan and drains it within the shutdown deadline
- ``TaskQueueError``, ``TaskQueueFull``, ``TaskQueueNotRunning``
- ``get_active_queue``, ``set_active_queue``: the queue ``enqueue`` reaches

Depends on nothing else in Pyxle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyxle.tasks._queue import TaskQueue, TaskQueueError, TaskQueueFull, TaskQueueNotRunning

__all__ = ["TaskQueue", "TaskQueueError", "TaskQueueFull", "TaskQueueNotRunning", "enqueue",
           "get_active_queue", "set_active_queue"]

_active: TaskQueue | None = None


def set_active_queue(queue: TaskQueue | None) -> None:
    """Make ``queue`` the one ``enqueue`` reaches (the app does this as it starts)."""
    global _active
    _active = queue


def get_active_queue() -> TaskQueue | None:
    return _active


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` on the app's queue: awaited if it is a coroutine function,
    in a thread otherwise. Raises ``TaskQueueNotRunning`` outside a running app and
    ``TaskQueueFull`` when ``max_pending`` tasks already wait."""
    if _active is None:
        raise TaskQueueNotRunning()
    _active.enqueue(func, *args, **kwargs)
