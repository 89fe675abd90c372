"""CORS origins with a subdomain wildcard ("https://*.example.com") on a real `pyxle serve`:
preflights, simple requests and WebSocket upgrades from origins that match it and from ones that
only look like they do; wildcards elsewhere stop start-up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites, doc_block

ORDER = "async def get(request):\n    return {'order': 1}\n\nasync def post(request):\n    return {'posted': True}\n"
PAGE = '''
async def websocket(ws):
    await ws.accept()
    await ws.send_text("open")


import React from 'react'
export default function Live() { return <p>live</p> }
'''
ORIGINS = ["https://*.example.com", "http://*.dev.test:8080", "https://exact.other.test"]
MATCHING = ["https://a.example.com", "https://a.b.example.com", "https://A.Example.com", "http://x.dev.test:8080",
            "https://exact.other.test"]
NOT_MATCHING = [
    "https://example.com",  # the domain itself is not a subdomain of it
    "https://evil-example.com",
    "https://example.com.evil.com",
    "https://a.example.com.evil.com",
    "https://aexample.com",
    "http://a.example.com",  # the scheme as written
    "https://a.example.com:8443",  # the port as written
    "http://x.dev.test",
    "http://x.dev.test:8081",
    "https://.example.com",
    "https://a.other.test",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("cors") / "app", {
        "pages/api/order.py": ORDER, "pages/live.pyxl": PAGE,
        "pyxle.config.json": json.dumps({"cors": {"origins": ORIGINS, "credentials": True}})}, None)
    with serving(root) as srv:
        yield srv


def preflight(server: Server, origin: str) -> httpx.Response:
    return httpx.options(server.url + "/api/order", headers={
        "origin": origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type"})


@cites("docs/configuration.md", '`"https://*.example.com"` allows any subdomain of `example.com` over `https`')
@pytest.mark.parametrize("origin", MATCHING)
def test_a_subdomain_of_a_wildcard_origin_passes_preflight_and_reads_answers(server: Server, origin: str) -> None:
    pre = preflight(server, origin)
    assert pre.status_code == 200, pre.text
    assert pre.headers["access-control-allow-origin"] == origin
    assert pre.headers["access-control-allow-credentials"] == "true"
    simple = httpx.get(server.url + "/api/order", headers={"origin": origin})
    assert simple.json() == {"order": 1}
    assert simple.headers["access-control-allow-origin"] == origin and "Origin" in simple.headers["vary"]


@cites("docs/configuration.md", "not `example.com` itself, nor `evil-example.com` or `example.com.evil.com`")
@pytest.mark.parametrize("origin", NOT_MATCHING)
def test_an_origin_that_only_looks_like_a_subdomain_is_refused(server: Server, origin: str) -> None:
    pre = preflight(server, origin)
    assert pre.status_code == 400 and "access-control-allow-origin" not in pre.headers, (pre.status_code, pre.headers)
    simple = httpx.get(server.url + "/api/order", headers={"origin": origin})
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers


@cites("docs/realtime.md", 'or a subdomain that one like `"https://*.example.com"` allows')
@cites("docs/configuration.md", "The same\norigins may open WebSockets to your pages")
def test_a_subdomain_of_a_wildcard_origin_may_open_a_pages_websocket(server: Server) -> None:
    async def run() -> None:
        async with websockets.connect(server.ws_url + "/live", origin="https://a.b.example.com") as ws:
            assert await ws.recv() == "open"
        for origin in ("https://example.com", "https://evil-example.com", "https://example.com.evil.com"):
            async with websockets.connect(server.ws_url + "/live", origin=origin) as ws:
                with pytest.raises(websockets.ConnectionClosed):
                    await ws.recv()
                assert (ws.close_code, ws.close_reason) == (1008, "origin not allowed")

    asyncio.run(run())


@cites("docs/configuration.md", "Any other `*` in an origin stops start-up")
@pytest.mark.parametrize("origin", ["https://ex*.com", "*.com", "https://*", "https://*.com", "https://a.*.example.com",
                                    "https://*.*.example.com", "https://*example.com", "*://a.example.com",
                                    "https://*.example.com:*", "https://*.example.com/"])
def test_a_wildcard_anywhere_else_in_an_origin_stops_start_up_with_a_hint(make_project, start_server,
                                                                          origin: str) -> None:
    project = make_project({"pages/api/order.py": ORDER,
                            "pyxle.config.json": json.dumps({"cors": {"origins": ["https://ok.test", origin]}})})
    server = start_server(project, ready=False)
    assert server.wait_exit(30) == 1
    out = server.output()
    assert "pyxle.config.json" in out and f'cors.origins[1] "{origin}"' in out, out
    assert 'has a "*" that is not a subdomain wildcard; hint: "*." may only begin the host' in out, out
    assert out.count("cors.origins[") == 1, out  # named once, the valid one beside it not at all


@cites("docs/configuration.md", "naming `pyxle.config.json` and\nthe key")
def test_the_refusal_of_a_misplaced_wildcard_is_the_documented_one(make_project, start_server) -> None:
    project = make_project({"pages/api/order.py": ORDER,
                            "pyxle.config.json": json.dumps({"cors": {"origins": ["https://ex*.com"]}})})
    server = start_server(project, ready=False)
    assert server.wait_exit(30) == 1
    documented = doc_block("docs/configuration.md", "cors-wildcard-refused").strip()
    assert documented.replace("/app/", f"{project}/") == server.output().strip()
