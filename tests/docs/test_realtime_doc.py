"""docs/realtime.md: the channel route, publishing from a route, a page's WebSocket, the outage
handler and `useWebSocket`, served as written (the in-process broker; tests/e2e/test_realtime*.py
run the same API through Redis)."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.conftest import SHARED_SECRET, PageWatch, Server
from tests.docs._blocks import cites


@pytest.fixture(scope="module")
def app(doc_project) -> Server:
    return doc_project("realtime", node=True)


@cites("docs/realtime.md", "`await handle.count()` is the number of sockets in the channel across all workers (presence)")
def test_a_room_counts_its_sockets_and_delivers_to_all_of_them(app: Server) -> None:
    with connect(app.ws_url + "/api/rooms/a") as first:
        assert json.loads(first.recv(timeout=10)) == {"online": 1}
        with connect(app.ws_url + "/api/rooms/a") as second:
            assert json.loads(second.recv(timeout=10)) == {"online": 2}
            first.send("hi")
            assert json.loads(first.recv(timeout=10)) == {"text": "hi"}  # the sender's included
            assert json.loads(second.recv(timeout=10)) == {"text": "hi"}


def test_a_route_publishes_to_a_channel_and_counts_its_listeners(app: Server) -> None:
    with connect(app.ws_url + "/api/rooms/news") as listener:
        listener.recv(timeout=10)
        assert httpx.post(app.url + "/api/news").json() == {"listeners": 1}
        assert json.loads(listener.recv(timeout=10)) == {"title": "deployed"}


@cites("docs/realtime.md", "A page without one refuses upgrades (`403`)")
def test_a_page_serves_websockets_at_its_url(app: Server) -> None:
    with connect(app.ws_url + "/live") as ws:
        ws.send("x")
        assert ws.recv(timeout=10) == "page: x"
    with pytest.raises(InvalidStatus) as refused:
        connect(app.ws_url + "/chat")
    assert refused.value.response.status_code == 403


@cites("docs/realtime.md", "A page without one refuses upgrades (`403`)")
@cites("docs/realtime.md", "an upgrade to a URL with no handler is refused with `403`, whatever its `Origin`")
def test_an_upgrade_from_another_site_to_a_url_without_a_socket_handler_is_refused_with_403(app: Server) -> None:
    """The Origin check (accept, then 1008) is for a URL that has a handler: a page without one, or a
    URL no route takes, refuses the handshake with 403 whatever the Origin (as pyxle-framework 0.9.4)."""
    for path in ("/chat", "/", "/not-a-page-at-all"):
        for origin in ("https://evil.example", None):
            with pytest.raises(InvalidStatus) as refused:
                connect(app.ws_url + path, origin=origin)
            assert refused.value.response.status_code == 403, (path, origin)
    with connect(app.ws_url + "/live", origin="https://evil.example") as ws, \
            pytest.raises(ConnectionClosed) as closed:  # a handler: the check says why
        ws.recv(timeout=10)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "origin not allowed")


def test_the_lobby_handler_publishes_what_it_receives(app: Server) -> None:
    with connect(app.ws_url + "/api/lobby") as ws:
        ws.send("hello")
        assert json.loads(ws.recv(timeout=10)) == {"text": "hello"}


def test_use_websocket_opens_in_the_browser_and_sends(app: Server, page: PageWatch) -> None:
    with connect(app.ws_url + "/api/rooms/lobby") as listener:
        listener.recv(timeout=10)
        page.page.goto(app.url + "/chat")
        page.hydrated()
        button = page.page.get_by_role("button", name="send")
        page.page.wait_for_function("!document.querySelector('button').disabled", timeout=15000)
        button.click()
        assert json.loads(listener.recv(timeout=10)) == {"text": "hi"}


@cites("docs/realtime.md", "`\"apiRoutes\": true` turns it on for sockets under `pages/api/`")
@cites("docs/realtime.md", "`authenticate_websocket(ws)` returns the signed-in user of the `pyxle-auth` session cookie, or\n"
       "`None` (no plugin, no cookie, or a session that has ended)")
def test_a_socket_knows_the_signed_in_user_of_pyxle_auth(doc_project) -> None:
    server = doc_project("realtime-auth", env=SHARED_SECRET)
    with pytest.raises(InvalidStatus) as anonymous:
        connect(server.ws_url + "/api/whoami")
    assert anonymous.value.response.status_code == 403
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/")  # any page answer sets the CSRF cookie (a 404 page too)
        client.headers["x-csrf-token"] = client.cookies["pyxle-csrf"]
        signed_up = client.post("/auth/signup", json={"email": "ada@example.com", "password": "correct horse battery"})
        assert signed_up.status_code == 201
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        with connect(server.ws_url + "/api/whoami", additional_headers={"cookie": cookies}) as ws:
            assert json.loads(ws.recv(timeout=10)) == {"email": "ada@example.com"}
        with connect(server.ws_url + "/api/whoami", origin=server.url, additional_headers={"cookie": cookies}) as ws:
            assert json.loads(ws.recv(timeout=10)) == {"email": "ada@example.com"}  # the app's own pages
        with connect(server.ws_url + "/api/whoami", origin="http://evil.example",
                     additional_headers={"cookie": cookies}) as ws:  # another site, with the visitor's cookie
            with pytest.raises(ConnectionClosed) as refused:
                ws.recv(timeout=10)
            assert refused.value.rcvd is not None and refused.value.rcvd.code == 1008
        assert client.post("/auth/logout").json() == {"ok": True}
    with pytest.raises(InvalidStatus) as ended:  # the same cookie, its session ended
        connect(server.ws_url + "/api/whoami", additional_headers={"cookie": cookies})
    assert ended.value.response.status_code == 403


@cites("docs/realtime.md", "and returns `None`: the socket is anonymous, as in 0.9.4")
def test_a_failing_session_store_makes_the_socket_anonymous_and_is_logged(doc_project) -> None:
    # The store's error escaped authenticate_websocket: the handler died with 1011 ("Unhandled error").
    server = doc_project("realtime-auth", env=SHARED_SECRET)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/")  # any page answer sets the CSRF cookie (a 404 page too)
        client.headers["x-csrf-token"] = client.cookies["pyxle-csrf"]
        assert client.post("/auth/signup", json={"email": "ada@example.com", "password": "correct horse battery"}
                           ).status_code == 201
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    database = next(server.root.rglob("*.db"))
    db = sqlite3.connect(database)  # the session store breaks under the running server
    db.execute("ALTER TABLE sessions RENAME TO sessions_gone")
    db.close()
    with connect(server.ws_url + "/api/members", additional_headers={"cookie": cookies}) as ws, \
            pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "sign in first")
    # (the line reaches this process's reader after the close frame may reach the client)
    assert "Unhandled error" not in server.wait_for_output("realtime: authenticate_websocket could not resolve the session (")
