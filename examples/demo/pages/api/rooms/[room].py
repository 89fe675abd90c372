"""A chat room: every message a member sends reaches every member of the same room, in order.

Rooms live in this process's memory (state is per worker process; see docs/deployment.md).
"""

from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from _chat import Rooms

rooms = Rooms()


async def get(request: Request) -> dict:
    room = request.path_params["room"]
    return {"room": room, "members": rooms.count(room)}


async def websocket(ws: WebSocket) -> None:
    room = ws.path_params["room"]
    name = ws.query_params.get("name", "anonymous")
    await ws.accept()
    rooms.join(room, ws)
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("text") is None:  # a binary frame: this room speaks text
                await ws.close(code=1003, reason="text messages only")
                break
            await rooms.broadcast(room, {"room": room, "from": name, "text": message["text"]})
    except WebSocketDisconnect:
        pass
    finally:
        rooms.leave(room, ws)
