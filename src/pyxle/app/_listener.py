"""A worker a reload replaces stops taking connections before it stops.

Every worker of ``pyxle serve`` accepts from one listening socket, which ``pyxle serve`` opens and
the workers inherit (``cli/_granian.py``): one accept queue, so a connection no worker has taken
yet waits in it for any of them. A worker that stops closes the connections it has taken but not
read a request from yet (granian's graceful shutdown counts them as idle), so a client that had
just sent its request on one got "Server disconnected" during a reload. granian has no way to stop
a worker's accept loop short of stopping the worker. Here the worker removes the socket from its
own ``epoll`` instances (its accept loop's, on Linux): it is never woken for a connection again,
and the workers still running take them all. Its requests go on until ``pyxle serve`` stops it.

``pyxle serve`` names the socket in ``LISTENER`` (its inode), so no socket of the app's own is
touched. Off Linux, or without that name, nothing is done: the worker accepts until it stops.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
from pathlib import Path

logger = logging.getLogger("pyxle")

LISTENER = "PYXLE_LISTENER"  # the inode of the server's listening socket, which every worker inherits
FDS = Path("/proc/self/fd")


def stop_accepting() -> int:
    """Stop this process accepting from the server's listening socket; how many of its ``epoll``
    registrations of it were removed (0 where there is nothing to do, or no way to do it)."""
    inode = os.environ.get(LISTENER, "")
    if not inode.isdigit() or not hasattr(select, "epoll"):
        return 0
    try:
        listener = {fd for fd in _fds() if _inode(fd) == int(inode)}
        removed = sum(_unregister(fd, listener) for fd in _fds() if _is_epoll(fd))
    except OSError as exc:  # /proc unreadable (a sandbox): the worker accepts until it stops
        logger.debug("could not stop accepting before the reload stops this worker: %s", exc)
        return 0
    return removed


def _fds() -> list[int]:
    return [int(name) for name in os.listdir(FDS)]


def _inode(fd: int) -> int | None:
    try:
        return os.fstat(fd).st_ino
    except OSError:  # closed since it was listed
        return None


def _is_epoll(fd: int) -> bool:
    with contextlib.suppress(OSError):
        return os.readlink(FDS / str(fd)) == "anon_inode:[eventpoll]"
    return False


def _unregister(epoll_fd: int, listener: set[int]) -> int:
    """Remove the ``listener`` descriptors the epoll instance ``epoll_fd`` watches (its fdinfo lists
    them as ``tfd:``). It is reached through a duplicate, which closing leaves the instance to its owner."""
    try:
        info = (Path("/proc/self/fdinfo") / str(epoll_fd)).read_text()
    except OSError:
        return 0
    watched = {int(line.split()[1]) for line in info.splitlines() if line.startswith("tfd:")}
    removed = 0
    if watched & listener:
        epoll = select.epoll.fromfd(os.dup(epoll_fd))
        with epoll:
            for fd in watched & listener:
                with contextlib.suppress(OSError):  # already removed
                    epoll.unregister(fd)
                    removed += 1
    return removed
