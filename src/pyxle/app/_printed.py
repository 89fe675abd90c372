"""With JSON logs, what the app prints is a log record too.

``--log-format json`` promises one JSON object per line, but ``print()`` in a loader or an API
route wrote plain lines to stdout or stderr (``print("a\\nb")``: two of them), as SSR console
output no longer does (``pyxle.ssr`` records). In a worker serving JSON logs, ``sys.stdout`` and
``sys.stderr`` become ``Printed`` streams: the text of each print call (up to the newline that
ends a write) is one record of the ``print`` logger, at INFO from stdout and WARNING from
stderr, with the id of the request it was printed in. What writes bytes (``sys.stdout.buffer``)
or to the file descriptor (granian, faulthandler, a subprocess) is untouched, and so are the
log's own handlers and the access log, which hold the streams as they were.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from typing import Any, TextIO

logger = logging.getLogger("print")
_MOST = 65536  # characters kept waiting for a newline (a progress bar redrawn with "\r") before a record is made


class Printed(io.TextIOBase):
    """A text stream whose writes become records of the ``print`` logger at ``level``."""

    def __init__(self, stream: TextIO, level: int) -> None:
        self.printed_to = stream  # the stream it stands for (what writes JSON itself writes here)
        self.level = level
        self._local = threading.local()  # each thread's text waiting for its newline

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        local = self._local
        if getattr(local, "emitting", False):  # a handler of the record writing here: no loop
            return self.printed_to.write(text)
        pending = getattr(local, "pending", "") + text
        if pending.endswith("\n") or len(pending) > _MOST:
            local.pending = ""
            self._emit(pending.removesuffix("\n"))
        else:
            local.pending = pending
        return len(text)

    def flush(self) -> None:
        """A write without its newline yet (``print(..., end="", flush=True)``) is a record now."""
        pending = getattr(self._local, "pending", "")
        if pending:
            self._local.pending = ""
            self._emit(pending)
        self.printed_to.flush()

    def _emit(self, text: str) -> None:
        if not text:
            return
        self._local.emitting = True
        try:
            logger.log(self.level, "%s", text)
        finally:
            self._local.emitting = False

    def close(self) -> None:  # the stream it stands for stays open: only what waits is written
        self.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.printed_to.isatty()

    def fileno(self) -> int:
        return self.printed_to.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.printed_to.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.printed_to.errors

    @property
    def buffer(self) -> Any:
        """The bytes underneath, for tools that write them: as they were, not records."""
        return self.printed_to.buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.printed_to, name)


def capture_prints() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` of this worker ``Printed`` streams (once)."""
    if not isinstance(sys.stdout, Printed):
        sys.stdout = Printed(sys.stdout, logging.INFO)
    if not isinstance(sys.stderr, Printed):
        sys.stderr = Printed(sys.stderr, logging.WARNING)


def unprinted(stream: TextIO) -> TextIO:
    """The stream ``stream`` stands for, if it is a ``Printed`` one: where the access log writes."""
    return stream.printed_to if isinstance(stream, Printed) else stream
