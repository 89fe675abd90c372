"""Channel names and messages no broker takes, on a real `pyxle serve` (with a real Redis): a room
named `%00broadcast` is refused with 1008 and reaches no other room (it published into the
broadcast's Redis channel, so every socket of every room got it). In a URL's path the router
refuses it first, as any path holding a control character."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
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
    async with channel(ws, "room:" + ws.path_params["room"]) as room:
        await ws.send_json({"online": await room.count()})
        while True:
            await room.publish({"text": await ws.receive_text()})
'''
# The same room, named by the query string: a name the router does not look at.
BY_NAME = ROOMS.replace('ws.path_params["room"]', 'ws.query_params["room"]')


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
@cites('docs/realtime.md', 'A room named by the visitor cannot reach another channel: raised in a\n  socket handler, the error closes that socket with `1008` ("channel name refused")')
@cites('docs/realtime.md', "`closing a WebSocket on /api/byname: realtime: channel name 'room:\\x00broadcast' is refused")
def test_a_room_named_nul_broadcast_is_refused_with_1008_and_reaches_no_other_room(
        broker: str, make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    env = redis_env(start_redis(), "nul:") if broker == "redis" else SHARED_SECRET
    server = start_server(make_project({"pages/api/rooms/[room].py": ROOMS, "pages/api/byname.py": BY_NAME}),
                          "serve", env=env)

    async def run() -> None:
        rooms = [await websockets.connect(server.ws_url + f"/api/rooms/{name}") for name in ("lobby", "other")]
        for ws in rooms:
            assert await asyncio.wait_for(ws.recv(), 5) == '{"online":1}'
        code, reason = await hostile(server.ws_url + "/api/byname?room=%00broadcast")
        with pytest.raises(websockets.InvalidStatus):  # in the path: the router's refusal, before any handler
            await websockets.connect(server.ws_url + "/api/rooms/%00broadcast")
        heard = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 1) for ws in rooms), return_exceptions=True)
        assert all(isinstance(got, asyncio.TimeoutError) for got in heard), heard  # each room got "injected"
        assert (code, reason) == (1008, "channel name refused")
        await asyncio.gather(*(ws.close() for ws in rooms))

    asyncio.run(run())
    output = server.wait_for_output("closing a WebSocket on /api/byname: realtime: channel name "
                                    "'room:\\x00broadcast' is refused")
    assert "Unhandled error" not in output and "Traceback" not in output, output


# Publishes what the body asks for; a refusal is answered with its message.
NEWS = '''
from pyxle.realtime import count, publish


async def post(request):
    body = await request.json()
    try:
        await publish("room:lobby", "x" * body["size"])
    except ValueError as exc:
        return {"error": str(exc)}
    return {"listeners": await count("room:lobby")}
'''


@cites("docs/realtime.md", "A published message over `realtime.maxPublishSize` (1 MiB) is refused")
@pytest.mark.parametrize("broker", ["redis", "memory"])
@cites('docs/realtime.md', 'Raised in a socket handler (the room above\n  publishing what its peer sent), it closes that socket with `1009` ("message too big")')
def test_a_message_too_big_to_deliver_is_refused_when_published(
        broker: str, make_project, start_server, start_redis) -> None:  # type: ignore[no-untyped-def]
    # Through Redis, one message of about 32 MiB (or unread ones over 8 MiB for a minute) made Redis cut
    # off the worker's subscription (its client-output-buffer-limit for pub/sub): every socket lost it
    # while publish said it went out (the test below measures it).
    env = redis_env(start_redis(), "big:") if broker == "redis" else SHARED_SECRET
    server = start_server(make_project({"pages/api/rooms/[room].py": ROOMS, "pages/api/news.py": NEWS}), "serve",
                          env=env)

    async def run() -> None:
        ws = await websockets.connect(server.ws_url + "/api/rooms/lobby", max_size=None)
        assert await asyncio.wait_for(ws.recv(), 5) == '{"online":1}'
        async with httpx.AsyncClient(timeout=30) as client:
            refused = (await client.post(server.url + "/api/news", json={"size": 9 << 20})).json()
            assert refused == {"error": "realtime: a 9437184-byte message is over the 1048576-byte limit of "
                                        "published messages (realtime.maxPublishSize)"}
            assert (await client.post(server.url + "/api/news", json={"size": 1 << 20})).json() == {"listeners": 1}
        assert len(await asyncio.wait_for(ws.recv(), 10)) == 1 << 20  # the limit itself goes through
        await ws.send("y" * (1 << 20))  # the room handler publishes it as JSON: over the limit
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1009, "message too big")

    asyncio.run(run())
    output = server.wait_for_output("closing a WebSocket on /api/rooms/lobby: realtime: a 1048587-byte message is "
                                    "over the 1048576-byte")
    assert "Unhandled error" not in output, output


@cites("docs/realtime.md", "Redis, by default, cuts off a subscriber whose unread messages pass 8 MiB for a minute or\n"
                           "  32 MiB at once (`client-output-buffer-limit pubsub 32mb 8mb 60`): a worker then loses every\n"
                           "  message on the way, for all its sockets, and logs `realtime: lost Redis ...; reconnecting`\n"
                           "  though Redis is up")
@cites("docs/realtime.md", "One message of about 32 MiB does that at once (one of 24 MiB still reaches a\n  worker that keeps up)")
@pytest.mark.parametrize(("mib", "delivered"), [(24, True), (33, False)])
def test_a_message_over_redis_pubsub_buffer_limit_cuts_the_worker_off_though_redis_is_up(
        make_project, start_server, start_redis, mib: int, delivered: bool) -> None:  # type: ignore[no-untyped-def]
    """Why `maxPublishSize` stays at 1 MiB: raised to 40 MiB, a 33 MiB message passes Pyxle, and Redis
    (at its defaults) drops the worker's subscription instead of delivering it."""
    redis = start_redis()
    with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as conn:
        conn.sendall(b"CONFIG GET client-output-buffer-limit\r\n")
        assert b"pubsub 33554432 8388608 60" in conn.recv(4096)  # Redis's default
    project = make_project({"pages/api/rooms/[room].py": ROOMS, "pages/api/news.py": NEWS,
                            "pyxle.config.json": '{"realtime": {"maxPublishSize": 41943040}}'})
    server = start_server(project, "serve", env=redis_env(redis, "cut:"))

    async def run() -> bool:
        ws = await websockets.connect(server.ws_url + "/api/rooms/lobby", max_size=None)
        assert await asyncio.wait_for(ws.recv(), 5) == '{"online":1}'
        async with httpx.AsyncClient(timeout=60) as client:
            assert (await client.post(server.url + "/api/news", json={"size": mib << 20})).json() == {"listeners": 1}
        try:
            return len(await asyncio.wait_for(ws.recv(), 10)) >= mib << 20
        except asyncio.TimeoutError:
            return False
        finally:
            await ws.close()

    assert asyncio.run(run()) is delivered
    if not delivered:
        output = server.wait_for_output("realtime: lost Redis at redis://127.0.0.1:", 15)
        assert "; reconnecting" in output, output
        with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as conn:  # Redis is up all along
            conn.sendall(b"PING\r\n")
            assert conn.recv(16).startswith(b"+PONG")
    else:
        assert "lost Redis" not in server.output(), server.output()


@cites("docs/realtime.md", "| `maxPublishSize` | | `1048576` |")
def test_max_publish_size_sets_the_limit(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/news.py": NEWS, "pyxle.config.json": '{"realtime": {"maxPublishSize": 10}}'})
    server = start_server(project, "serve", env=SHARED_SECRET)
    answers = [httpx.post(server.url + "/api/news", json={"size": size}).json() for size in (10, 11)]
    assert answers == [{"listeners": 0}, {"error": "realtime: a 11-byte message is over the 10-byte limit of "
                                                   "published messages (realtime.maxPublishSize)"}]


PUBLISH_TO = '''
from pyxle.realtime import publish


async def post(request):
    await publish(request.query_params["room"], {"text": "hello"})
    return {"sent": True}
'''


@cites("docs/realtime.md", "In an API\n  route or an action, the refusal answers `400` with the reason, as a malformed request does.")
def test_an_api_route_publishing_to_a_refused_name_from_its_query_answers_400(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """The name comes from the request, as a room's does: a 400 naming the reason, not a 500 and a traceback."""
    server = start_server(make_project({"pages/api/say.py": PUBLISH_TO}), "serve", env=SHARED_SECRET)
    assert httpx.post(server.url + "/api/say?room=lobby").json() == {"sent": True}
    refused = httpx.post(server.url + "/api/say?room=%00broadcast")
    assert refused.status_code == 400, refused.text
    assert "channel name '\\x00broadcast' is refused: it holds a NUL character" in refused.json()["error"]
    out = server.wait_for_output('"POST /api/say" 400')
    assert "Traceback" not in out and "ERROR" not in out, out


RAISES = '''
from starlette.exceptions import HTTPException


async def websocket(ws):
    await ws.accept()
    if ws.query_params.get("when") == "late":
        await ws.send_json({"hello": True})
    raise HTTPException(401, "sign in first")
'''


@cites("docs/realtime.md", "An `HTTPException` a socket handler raises closes the socket with `1008`")
def test_an_http_exception_a_socket_handler_raises_closes_it_with_1008_and_its_detail(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """It was answered as HTTP after the upgrade: "Connection already upgraded", 1011 and an ERROR traceback."""
    server = start_server(make_project({"pages/api/gated.py": RAISES}), "serve", env=SHARED_SECRET)

    async def closed(query: str) -> tuple[int | None, str]:
        async with websockets.connect(server.ws_url + "/api/gated" + query) as ws:
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd is not None
                return closed.rcvd.code, closed.rcvd.reason

    assert asyncio.run(closed("")) == (1008, "sign in first")
    assert asyncio.run(closed("?when=late")) == (1008, "sign in first")
    deadline = time.monotonic() + 10  # each socket's lines: written as it ends, read a moment later
    while server.output().count('"WS /api/gated"') < 2:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    out = server.output()
    assert out.count("closing a WebSocket on /api/gated: HTTP 401 sign in first (1008)") == 2, out
    assert "Traceback" not in out and "ERROR" not in out, out


# Publishes the body's message; a refusal is answered with its message.
PUBLISH_BODY = '''
from pyxle.realtime import publish


async def post(request):
    try:
        await publish("room:lobby", (await request.json())["msg"])
    except ValueError as exc:
        return {"error": str(exc)}
    return {"sent": True}
'''
# A room that relays what its peer sent, parsed: json.loads makes a lone surrogate of "\\ud83d".
RELAY = '''
import json
from pyxle.realtime import channel


async def websocket(ws):
    await ws.accept()
    async with channel(ws, "room:lobby") as room:
        while True:
            await room.publish(json.loads(await ws.receive_text())["t"])
'''
# The socket's own sends of the same text.
ECHO = '''
import json


async def websocket(ws):
    await ws.accept()
    text = json.loads(await ws.receive_text())["t"]
    await (ws.send_json({"t": text}) if ws.query_params.get("json") else ws.send_text(text))
'''


@cites("docs/realtime.md", "A `str` that is not UTF-8 text (one holding a lone surrogate, as `json.loads` makes")
@cites("docs/realtime.md", "raise `ValueError` naming it before anything is sent, with either broker")
@cites("docs/realtime.md", 'it closes that socket with `1007` ("message not UTF-8")')
@pytest.mark.parametrize("broker", ["redis", "memory"])
def test_a_message_holding_a_lone_surrogate_is_refused_before_anything_is_sent(
        broker: str, make_project, start_server, redis_server) -> None:  # type: ignore[no-untyped-def]
    """It was an empty text frame to every subscriber (publish answered 200) with the memory broker,
    and a 500 `UnicodeEncodeError` with Redis; the socket's own sends gave `''` too."""
    env = redis_env(redis_server, "lone:") if broker == "redis" else SHARED_SECRET
    server = start_server(make_project({"pages/api/rooms/[room].py": ROOMS, "pages/api/pub.py": PUBLISH_BODY,
                                        "pages/api/relay.py": RELAY, "pages/api/echo.py": ECHO}), "serve", env=env)
    refusal = "realtime: a message is not UTF-8 text: "

    async def closed_by(ws: websockets.ClientConnection, sent: str) -> tuple[int, str]:
        await ws.send(sent)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code, closed.value.rcvd.reason

    async def run() -> None:
        ws = await websockets.connect(server.ws_url + "/api/rooms/lobby")
        assert await asyncio.wait_for(ws.recv(), 5) == '{"online":1}'
        async with httpx.AsyncClient(timeout=10) as client:
            for msg in ("hi \ud83d", {"t": "hi \ud83d"}, ["ok", "\udc00"]):
                answer = await client.post(server.url + "/api/pub", content=json.dumps({"msg": msg}),
                                           headers={"content-type": "application/json"})
                assert refusal in answer.json().get("error", ""), answer.text
            assert (await client.post(server.url + "/api/pub", json={"msg": "ok ☕"})).json() == {"sent": True}
        assert await asyncio.wait_for(ws.recv(), 5) == "ok ☕"  # first: no empty frame came before it
        relay = await websockets.connect(server.ws_url + "/api/relay")
        assert await closed_by(relay, '{"t": "hi \\ud83d"}') == (1007, "message not UTF-8")
        for query in ("", "?json=1"):
            echo = await websockets.connect(server.ws_url + "/api/echo" + query)
            assert await closed_by(echo, '{"t": "hi \\ud83d"}') == (1007, "message not UTF-8")
        with pytest.raises(asyncio.TimeoutError):  # the room heard none of it
            await asyncio.wait_for(ws.recv(), 1)
        await ws.close()

    asyncio.run(run())
    output = server.wait_for_output("closing a WebSocket on /api/echo: " + refusal)
    assert "closing a WebSocket on /api/relay: " + refusal + "'hi \\ud83d'" in output, output
    assert "Traceback" not in output and "Unhandled error" not in output, output


NOTIFY = '''
from pyxle.realtime import publish


async def post(request):
    await publish("user:42", {"private": "for 42 only"})
    return {}
'''


@cites("docs/realtime.md", "a name a visitor chooses (the room of the URL above) gets a prefix of its own: without\n"
       "  `\"room:\"`, `/api/rooms/user:42` would read and write user 42's private channel `user:42`")
def test_a_room_named_after_a_private_channel_hears_nothing_of_it(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """The docs' room example puts visitors' rooms under `room:`: a visitor who names a room after
    another user's channel is in `room:user:42`, and what is sent to `user:42` never reaches them."""
    server = start_server(make_project({"pages/api/rooms/[room].py": ROOMS, "pages/api/notify.py": NOTIFY}),
                          "serve", env=SHARED_SECRET)

    async def run() -> None:
        async with websockets.connect(server.ws_url + "/api/rooms/user:42") as eve:
            assert await asyncio.wait_for(eve.recv(), 5) == '{"online":1}'
            async with httpx.AsyncClient() as client:
                assert (await client.post(server.url + "/api/notify")).status_code == 200
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(eve.recv(), 1)

    asyncio.run(run())
