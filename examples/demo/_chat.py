"""Room membership for the demo chat (a helper module at the project root, not a route)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.websockets import WebSocket


class Rooms:
    def __init__(self) -> None:
        self._members: dict[str, list[WebSocket]] = defaultdict(list)

    def join(self, room: str, ws: WebSocket) -> None:
        self._members[room].append(ws)

    def leave(self, room: str, ws: WebSocket) -> None:
        if ws in self._members[room]:
            self._members[room].remove(ws)

    def count(self, room: str) -> int:
        return len(self._members.get(room, ()))

    async def broadcast(self, room: str, message: dict[str, Any]) -> None:
        for member in list(self._members[room]):
            try:
                await member.send_json(message)
            except Exception:
                self.leave(room, member)
