"""A WebSocket load generator light enough to read 100,000 frames a second on one core.

The ``websockets`` library costs tens of microseconds per received message, so with 1,000
subscribers the client, not the server, would be measured. These sockets are bare asyncio
protocols: an HTTP/1.1 upgrade, then frames parsed straight from the read buffer. Each text
frame is handed to ``on_text(payload, now)``; the server's pings are answered. Client frames
use the all-zero mask key (RFC 6455 allows any key), so payloads go out unmodified.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

OnText = Callable[["Socket", bytes, float], None]


class Socket(asyncio.Protocol):
    """One client connection; ``ready`` resolves after the upgrade, ``closed`` when it ends."""

    def __init__(self, on_text: OnText) -> None:
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.ready.add_done_callback(lambda f: f.cancelled() or f.exception())  # retried by connect_many
        self.closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(buffer[:end].decode("latin-1")))
                return
            self.upgraded = True
            self.ready.set_result(None)
            buffer = buffer[end + 4:]
        now = time.time()
        at, size = 0, len(buffer)
        while size - at >= 2:
            opcode, length = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            head = 2
            if length == 126:
                if size - at < 4:
                    break
                length, head = struct.unpack_from("!H", buffer, at + 2)[0], 4
            elif length == 127:
                if size - at < 10:
                    break
                length, head = struct.unpack_from("!Q", buffer, at + 2)[0], 10
            if size - at < head + length:
                break
            payload = buffer[at + head:at + head + length]
            at += head + length
            if opcode == 1 or opcode == 2:
                self.received += 1
                self.on_text(self, payload, now)
            elif opcode == 9:
                self.write(payload, opcode=10)
            elif opcode == 8:
                code = struct.unpack_from("!H", payload)[0] if len(payload) >= 2 else 1005
                if not self.closed.done():
                    self.closed.set_result(code)
                self.transport.close()  # type: ignore[union-attr]
                return
        self.buffer = buffer[at:]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed during the upgrade"))
        if not self.closed.done():
            self.closed.set_result(1006)

    def write(self, payload: bytes, opcode: int = 1) -> None:
        """Send one frame (text by default)."""
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        self.transport.write(head + b"\0\0\0\0" + payload)  # type: ignore[union-attr]

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.write(struct.pack("!H", 1000), opcode=8)
            self.transport.close()


async def connect(url: str, on_text: OnText, *, origin: str | None = None) -> Socket:
    """Open ``url`` (``ws://host:port/path?query``) and complete the upgrade."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    loop = asyncio.get_running_loop()
    _, sock = await loop.create_connection(lambda: Socket(on_text), parts.hostname, parts.port)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    sock.transport.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"  # type: ignore[union-attr]
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                         f"{extra}\r\n".encode())
    try:
        await asyncio.wait_for(asyncio.shield(sock.ready), 30)
    except asyncio.TimeoutError:
        sock.transport.close()  # type: ignore[union-attr]
        raise ConnectionError(f"no upgrade from {url} in 30 s") from None
    return sock


async def connect_many(url: str, n: int, on_text: OnText, *, batch: int = 100) -> list[Socket]:
    """``n`` sockets, opened ``batch`` at a time (a listen backlog takes a few hundred at once)."""
    sockets: list[Socket] = []
    for start in range(0, n, batch):
        opened = await asyncio.gather(*(connect(url, on_text) for _ in range(min(batch, n - start))),
                                      return_exceptions=True)
        for sock in opened:  # a server that drops an upgrade under a burst gets one more, calmer try
            sockets.append(sock if isinstance(sock, Socket) else await connect(url, on_text))
    return sockets
