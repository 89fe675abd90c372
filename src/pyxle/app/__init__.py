"""Assembling one Starlette app from the project: config, middleware, security, routes, static files.

Public names: ``create_app``, ``PyxleApp``, ``StartupError``, ``worker_app``, and ``Limits`` /
``LimitError`` (the server's timeouts and render queue, from ``PYXLE_*`` variables).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path
from typing import Literal

from pyxle._loading import STARTUP_NOTED
from pyxle._worker_stop import keep_granian_stop
from pyxle.app._app import SERVER_WORKERS, STARTED_FILE, PyxleApp, StartupError, create_app, shared_state
from pyxle.app._heap import keep_heap_small
from pyxle.app._heartbeat import loading, others_serving
from pyxle.app._limits import LimitError, Limits
from pyxle.app._listener import step_aside, take_connections
from pyxle.app._printed import capture_prints
from pyxle.app._watch import forget_project_modules
from pyxle.config import ConfigError, PyxleConfig
from pyxle.security._secret import GENERATED_SECRET_ENV, SecretKeyError, refuse_generated

Mode = Literal["development", "production"]
# Set by pyxle serve once its start-up has built and checked the project: its workers serve that
# build (a reload's check builds the next one beside it) and never rebuild it themselves.
BUILT_BY_SERVER = "PYXLE_BUILT_BY_SERVER"

__all__ = ["LimitError", "Limits", "PyxleApp", "StartupError", "create_app", "worker_app"]


def worker_app(staged: bool = False) -> PyxleApp:
    """App factory for server worker processes; the CLI passes the project through the environment.
    ``staged``: a reload's check, which builds beside the served build (``create_app``).

    A worker started in place of one that died, while other workers serve, waits when the project
    no longer loads (a file edited, or a reload refused, since they started) and tries again with
    a growing pause: exiting would have granian count a crash loop and stop the healthy workers too.
    Until it loads, this worker accepts no connection; the others take them (``step_aside``)."""
    if not staged:
        _stoppable_while_loading()
        keep_heap_small()
        if os.environ.get(BUILT_BY_SERVER) == "1":
            # A worker that starts after the sources changed (one replacing a worker that died, or
            # the second of two still loading) rebuilt the served build from them: a page that
            # breaks the SSR bundle then broke every worker's next Node start, and the workers
            # started after it, until the server stopped as a crash loop.
            os.environ["PYXLE_SKIP_BUILD"] = "1"
        if os.environ.get("PYXLE_LOG_FORMAT") == "json":
            capture_prints()  # what the app prints is a JSON record too
        loading(os.environ.get("PYXLE_MODE", "production"))
    delay = 1.0
    said = ""
    while True:
        try:
            app = _load_worker(staged)
        except (StartupError, ConfigError) as exc:  # a broken file, named with its line
            if str(exc) != said:
                print(f"pyxle: {exc}", file=sys.stderr)
            if staged or not _replaces_a_worker() or not others_serving():
                raise SystemExit(1) from None
            if not said:
                step_aside()  # its connections go to the others meanwhile
                print(f"pyxle: worker {os.getpid()} cannot load the project as it is now and waits while the other "
                      "workers serve, trying again after 1s, then less often (up to every 30s); fix the project and "
                      "reload (SIGHUP)", file=sys.stderr)
            said = str(exc)
            sys.stderr.flush()
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
        else:
            if not staged:
                take_connections()
            return app


def _stoppable_while_loading() -> None:
    """A worker is forked with the server process's SIGTERM and SIGINT handlers, which only set that
    process's stop flag, until granian sets its own once the app has loaded: a stop asked for
    meanwhile (a deploy right after a start, Ctrl-C) was ignored, and the worker went on to serve
    until it was killed at the shutdown deadline. Until then it serves nothing, so it just ends.
    (Under another server, which sets its handlers before it loads the app, they stay as they are.)
    Once loaded, Pyxle's own handlers take over from granian's (``keep_granian_stop``)."""
    if multiprocessing.current_process().name == "granian-worker":
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        keep_granian_stop()


def _load_worker(staged: bool) -> PyxleApp:
    from pyxle.config import load_config

    root = os.environ["PYXLE_PROJECT_ROOT"]
    mode: Mode = os.environ.get("PYXLE_MODE", "production")  # type: ignore[assignment]
    workers = int(os.environ.get("PYXLE_SSR_WORKERS") or 0) or None
    config = load_config(Path(root), mode=mode)
    if config.secret_key is None:  # the key the CLI generated (and warned about) for its workers
        _refuse_generated(config, mode)
        config = dataclasses.replace(config, secret_key=os.environ.get(GENERATED_SECRET_ENV))
    forget_project_modules(config.root)  # as the CLI's check imported them, before the files were edited since
    # pyxle dev's start-up stopped on a broken file already: a worker is started after an edit
    # (one restarted to apply it), and shows the overlay for the next, where exiting crash-looped.
    app = create_app(config, mode=mode, ssr_workers=workers, staged=staged, keep_broken=not staged)
    os.environ.pop(STARTUP_NOTED, None)  # what this worker finds later (a dev reload) is news again
    return app


def _refuse_generated(config: PyxleConfig, mode: Mode) -> None:
    """Start-up's refusal of a missing PYXLE_SECRET_KEY when state is shared, asked again as the
    project is now: a reload after the key left a ``.env`` file would otherwise give each new
    worker a random key of its own (CSRF tokens failing across workers, sign_cookie raising)."""
    shared = shared_state(config, int(os.environ.get(SERVER_WORKERS) or 1), os.environ)
    try:
        refuse_generated(mode=mode, shared=shared)
    except SecretKeyError as exc:
        raise StartupError(str(exc)) from None


def _replaces_a_worker() -> bool:
    """Whether an app has started in a worker of this server before: this one replaces it."""
    started = os.environ.get(STARTED_FILE)
    return bool(started) and Path(started).exists()
