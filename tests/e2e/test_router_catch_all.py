"""A root catch-all page (`pages/[...rest].pyxl`) takes every path, and the router must still get
its own answers right: the trailing-slash 307 never points at another site, keeps a raw UTF-8
query as the client sent it, and `pyxle dev`'s live-reload stream stays Pyxle's. A real server,
requests written byte for byte on a socket (an HTTP client would tidy `//` and raw UTF-8 away)."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

CATCH_ALL = '''
@server
async def load(request):
    return {"rest": request.path_params.get("rest")}

export default function Any({ data }) { return <p id="rest">{String(data.rest)}</p> }
'''


def raw_get(server: Server, target: bytes) -> tuple[int, dict[str, str]]:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in head[1:])}
    return int(head[0].split(" ")[1]), headers


@pytest.fixture(scope="module")
def catch_all(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    with serving(write_project(tmp_path_factory.mktemp("catchall") / "app", {"pages/[...rest].pyxl": CATCH_ALL})) as server:
        yield server


@cites("docs/api-routes.md", "A path that begins with `//` or `/\\` is not\n  redirected: a browser would read that `Location` as another site")
@pytest.mark.parametrize("target", [b"//evil.example/", b"///evil.example/", b"//evil.example//",
                                    b"/\\evil.example/", b"/%2F%2Fevil.example/"])
def test_a_trailing_slash_never_redirects_to_another_site(catch_all: Server, target: bytes) -> None:
    """`//evil.example` as a Location is another site to a browser (so is `/\\evil.example`)."""
    status, headers = raw_get(catch_all, target)
    location = headers.get("location", "")
    assert not location.startswith(("//", "/\\")), (status, location)
    assert status != 307 or location.startswith("/%2F"), (status, location)


@cites("docs/api-routes.md", "its\n  query kept (bytes outside ASCII percent-encoded)")
def test_the_trailing_slash_redirect_keeps_a_raw_utf8_query_as_sent(catch_all: Server) -> None:
    status, headers = raw_get(catch_all, "/tag/x/?q=日本&r=é".encode())
    assert status == 307 and headers["location"] == "/tag/x?q=%E6%97%A5%E6%9C%AC&r=%C3%A9"
    status, headers = raw_get(catch_all, b"/caf%C3%A9/?q=%E6%97%A5")  # already escaped: kept as is
    assert status == 307 and headers["location"] == "/caf%C3%A9?q=%E6%97%A5"


def test_the_live_reload_stream_is_pyxles_under_a_root_catch_all(tmp_path, start_server) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import link_node_modules

    root = tmp_path / "app"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "[...rest].pyxl").write_text(CATCH_ALL.lstrip("\n"))
    link_node_modules(root)
    server = start_server(root, "dev")
    with httpx.stream("GET", server.url + "/__pyxle/events", timeout=10) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
    assert '<p id="rest">elsewhere</p>' in httpx.get(server.url + "/elsewhere", timeout=30).text  # the rest is the page's
