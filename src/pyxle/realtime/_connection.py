"""One WebSocket as Pyxle serves it: the size limit on what comes in, the bounded queue of what
channels send out, and closes the server starts (slow consumer, shutdown, oversized message).

Once accepted, a socket's incoming messages are read ahead of its handler. granian takes a send
to a socket whose peer has left without an error and holds it, so a handler that only sends would
never learn the peer left: it would push forever, and memory with it. Reading ahead, the peer's
close is seen as it comes; the handler's next send raises ``WebSocketDisconnect``, as under
uvicorn, and the socket leaves its channels. Up to ``READ_AHEAD`` is held; then reading waits for
the handler (the peer is held back), for ``STALL`` seconds at most: a handler that reads nothing in
that time is taken not to read at all, and reading goes on (so a close is still seen) up to
``UNREAD_LIMIT``, past which the peer is closed with 1009.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from pyxle.realtime._frames import Frame, check_close_code, check_text, close_reason

logger = logging.getLogger("pyxle.realtime")

CLOSE_TIMEOUT = 5.0  # how long a close frame may wait behind a peer that does not read (shutdown)
SLOW_CLOSE_TIMEOUT = 60.0  # a consumer closed for not reading gets this long to read its 1013
FLUSH_TIMEOUT = 2.0  # how long a handler's close waits for the channel messages queued before it
STALLED = 0.25  # a send blocked this long (seconds): the peer is not reading, do not wait for it
_NO_FRAME = frozenset({1006, 1015})  # the connection ended without a close frame: nothing to answer
# granian reports 1005 (no code) for a close frame without one, which it answers itself, and for
# a connection it ends for a broken frame (invalid UTF-8, unmasked, over its size limits), which
# gets this: 1005 itself may not go on the wire (RFC 6455 7.4.1), and clients reject it
_NO_CODE_ANSWER = 1002
READ_AHEAD = 64 * 1024  # incoming messages held for the handler (payload + OVERHEAD each); past it, reading waits
OVERHEAD = 256  # what a held message costs besides its payload, so a flood of empty ones counts too
STALL = 5.0  # seconds a full inbox waits for its handler to read; then it is taken not to read at all
LEAVE_GRACE = STALL  # seconds a handler may go without reading once its socket closed; then it is cancelled
# Channel messages waiting for one socket, in bytes (payload + OVERHEAD each), besides sendQueue's
# count: 1,024 waiting messages of 1 MiB held a GiB for one socket that stopped reading.
QUEUE_BYTES = 16 * 1024 * 1024
UNREAD_LIMIT = 1024 * 1024  # held for a handler that does not read: past this the peer is closed (1009)


class Connection:
    """Per socket state; the only per-message work is a length check in and a deque append out."""

    __slots__ = (
        "__weakref__",
        "_aborted",
        "_close_sent",
        "_draining",
        "_handed",
        "_held",
        "_inbox",
        "_on_close",
        "_progress",
        "_pump",
        "_queue",
        "_queue_bytes",
        "_queued",
        "_reader",
        "_reads",
        "_ready",
        "_receive",
        "_room",
        "_send",
        "_stalled",
        "_task",
        "_told",
        "_waiter",
        "close_code",
        "closed",
        "max_message",
        "queue_limit",
        "scope",
        "sending_since",
    )

    def __init__(self, scope: Scope, receive: Receive, send: Send, *, max_message: int, queue_limit: int) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.max_message = max_message
        self.queue_limit = queue_limit
        self.closed = False
        self.close_code: int | None = None
        self._queue: collections.deque[tuple[Frame, int]] = collections.deque()  # each frame, with its size
        self._queue_bytes = 0  # the size of the frames in it
        self._waiter: asyncio.Future[None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._queued = 0  # frames ever queued for the pump, and those it handed to the server:
        self._handed = 0  # a direct send waits until the second reaches what the first was
        self._progress: asyncio.Future[None] | None = None  # someone waits for the pump to hand frames over
        self._task = asyncio.current_task()
        self._aborted = False
        self._close_sent: asyncio.Future[None] | None = None
        self._draining: asyncio.Future[None] | None = None  # a flooding peer closed, read until its answer
        self.sending_since = 0.0  # loop time the frame being sent was handed over; 0.0: none
        self._inbox: collections.deque[Message] = collections.deque()  # read ahead of the handler
        self._held = 0  # their size
        self._reader: asyncio.Task[None] | None = None  # reads ahead, from the accept on
        self._ready: asyncio.Future[None] | None = None  # the handler, waiting for a message
        self._room: asyncio.Future[None] | None = None  # the reader, waiting for the handler to read
        self._stalled = False  # the inbox filled and its handler read nothing for STALL seconds
        self._reads = 0  # messages its handler took from the inbox
        self._told = False  # its handler was given the disconnect (or a send raised it)
        self._on_close: list[Callable[[Connection], None]] = []

    # -- what the application's handler calls (through Starlette's WebSocket) -----------------

    async def receive(self) -> Message:
        reader = self._reader
        if reader is None:  # the handshake: straight through until the accept is sent
            return await self._checked(await self._receive())
        inbox = self._inbox
        while not inbox:
            if reader.done():
                self._told = True
                return {"type": "websocket.disconnect", "code": self.close_code or 1006}
            self._ready = ready = asyncio.get_running_loop().create_future()
            await ready
        message = inbox.popleft()
        self._held -= message_size(message)
        self._reads += 1
        if message["type"] == "websocket.disconnect":
            self._told = True
        self._stalled = False  # it reads after all
        room = self._room
        if room is not None:  # the reader reads on, or waits STALL seconds more for the next read
            self._room = None
            if not room.done():
                room.set_result(None)
        return message

    async def send(self, message: Message) -> None:
        text = message.get("text")
        if text is not None and not text.isascii():  # granian would send a lone surrogate's text as an empty frame
            check_text(text)
        elif message["type"] == "websocket.close" and self.accepted:  # (before accept() it refuses the handshake: 403)
            check_close_code(message.get("code", 1000))
            if message.get("reason"):
                message = {**message, "reason": close_reason(message["reason"])}
        if self.closed:
            if message["type"] == "websocket.close":
                return  # the server closed it already; closing twice is not an error
            self._told = True
            raise WebSocketDisconnect(self.close_code or 1006)
        if self._handed < self._queued:  # channel messages queued before this go first
            await self._caught_up(FLUSH_TIMEOUT if message["type"] == "websocket.close" else None)
            if self.closed and message["type"] != "websocket.close":
                raise WebSocketDisconnect(self.close_code or 1006)
        if message["type"] == "websocket.close":
            if self.closed:
                return
            self._stop(message.get("code", 1000))
        await self._send(message)
        if message["type"] == "websocket.accept":
            self._reader = asyncio.ensure_future(self._read_ahead())

    async def _checked(self, message: Message) -> Message:
        """An incoming message as the handler gets it: one over ``max_message`` closes the socket (1009)."""
        kind = message["type"]
        if kind == "websocket.receive":
            data = message.get("bytes")
            size = len(data) if data is not None else text_size(message.get("text") or "", self.max_message)
            if size > self.max_message:
                logger.warning("closing a WebSocket on %s: a %d-byte message is over the %d-byte limit (1009)",
                               self.scope.get("path"), size, self.max_message)
                await self.close(1009, "message too big")
                return {"type": "websocket.disconnect", "code": 1009}
        elif kind == "websocket.disconnect":
            self._stop(message.get("code", 1000))
        return message

    async def _read_ahead(self) -> None:
        """Read the peer's messages into the inbox as they come, until its close (or a message over
        the limit), which stops the socket at once; the module's docstring says how far ahead."""
        inbox, loop = self._inbox, asyncio.get_running_loop()
        while True:
            if self._held >= READ_AHEAD and not self._stalled:
                self._room = room = loop.create_future()
                try:
                    await asyncio.wait_for(room, STALL)
                except asyncio.TimeoutError:
                    self._stalled = True  # read on, so that a close is seen; UNREAD_LIMIT bounds it
                continue
            if self._held >= UNREAD_LIMIT:
                logger.warning("closing a WebSocket on %s: its handler reads nothing and %d messages from the peer "
                               "are waiting (1009)", self.scope.get("path"), len(inbox))
                self._draining = drained = loop.create_future()
                try:
                    await self.close(1009, "unread messages over the limit")
                    await self._drain()
                finally:
                    drained.set_result(None)
                message: Message = {"type": "websocket.disconnect", "code": 1009}
            else:
                try:
                    message = await self._checked(await self._receive())
                    code = message.get("code", 1000)
                    if message["type"] == "websocket.disconnect" and self._close_sent is None and code not in _NO_FRAME:
                        await self._answer_close(_NO_CODE_ANSWER if code == 1005 else code)
                except Exception:  # noqa: BLE001  (the server's receive failed: the connection is gone)
                    self._stop(1006)
                    message = {"type": "websocket.disconnect", "code": 1006}
            inbox.append(message)
            self._held += message_size(message)
            ready = self._ready
            if ready is not None:
                self._ready = None
                if not ready.done():  # its handler may have been cancelled while waiting
                    ready.set_result(None)
            if message["type"] == "websocket.disconnect":
                self._end_idle_handler()
                return

    def _end_idle_handler(self, reads: int = -1) -> None:
        """The socket is closed: cancel a handler that has not taken the disconnect and reads
        nothing for ``LEAVE_GRACE`` seconds (one parked on an event would otherwise run, and hold
        its memory and its place in the open-socket count, for good); one still reading its
        backlog, or one that took the disconnect, ends on its own."""
        task = self._task
        if self._told or task is None or task.done():
            return
        if self._reads == reads:
            self.abort()
            return
        check = asyncio.get_running_loop().call_later(LEAVE_GRACE, self._end_idle_handler, self._reads)
        # A handler that ends meanwhile (most do, on the disconnect) drops the check: the timer held
        # the connection, its scope and task, for the whole grace (~1300 sockets at 540 closes a second).
        task.add_done_callback(lambda _: check.cancel())

    async def _drain(self) -> None:
        """After closing a peer that floods: read (and drop) what it still sends until its answer to
        the close, so that it reads the close frame rather than the reset of a socket dropped with
        its data unread."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_TIMEOUT
        with contextlib.suppress(Exception):
            while (left := deadline - loop.time()) > 0:
                message = await asyncio.wait_for(self._receive(), left)
                if message["type"] == "websocket.disconnect":
                    return

    async def _answer_close(self, code: int) -> None:
        """Answer the peer's close frame now, not when the handler returns: one busy elsewhere
        (waiting on an event, a database) would leave the peer waiting for the answer."""
        self._close_sent = sent = asyncio.get_running_loop().create_future()
        try:
            await self._send_close(code)  # not sent: the server finished the close itself
        finally:
            sent.set_result(None)

    def when_closed(self, callback: Callable[[Connection], None]) -> None:
        """Call ``callback(self)`` once the socket is closed (by either side), or now if it is."""
        if self.closed:
            callback(self)
        elif callback not in self._on_close:
            self._on_close.append(callback)

    # -- channels -----------------------------------------------------------------------

    def deliver(self, frame: Frame, size: int) -> bool:
        """Queue ``frame``; a full queue means the peer stopped reading: close it (1013), never wait.

        True when the queue is past half full: the caller should let the sending tasks run.
        """
        if self.closed:
            return False
        queue = self._queue
        if len(queue) >= self.queue_limit or (queue and self._queue_bytes + size > QUEUE_BYTES):
            waiting = f"{len(queue)} messages" if len(queue) >= self.queue_limit else \
                f"{len(queue)} messages of {self._queue_bytes / 1048576:.1f} MiB"
            logger.warning("closing a WebSocket on %s: it stopped reading and %s are waiting (1013)",
                           self.scope.get("path"), waiting)
            self._stop(1013)
            queue.clear()
            self._queue_bytes = 0
            asyncio.ensure_future(self._close_slow())
            return False
        queue.append((frame, size))
        self._queue_bytes += size
        self._queued += 1
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.set_result(None)
        elif self._pump is None:
            self._pump = asyncio.ensure_future(self._run_pump())
        return self._half_full()

    def _half_full(self) -> bool:
        return len(self._queue) * 2 > self.queue_limit or self._queue_bytes * 2 > QUEUE_BYTES

    async def _run_pump(self) -> None:
        queue, send, loop = self._queue, self._send, asyncio.get_running_loop()
        try:
            while not self.closed:
                if queue:
                    self.sending_since = loop.time()
                    frame, size = queue.popleft()
                    self._queue_bytes -= size
                    await send(frame)
                    self.sending_since = 0.0
                    self._handed += 1
                    self._progressed()
                    continue
                self._waiter = loop.create_future()
                await self._waiter
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001  (the peer went away mid-send: its receive() reports it)
            self._stop(1006)
        finally:
            self._progressed()

    def _progressed(self) -> None:
        progress = self._progress
        if progress is not None:
            self._progress = None
            if not progress.done():
                progress.set_result(None)

    async def _caught_up(self, timeout: float | None = None) -> None:
        """Wait until the frames queued so far are handed to the server (or the socket closes, or
        ``timeout`` passes): a handler's own send must not overtake a publish it awaited."""
        target, loop = self._queued, asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._handed < target and not self.closed and self._pump is not None and not self._pump.done():
            if self._progress is None:
                self._progress = loop.create_future()
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return
            await asyncio.wait({self._progress}, timeout=left)  # (wait: a cancelled waiter leaves it be)

    async def flush(self) -> None:
        """Let the channel messages queued for this socket go out (``FLUSH_TIMEOUT`` at most): its
        handler returned, and what it was sent before it ended is delivered before the close."""
        if not self.closed and self._handed < self._queued:
            await self._caught_up(FLUSH_TIMEOUT)

    def behind(self, now: float) -> bool:
        """Its queue is past half full while it still reads: worth a pause of the publisher."""
        stalled = self.sending_since and now - self.sending_since > STALLED
        return not self.closed and not stalled and self._half_full()

    # -- closes the server starts ------------------------------------------------------------

    async def close(self, code: int, reason: str = "") -> bool:
        """Close after the frame being sent (if any), so the peer never sees half a message.
        Whether the close frame went out (False: closed already, gone, or not reading)."""
        if self.closed:
            return False
        self._stop(code)
        self._queue.clear()
        self._queue_bytes = 0
        self._close_sent = sent = asyncio.get_running_loop().create_future()
        try:
            pump = self._pump
            if pump is not None and not pump.done():
                await asyncio.wait({pump}, timeout=CLOSE_TIMEOUT)  # it ends after its current frame
            if not await self._send_close(code, reason):  # already gone, or the peer does not read
                self.abort()
                return False
            return True
        finally:
            if not sent.done():
                sent.set_result(None)

    def cut(self) -> None:
        """Give up on a peer that does not read (shutdown): the send blocked on it is cancelled and
        so is the handler, so nothing is left waiting on the server when the worker stops."""
        if self._pump is not None:
            self._pump.cancel()
        self.abort()

    async def _send_close(self, code: int, reason: str = "", timeout: float = CLOSE_TIMEOUT) -> bool:
        """Send the close frame; whether it went out within ``timeout``."""
        try:
            await asyncio.wait_for(self._send({"type": "websocket.close", "code": code, "reason": reason}), timeout)
        except Exception:  # noqa: BLE001  (the connection is gone, or its peer does not read)
            return False
        return True

    async def wait_closed(self) -> None:
        """Wait for a close the server started elsewhere (shutdown) to go out.

        Its handler sees ``closed`` at once and may return first; the server would then drop the
        connection with a bare close frame, and the peer would never learn the code.
        """
        waiting = {f for f in (self._close_sent, self._draining) if f is not None and not f.done()}
        if waiting:
            await asyncio.wait(waiting, timeout=2 * CLOSE_TIMEOUT + 1)

    async def _close_slow(self) -> None:
        """Send the 1013 close after the frame the server holds already, once the peer has stopped
        sending, and give the peer time to read it.

        Its queue is dropped at once, so waiting costs no memory: a consumer that resumes reading
        within ``SLOW_CLOSE_TIMEOUT`` learns why it was closed (1013, not a dropped connection).
        The close waits for the frame being sent rather than going beside it: granian reads nothing
        more while a close frame waits, so a peer sending a burst before it reads would never read.
        """
        pump, loop = self._pump, asyncio.get_running_loop()
        self._close_sent = sent = loop.create_future()
        deadline = loop.time() + SLOW_CLOSE_TIMEOUT
        try:
            if pump is not None and not pump.done():  # the frame it sends waits for the peer to read
                await asyncio.wait({pump}, timeout=SLOW_CLOSE_TIMEOUT)
            while loop.time() < deadline and await self._still_sending():
                pass
            left = deadline - loop.time()
            if left <= 0 or not await self._send_close(1013, "too slow", left):
                self.abort()
        finally:
            if pump is not None:
                pump.cancel()
            sent.set_result(None)

    async def _still_sending(self) -> bool:
        """Whether the peer's messages still come in (or its handler still reads them), over ``STALLED``
        seconds: the server drops the connection once a close frame is out, and data arriving then
        would make the kernel answer with a reset, which loses the close frame on its way."""
        before = self._reads, self._held
        await asyncio.sleep(STALLED)
        return (self._reads, self._held) != before

    def abort(self) -> None:
        """End the handler (its ``finally`` blocks run); the server then drops the connection."""
        if self._task is not None and not self._task.done() and not self._aborted:
            self._aborted = True
            self._task.cancel()

    @property
    def aborted(self) -> bool:
        return self._aborted

    @property
    def handler(self) -> asyncio.Task[Any] | None:
        """The task running this socket's handler (through Pyxle's guard)."""
        return self._task

    @property
    def accepted(self) -> bool:
        """Its handler accepted it (reading ahead starts there)."""
        return self._reader is not None

    def _stop(self, code: int) -> None:
        if not self.closed:
            self.closed = True
            self.close_code = code
            callbacks, self._on_close = self._on_close, []
            for callback in callbacks:
                callback(self)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.set_result(None)
        self._progressed()

    def finish(self) -> None:
        """The handler returned: nothing more goes out, and nothing more is read."""
        self._stop(self.close_code or 1000)
        self._queue.clear()
        self._queue_bytes = 0
        if self._pump is not None:
            self._pump.cancel()
        if self._reader is not None:
            self._reader.cancel()


def message_size(message: Message) -> int:
    """Roughly what an incoming message holds in memory: its payload's length and the rest."""
    return len(message.get("bytes") or message.get("text") or "") + OVERHEAD


def text_size(text: str, limit: int) -> int:
    """UTF-8 size of ``text``, encoding it only when its length alone cannot decide."""
    if len(text) * 4 <= limit:
        return len(text)
    return len(text.encode())


def connection_for(ws: WebSocket) -> Connection:
    """The socket's Connection (set by Pyxle's guard); a bare Starlette socket gets one on the fly."""
    extra: dict[str, Any] = ws.scope.setdefault("pyxle", {})
    conn = extra.get("connection")
    if conn is None:
        conn = extra["connection"] = Connection(ws.scope, ws._receive, ws._send, max_message=1 << 62,
                                                queue_limit=1024)
    return conn  # type: ignore[no-any-return]
