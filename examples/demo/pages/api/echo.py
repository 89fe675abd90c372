"""The seed's WebSocketEndpoint example, beside an HTTP handler at the same URL."""

from starlette.endpoints import WebSocketEndpoint
from starlette.requests import Request


async def get(request: Request) -> dict:
    return {"hint": "open a WebSocket to this URL"}


class websocket(WebSocketEndpoint):
    encoding = "text"
    async def on_connect(self, ws): await ws.accept()
    async def on_receive(self, ws, data): await ws.send_text(f"echo: {data}")
    async def on_disconnect(self, ws, close_code): pass
