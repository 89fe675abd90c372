"""Who opened a socket: the HTTP session middleware never sees WebSocket upgrades, so handlers ask.

The seam for pyxle-auth: its service is looked up as ``pyxle.plugins.plugin("auth.service")``
(pyxle-framework 0.9's registry), which Pyxle's plugin support provides; until it does, there is
no such module and every socket is anonymous.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from starlette.websockets import WebSocket

logger = logging.getLogger("pyxle.realtime")


async def authenticate_websocket(ws: WebSocket) -> Any | None:
    """The signed-in user of the upgrade's session cookie (the ``pyxle-auth`` plugin), else ``None``.

    Anonymous sockets cost nothing: without the plugin or its cookie no lookup happens. A session
    store that fails (its database away or broken) is logged and the socket is anonymous, as in
    0.9.4: the handler's "sign in first" path answers, not a 1011.
    """
    service = _auth_service()
    if service is None:
        return None
    settings = getattr(service, "settings", None)
    cookie = ws.cookies.get(getattr(settings, "cookie_name", "pyxle_session"))
    if not cookie:
        return None
    try:
        return await service.resolve_session(cookie_value=cookie)
    except Exception as exc:  # noqa: BLE001  (the store's failure, whatever it raises: anonymous)
        logger.warning("realtime: authenticate_websocket could not resolve the session (%s: %s); "
                       "the socket is treated as anonymous", type(exc).__name__, exc)
        return None


def _auth_service() -> Any | None:
    try:
        plugins = importlib.import_module("pyxle.plugins")
    except ImportError:
        return None
    lookup = getattr(plugins, "plugin", None)
    if lookup is None:
        return None
    try:
        return lookup("auth.service", None)
    except Exception:  # noqa: BLE001  (no plugin context in this process)
        return None
