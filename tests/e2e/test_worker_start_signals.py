"""A stop asked for while a worker is still loading the app ends it at once.

granian forks its workers with the server process's SIGTERM and SIGINT handlers, which only set
that process's stop flag; until granian sets the worker's own, once the app has loaded, a stop was
ignored: the worker went on to serve, and was killed at the shutdown deadline."""

from __future__ import annotations

import os
import signal
import time

import pytest

SLOW_ROUTE = '''
import time

time.sleep(4)  # a project that takes a while to load (imports, a plugin connecting)


async def get(request):
    return {"ok": True}
'''


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_while_the_worker_loads_the_app_is_prompt(make_project, start_server, sig: signal.Signals) -> None:
    project = make_project({"pages/api/slow.py": SLOW_ROUTE})
    server = start_server(project, "serve", "--shutdown-timeout", "20", ready=False)
    server.wait_for_output("Spawning worker-1", timeout=60)  # after the CLI's own check of the project
    time.sleep(0.5)  # the worker is loading the project (4 s)
    started = time.monotonic()
    os.kill(server.proc.pid, sig)
    server.wait_exit(30)
    took = time.monotonic() - started
    assert "refused to gracefully stop" not in server.output(), server.output()
    assert took < 3, f"the server took {took:.1f}s to stop:\n{server.output()}"
