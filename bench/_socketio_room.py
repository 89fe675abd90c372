"""The fan-out contender on python-socketio: one room, its Redis manager across uvicorn workers.

Served by ``uvicorn _socketio_room:app --workers 2`` from its own venv (see realtime_bench).
"""

import os

import socketio

manager = socketio.AsyncRedisManager(os.environ["BENCH_REDIS_URL"])
sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, transports=["websocket"],
                           cors_allowed_origins="*")
app = socketio.ASGIApp(sio)


@sio.event
async def connect(sid, environ):  # type: ignore[no-untyped-def]
    await sio.enter_room(sid, "bench")


@sio.on("pub")
async def pub(sid, data):  # type: ignore[no-untyped-def]
    await sio.emit("msg", data, room="bench")
