"""What a render can fail with."""

from __future__ import annotations


class RenderError(Exception):
    """The page threw while rendering (``stack`` holds the JS stack), or its worker died."""

    def __init__(self, message: str, stack: str | None = None) -> None:
        super().__init__(message)
        self.stack = stack


class RenderTimeout(RenderError):
    """A render overran the timeout; its worker was replaced."""


class RenderQueueFull(Exception):
    """Every worker is busy and the queue holds as many renders as it may: answer 503 at once.

    Not a ``RenderError``: nothing failed, the server is saturated and says so.
    """
