"""A server worker stops once the ``pyxle serve`` process that started it is gone.

A supervisor killed with SIGKILL (by hand, or by the kernel's OOM killer) cannot stop its workers:
they would go on serving the old code on the port, and the next ``pyxle serve`` could not bind it.
Each worker watches its parent's sentinel, a pipe that reads as closed once the parent has exited,
so noticing costs nothing until then.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

logger = logging.getLogger("pyxle")


@contextmanager
def stop_when_orphaned(loop: asyncio.AbstractEventLoop, grace: float) -> Iterator[None]:
    """While inside, a worker whose parent exits stops as on SIGTERM (requests in progress end,
    sockets close with 1001); one still running ``grace`` seconds later exits at once, since no
    supervisor is left to enforce ``--shutdown-timeout``. Outside a server worker (no
    multiprocessing parent) this does nothing."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        yield
        return
    sentinel = parent.sentinel

    def parent_gone() -> None:
        loop.remove_reader(sentinel)
        logger.warning("the server process that started this worker (pid %s) is gone; this worker stops", parent.pid)
        deadline = threading.Timer(grace, os._exit, (1,))
        deadline.daemon = True  # a worker that stops in time exits without waiting for it
        deadline.start()
        os.kill(os.getpid(), signal.SIGTERM)

    loop.add_reader(sentinel, parent_gone)
    try:
        yield
    finally:
        with suppress(Exception):
            loop.remove_reader(sentinel)
