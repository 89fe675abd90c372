"""``pyxle dev``: tell open browsers when the project was rebuilt or broke (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.responses import HTMLResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

DEV_CLIENT = (Path(__file__).resolve().parents[1] / "client" / "_dev.js").read_text(encoding="utf-8")
DEV_SCRIPT = f"<script>{DEV_CLIENT}</script>"


class DevEvents:
    """Fan-out of ``reload`` / ``error-report`` events to every connected browser."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self.error: str | None = None

    def publish(self, event: str, data: dict[str, object]) -> None:
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n"
        for queue in self._queues:
            queue.put_nowait(message)

    def reloaded(self, changed: list[str] | None = None) -> None:
        """After a rebuild: stylesheet-only changes are swapped in place (page state survives);
        anything else reloads the page."""
        was_broken, self.error = self.error is not None, None
        css_only = bool(changed) and all(name.endswith(".css") for name in changed or ())
        self.publish("css" if css_only and not was_broken else "reload", {})

    def broken(self, message: str) -> None:
        self.error = message
        self.publish("error-report", {"message": message})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queues.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 500\n\n"
                if self.error is not None:
                    yield f"event: error-report\ndata: {json.dumps({'message': self.error})}\n\n"
                while True:
                    try:
                        yield await asyncio.wait_for(queue.get(), 15)
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
            finally:
                self._queues.discard(queue)

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        await StreamingResponse(stream(), media_type="text/event-stream", headers=headers)(scope, receive, send)


def error_page(message: str) -> HTMLResponse:
    """What a broken project answers to page requests in dev: the error, and the overlay client."""
    body = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>pyxle dev: error</title></head><body>"
        f"<pre id=\"pyxle-dev-error\">{html.escape(message)}</pre>{DEV_SCRIPT}</body></html>"
    )
    return HTMLResponse(body, status_code=500)
