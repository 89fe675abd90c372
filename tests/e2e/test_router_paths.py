"""Paths the router refuses or redirects before any route or file answers: a control character
(``%00``) in a path is a 400, never a parameter; a file of ``public/`` asked for with a trailing
slash is redirected to its URL, as a page's is. A real ``pyxle serve``, requests written byte for
byte on a socket where an HTTP client would tidy the path."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, free_port, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_proxies import nginx_command, running

USER = '''
import os
from pathlib import Path

@server
async def load(request):
    with Path(os.environ["LOADER_LOG"]).open("a") as log:
        log.write(repr(request.path_params["id"]) + "\\n")
    return {"id": request.path_params["id"]}

export default function User({ data }) { return <p id="user">{data.id}</p> }
'''
ITEM = '''
async def get(request):
    return {"id": request.path_params["id"]}
'''
ERROR = '''
export default function Failed({ data }) {
  return <p id="failed">{data.statusCode}: {data.message}</p>
}
'''
ABOUT = "export default function About() { return <h1>About</h1> }\n"
CONTROLS = [b"%00", b"%01", b"%09", b"%0A", b"%0d", b"%1F", b"%7F"]
NAV = {"x-pyxle-navigation": "1"}


def raw(server: Server, target: bytes, method: bytes = b"GET", headers: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n" + headers
                     + b"Connection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return int(lines[0].split(" ")[1]), {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}, body


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("paths") / "app", {
        "pages/users/[id].pyxl": USER, "pages/api/items/[id].py": ITEM, "pages/error.pyxl": ERROR,
        "pages/about.pyxl": ABOUT, "public/hello.txt": "hello\n", "public/guide/page.html": "<p>guide</p>\n",
    })
    log = root / "loader.log"
    with serving(root, env={"LOADER_LOG": str(log)}) as server:
        server.log = log  # type: ignore[attr-defined]
        yield server


@cites("docs/api-routes.md", "A path holding a control character once decoded (`%00` to `%1F`, or `%7F`) is refused with 400")
@cites("docs/api-routes.md", "An API client's URL gets `{\"error\": \"Invalid path: it holds a control\n  character\"}`")
@pytest.mark.parametrize("control", CONTROLS)
def test_a_control_character_in_an_api_parameter_is_a_400_before_the_handler(app: Server, control: bytes) -> None:
    for method in (b"GET", b"POST", b"DELETE"):
        status, headers, body = raw(app, b"/api/items/a" + control + b"b", method)
        assert status == 400, (method, status, body)
        assert headers["content-type"] == "application/json"
        assert body == b'{"error":"Invalid path: it holds a control character"}'


@cites("docs/pages.md", "is refused\n  before routing with 400: the nearest `error.pyxl` of its folder")
@cites("docs/api-routes.md", "a page's URL gets the nearest `error.pyxl` with 400 (navigation JSON\n"
                             "  `{\"ok\": false, \"routePath\": ..., \"error\": {...}}`)")
@pytest.mark.parametrize("control", CONTROLS)
def test_a_control_character_in_a_page_parameter_is_the_400_error_page_and_no_loader_runs(
        app: Server, control: bytes) -> None:
    status, headers, body = raw(app, b"/users/a" + control + b"b", headers=b"Accept: text/html\r\n")
    assert status == 400 and headers["content-type"].startswith("text/html")
    assert b'id="failed">400<!-- -->: <!-- -->This address is not valid: it holds a control character' in body
    status, headers, body = raw(app, b"/users/a" + control + b"b", headers=b"x-pyxle-navigation: 1\r\n")
    assert status == 400 and headers["content-type"] == "application/json"
    assert b'"ok":false' in body and b'"statusCode":400' in body
    log: Path = app.log  # type: ignore[attr-defined]
    sent = "a" + chr(int(control[1:], 16)) + "b"
    assert not log.exists() or repr(sent) not in log.read_text()


@cites("docs/pages.md", "its navigation JSON and a prefetch's name the path with the character percent-encoded")
@pytest.mark.parametrize("control", CONTROLS)
def test_the_navigation_json_of_a_path_with_a_control_character_echoes_it_percent_encoded(
        app: Server, control: bytes) -> None:
    """The router is handed back no character the server refused, as a ``routePath``: its escape
    instead, upper-case as ``quote`` writes it (``%0d`` is sent as ``%0D``)."""
    for kind in (b"1", b"prefetch"):
        status, _, body = raw(app, b"/users/a" + control + b"b", headers=b"x-pyxle-navigation: " + kind + b"\r\n")
        answer = json.loads(body)
        assert status == 400 and answer["routePath"] == "/users/a" + control.decode().upper() + "b", (kind, answer)
        assert not any(ord(c) < 32 or c == "\x7f" for c in body.decode()), body


def test_other_paths_still_reach_their_routes(app: Server) -> None:
    """Only control characters: a space, UTF-8 and escapes of printable characters pass as before."""
    assert httpx.get(app.url + "/api/items/caf%C3%A9%20%25").json() == {"id": "café %"}
    page = httpx.get(app.url + "/users/%E2%82%AC%20x")
    assert page.status_code == 200 and '<p id="user">€ x</p>' in page.text
    status, _, body = raw(app, b"/a%00b.txt")  # no route at all: refused all the same
    assert status == 400 and b"control character" in body


@cites("docs/api-routes.md", "A file of `public/` is redirected the same way (`/robots.txt/` to `/robots.txt`), never served\n"
       "  at a folder's URL")
def test_a_public_file_with_a_trailing_slash_is_redirected_to_its_url_as_a_page_is(app: Server) -> None:
    for target, location in [(b"/hello.txt/", "/hello.txt"), (b"/hello.txt//?q=1", "/hello.txt?q=1"),
                             (b"/guide/page.html/", "/guide/page.html"), (b"/about/", "/about")]:
        for method in (b"GET", b"HEAD"):
            status, headers, body = raw(app, target, method)
            assert (status, headers.get("location")) == (307, location), (target, method)
            assert b"hello" not in body
    assert httpx.get(app.url + "/hello.txt/", follow_redirects=True).text == "hello\n"


@cites("docs/api-routes.md", "with the slash sent as `%2F`, or after `//`, it is a 404")
@pytest.mark.parametrize("target", [b"/hello.txt%2F", b"/hello.txt%2f", b"//hello.txt/", b"/guide/", b"/guide"])
def test_a_public_file_is_never_served_at_a_folders_url(app: Server, target: bytes) -> None:
    status, headers, body = raw(app, target)
    assert status == 404 and "location" not in headers and b"hello" not in body, (target, status)


@cites("docs/api-routes.md", "(nginx and Caddy serving\n  `public/` themselves answer 404 there)")
@pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("caddy")), reason="nginx and Caddy are not both installed")
def test_nginx_and_caddy_serving_public_answer_404_at_a_files_folder_url(tmp_path: Path) -> None:
    """What Pyxle's redirect stands in for: a static server in front never serves the file there."""
    public = tmp_path / "public"
    public.mkdir()
    (public / "robots.txt").write_text("hello\n")
    nginx, caddy = free_port(), free_port()
    (tmp_path / "nginx").mkdir()
    (tmp_path / "Caddyfile").write_text(f"{{\n  admin off\n  auto_https off\n}}\n"
                                        f":{caddy} {{\n  root * {public}\n  file_server\n}}\n")
    caddy_env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
                 "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    with running(nginx_command(tmp_path / "nginx", f"server {{ listen 127.0.0.1:{nginx}; root {public}; }}"),
                 f"http://127.0.0.1:{nginx}/", tmp_path / "nginx.log"), \
         running(["caddy", "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
                 f"http://127.0.0.1:{caddy}/", tmp_path / "caddy.log", env=caddy_env):
        for port in (nginx, caddy):
            url = f"http://127.0.0.1:{port}"
            assert httpx.get(url + "/robots.txt").text == "hello\n"
            refused = httpx.get(url + "/robots.txt/")
            assert refused.status_code == 404 and "hello" not in refused.text, (port, refused.status_code)


def test_a_project_of_api_routes_alone_refuses_a_control_character_too(tmp_path: Path, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(write_project(tmp_path / "api", {"pages/api/items/[id].py": ITEM}, None))
    status, _, body = raw(server, b"/api/items/a%00b")
    assert status == 400 and body == b'{"error":"Invalid path: it holds a control character"}'
    status, _, body = raw(server, b"/nothing%0Ahere")
    assert status == 400 and b"control character" in body
    assert httpx.get(server.url + "/api/items/a%20b").json() == {"id": "a b"}
