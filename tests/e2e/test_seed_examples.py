"""Every example of the seed (shared/seed/api-routes.txt), run against the demo under `pyxle serve`."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import DEMO, PageWatch, Server, free_port, link_node_modules


def test_basic_route_hello(demo_server: Server) -> None:
    r = httpx.get(demo_server.url + "/api/hello")
    assert r.status_code == 200
    assert r.json() == {"message": "Hello, world!"}
    assert r.headers["content-type"] == "application/json"


def test_http_methods_users_crud_on_sqlite(demo_server: Server) -> None:
    base = demo_server.url + "/api/users"
    created = httpx.post(base, json={"name": "Ada", "email": "ada@example.com"})
    assert created.status_code == 201
    user = created.json()["user"]
    assert user["name"] == "Ada" and isinstance(user["id"], int)
    listed = httpx.get(base).json()["users"]
    assert {"id": user["id"], "name": "Ada", "email": "ada@example.com"} in listed
    deleted = httpx.request("DELETE", base, json={"id": user["id"]})
    assert deleted.status_code == 200 and deleted.json() == {"deleted": True}
    assert user["id"] not in [u["id"] for u in httpx.get(base).json()["users"]]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/users", [1]), ("POST", "/api/users", {"name": 5, "email": 7}), ("POST", "/api/users", {"name": "x"}),
    ("DELETE", "/api/users", {}), ("DELETE", "/api/users", {"id": "7"}), ("DELETE", "/api/users", [1]),
    ("POST", "/api/v2/users", []), ("POST", "/api/v2/users", {"name": "Grace"}),
])
def test_the_demo_answers_bad_bodies_with_422_not_500(demo_server: Server, method: str, path: str, body: object) -> None:
    r = httpx.request(method, demo_server.url + path, json=body)
    assert r.status_code == 422 and "required" in r.json()["error"]


def _open_database_files(server: Server) -> int:
    """Descriptors the server's processes hold on the demo's SQLite file."""
    import os

    pids = [server.proc.pid]
    for pid in list(pids):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(child) for child in (task / "children").read_text().split()]
    held = 0
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                held += os.readlink(fd).endswith(".sqlite3")
            except OSError:
                pass
    return held


def test_the_demo_closes_its_sqlite_connections(demo_server: Server) -> None:
    """`with sqlite3.connect(...) as conn` commits but does not close, and a connection is freed
    only by the cyclic garbage collector: a soak found a worker holding 144 descriptors on the
    demo's database, 47 of them still open while the server sat idle."""
    with httpx.Client(base_url=demo_server.url) as client:
        for _ in range(300):
            assert client.get("/api/users").status_code == 200
    assert _open_database_files(demo_server) <= 1


def test_unsupported_method_is_405_with_allow(demo_server: Server) -> None:
    r = httpx.put(demo_server.url + "/api/users", json={})
    assert r.status_code == 405
    assert r.json() == {"error": "Method Not Allowed"}
    assert r.headers["allow"] == "GET, HEAD, POST, DELETE, OPTIONS"


def test_http_endpoint_class(demo_server: Server) -> None:
    url = demo_server.url + "/api/v2/users"
    assert httpx.get(url).json() == {"users": httpx.get(demo_server.url + "/api/users").json()["users"]}
    r = httpx.post(url, json={"name": "Grace", "email": "grace@example.com"})
    assert r.status_code == 201 and r.json() == {"created": True}
    head = httpx.head(url)  # HEAD is served by get(), body dropped (on every Starlette 1.x)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    # The class's own 405 handling, rendered as a JSON error with Allow.
    r = httpx.delete(url)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"  # OPTIONS answered 204 as a function route's
    assert r.json()["error"] == "Method Not Allowed"


def test_websocket_echo(demo_server: Server) -> None:
    async def talk() -> list[str]:
        async with websockets.connect(demo_server.ws_url + "/api/chat") as ws:
            await ws.send("hello")
            first = await ws.recv()
            await ws.send("again")
            return [first, await ws.recv()]

    assert asyncio.run(talk()) == ["echo: hello", "echo: again"]


def test_websocket_endpoint_class_beside_http_handler(demo_server: Server) -> None:
    async def talk() -> str:
        async with websockets.connect(demo_server.ws_url + "/api/echo") as ws:
            await ws.send("hi")
            return await ws.recv()

    assert asyncio.run(talk()) == "echo: hi"
    # Same URL, plain HTTP: dispatched by protocol to the module's get().
    assert httpx.get(demo_server.url + "/api/echo").json() == {"hint": "open a WebSocket to this URL"}


def test_dynamic_route(demo_server: Server) -> None:
    user = httpx.post(demo_server.url + "/api/users", json={"name": "Linus", "email": "linus@example.com"}).json()["user"]
    r = httpx.get(f"{demo_server.url}/api/users/{user['id']}")
    assert r.status_code == 200 and r.json() == {"user": user}
    missing = httpx.get(demo_server.url + "/api/users/999999")
    assert missing.status_code == 404 and missing.json() == {"error": "Not found"}


def test_reading_request_bodies(demo_server: Server) -> None:
    url = demo_server.url + "/api/body"
    assert httpx.post(url, json={"a": 1}).json() == {"received": True}
    form = httpx.put(url, data={"name": "x"}, files={"upload": ("a.txt", b"12345", "text/plain")}).json()
    assert form == {"fields": {"name": "x", "upload": {"filename": "a.txt", "size": 5, "content_type": "text/plain"}}}
    assert httpx.put(url, data={"q": "1", "r": "two"}).json() == {"fields": {"q": "1", "r": "two"}}
    assert httpx.patch(url, content=b"\x00" * 1000).json() == {"bytes": 1000}


def test_error_responses(demo_server: Server) -> None:
    url = demo_server.url + "/api/data"
    r = httpx.get(url)
    assert r.status_code == 401 and r.json() == {"error": "Missing API key"}
    r = httpx.get(url, headers={"x-api-key": "nope"})
    assert r.status_code == 404 and r.json() == {"error": "Not found"}
    r = httpx.get(url, headers={"x-api-key": "demo-key"})
    assert r.status_code == 200 and r.json()["data"]["owner"] == "demo"


def test_api_routes_are_not_csrf_checked_by_default(demo_server: Server) -> None:
    # The seed's table: API routes are not CSRF-protected by default (a bare curl POST works).
    r = httpx.post(demo_server.url + "/api/body", content=json.dumps({"x": 1}), headers={"content-type": "application/json"})
    assert r.status_code == 200


@pytest.mark.parametrize("n_clients,n_messages", [(50, 20)])
def test_many_concurrent_chat_sockets_nothing_lost_in_order(demo_server: Server, n_clients: int, n_messages: int) -> None:
    """Every member of a room receives every message, each sender's messages in the order sent."""

    async def run() -> None:
        url = demo_server.ws_url + "/api/rooms/lobby"
        sockets = [await websockets.connect(f"{url}?name=c{i}") for i in range(n_clients)]
        # Wait until every member has joined (the GET handler reports the room size).
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                if (await client.get(demo_server.url + "/api/rooms/lobby")).json()["members"] == n_clients:
                    break
                await asyncio.sleep(0.02)
        senders = sockets[:5]

        async def send_all(i: int, ws: websockets.ClientConnection) -> None:
            for k in range(n_messages):
                await ws.send(f"{i}:{k}")

        async def receive_all(ws: websockets.ClientConnection) -> list[dict]:
            got: list[dict] = []
            while len(got) < len(senders) * n_messages:
                message = json.loads(await ws.recv())
                if message.get("type") != "presence":  # members joining: not chat messages
                    got.append(message)
            return got

        receivers = [asyncio.create_task(receive_all(ws)) for ws in sockets]
        await asyncio.gather(*(send_all(i, ws) for i, ws in enumerate(senders)))
        results = await asyncio.wait_for(asyncio.gather(*receivers), timeout=60)
        for got in results:
            for i in range(len(senders)):
                mine = [m["text"] for m in got if m["from"] == f"c{i}"]
                assert mine == [f"{i}:{k}" for k in range(n_messages)]
        await asyncio.gather(*(ws.close() for ws in sockets))

    asyncio.run(run())


def test_a_binary_frame_to_a_chat_room_closes_it_with_1003(demo_server: Server) -> None:
    async def talk() -> tuple[int | None, str]:
        async with websockets.connect(demo_server.ws_url + "/api/rooms/bytes?name=b") as ws:
            await ws.send(b"\x00\x01")
            with pytest.raises(websockets.ConnectionClosed):
                while True:  # the room's presence message may come first
                    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "presence"
            return ws.close_code, ws.close_reason

    assert asyncio.run(talk()) == (1003, "text messages only")
    assert not re.search(r"\bKeyError\b", demo_server.output())  # a traceback's (not MissingSecretKeyError's)
    assert httpx.get(demo_server.url + "/api/rooms/bytes").json()["members"] == 0


def test_the_demo_chat_rooms_refuse_another_sites_origin_with_1008(demo_server: Server) -> None:
    # The visitor's cookies, as their browser sends them with another site's page's socket too.
    cookies = httpx.get(demo_server.url + "/").cookies
    assert cookies, "the demo sets a cookie"
    visitor = {"cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}

    async def join(origin: str) -> tuple[int | None, str]:
        async with websockets.connect(demo_server.ws_url + "/api/rooms/guarded?name=o", origin=origin,  # type: ignore[arg-type]
                                      additional_headers=visitor) as ws:
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 1)
            except asyncio.TimeoutError:
                return None, "open"
            except websockets.ConnectionClosed:
                return ws.close_code, ws.close_reason

    assert asyncio.run(join("https://evil.example")) == (1008, "origin not allowed")
    assert asyncio.run(join(demo_server.url)) == (None, "open")  # its own pages still join


# In a browser: keep this test last in the module (Playwright's sync API, once started, keeps an
# event loop in the main thread, which would break asyncio.run in the tests above).
def test_a_message_typed_while_the_demo_chat_is_disconnected_is_kept_until_it_can_be_sent(
        tmp_path: Path, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("data", "__pycache__", "node_modules", ".pyxle-build", "dist"))
    link_node_modules(root)
    port, env = str(free_port()), {"DEMO_DB_PATH": str(root / "data" / "test.sqlite3")}
    server = start_server(root, "serve", "--port", port, env=env)
    page.page.goto(server.url + "/chat")
    status, box = page.page.get_by_test_id("chat-status"), page.page.get_by_label("Message")
    button = page.page.get_by_role("button", name="Send")
    status.filter(has_text="connected").wait_for(timeout=15000)

    server.stop()
    status.filter(has_text="connecting").wait_for(timeout=15000)
    box.fill("typed while the server was away")
    box.press("Enter")
    page.page.wait_for_timeout(500)
    assert box.input_value() == "typed while the server was away" and button.is_disabled()

    start_server(root, "serve", "--port", port, "--skip-build", env=env)
    status.filter(has_text="connected").wait_for(timeout=45000)  # reconnects by itself, with backoff
    button.click()
    page.page.get_by_test_id("chat-log").filter(has_text="typed while the server was away").wait_for(timeout=10000)
    assert box.input_value() == ""
