"""Channel names and messages no broker takes, on a real `pyxle serve` (with a real Redis): a room
named `%00broadcast` in the URL is refused with 1008 and reaches no other room (it published into
the broadcast's Redis channel, so every socket of every room got it)."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites
from tests.e2e.test_realtime import redis_env

# The docs' room handler, as it is there.
ROOMS = '''
from pyxle.realtime import channel


async def websocket(ws):
    await ws.accept()
    async with channel(ws, ws.path_params["room"]) as room:
        await ws.send_json({"online": await room.count()})
        while True:
            await room.publish({"text": await ws.receive_text()})
'''


async def hostile(url: str) -> tuple[int | None, str]:
    """Join the room at ``url`` and say something there; the close code and reason it got."""
    async with websockets.connect(url) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)  # {"online": ...}: it joined
            await ws.send("injected")
            await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code, closed.rcvd.reason
    return None, ""


@cites("docs/realtime.md", "A channel name holding a NUL character is refused")
@pytest.mark.parametrize("broker", ["redis", "memory"])
def test_a_room_named_nul_broadcast_in_the_url_is_refused_with_1008_and_reaches_no_other_room(
        broker: str, make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    env = redis_env(start_redis(), "nul:") if broker == "redis" else SHARED_SECRET
    server = start_server(make_project({"pages/api/rooms/[room].py": ROOMS}), "serve", env=env)

    async def run() -> None:
        rooms = [await websockets.connect(server.ws_url + f"/api/rooms/{name}") for name in ("lobby", "other")]
        for ws in rooms:
            assert await asyncio.wait_for(ws.recv(), 5) == '{"online":1}'
        code, reason = await hostile(server.ws_url + "/api/rooms/%00broadcast")
        heard = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 1) for ws in rooms), return_exceptions=True)
        assert all(isinstance(got, asyncio.TimeoutError) for got in heard), heard  # each room got "injected"
        assert (code, reason) == (1008, "channel name refused")
        await asyncio.gather(*(ws.close() for ws in rooms))

    asyncio.run(run())
    output = server.output()
    assert "closing a WebSocket on /api/rooms/\\x00broadcast: realtime: channel name '\\x00broadcast' is refused" \
           in output, output
    assert "Unhandled error" not in output and "Traceback" not in output, output
