"""The broker's life inside a server worker, and what a worker does with its sockets at exit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from pyxle._redis import checked_at_start
from pyxle._worker_stop import server_stop
from pyxle.realtime._channel import broker_from_settings, set_current
from pyxle.realtime._guard import close_all, end_handlers

logger = logging.getLogger("pyxle.realtime")
SHUTDOWN = (1001, "server shutting down")  # going away: the server stops
RESTART = (1012, "server restarting")  # service restart: a reload replaces the worker


@contextlib.asynccontextmanager
async def serving(state: Any, settings: Any, on_stop: Callable[[], object] | None = None,
                  settle: Callable[[], Awaitable[object]] | None = None,
                  replaced: Callable[[], bool] | None = None) -> AsyncIterator[None]:
    """Start the configured broker as ``state.pyxle_broker``; at exit close sockets (1001), then it.
    ``on_stop`` is called first on SIGTERM or SIGINT (the app ends its other long-lived requests there);
    ``settle`` is awaited once the sockets are closed, before granian is told to stop the worker.
    ``replaced``: whether a reload is replacing this worker, whose sockets then close with 1012."""
    from pyxle.realtime._redis_broker import RedisBroker

    broker = broker_from_settings(settings.broker, settings.redis_url, settings.channel_prefix,
                                  settings.max_publish_size)
    if isinstance(broker, RedisBroker) and checked_at_start(broker.url):
        # A worker started later (a crash, a reload): Redis away now is an outage to ride out.
        await broker.start(required=False)
    else:
        await broker.start()  # RedisUnavailable here stops the worker with the URL and a hint
    state.pyxle_broker = broker
    before = set_current(broker)
    _drain_on_signals(on_stop, settle, replaced)
    if settings.ping_interval:
        # the server opens its listening socket after start-up: look for it on the next turns
        _keepalive_soon(settings.ping_interval, tries=KEEPALIVE_TRIES)
    try:
        yield
    finally:
        await close_all()
        # Another app in the process (a test's own beside the session's) gets its own back.
        if (now := set_current(before)) is not broker:  # one started since, still running: it stays
            set_current(now)
        await broker.aclose()


def _drain_on_signals(on_stop: Callable[[], object] | None = None,
                      settle: Callable[[], Awaitable[object]] | None = None,
                      replaced: Callable[[], bool] | None = None) -> None:
    """SIGTERM and SIGINT: ``on_stop``, then close every socket with 1001 and end the handlers
    still running, then await ``settle``, then have granian stop the worker. A worker a reload
    replaces (``replaced()``) closes them with 1012 (service restart): a client reconnects at once,
    to a new worker, where after 1001 it waits as after any drop.

    granian's own handlers stop the worker at once, dropping the sockets without a close frame
    and their handlers unfinished, so ours replace them. Ctrl-C sends SIGINT to the whole process
    group, the workers as well as the server process (which then sends them SIGTERM): the first
    signal starts the drain, the next ones wait for it. Without granian's stop at hand
    (``server_stop``) the drain ends with the SIGINT granian stops on, and SIGINT stays granian's.
    A process not under a loop with signal support keeps the defaults.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    stop = server_stop()
    draining = False

    async def drain() -> None:
        try:
            code, reason = RESTART if replaced is not None and replaced() else SHUTDOWN
            sent, cut = await close_all(code, reason)
            _say_closed(code, sent, cut)
            await end_handlers()
            if settle is not None:
                await settle()
        finally:
            if stop is not None:
                stop()
            else:
                os.kill(os.getpid(), signal.SIGINT)

    def on_signal() -> None:
        nonlocal draining
        if draining:
            return
        draining = True
        if on_stop is not None:
            on_stop()
        asyncio.ensure_future(drain())

    for sig in (signal.SIGTERM, signal.SIGINT) if stop is not None else (signal.SIGTERM,):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError, ValueError):
            return


def _say_closed(code: int, sent: int, cut: int) -> None:
    """The shutdown's line: the sockets that got the close, and apart those whose peer did not read it."""
    if cut:
        logger.warning("closed %d WebSocket%s (%d) before stopping; %d more, whose peer was not reading, "
                       "%s cut off without it", sent, "" if sent == 1 else "s", code, cut, "was" if cut == 1 else "were")
    elif sent:
        logger.info("closed %d WebSocket%s (%d) before stopping", sent, "" if sent == 1 else "s", code)


# Looks for the listening socket, 0.05 s apart and doubling: each reads the kernel's TCP table,
# which lists every socket on the machine, so a process that never gets a listener (an app run
# in-process by tests or another server) must not read it a hundred times.
KEEPALIVE_TRIES = 8


def _keepalive_soon(idle: int, tries: int) -> None:
    def attempt(left: int, delay: float) -> None:
        if not enable_keepalive(idle) and left > 1:
            asyncio.get_running_loop().call_later(delay, attempt, left - 1, delay * 2)

    asyncio.get_running_loop().call_soon(attempt, tries, 0.05)


def enable_keepalive(idle: int) -> int:
    """TCP keepalive on this process's listening sockets (accepted sockets inherit it on Linux).

    ASGI gives an app no way to send WebSocket pings and granian sends none itself; the kernel's
    probes after ``idle`` seconds of silence find dead peers instead, and their handlers see a
    disconnect. Returns how many listening sockets were set.
    """
    if not hasattr(socket, "TCP_KEEPIDLE"):
        return 0
    done = 0
    for fd in listening_fds():
        with socket.socket(fileno=os.dup(fd)) as sock:  # closing the copy leaves the server's open
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, idle // 4))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 4)
            done += 1
    return done


def listening_fds() -> list[int]:
    """This process's descriptors that the kernel lists as listening TCP sockets (Linux ``/proc``).

    The server opens its listener in native code and does not hand it to the app; matching our
    descriptors' socket inodes against the kernel's table finds it without touching anything else.
    """
    listening: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows, None)
                for row in rows:
                    fields = row.split()
                    if len(fields) > 9 and fields[3] == "0A":  # TCP_LISTEN
                        listening.add(fields[9])  # the socket's inode
        except OSError:
            continue
    found: list[int] = []
    if not listening:
        return found
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return found
    for name in names:
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in listening:
            found.append(int(name))
    return found
