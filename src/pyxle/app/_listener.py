"""A worker a reload replaces stops taking connections before it stops.

On Linux a worker of ``pyxle serve`` accepts from a listening socket that ``pyxle serve`` opens and
its successor inherits too (``cli/_granian.py``): a connection the worker has not taken yet waits
in the queue for the successor. A worker that stops closes the connections it has taken but not
read a request from yet (granian's graceful shutdown counts them as idle), so a client that had
just sent its request on one got "Server disconnected" during a reload. granian has no way to stop
a worker's accept loop short of stopping the worker. Here the worker removes the socket from its
own ``epoll`` instances (its accept loop's): it is never woken for a connection again, and its
successor takes them all. Its requests go on until ``pyxle serve`` stops it.

``pyxle serve`` names its sockets in ``LISTENER`` (their inodes), so no socket of the app's own is
touched. Off Linux, or without that name, nothing is done: the worker accepts until it stops.

A worker that cannot load the project and waits (``pyxle.app.worker_app``) steps aside from its
socket meanwhile, so its connections go to the workers serving.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
from pathlib import Path

logger = logging.getLogger("pyxle")

LISTENER = "PYXLE_LISTENER"  # the inodes of the server's listening sockets, which its workers inherit
SLOT = "PYXLE_LISTENER_SLOT"  # this worker's own socket among them: its inode and backlog
FDS = Path("/proc/self/fd")


def step_aside() -> None:
    """A worker that cannot load the project and waits: its socket stops listening, so the kernel
    gives its connections to the other workers' sockets (those it had queued are refused), instead
    of leaving them queued for a worker that serves nothing. A worker the server's stop stops does
    the same (``PyxleApp._sigterm``): with no socket listening, a new connection is refused.
    Never while granian's accept loop still watches the socket (``stop_accepting``): it would spin
    on the error, and never end its worker."""
    sock = _slot()
    if sock is not None:
        with sock, contextlib.suppress(OSError):  # not listening already (a worker before it waited)
            sock.shutdown(socket.SHUT_RD)


def take_connections() -> None:
    """A worker whose project has loaded: its socket listens (again, if a worker before it in its
    slot stepped aside), as granian's accept loop on it expects."""
    sock = _slot()
    if sock is not None:
        with sock:
            if not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                sock.listen(int(os.environ[SLOT].split()[1]))


def _slot() -> socket.socket | None:
    """This worker's socket (a duplicate to close after use), or None off ``pyxle serve`` on Linux."""
    inode, _, backlog = os.environ.get(SLOT, "").partition(" ")
    if not (inode.isdigit() and backlog.isdigit()) or not FDS.is_dir():
        return None
    for fd in _fds():
        if _inode(fd) == int(inode):
            return socket.socket(fileno=os.dup(fd))
    return None


def stop_accepting() -> int:
    """Stop this process accepting from the server's listening sockets; how many of its ``epoll``
    registrations of them were removed (0 where there is nothing to do, or no way to do it)."""
    inodes = {int(inode) for inode in os.environ.get(LISTENER, "").split() if inode.isdigit()}
    if not inodes or not hasattr(select, "epoll"):
        return 0
    try:
        listener = {fd for fd in _fds() if _inode(fd) in inodes}
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
