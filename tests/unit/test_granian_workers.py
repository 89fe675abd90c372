"""Stopping granian's worker processes: a worker that stopped is never reported as refusing to.

granian's own stop code (``MPServer._stop_workers``) runs here on real worker processes; what is
made deterministic is the busy machine: the watcher thread has reaped the process but is not
scheduled again before the stopping thread asks whether it is alive.
"""

from __future__ import annotations

import logging
import multiprocessing.connection
import os
import signal
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from granian.server.mp import MPServer

from pyxle.cli._granian import ReapedWorker


def _serve_until_stopped() -> None:
    signal.pause()  # SIGTERM, as granian's terminate() sends, ends it


def test_a_worker_reaped_by_its_watcher_is_stopped_not_killed(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    reaped, release = threading.Event(), threading.Event()
    exit_code, wait = os.waitstatus_to_exitcode, multiprocessing.connection.wait

    def watcher_records_late(status: int) -> int:
        if threading.current_thread() is not threading.main_thread():
            reaped.set()  # the watcher has reaped the process...
            release.wait(10)  # ...and is not scheduled again for a while
        return exit_code(status)

    def after_the_watcher(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            reaped.wait(10)  # the watcher is the one to reap it, as it is on a busy machine
        return wait(*args, **kwargs)

    monkeypatch.setattr(os, "waitstatus_to_exitcode", watcher_records_late)
    monkeypatch.setattr(multiprocessing.connection, "wait", after_the_watcher)
    server = SimpleNamespace(wrks=[], workers_kill_timeout=10.0)
    worker = ReapedWorker(server, 0, _serve_until_stopped, ())
    worker.start()
    server.wrks.append(worker)
    threading.Timer(0.3, release.set).start()
    with caplog.at_level(logging.INFO, logger="_granian"):
        MPServer._stop_workers(server)  # type: ignore[arg-type]
    assert "refused to gracefully stop" not in caplog.text
    assert worker.inner.exitcode == -signal.SIGTERM  # ended by the stop's SIGTERM, not a SIGKILL
    assert not worker.is_alive()


def test_a_worker_that_does_stop_late_is_still_killed_at_the_deadline(caplog: pytest.LogCaptureFixture) -> None:
    server = SimpleNamespace(wrks=[], workers_kill_timeout=0.3)
    worker = ReapedWorker(server, 0, _ignore_sigterm_forever, ())
    worker.start()
    server.wrks.append(worker)
    worker.inner.join(0.5)  # give it time to install its handler (it never exits by itself)
    with caplog.at_level(logging.INFO, logger="_granian"):
        MPServer._stop_workers(server)  # type: ignore[arg-type]
    assert "Killing worker-1 after it refused to gracefully stop" in caplog.text
    assert worker.inner.exitcode == -signal.SIGKILL
    assert not worker.is_alive()


def _ignore_sigterm_forever() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        signal.pause()
