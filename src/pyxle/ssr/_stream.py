"""The rest of a streamed render: what React sends after the shell, as it completes."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Callable

from pyxle.ssr._errors import RenderError

_END = object()


class RenderStream:
    """``async for chunk in stream`` yields HTML chunks until the render ends; ``close()`` before
    then tells the worker to stop it (the client went away). A stream that stays silent for
    ``idle`` seconds ends: the worker leaves what is still loading to the browser well before."""

    def __init__(self, abort: Callable[[], None], idle: float, context: contextvars.Context | None = None) -> None:
        self._abort = abort
        self.context = context  # of the render's caller: its console output is logged in it
        self._idle = idle
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self.finished = False

    def feed(self, message: dict[str, object]) -> None:
        """A message of the worker for this render: ``{"chunk": ...}`` or ``{"end": true}``."""
        if "chunk" in message:
            self._queue.put_nowait(message["chunk"])
        else:
            self._queue.put_nowait(_END)

    def fail(self, error: RenderError) -> None:
        """The worker died (or was replaced) in the middle of it."""
        self._queue.put_nowait(error)

    async def __aiter__(self) -> AsyncIterator[str]:
        while not self.finished:
            try:
                item = await asyncio.wait_for(self._queue.get(), self._idle)
            except asyncio.TimeoutError:
                self.close()
                return
            if item is _END:
                self.finished = True
                return
            if isinstance(item, RenderError):
                self.finished = True
                raise item
            yield item  # type: ignore[misc]

    def close(self) -> None:
        if not self.finished:
            self.finished = True
            self._abort()
