"""The floor for realtime: a bare ASGI WebSocket app that keeps every socket in a set and sends
each message it receives (or a POST's body) to all of them, one awaited send per socket, as a
broker's fan-out does. Served by granian and by uvicorn to split server cost from Pyxle's."""

sockets: set = set()


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "http":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if body:
            for peer in list(sockets):
                await peer({"type": "websocket.send", "text": body.decode()})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "ready"})
    sockets.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            for peer in list(sockets):
                await peer({"type": "websocket.send", "text": message.get("text") or ""})
    finally:
        sockets.discard(send)
