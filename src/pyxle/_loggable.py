"""Log lines fit to read: text from a client escaped (a request's path is the client's to choose),
and lines that could come thousands a second written sparsely."""

from __future__ import annotations

import math
import time


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
