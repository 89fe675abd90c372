"""granian's server, with a worker's exit judged by the one thread that reaps it.

granian waits for each worker process in two threads: a watcher blocked in ``join()`` for its
whole life, and, as the server stops or reloads, the stopping thread in ``join(timeout)``. When
the watcher reaps the process first, the other's ``join`` returns at once (``waitpid`` fails
with ECHILD, which ``multiprocessing`` reads as "not yet") and ``is_alive()`` stays True until the
watcher has run again to record the exit. granian allows that 1 ms; on a busy machine the
watcher needs longer, and a worker that had stopped cleanly was logged as "Killing worker-1
after it refused to gracefully stop" and sent SIGKILL by pid, a pid already free for reuse.
"""

from __future__ import annotations

import threading
from typing import Any

from granian.server import Server
from granian.server.mp import WorkerProcess


class ReapedWorker(WorkerProcess):
    """A worker process that is alive until its watcher thread has seen it end."""

    def _watch(self) -> None:
        self.watcher = threading.Thread(target=self._watcher, name=f"granian-watch-{self.idx + 1}")
        self.watcher.start()

    def is_alive(self) -> bool:
        return self.watcher.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self.watcher.join(timeout)


class PyxleServer(Server):  # type: ignore[misc,valid-type]
    """granian's ``Server``, spawning ``ReapedWorker`` processes (its process-based server only:
    a free-threaded build runs workers as threads, where no process is reaped)."""

    def _spawn_worker(self, idx: int, target: Any, callback_loader: Any) -> Any:
        worker = super()._spawn_worker(idx, target, callback_loader)
        if type(worker) is WorkerProcess:
            worker.__class__ = ReapedWorker  # not started yet: start() calls ReapedWorker._watch
        return worker
