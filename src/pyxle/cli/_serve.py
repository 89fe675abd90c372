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
    """``--log-format json``: one JSON object per record, the traceback as one string field; records
    made while a request is handled carry its ``request_id``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def log_config(json_format: bool = False, level: str = "INFO") -> dict[str, Any]:
    """Pyxle's, the app's and the server's records to stderr, each tagged with the id of the request
    it was logged in (the access log writes to stdout itself, see app._access)."""
    default = {"handlers": ["default"], "level": level, "propagate": False}
    text = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "pyxle.observability.RequestIdFilter"}},
        "formatters": {
            "default": {"()": JsonFormatter} if json_format else {"format": text},
        },
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr",
                        "filters": ["request_id"]},
        },
        "loggers": {
            "_granian": default,
            "granian.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "pyxle": default,
        },
        "root": {"handlers": ["default"], "level": level},  # the app's own loggers
    }


def run(host: str, port: int, *, workers: int = 1, json_logs: bool = False, log_level: str = "INFO") -> None:
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
        log_dictconfig=log_config(json_logs, log_level),
        respawn_failed_workers=workers > 1,
    ).serve()
