"""Standard streams whose reader may go away.

``pyxle serve`` often logs into a pipe (``| logger``, a supervisor, a log shipper reading a FIFO).
Once its reader has gone, every write and flush of that stream fails with ``BrokenPipeError`` (and
``ENOSPC`` on a full disk). Logging drops such failures record by record, but Python flushes
``sys.stderr`` before it forks a new worker, and that failure ended the supervisor's main thread:
no dead worker was replaced and SIGTERM was never handled (the process had to be killed). A server
goes on serving when its log cannot be written, as nginx does; what it writes then is lost.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO


class SteadyStream:
    """``stream`` with its write and flush failures dropped; everything else is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError):  # a pipe with no reader, a full disk; a stream closed under us
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def steady_stdio() -> None:
    """Put ``sys.stdout`` and ``sys.stderr`` behind ``SteadyStream``, before logging binds its
    handlers to them and before any worker is forked (which inherits them)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, SteadyStream):
            setattr(sys, name, SteadyStream(stream))
