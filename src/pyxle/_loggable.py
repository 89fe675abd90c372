"""Log lines fit to read: text from a client escaped (a request's path is the client's to choose),
and lines that could come thousands a second written sparsely."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable


def loggable(text: str) -> str:
    """Control characters, quotes and backslashes as ``\\xHH``, as nginx writes them, so ``text``
    cannot forge a log line of its own or drive the reader's terminal."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c not in '"\\' else f"\\x{ord(c):02X}" if ord(c) < 256
                   else f"\\u{ord(c):04X}" for c in text)


class Sparse:
    """A log line written at most once every ``every`` seconds: one per request during an outage
    would bury the log. The lines held back are counted for the next one to say."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._last = -math.inf
        self._held = 0

    def due(self) -> int | None:
        """How many lines were held back since the last one written, if this one is to be written;
        ``None`` (and one more held back) if not."""
        now = time.monotonic()
        if now - self._last < self.every:
            self._held += 1
            return None
        self._last, held, self._held = now, self._held, 0
        return held


class Sampled(Sparse):
    """The line of an outage that meets every request: the first at once, then at most one every
    ``every`` seconds, saying how many answers it stands for. The last line held back is written,
    with that count, when the outage ends (``ended``) or once ``every`` seconds are up, so that no
    count waits for (and lands on) a later outage's first line."""

    def __init__(self, every: float) -> None:
        super().__init__(every)
        self._line: Callable[[str], None] | None = None  # the last line held back
        self._timer: tuple[asyncio.AbstractEventLoop, asyncio.TimerHandle] | None = None

    def write(self, line: Callable[[str], None], first: Callable[[], None] | None = None) -> None:
        """``line(more)`` now when due (``more``: what else it stands for, or ""), else held back;
        ``first()`` instead for the outage's first line, when given (the one that tells it all)."""
        starts = self._last == -math.inf
        held = self.due()
        if held is None:
            self._line = line
            self._flush_later()
            return
        self._line = None
        if starts and first is not None:
            first()
        else:
            line(_more(held))

    def ended(self) -> None:
        """The outage is over: its count now, and the next outage's first line at once."""
        self._flush()
        self._last = -math.inf

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer[1].cancel()
            self._timer = None
        line, self._line = self._line, None
        if line is not None:  # it stands for itself and the others held back
            self._last, held, self._held = time.monotonic(), self._held, 0
            line(_more(held - 1))

    def _flush_later(self) -> None:
        """A timer for the held line, on this event loop (none outside one: the next line says it)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._timer is None or self._timer[0] is not loop or self._timer[1].cancelled():
            delay = max(0.0, self._last + self.every - time.monotonic())
            self._timer = (loop, loop.call_later(delay, self._flush))


def _more(held: int) -> str:
    return f" (and {held} more such answers since the last line)" if held else ""
