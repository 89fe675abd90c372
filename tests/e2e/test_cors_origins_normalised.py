"""`cors.origins` written in upper case or with the scheme's default port match what browsers send
(`Origin: https://app.example.com`) on a real `pyxle serve`: they matched nothing, so CORS was off
for them without a word."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tests.conftest import Server, pyxle_command, server_env, serving, write_project
from tests.docs._blocks import cites

ORDER = "async def get(request):\n    return {'order': 1}\n"
PAGE = '''
async def websocket(ws):
    await ws.accept()
    await ws.send_text("open")


import React from 'react'
export default function Live() { return <p>live</p> }
'''
WRITTEN = ["https://App.Example.com", "https://b.example.com:443", "HTTP://C.example.com:80",
           "http://d.example.com:8080", "https://*.Wild.Example.com:443"]
SENT = ["https://app.example.com", "https://b.example.com", "http://c.example.com", "http://d.example.com:8080",
        "https://a.wild.example.com"]
SHOWN = ["https://app.example.com", "https://b.example.com", "http://c.example.com", "http://d.example.com:8080",
         "https://*.wild.example.com"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("cors") / "app", {
        "pages/api/order.py": ORDER, "pages/live.pyxl": PAGE,
        "pyxle.config.json": json.dumps({"cors": {"origins": WRITTEN}})}, None)
    with serving(root) as srv:
        srv.root = root  # type: ignore[attr-defined]
        yield srv


@cites("docs/configuration.md", "An origin is compared as browsers send it: its scheme and host in lower case, without the\n"
       "scheme's default port")
@pytest.mark.parametrize("origin", SENT)
def test_an_origin_written_in_capitals_or_with_its_default_port_matches_what_browsers_send(
        server: Server, origin: str) -> None:
    simple = httpx.get(server.url + "/api/order", headers={"origin": origin})
    assert simple.headers.get("access-control-allow-origin") == origin, simple.headers
    pre = httpx.options(server.url + "/api/order", headers={"origin": origin, "access-control-request-method": "GET"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == origin, (pre.status_code, pre.text)


def test_such_an_origin_may_open_a_pages_websocket(server: Server) -> None:
    async def run() -> None:
        async with websockets.connect(server.ws_url + "/live", origin="https://app.example.com") as ws:
            assert await ws.recv() == "open"

    asyncio.run(run())


def test_another_port_or_scheme_is_still_another_origin(server: Server) -> None:
    for origin in ("https://app.example.com:8443", "http://app.example.com", "http://d.example.com"):
        simple = httpx.get(server.url + "/api/order", headers={"origin": origin})
        assert "access-control-allow-origin" not in simple.headers, (origin, simple.headers)


@cites("docs/configuration.md", "(and\n`--print-config` shows it so)")
def test_print_config_shows_the_origins_as_compared(server: Server) -> None:
    run = subprocess.run([*pyxle_command(), "dev", ".", "--print-config"], cwd=server.root,  # type: ignore[attr-defined]
                         env=server_env(), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["cors"]["origins"] == SHOWN
