"""A server worker stops once the ``pyxle serve`` process that started it is gone.

A supervisor killed with SIGKILL (by hand, or by the kernel's OOM killer) cannot stop its workers:
they would go on serving the old code on the port, and the next ``pyxle serve`` could not bind it.
Each worker asks the kernel for its parent's pid a few times a second: once the supervisor has
exited, the worker has been handed to init (or a subreaper) and the pid differs. A ``getppid()``
call on a timer of the event loop costs well under a microsecond, four times a second.

Two cheaper-looking ways do not work for every worker:
- the parent's ``multiprocessing`` sentinel (a pipe that reads as closed once the parent exits):
  every worker forked later inherits the supervisor's ends of the earlier workers' pipes, so with
  ``--workers 3`` the first worker saw its parent gone only once the other two had stopped, one
  ``--shutdown-timeout`` after another;
- Linux's ``PR_SET_PDEATHSIG``: no dependency of Pyxle wraps it (it would be ctypes), it works on
  Linux only, it fires when the *thread* that forked the worker ends (which thread granian forks
  from is its own business), and the signal it sends goes to granian's handler, so the worker
  could not start the deadline below.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger("pyxle")

CHECK_SECONDS = 0.25


@contextmanager
def stop_when_orphaned(loop: asyncio.AbstractEventLoop, grace: float,
                       every: float = CHECK_SECONDS) -> Iterator[None]:
    """While inside, a worker whose parent exits stops as on SIGTERM (requests in progress end,
    sockets close with 1001) within ``every`` seconds; one still running ``grace`` seconds later
    exits at once, since no supervisor is left to enforce ``--shutdown-timeout``. Outside a server
    worker (no multiprocessing parent) this does nothing."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        yield
        return
    parent_pid = parent.pid
    handle: asyncio.TimerHandle | None = None

    def check() -> None:
        nonlocal handle
        if os.getppid() == parent_pid:
            handle = loop.call_later(every, check)
            return
        handle = None
        logger.warning("the server process that started this worker (pid %s) is gone; this worker stops", parent_pid)
        deadline = threading.Timer(grace, os._exit, (1,))
        deadline.daemon = True  # a worker that stops in time exits without waiting for it
        deadline.start()
        os.kill(os.getpid(), signal.SIGTERM)

    check()  # the parent may be gone already
    try:
        yield
    finally:
        if handle is not None:
            handle.cancel()
