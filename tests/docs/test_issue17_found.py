"""Issue 17's undocumented bugs, each checked on a real server: the access-log status of WebSockets
(`<title>` without Node and `<Image priority>` are checked by tests/e2e/test_client_parity*.py,
the starter's @babel/core by test_starter_packages.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus
from websockets.sync.client import connect

from tests.docs._blocks import cites
from tests.docs.conftest import serve_doc_project

ROUTE = "async def websocket(ws):\n    await ws.accept()\n    await ws.receive_text()\n    await ws.close(code={code})\n"


def logged(server, path: str) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in server.output().splitlines() if f'"WS {path}"' in line]
        if lines:
            return lines[-1]
        time.sleep(0.05)
    raise AssertionError(f"no access line for {path}:\n{server.output()}")


@cites("docs/realtime.md", "A WebSocket appears as `\"WS /path\"`: `101` once accepted, whoever closes it\n"
       "  later and with whatever code; `403` when refused: no `websocket(ws)` at that URL, a foreign\n"
       "  `Origin`, or any close with `1008` (policy violation) from the app's own checks")
def test_an_accepted_websocket_the_app_closes_logs_101_and_a_refused_one_403(tmp_path: Path) -> None:
    """(A foreign `Origin`: tests/e2e/test_realtime.py::test_the_access_log_records_101_for_accepted_sockets_and_403_for_refused_ones.)"""
    (tmp_path / "pages" / "api").mkdir(parents=True)
    (tmp_path / "pages" / "api" / "once.py").write_text(ROUTE.format(code=1000))
    (tmp_path / "pages" / "api" / "policy.py").write_text(ROUTE.format(code=1008))
    server = serve_doc_project(tmp_path)
    try:
        with connect(server.ws_url + "/api/once") as ws, pytest.raises(ConnectionClosedOK):
            ws.send("bye")
            ws.recv(timeout=10)  # the app closes it
        assert '"WS /api/once" 101' in logged(server, "/api/once")
        with connect(server.ws_url + "/api/policy") as ws, pytest.raises(ConnectionClosedError):
            ws.send("let me in")
            ws.recv(timeout=10)  # the app's own check closes it with 1008
        assert '"WS /api/policy" 403' in logged(server, "/api/policy")
        with pytest.raises(InvalidStatus):
            connect(server.ws_url + "/api/none")
        assert '"WS /api/none" 403' in logged(server, "/api/none")
    finally:
        server.stop()
