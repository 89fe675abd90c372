"""Text from a client made fit for a text log line (a request's path is the client's to choose)."""

from __future__ import annotations


def loggable(text: str) -> str:
    """Control characters, quotes and backslashes as ``\\xHH``, as nginx writes them, so ``text``
    cannot forge a log line of its own or drive the reader's terminal."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c not in '"\\' else f"\\x{ord(c):02X}" if ord(c) < 256
                   else f"\\u{ord(c):04X}" for c in text)
