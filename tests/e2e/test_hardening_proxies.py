"""docs/deployment.md's nginx, Caddy and systemd examples, run as written (with a test project's
paths and ports) in front of a real `pyxle serve`: pages, hashed assets from dist/, forwarded
headers, WebSocket upgrades."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import Server, free_port, link_node_modules, server_env
from tests.docs._blocks import cites, doc_block

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
FILES = {
    "pages/index.pyxl": '''
        @server
        async def load(request):
            return {"who": "proxied"}

        async def websocket(ws):
            await ws.accept()
            await ws.send_text("page " + await ws.receive_text())
            await ws.close()

        export default function Home({ data }) {
          return <h1>hello {data.who}</h1>
        }
        ''',
    "pages/api/headers.py": '''
        async def get(request):
            return {name: request.headers.get(name) for name in ("host", "x-forwarded-for", "x-forwarded-proto",
                                                                 "x-forwarded-host")}
        ''',
    "pages/api/who.py": '''
        async def get(request):
            return {"client": request.client.host, "scheme": request.url.scheme}
        ''',
    "pages/api/echo.py": '''
        async def websocket(ws):
            await ws.accept()
            await ws.send_text("echo " + await ws.receive_text())
            await ws.close()
        ''',
    "public/big.txt": "a line of text Pyxle compresses for a client that asks\n" * 100,
}


def adapted(block: str, project: Path, upstream: int) -> str:
    return block.replace("/srv/my-app/", f"{project}/").replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    project = tmp_path_factory.mktemp("proxied") / "app"
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text).lstrip())
    link_node_modules(project)
    server = Server(["serve", str(project), "--host", "127.0.0.1", "--port", str(free_port())], project,
                    server_env(**KEY))
    server.wait_ready()
    yield server, project
    server.stop()


def upstream_port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def check_through(proxy: str, asset_encoding: str, forwarded_host: str | None = None) -> None:
    page = httpx.get(proxy + "/", headers={"host": "example.com"}, timeout=10)
    assert page.status_code == 200 and "hello <!-- -->proxied" in page.text
    script = re.search(r'src="(/_pyxle/[^"]+\.js)"', page.text).group(1)  # type: ignore[union-attr]
    asset = httpx.get(proxy + script, headers={"accept-encoding": asset_encoding}, timeout=10)
    assert asset.status_code == 200 and asset.headers["content-encoding"] == asset_encoding
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "accept-encoding" in asset.headers.get("vary", "").lower()  # a shared cache keeps the encodings apart
    assert asset.headers["x-content-type-options"] == "nosniff"  # the proxy's own, as Pyxle sends it
    assert "x-request-id" not in asset.headers  # the proxy answered from dist/, not Pyxle
    missing = httpx.get(proxy + "/_pyxle/page_later-NOTBUILT.js", timeout=10)  # a build not deployed here yet
    assert missing.status_code == 404 and "max-age" not in missing.headers.get("cache-control", "")
    seen = httpx.get(proxy + "/api/headers", headers={"host": "example.com"}, timeout=10).json()
    assert seen == {"host": "example.com", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "http",
                    "x-forwarded-host": forwarded_host}
    # A visitor at 127.0.0.2 (the proxy, at 127.0.0.1, is trusted by default) is the client, even one
    # that sends its own X-Forwarded-For: the proxy appends (nginx) or replaces (Caddy) it.
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=10) as visitor:
        for forged in ({}, {"x-forwarded-for": "198.51.100.66"}):
            assert visitor.get(proxy + "/api/who", headers=forged).json() == {"client": "127.0.0.2", "scheme": "http"}

    async def echo() -> str:
        async with websockets.connect(proxy.replace("http", "ws") + "/api/echo", open_timeout=10) as ws:
            await ws.send("ping")
            return await asyncio.wait_for(ws.recv(), 10)  # type: ignore[return-value]

    assert asyncio.run(echo()) == "echo ping"

    async def page_socket() -> str:  # the browser's Origin is the proxy's, port included: checked against Host
        async with websockets.connect(proxy.replace("http", "ws") + "/", origin=proxy, open_timeout=10) as ws:
            await ws.send("ping")
            return await asyncio.wait_for(ws.recv(), 10)  # type: ignore[return-value]

    assert asyncio.run(page_socket()) == "page ping"


def check_compression(proxy: str, upstream: str) -> None:
    """The proxy passes ``Accept-Encoding`` through and answers as they come: a client that does not
    ask gets Pyxle's identity answer (its strong ETag and ``Content-Length``: the upstream was not
    asked for gzip), one that asks for gzip gets Pyxle's gzip answer (its weak ETag)."""
    with httpx.Client(timeout=10) as client:
        del client.headers["accept-encoding"]
        direct = client.get(upstream + "/big.txt")
        plain = client.get(proxy + "/big.txt")
        gzipped = client.get(proxy + "/big.txt", headers={"accept-encoding": "gzip"})
        direct_gzip = client.get(upstream + "/big.txt", headers={"accept-encoding": "gzip"})
    assert direct.status_code == plain.status_code == gzipped.status_code == 200
    assert "content-encoding" not in plain.headers and plain.text == direct.text
    assert plain.headers["etag"] == direct.headers["etag"] and not plain.headers["etag"].startswith("W/")
    assert plain.headers.get("content-length") == str(len(direct.content))
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.text == direct.text
    assert gzipped.headers["etag"] == direct_gzip.headers["etag"]


def nginx_command(folder: Path, site: str) -> list[str]:
    """nginx in the foreground as this user, everything it writes under ``folder``, serving ``site``
    (a ``server {...}`` block, with any ``http``-level directive it needs before it)."""
    for temporary in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temporary).mkdir(exist_ok=True)
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(f"""
        daemon off;
        worker_processes 1;
        user root;
        pid {folder}/nginx.pid;
        error_log {folder}/error.log;
        events {{}}
        http {{
            access_log off;
            client_body_temp_path {folder}/body;
            proxy_temp_path {folder}/proxy;
            fastcgi_temp_path {folder}/fastcgi;
            uwsgi_temp_path {folder}/uwsgi;
            scgi_temp_path {folder}/scgi;
            types {{ application/javascript js; text/css css; }}
            include {folder}/site.conf;
        }}
        """)
    return ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)]


@contextlib.contextmanager
def running(command: list[str], url: str, log: Path, env: dict[str, str] | None = None) -> Iterator[None]:
    """The proxy ``command``, its output in ``log``, until it answers at ``url``; stopped after."""
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the proxy did not start:\n" + log.read_text()
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


@cites("docs/deployment.md", "pass the `Host` header as the client sent it, port included (nginx: `$http_host`; the\n"
                             "  WebSocket `Origin` check compares the two), and add `X-Forwarded-For` and `X-Forwarded-Proto`")
@cites("docs/deployment.md", "forward WebSocket upgrades (`Upgrade` and `Connection` headers, HTTP/1.1)")
@cites("docs/deployment.md", "pages name their code from there (`/_pyxle/...`)")
@cites("docs/deployment.md", "The assets the proxy serves carry `X-Content-Type-Options: nosniff`, as")
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")
def test_the_nginx_example_serves_pages_assets_forwarded_headers_and_websockets(backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, project = backend
    port = free_port()
    site = adapted(doc_block("docs/deployment.md", "nginx"), project, upstream_port(server)).replace("listen 80 ", f"listen 127.0.0.1:{port} ")
    with running(nginx_command(tmp_path, site), f"http://127.0.0.1:{port}/healthz", tmp_path / "error.log"):
        check_through(f"http://127.0.0.1:{port}", "gzip")
        check_compression(f"http://127.0.0.1:{port}", server.url)


def raw_get(port: int, request: bytes) -> bytes:
    """What the server at ``port`` answers ``request`` sent as it is, up to the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@cites("docs/deployment.md", "an HTTP/1.0 request\n  may come without one (a health check)")
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")
def test_an_http10_request_without_host_passes_through_the_nginx_example(backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With `proxy_set_header Host $http_host` alone, nginx sent no Host for a request that had none
    (HTTP/1.0 allows it: HAProxy's default health check) and Pyxle refused the HTTP/1.1 request it
    got from nginx with a 400, where it answers the same request sent to it directly."""
    server, project = backend
    port = free_port()
    site = adapted(doc_block("docs/deployment.md", "nginx"), project, upstream_port(server)).replace("listen 80 ", f"listen 127.0.0.1:{port} ")
    with running(nginx_command(tmp_path, site), f"http://127.0.0.1:{port}/healthz", tmp_path / "error.log"):
        direct = raw_get(upstream_port(server), b"GET /healthz HTTP/1.0\r\n\r\n")
        proxied = raw_get(port, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert direct.split(b"\r\n", 1)[0].endswith(b" 200 OK"), direct
    assert proxied.split(b"\r\n", 1)[0].endswith(b" 200 OK"), proxied
    assert b'"status":"ok"' in proxied.replace(b" ", b""), proxied


@cites("docs/deployment.md", "give an open WebSocket a read timeout longer than it may stay quiet")
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")
def test_a_websocket_quiet_for_longer_than_nginxs_default_stays_open_through_the_nginx_example(
        backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The example's `proxy_read_timeout 75s` cut every WebSocket that received nothing for 75 s
    (no close frame; the browser saw 1006), losing what was published while it reconnected."""
    server, project = backend
    port = free_port()
    site = adapted(doc_block("docs/deployment.md", "nginx"), project, upstream_port(server)).replace("listen 80 ", f"listen 127.0.0.1:{port} ")

    async def quiet_then_echo() -> str:
        # No client pings either: their pongs would be traffic from Pyxle, which resets nginx's timer.
        async with websockets.connect(f"ws://127.0.0.1:{port}/api/echo", open_timeout=10, ping_interval=None) as ws:
            await asyncio.sleep(80)
            await ws.send("still here")
            return await asyncio.wait_for(ws.recv(), 10)  # type: ignore[return-value]

    with running(nginx_command(tmp_path, site), f"http://127.0.0.1:{port}/healthz", tmp_path / "error.log"):
        assert asyncio.run(quiet_then_echo()) == "echo still here"


@cites("docs/deployment.md", "the proxy's\nown `so_keepalive` is what finds a browser that vanished on a quiet socket")
@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("ss") is None, reason="needs nginx and ss")
def test_the_nginx_example_probes_a_quiet_browsers_connection_with_tcp_keepalive(backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Pyxle's keepalive probes nginx, which always answers: a browser that vanished on a quiet
    socket was held, with its presence, for `proxy_read_timeout` (an hour). The example's listener
    has keepalive of its own: the kernel's timer on nginx's end of the browser's connection says so."""
    server, project = backend
    port = free_port()
    site = adapted(doc_block("docs/deployment.md", "nginx"), project, upstream_port(server)).replace("listen 80 ", f"listen 127.0.0.1:{port} ")

    async def timers() -> str:
        async with websockets.connect(f"ws://127.0.0.1:{port}/api/echo", open_timeout=10, ping_interval=None):
            await asyncio.sleep(0.2)
            listed = await asyncio.to_thread(subprocess.run, ["ss", "-tnoH", "state", "established",
                                                              f"( sport = :{port} )"], capture_output=True, text=True)
            return listed.stdout

    with running(nginx_command(tmp_path, site), f"http://127.0.0.1:{port}/healthz", tmp_path / "error.log"):
        listed = asyncio.run(timers())
    assert "timer:(keepalive," in listed, listed


@cites("docs/deployment.md", "`compression off` passes each client's `Accept-Encoding` through: by default Caddy asks "
       "Pyxle for\ngzip itself and unpacks it for clients that did not ask, so they got a chunked answer without\n"
       "`Content-Length`, under the `ETag` of the gzip copy")
@cites("docs/deployment.md", "`@built file` gives the year-long `Cache-Control` to files that exist only")
@cites("docs/deployment.md", "Caddy obtains certificates itself and sends `X-Forwarded-For`, `X-Forwarded-Proto` and\n"
                             "`X-Forwarded-Host`, and upgrades WebSockets, without being told")
@cites("docs/deployment.md", "The assets the proxy serves carry `X-Content-Type-Options: nosniff`, as")
@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (scripts/test.sh installs it)")
def test_the_caddy_example_serves_pages_assets_forwarded_headers_and_websockets(backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, project = backend
    port = free_port()
    site = adapted(doc_block("docs/deployment.md", "caddy"), project, upstream_port(server)).replace("example.com {", f"http://:{port} {{")
    (tmp_path / "Caddyfile").write_text("{\n\tadmin off\n\tdefault_bind 127.0.0.1\n}\n\n" + site)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    with running(["caddy", "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
                 f"http://127.0.0.1:{port}/healthz", tmp_path / "caddy.log", env):
        check_through(f"http://127.0.0.1:{port}", "br", forwarded_host="example.com")
        check_compression(f"http://127.0.0.1:{port}", server.url)


def test_the_systemd_example_starts_the_server_it_describes(backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The unit's ExecStart, run from its WorkingDirectory with its EnvironmentFile's key; its
    stop timeout leaves room for the shutdown deadline, and SIGTERM goes to pyxle alone."""
    _, project = backend
    unit = dict(line.split("=", 1) for line in doc_block("docs/deployment.md", "systemd").splitlines() if "=" in line and not line.startswith("#"))
    assert unit["KillMode"] == "mixed" and float(unit["TimeoutStopSec"]) > 10  # --shutdown-timeout's default
    command = unit["ExecStart"].split()
    assert command[0] == "/srv/my-app/.venv/bin/pyxle" and unit["WorkingDirectory"] == "/srv/my-app"
    port = free_port()
    args = [str(port) if part == "8000" else part for part in command[1:]]
    server = Server(args, project, server_env(**KEY))
    try:
        server.wait_ready()
        assert "hello <!-- -->proxied" in httpx.get(server.url + "/", timeout=10).text
        assert "(workers: 2)" in server.output()
        assert unit["ExecReload"] == "/bin/kill -HUP $MAINPID"  # what systemctl reload sends, to pyxle alone
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_output("Stopped old worker-2", timeout=40)
        assert "hello <!-- -->proxied" in httpx.get(server.url + "/", timeout=10).text
    finally:
        server.stop()
