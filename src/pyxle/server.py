"""Running the app on the network with granian, the server picked by measurement.

On the seed's /api/hello, granian served Pyxle about 2.3x faster than uvicorn on the same
machine (docs/benchmarks.md). Workers are processes that each build the app from the
environment (``pyxle.app:worker_app``), so state is per process.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

WORKER_FACTORY = "pyxle.app:worker_app"


class BindError(Exception):
    """The address cannot be bound (in use, not permitted, not local)."""


def resolve_port(host: str, port: int) -> int:
    """Check the address is free before any worker starts ("port in use" is one clear line),
    and turn port 0 into a concrete free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if hasattr(socket, "SO_REUSEPORT"):  # POSIX: a restart may reuse a port its old connections
            # linger on (TIME_WAIT), as the server's own listener does; one that listens still fails
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            reason = "is already in use" if exc.errno in (98, 48) else f"cannot be bound ({exc.strerror})"
            raise BindError(f"{host}:{port} {reason}; choose another with --port") from None
        return sock.getsockname()[1]


class JsonFormatter(logging.Formatter):
    """``--log-format json``: one JSON object per record, the traceback as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def log_config(json_format: bool = False) -> dict[str, Any]:
    """Errors and server notices to stderr (the access log writes to stdout itself, see app._access)."""
    default = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"()": JsonFormatter} if json_format else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "_granian": default,
            "granian.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "pyxle": default,
        },
    }


def run(host: str, port: int, *, workers: int = 1, json_logs: bool = False) -> None:
    """Serve the project exported to the environment (see ``pyxle.cli``) until interrupted."""
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        WORKER_FACTORY,
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        websockets=True,
        log_dictconfig=log_config(json_logs),
        respawn_failed_workers=workers > 1,
    ).serve()
