"""Assembling one Starlette app from the project: config, middleware, security, routes, static files.

Public names: ``create_app``, ``PyxleApp``, ``StartupError``, ``worker_app``, and ``Limits`` /
``LimitError`` (the server's timeouts and render queue, from ``PYXLE_*`` variables).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Literal

from pyxle._loading import STARTUP_NOTED
from pyxle.app._app import PyxleApp, StartupError, create_app
from pyxle.app._limits import LimitError, Limits
from pyxle.security._secret import GENERATED_SECRET_ENV

Mode = Literal["development", "production"]

__all__ = ["LimitError", "Limits", "PyxleApp", "StartupError", "create_app", "worker_app"]


def worker_app(staged: bool = False) -> PyxleApp:
    """App factory for server worker processes; the CLI passes the project through the environment.
    ``staged``: a reload's check, which builds beside the served build (``create_app``)."""
    from pyxle.config import load_config

    root = os.environ["PYXLE_PROJECT_ROOT"]
    mode: Mode = os.environ.get("PYXLE_MODE", "production")  # type: ignore[assignment]
    try:
        workers = int(os.environ.get("PYXLE_SSR_WORKERS") or 0) or None
        config = load_config(Path(root), mode=mode)
        if config.secret_key is None:  # the key the CLI generated (and warned about) for its workers
            config = dataclasses.replace(config, secret_key=os.environ.get(GENERATED_SECRET_ENV))
        app = create_app(config, mode=mode, ssr_workers=workers, staged=staged)
    except StartupError as exc:
        print(f"pyxle: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    os.environ.pop(STARTUP_NOTED, None)  # what this worker finds later (a dev reload) is news again
    return app
