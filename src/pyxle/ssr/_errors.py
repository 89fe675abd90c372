"""What a render can fail with."""

from __future__ import annotations

from typing import ClassVar

from pyxle._loggable import Sampled


class RenderError(Exception):
    """The page threw while rendering (``stack`` holds the JS stack), or its worker died."""

    def __init__(self, message: str, stack: str | None = None) -> None:
        super().__init__(message)
        self.stack = stack


class BundleError(RenderError):
    """The SSR bundle threw as a worker imported it (a page's module-level code reading ``window``),
    so no worker can start on it: the JavaScript error's name, message and stack."""

    def __init__(self, name: str, message: str, stack: str) -> None:
        super().__init__(f"the SSR bundle threw as it loaded: {stack or f'{name}: {message}'}", stack)
        self.error_name = name
        self.error_message = message


class NoWorker(RenderError):
    """No SSR worker runs and none could be started (``why``): renders fail at once until one is.
    ``brief``: the message without the JavaScript stack of ``why`` (the pool logged that already).
    ``lines``: where each failed render's line is sampled, as every page request meets it; what it
    held back is logged when the pool is whole again."""

    lines: ClassVar[Sampled] = Sampled(10)

    def __init__(self, head: str, why: str, tail: str = "") -> None:
        super().__init__(f"{head}: {why}{tail}")
        self.brief = f"{head}: {why.splitlines()[0] if why else why}{tail}"


class RenderTimeout(RenderError):
    """A render overran the timeout; its worker was replaced."""


class Abandoned(Exception):
    """The render's client left while it waited in the queue, so it was dropped: no one would read it."""


class RenderQueueFull(Exception):
    """Every worker is busy and the queue holds as many renders as it may: answer 503 at once.

    Not a ``RenderError``: nothing failed, the server is saturated and says so.
    """
