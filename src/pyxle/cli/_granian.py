"""granian's server, with a worker's exit judged by the one thread that reaps it.

granian waits for each worker process in two threads: a watcher blocked in ``join()`` for its
whole life, and, as the server stops or reloads, the stopping thread in ``join(timeout)``. When
the watcher reaps the process first, the other's ``join`` returns at once (``waitpid`` fails
with ECHILD, which ``multiprocessing`` reads as "not yet") and ``is_alive()`` stays True until the
watcher has run again to record the exit. granian allows that 1 ms; on a busy machine the
watcher needs longer, and a worker that had stopped cleanly was logged as "Killing worker-1
after it refused to gracefully stop" and sent SIGKILL by pid, a pid already free for reuse.

A worker whose app had started and that then died (a segfault in a request) is started again each
time, as gunicorn does, and the log names what it was doing: see ``ReapedWorker._watcher``.

It also replaces workers (a reload, one that died) the way granian does, but stops doing so on
SIGTERM or SIGINT: see ``PyxleServer._respawn_workers``; and a worker's successor accepts from
the socket it did: see ``PyxleServer._init_shared_socket``.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import granian
from granian.log import logger
from granian.net import SocketSpec
from granian.server import Server
from granian.server.mp import WorkerProcess

from pyxle.app._app import RETIRE, STARTED_FILE
from pyxle.app._heartbeat import ended
from pyxle.app._listener import LISTENER, SLOT

POLL = 0.05  # how often a reload's pause, or its wait for an old worker, looks for a stop signal
# When a worker was respawned, for granian's crash-loop check (one that dies within 5.5 s of it
# stops the server): granian compares it with time.time() in 2.5, time.monotonic() from 2.6.
STAMP = time.time if granian.__version__.startswith("2.5.") else time.monotonic
# How long an old worker a reload replaces answers with `Connection: close` before it is stopped:
# its kept-alive clients move to new connections meanwhile, once its successor takes them too.
RETIRE_GRACE = 1.0


# The longest a reload waits for a new worker's app to start before it stops the old one anyway.
READY_LIMIT = 60.0


def _started_mark() -> int | None:
    """When an app last started in a worker of this server (the file ``PYXLE_STARTED_FILE`` names,
    which each touches: ``pyxle.app._app._mark_started``), in ns; 0 before any, None without one."""
    path = os.environ.get(STARTED_FILE)
    if not path:
        return None
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


class ReapedWorker(WorkerProcess):
    """A worker process that is alive until its watcher thread has seen it end."""

    def _watch(self) -> None:
        self.born = STAMP()  # after granian's ``respawned_wrks`` stamp for it, if it replaces one
        self.watcher = threading.Thread(target=self._watcher, name=f"granian-watch-{self.idx + 1}")
        self.watcher.start()

    def _watcher(self) -> None:
        """granian's, after logging how a worker that died unexpectedly ended (with its threads'
        stacks as it crashed: ``pyxle.app._heartbeat.ended``). One whose app had started is no
        longer counted as just respawned: granian stopped the server as a crash loop when it died
        within 5.5 s of its start, so a page that crashed its worker, asked for twice a second
        apart, stopped every worker and closed the port. That check is for workers that cannot
        start, and still counts those."""
        self.inner.join()
        unexpected = not self.interrupt_by_parent
        try:
            # Not logged once the server was asked to stop: Ctrl-C reaches the workers too.
            log = unexpected and not getattr(self.parent, "interrupt_signal", False)
            started = ended(self.inner.pid, f"worker-{self.idx + 1}", self.inner.exitcode, log)
            if unexpected and started and self.parent.respawned_wrks.get(self.idx, math.inf) <= self.born:
                self.parent.respawned_wrks.pop(self.idx, None)
        finally:
            super()._watcher()  # whatever happened above, granian learns of the exit

    def is_alive(self) -> bool:
        return self.watcher.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self.watcher.join(timeout)


class PyxleServer(Server):  # type: ignore[misc,valid-type]
    """granian's ``Server``, spawning ``ReapedWorker`` processes (its process-based server only:
    a free-threaded build runs workers as threads, where no process is reaped), and whose
    replacing of workers gives way to a stop signal."""

    def __init__(self, *args: Any, stop_grace: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # pyxle dev: how long workers have after a stop signal (Ctrl-C) before they are killed, in
        # place of workers_kill_timeout (the shutdown timeout), which reloads still use.
        self.stop_grace = stop_grace
        self.retiring: list[tuple[Any, float]] = []  # old workers told to stop, and their deadline
        self.slots: list[tuple[Any, socket.socket]] = []  # each worker slot's listening socket (Linux)

    def _respawn_workers(self, workers: list[int], spawn_target: Any, target_loader: Any, delay: float = 0) -> None:
        """granian's, but a stop signal (SIGTERM, SIGINT) ends it at once. granian replaces the
        workers one by one: it starts the new one, sleeps ``delay`` (3.5 s in a SIGHUP reload;
        here, until the new one's app has started: ``_until_started``), stops the old one and
        waits for it (up to ``--shutdown-timeout``), and looks at the signal only once all are
        replaced, so a SIGTERM during a reload of 3 workers was held ~12 s while
        the server took new connections. Here no further worker is replaced, the pause and the
        wait end, and the shutdown then stops the old workers with the new ones."""
        spawned = 0
        for idx in workers:
            if self.interrupt_signal:
                break
            self.respawned_wrks[idx] = STAMP()
            logger.info(f"Respawning worker-{idx + 1}")
            old = self.wrks.pop(idx)
            mark = _started_mark()
            worker = self._spawn_worker(idx=idx, target=spawn_target, callback_loader=target_loader)
            worker.start()
            self.wrks.insert(idx, worker)
            spawned += 1
            if delay and mark is not None:
                started = self._until_started(worker, mark)
                stopped = started is None
            else:
                started, stopped = False, not self._pause(delay)
            if stopped:
                self.wrks.append(old)  # not told yet: the shutdown tells it with the others
                break
            if started:
                # Its app started: a later exit is a crash to respawn, not the crash loop granian
                # looks for within 5.5 s of a respawn (a worker that cannot start).
                self.respawned_wrks.pop(idx, None)
            # Only now, with its successor taking connections, is the old worker told: its clients
            # move to the workers running. Told all at once as the reload began, every client moved
            # to the one worker already taking connections and stayed there (16 of 16 on 2 workers).
            if _retire(old) and not self._pause(min(delay, RETIRE_GRACE)):
                self.wrks.append(old)
                break
            logger.info(f"Stopping old worker-{idx + 1}")
            old.terminate()
            deadline = time.monotonic() + self.workers_kill_timeout if self.workers_kill_timeout else math.inf
            if not self._wait(old, deadline):
                self.retiring.append((old, deadline))  # told already: the shutdown only waits for it
                break
            self._reaped(old, f"old worker-{idx + 1}")
        if hasattr(self, "_metrics"):  # granian 2.7 and later
            self._metrics.incr_spawn(spawned)
        if self.interrupt_signal:
            self.main_loop_interrupt.set()  # granian's _reload clears it, maybe after the signal set it

    def _init_shared_socket(self) -> None:
        """On Linux, one listening socket per worker slot, opened here: a worker and the one that
        replaces it (a reload, a crash) accept from the same socket. granian has each worker open
        its own (``SO_REUSEPORT``): the kernel spreads connections over them as it does over these,
        but what waited in the queue of a worker that stopped, or what it had taken and not read
        yet, was closed unanswered. Here it waits for the successor, and a worker a reload replaces
        stops taking connections once its successor takes them (``pyxle.app._listener``, told the
        sockets by ``LISTENER``). Elsewhere granian opens one socket for every worker."""
        if self.bind_uds or sys.platform != "linux":
            super()._init_shared_socket()
            return
        self._ssp = None
        self.slots = [self._listen() for _ in range(self.workers)]
        os.environ[LISTENER] = " ".join(str(os.fstat(sock.fileno()).st_ino) for _, sock in self.slots)

    def _listen(self) -> tuple[Any, socket.socket]:
        """A listening socket on the server's address, for workers to inherit."""
        holder = SocketSpec(self.bind_addr, self.bind_port, self.backlog).build()
        sock = socket.socket(fileno=holder.get_fd())
        sock.set_inheritable(True)
        return holder, sock

    def _drop_shared_socket(self) -> None:
        super()._drop_shared_socket()
        for _, sock in self.slots:
            sock.close()
        self.slots.clear()

    def _stop_workers(self) -> None:
        """granian's, then the wait for old workers a stop signal found stopping in a reload. On a
        stop signal with a ``stop_grace`` (pyxle dev) each has that long, not the shutdown timeout:
        a worker stuck in a loop, or a request that never ends, held Ctrl-C for 10 s."""
        if self.interrupt_signal and self.stop_grace is not None:
            self.workers_kill_timeout = self.stop_grace
            end = time.monotonic() + self.stop_grace
            self.retiring = [(worker, min(deadline, end)) for worker, deadline in self.retiring]
        super()._stop_workers()
        for worker, deadline in self.retiring:
            self._wait(worker, deadline, signal_ends=False)
            self._reaped(worker, f"old worker-{worker.idx + 1}")
        self.retiring.clear()

    def _until_started(self, worker: Any, mark: int) -> bool | None:
        """Wait until ``worker``'s app has started (it touches the started file: ``_started_mark``
        moves past ``mark``; True), it has died or ``READY_LIMIT`` has passed (False); None as soon
        as a stop signal has come. granian waits a fixed 3.5 s instead: an old worker then
        served on after its successor was ready (a config edit in ``pyxle dev`` took 6 s to apply),
        or was stopped before a successor slower to start was ready, its clients queued meanwhile."""
        end = time.monotonic() + READY_LIMIT
        while not self.interrupt_signal:
            if (_started_mark() or 0) > mark:
                return True
            if not worker.is_alive() or time.monotonic() >= end:
                return False
            time.sleep(POLL)
        return None

    def _pause(self, seconds: float) -> bool:
        """Sleep ``seconds``; False as soon as a stop signal has come."""
        end = time.monotonic() + seconds
        while not self.interrupt_signal:
            left = end - time.monotonic()
            if left <= 0:
                return True
            time.sleep(min(POLL, left))
        return False

    def _wait(self, worker: Any, deadline: float, *, signal_ends: bool = True) -> bool:
        """Wait until ``worker`` has exited or ``deadline`` has passed; False if a stop signal came
        first (``signal_ends``)."""
        while worker.is_alive():
            if signal_ends and self.interrupt_signal:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                break
            worker.join(min(POLL, left))
        return True

    def _reaped(self, worker: Any, name: str) -> None:
        """Kill a worker still running at its deadline, as granian does."""
        if self.workers_kill_timeout and worker.is_alive():
            logger.warning(f"Killing {name} after it refused to gracefully stop")
            worker.kill()
            worker.join()
        logger.info(f"Stopped {name}")

    def _spawn_worker(self, idx: int, target: Any, callback_loader: Any) -> Any:
        if self.slots:
            self._shd, self._sso = self.slots[idx]  # what granian gives the worker as its socket
            # and how the worker finds it: granian starts the worker (a fork: it inherits this) next
            os.environ[SLOT] = f"{os.fstat(self._sso.fileno()).st_ino} {self.backlog}"
        worker = super()._spawn_worker(idx, target, callback_loader)
        if type(worker) is WorkerProcess:
            worker.__class__ = ReapedWorker  # not started yet: start() calls ReapedWorker._watch
        return worker


def _retire(worker: Any) -> bool:
    """Tell ``worker`` a reload replaces it (SIGUSR1: its answers close their connections from then
    on, so kept-alive clients move while it still answers; see ``HttpEdge.retiring``); whether it
    was told. One that does not catch the signal (still starting, or gone) is not: the signal's
    default would end it."""
    pid = getattr(getattr(worker, "inner", None), "pid", None)
    if RETIRE is None or pid is None or not _catches(pid, RETIRE):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, RETIRE)
    return True


def _catches(pid: int, sig: int) -> bool:
    """Whether process ``pid`` has a handler for ``sig`` (its ``SigCgt`` mask; False off Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False
