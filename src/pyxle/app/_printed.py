"""With JSON logs, what the app prints is a log record too.

``--log-format json`` promises one JSON object per line, but ``print()`` in a loader or an API
route wrote plain lines to stdout or stderr (``print("a\\nb")``: two of them), as SSR console
output no longer does (``pyxle.ssr`` records). In a worker serving JSON logs, ``sys.stdout`` and
``sys.stderr`` become ``Printed`` streams: the text of each print call is one record of the
``print`` logger, at INFO from stdout and WARNING from stderr, with the id of the request it was
printed in. ``print`` writes each argument, separator and end apart (``print("a\\n", "b")``: a
write ending in a newline before the rest), so the call is held (``one_print``) and its text made
one record when it returns, if it ended in a newline or flushed. A traceback is one call too: the
``traceback`` module (and a thread's uncaught exception) writes one line at a time, so those calls
are held (``one_record``) and their lines made one record when they return. What writes bytes (``sys.stdout.buffer``)
or to the file descriptor (granian, faulthandler, a subprocess) is untouched, and so are the
log's own handlers and the access log, which hold the streams as they were.
"""

from __future__ import annotations

import builtins
import functools
import io
import logging
import sys
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

logger = logging.getLogger("print")
_MOST = 65536  # characters kept waiting for a newline (a progress bar redrawn with "\r") before a record is made
_streams: weakref.WeakSet[Printed] = weakref.WeakSet()
_held = threading.local()  # how deep this thread is in calls whose writes make one record


class Printed(io.TextIOBase):
    """A text stream whose writes become records of the ``print`` logger at ``level``."""

    def __init__(self, stream: TextIO, level: int) -> None:
        self.printed_to = stream  # the stream it stands for (what writes JSON itself writes here)
        self.level = level
        self._local = threading.local()  # each thread's text waiting for its newline
        _streams.add(self)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        local = self._local
        if getattr(local, "emitting", False):  # a handler of the record writing here: no loop
            return self.printed_to.write(text)
        pending = getattr(local, "pending", "") + text
        if (pending.endswith("\n") and not getattr(_held, "depth", 0)) or len(pending) > _MOST:
            local.pending = ""
            self._emit(pending.removesuffix("\n"))
        else:
            local.pending = pending
        return len(text)

    def flush(self) -> None:
        """A write without its newline yet (``print(..., end="", flush=True)``) is a record now, or
        when the held call returns."""
        if getattr(_held, "depth", 0):
            self._local.flushed = True
        else:
            self._emit_pending()
        self.printed_to.flush()

    def _emit_pending(self) -> None:
        local = self._local
        local.flushed = False
        pending = getattr(local, "pending", "")
        if pending:
            local.pending = ""
            self._emit(pending.removesuffix("\n"))

    def _printed(self, done: bool) -> None:
        """A print call ended: its text is a record if it ended in a newline, was flushed or failed
        half-way; otherwise (``end=""``) it waits for the next."""
        local = self._local
        if not done or getattr(local, "flushed", False) or getattr(local, "pending", "").endswith("\n"):
            self._emit_pending()

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


@contextmanager
def one_record() -> Iterator[None]:
    """What this thread writes to a ``Printed`` stream inside is one record (per stream), made on
    leaving; text waiting from before (``print(..., end="")``) is a record of its own first."""
    depth = getattr(_held, "depth", 0)
    if not depth:
        for stream in list(_streams):
            stream._emit_pending()
    _held.depth = depth + 1
    try:
        yield
    finally:
        _held.depth = depth
        if not depth:
            for stream in list(_streams):
                stream._emit_pending()


_print = builtins.print


def one_print(*args: Any, **kwargs: Any) -> None:
    """``print``, whose writes to a ``Printed`` stream make one record, made when it returns.
    Unlike ``one_record``, text waiting from an earlier ``print(..., end="")`` joins it."""
    if getattr(_held, "depth", 0):  # inside a held call already (a traceback prints its lines)
        _print(*args, **kwargs)
        return
    _held.depth = 1
    done = False
    try:
        _print(*args, **kwargs)
        done = True
    finally:
        _held.depth = 0
        for stream in list(_streams):
            stream._printed(done)


one_print.pyxle_one_record = True  # type: ignore[attr-defined]


def _held_call(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def held(*args: Any, **kwargs: Any) -> Any:
        with one_record():
            return function(*args, **kwargs)

    held.pyxle_one_record = True  # type: ignore[attr-defined]
    return held


# Where a traceback is written line by line: what print_exc, print_tb, print_stack and the like
# end in (TracebackException.print is 3.11's; 3.10's print_exception writes the lines itself).
_TRACEBACK_WRITERS = ((traceback, "print_exception"), (traceback, "print_list"),
                      (traceback.TracebackException, "print"), (threading, "excepthook"))


def capture_prints() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` of this worker ``Printed`` streams, and each print
    call and each call that writes a traceback one record (once)."""
    if not isinstance(sys.stdout, Printed):
        sys.stdout = Printed(sys.stdout, logging.INFO)
    if not isinstance(sys.stderr, Printed):
        sys.stderr = Printed(sys.stderr, logging.WARNING)
    if not getattr(builtins.print, "pyxle_one_record", False):
        builtins.print = one_print
    for owner, name in _TRACEBACK_WRITERS:
        function = getattr(owner, name, None)
        if function is not None and not getattr(function, "pyxle_one_record", False):
            setattr(owner, name, _held_call(function))


def unprinted(stream: TextIO) -> TextIO:
    """The stream ``stream`` stands for, if it is a ``Printed`` one: where the access log writes."""
    return stream.printed_to if isinstance(stream, Printed) else stream
