"""What a handler sends reaches its socket in the order it sent it, on a real `pyxle serve`.

A publish queues the frame for each socket's pump; a direct send went straight to the server and
overtook it, and a handler's close dropped the queue, so a sender never got its own last publish.
"""

from __future__ import annotations

import asyncio

import websockets

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites

ORDER = '''
from pyxle.realtime import channel

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "order-" + str(id(ws))) as room:
        await room.publish("1-published")
        await ws.send_text("2-sent-directly")
        while True:
            await ws.receive_text()
'''
BYE = '''
from pyxle.realtime import channel

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "bye") as room:
        name = await ws.receive_text()
        await room.publish({"left": name})
    await ws.close()
'''


@cites("docs/realtime.md", "A handler's own `ws.send_*` after a `publish` it awaited arrives after\n  the published message")
def test_a_direct_send_does_not_overtake_a_publish_the_handler_awaited(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/order.py": ORDER}), "serve", env=SHARED_SECRET)

    async def visit() -> list[str]:
        async with websockets.connect(server.ws_url + "/api/order") as ws:
            return [await asyncio.wait_for(ws.recv(), 5) for _ in range(2)]

    async def visits() -> list[list[str]]:
        return [await visit() for _ in range(10)]

    seen = asyncio.run(visits())
    assert seen == [["1-published", "2-sent-directly"]] * 10, seen


@cites("docs/realtime.md", "the sender's included, on every\n  worker")
@cites("docs/realtime.md", "A handler that closes its socket (or returns)\n  first lets the channel messages already queued for it go out")
def test_a_handler_that_publishes_then_closes_gets_its_own_message(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/bye.py": BYE}), "serve", env=SHARED_SECRET)

    async def leave(i: int) -> tuple[list[str], str, int | None]:
        async with websockets.connect(server.ws_url + "/api/bye") as other:
            async with websockets.connect(server.ws_url + "/api/bye") as me:
                await asyncio.sleep(0.05)  # both subscribed
                await me.send(f"u{i}")
                mine = [str(m) async for m in me]
            theirs = await asyncio.wait_for(other.recv(), 5)
            return mine, str(theirs), me.close_code

    async def leaves() -> list[tuple[list[str], str, int | None]]:
        return [await leave(i) for i in range(10)]

    for i, (mine, theirs, code) in enumerate(asyncio.run(leaves())):
        expected = f'{{"left":"u{i}"}}'
        assert (mine, theirs, code) == ([expected], expected, 1000)
