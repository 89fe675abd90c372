"""A chat room on a realtime channel: every member gets every message once, in the order each
member sent them, whichever worker (or machine, with the Redis broker) holds their socket.

Members also get {"type": "presence", "online": N} whenever someone joins or leaves.
"""

from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from pyxle.realtime import BrokerUnavailable, channel, count, publish


async def get(request: Request) -> dict:
    room = request.path_params["room"]
    return {"room": room, "members": await count(room)}


async def websocket(ws: WebSocket) -> None:
    room = ws.path_params["room"]
    name = ws.query_params.get("name", "anonymous")
    await ws.accept()
    try:
        async with channel(ws, room) as members:
            await members.publish({"type": "presence", "online": await members.count()})
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("text") is None:  # a binary frame: this room speaks text
                    await ws.close(code=1003, reason="text messages only")
                    break
                try:
                    await members.publish({"room": room, "from": name, "text": message["text"]})
                except BrokerUnavailable:
                    await ws.send_json({"type": "error", "text": "chat is briefly unavailable; try again"})
    except WebSocketDisconnect:
        pass
    try:
        await publish(room, {"type": "presence", "online": await count(room)})
    except BrokerUnavailable:
        pass
