"""Behind a reverse proxy, the visitor is the client: a trusted peer's X-Forwarded-For and
X-Forwarded-Proto rewrite the request once, before the access log, the rate limit and the app
(docs/deployment.md#behind-a-proxy); any other peer's are ignored."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import Server, free_port, server_env, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_proxies import nginx_command, running

FILES = {
    "pages/api/who.py": '''
        async def get(request):
            return {"client": request.client.host, "scheme": request.url.scheme}

        async def websocket(ws):
            await ws.accept()
            await ws.send_json({"client": ws.client.host, "scheme": ws.url.scheme})
            await ws.close()
        ''',
    "pages/api/peer.py": '''
        async def get(request):
            return {"client": [request.client.host, request.client.port], "scheme": request.url.scheme}
        ''',
    "pages/api/limited.py": '''
        async def get(request):
            return {"ok": True}
        ''',
    "pages/api/ports.py": '''
        def described(connection):
            client = connection.client
            return {"client": [type(client.port).__name__, client.port > 1024]}

        async def get(request):
            return described(request)

        async def websocket(ws):
            await ws.accept()
            await ws.send_json(described(ws))
            await ws.close()
        ''',
}
LIMITED = {"rateLimit": {"requests": 2, "window": 3600, "exemptPaths": ["/api/who", "/api/ports"]}}
KEY = {"PYXLE_SECRET_KEY": "k" * 40}
DOC = "docs/deployment.md"


def project(root: Path, config: dict | None = None) -> Path:  # type: ignore[type-arg]
    files = dict(FILES)
    if config is not None:
        files["pyxle.config.json"] = json.dumps(config)
    return write_project(root, files, None)


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``pyxle serve`` as deployed behind nginx on the same machine: no setting."""
    with serving(project(tmp_path_factory.mktemp("forwarded") / "app", LIMITED), env=KEY) as server:
        yield server


def who(server: Server, headers: dict[str, str] | None = None, source: str | None = None) -> dict:  # type: ignore[type-arg]
    transport = httpx.HTTPTransport(local_address=source) if source else None
    with httpx.Client(transport=transport, timeout=10) as client:
        answer = client.get(server.url + "/api/who", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@cites(DOC, "The default is\n`127.0.0.1,::1`, a proxy on the same machine")
@cites(DOC, "From a listed peer, the client is the rightmost `X-Forwarded-For` address that is not itself a\n"
            "listed proxy")
@cites("docs/configuration.md", '| `forwardedAllowIps` | list of IP addresses and networks (`"10.0.0.0/8"`), or `["*"]`; '
                                'or one string of them separated by commas | `["127.0.0.1", "::1"]` |')
def test_a_proxy_on_loopback_makes_its_forwarded_visitor_the_client_and_scheme(default: Server) -> None:
    """pyxle-framework 0.9 ran uvicorn with its defaults, which believe loopback's headers: apps and
    plugins (pyxle-auth's per-address limits) read the visitor from ``request.client``."""
    assert who(default, {"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https"}) == {
        "client": "203.0.113.9", "scheme": "https"}
    assert who(default) == {"client": "127.0.0.1", "scheme": "http"}
    # The rightmost address that is not a trusted proxy: what the visitor wrote before it is not believed.
    assert who(default, {"x-forwarded-for": "198.51.100.1, 203.0.113.7"})["client"] == "203.0.113.7"
    assert who(default, {"x-forwarded-for": "203.0.113.8, 127.0.0.1"})["client"] == "203.0.113.8"
    assert who(default, {"x-forwarded-proto": "http"})["scheme"] == "http"
    default.wait_for_output(' 203.0.113.9 "GET /api/who" 200')  # the access log agrees


NOT_ADDRESSES = ["<script>", "unknown", "_hidden", "1.2.3.4.5", "fe80::1%<b>", "proxy.example", "[1.2.3.4]",
                 "203.0.113.9:http"]


@cites(DOC, "Only an IP address is ever the client")
@cites(DOC, "when the entry that would be the client is anything else (`unknown`, an obfuscated\n`_hidden`, "
            "`1.2.3.4.5`, `<script>`), the peer stays the client")
@pytest.mark.parametrize("entry", NOT_ADDRESSES)
def test_a_forwarded_entry_that_is_not_an_ip_address_is_never_the_client(default: Server, entry: str) -> None:
    """uvicorn's rule took the text as it came: `<script>` was request.client.host, the access log's
    client and a rate-limit key of its own, and a visitor writing a new word each time had a new budget."""
    assert who(default, {"x-forwarded-for": entry})["client"] == "127.0.0.1"
    assert who(default, {"x-forwarded-for": f"{entry}, 127.0.0.1"})["client"] == "127.0.0.1"


@cites(DOC, "No address left of that entry is taken either")
def test_no_address_written_before_a_non_address_entry_is_taken(default: Server) -> None:
    assert who(default, {"x-forwarded-for": "203.0.113.5, unknown"})["client"] == "127.0.0.1"
    assert who(default, {"x-forwarded-for": "unknown, 203.0.113.5"})["client"] == "203.0.113.5"  # appended by the proxy


@cites(DOC, "Only an IP address is ever the client\n(`203.0.113.9`, `2001:db8::1`; a port after it, `203.0.113.9:4711` "
            "or `[2001:db8::1]:4711`, is\ndropped")
def test_a_forwarded_address_with_a_port_is_the_address(default: Server) -> None:
    assert who(default, {"x-forwarded-for": "203.0.113.9"})["client"] == "203.0.113.9"
    assert who(default, {"x-forwarded-for": "2001:db8::1"})["client"] == "2001:db8::1"
    assert who(default, {"x-forwarded-for": "203.0.113.9:4711"})["client"] == "203.0.113.9"
    assert who(default, {"x-forwarded-for": "[2001:db8::1]:4711"})["client"] == "2001:db8::1"
    assert who(default, {"x-forwarded-for": "2001:DB8::1"})["client"] == "2001:db8::1"


def test_non_address_entries_share_their_proxys_budget_and_never_reach_the_log(default: Server) -> None:
    def get(entry: str) -> int:
        return httpx.get(default.url + "/api/limited", headers={"x-forwarded-for": entry}, timeout=10).status_code

    assert [get(entry) for entry in ('"GET /forged" 200', "unknown", "_x")] == [200, 200, 429]
    out = default.wait_for_output(' 127.0.0.1 "GET /api/limited" 429')
    assert "/forged" not in out and " unknown " not in out and "<script>" not in out


@cites(DOC, "with port `0`, and the\nscheme is the first `X-Forwarded-Proto` entry")
def test_a_forwarded_visitor_has_port_0_and_the_first_forwarded_proto_entry_is_the_scheme(default: Server) -> None:
    def peer(headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
        return httpx.get(default.url + "/api/peer", headers=headers, timeout=10).json()  # type: ignore[no-any-return]

    assert peer({"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https, http"}) == {
        "client": ["203.0.113.9", 0], "scheme": "https"}
    assert peer({"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "http, https"})["scheme"] == "http"


def test_the_client_port_is_an_int_as_asgi_says_for_http_and_websockets(default: Server) -> None:
    """granian gives it as text: `request.client.port > 1024` raised a TypeError for a client that
    reached Pyxle directly (behind a proxy the visitor's port is the int 0)."""
    direct = {"client": ["int", True]}
    assert httpx.get(default.url + "/api/ports", timeout=10).json() == direct

    async def ask() -> dict:  # type: ignore[type-arg]
        async with websockets.connect(default.ws_url + "/api/ports", open_timeout=10) as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))  # type: ignore[no-any-return]

    assert asyncio.run(ask()) == direct


PORTS_MIDDLEWARE = {
    "pyxle.config.json": json.dumps({"middleware": ["ports_mw:Ports", "ports_mw:Raw"]}),
    "ports_mw.py": '''
        from starlette.middleware.base import BaseHTTPMiddleware

        class Ports(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                response.headers["x-client-port"] = str(request.client.port > 1024)  # a str's > raised
                return response

        class Raw:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                if scope["type"] == "http":
                    seen = [type(scope["client"][1]).__name__, type(scope["server"][1]).__name__]
                    scope.setdefault("state", {})["ports"] = seen
                await self.app(scope, receive, send)
        ''',
    "pages/api/seen.py": '''
        async def get(request):
            return {"ports": request.state.ports}
        ''',
}


@cites("docs/middleware.md", "`scope[\"client\"]` and `scope[\"server\"]` are\n`(host, port)` with the port an int")
def test_the_projects_middleware_reads_int_ports_in_the_scope(tmp_path: Path) -> None:
    """ASGI says the scope's ports are ints, and middleware written for 0.9 (on uvicorn) reads them
    so; granian gives them as text. Middleware of the project and of plugins see ints."""
    with serving(write_project(tmp_path / "app", PORTS_MIDDLEWARE, None), env=KEY) as server:
        answer = httpx.get(server.url + "/api/seen", timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"ports": ["int", "int"]}
        assert answer.headers["x-client-port"] == "True"


@cites(DOC, "(`https` makes a WebSocket `wss`)")
def test_a_websocket_through_a_trusted_proxy_gets_the_visitor_and_wss(default: Server) -> None:
    async def ask() -> dict:  # type: ignore[type-arg]
        headers = {"x-forwarded-for": "203.0.113.10", "x-forwarded-proto": "https"}
        async with websockets.connect(default.ws_url + "/api/who", additional_headers=headers, open_timeout=10) as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))  # type: ignore[no-any-return]

    assert asyncio.run(ask()) == {"client": "203.0.113.10", "scheme": "wss"}


@cites(DOC, "One use of\n`X-Forwarded-Proto: https` holds from any peer: the cookies Pyxle sets (the CSRF token's, `Secure`\n"
            "by default over HTTPS) get `Secure`")
@cites("docs/configuration.md", "| `csrf.cookieSecure` | `true`, `false` or `null` | `null`: Secure when the request came "
                                "over HTTPS (its scheme or `X-Forwarded-Proto`) |")
@cites(DOC, "Cookies (the CSRF cookie while `csrf.cookieSecure` is unset")
def test_a_peer_that_is_not_a_trusted_proxy_cannot_choose_its_client_or_scheme(default: Server) -> None:
    """127.0.0.2 is loopback but not 127.0.0.1: a client reaching Pyxle directly. Its
    X-Forwarded-Proto still makes the cookie it is given Secure (and nothing else)."""
    seen = who(default, {"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https"}, source="127.0.0.2")
    assert seen == {"client": "127.0.0.2", "scheme": "http"}
    def cookie(headers: dict[str, str]) -> str:  # as a new visitor gets it
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=10) as client:
            return client.get(default.url + "/no-such-page", headers=headers).headers["set-cookie"]

    plain, stricter = cookie({}), cookie({"x-forwarded-proto": "https"})
    assert "pyxle-csrf=" in plain and "Secure" not in plain
    assert "pyxle-csrf=" in stricter and stricter.endswith("; Secure")


@cites("docs/security.md", "behind a proxy that Pyxle trusts (`forwardedAllowIps`, by default one on the same "
                            "machine: [Deployment: trusted proxies](deployment.md#trusted-proxies)), the visitor's address "
                            "from `X-Forwarded-For`, so each visitor has a budget of their own")
def test_the_rate_limit_counts_each_forwarded_visitor_apart(default: Server) -> None:
    """Behind nginx every request comes from the proxy: one visitor's budget was everyone's."""
    def get(visitor: str) -> int:
        return httpx.get(default.url + "/api/limited", headers={"x-forwarded-for": visitor}, timeout=10).status_code

    assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert [get("198.51.100.2") for _ in range(2)] == [200, 200]


@cites(DOC, "`X-Forwarded-For` and `X-Forwarded-Proto` are believed only from the peers listed in\n"
            "`--forwarded-allow-ips` (`pyxle serve` and `pyxle dev`)")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_forwarded_allow_ips_that_does_not_name_the_peer_leaves_the_headers_unread(command: str, make_project,  # type: ignore[no-untyped-def]
                                                                                   start_server) -> None:
    root = project(make_project({}, name="strict"), LIMITED)
    server = start_server(root, command, "--forwarded-allow-ips", "10.9.9.9", env=KEY)
    assert who(server, {"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https"}) == {
        "client": "127.0.0.1", "scheme": "http"}
    # Nor does a fresh address per request escape the limit.
    codes = [httpx.get(server.url + "/api/limited", headers={"x-forwarded-for": f"198.51.100.{n}"}, timeout=10).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]


@cites("docs/configuration.md", "addresses and networks separated by commas (`127.0.0.1,10.0.0.0/8`), or `*`; uvicorn's "
                                "`FORWARDED_ALLOW_IPS` is read too, when this one is not set")
def test_forwarded_allow_ips_in_the_config_and_the_variable_take_networks(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    root = project(make_project({}, name="networks"), {"forwardedAllowIps": ["127.0.0.0/8"]})
    server = start_server(root, "serve", env=KEY)
    assert who(server, {"x-forwarded-for": "203.0.113.9"}, source="127.0.0.2")["client"] == "203.0.113.9"
    server.stop()
    server = start_server(root, "serve", env={**KEY, "PYXLE_FORWARDED_ALLOW_IPS": "10.0.0.0/8"})  # over the file
    assert who(server, {"x-forwarded-for": "203.0.113.9"}, source="127.0.0.2")["client"] == "127.0.0.2"
    server.stop()
    # uvicorn's own variable, which a 0.9 deployment may set, is read too (Pyxle's wins).
    server = start_server(root, "serve", env={**KEY, "FORWARDED_ALLOW_IPS": "10.0.0.0/8,127.0.0.2"})
    assert who(server, {"x-forwarded-for": "203.0.113.9"}, source="127.0.0.2")["client"] == "203.0.113.9"
    assert who(server, {"x-forwarded-for": "203.0.113.9"})["client"] == "127.0.0.1"


@cites("docs/configuration.md", "uvicorn's `FORWARDED_ALLOW_IPS` is read too, when this one is not set")
def test_a_malformed_uvicorn_variable_is_not_read_when_pyxles_own_is_set(tmp_path: Path, make_project,  # type: ignore[no-untyped-def]
                                                                         start_server) -> None:
    """It stopped start-up although the variable that wins over it was set."""
    root = project(make_project({}, name="both"))
    server = start_server(root, "serve", env={**KEY, "FORWARDED_ALLOW_IPS": "proxy.local",
                                              "PYXLE_FORWARDED_ALLOW_IPS": "127.0.0.2"})
    assert who(server, {"x-forwarded-for": "203.0.113.9"}, source="127.0.0.2")["client"] == "203.0.113.9"
    assert who(server, {"x-forwarded-for": "203.0.113.9"})["client"] == "127.0.0.1"
    assert "FORWARDED_ALLOW_IPS" not in server.output()
    alone = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root,
                   server_env(**KEY, FORWARDED_ALLOW_IPS="proxy.local"))
    try:
        assert alone.wait_exit() == 1
    finally:
        alone.stop()
    assert 'pyxle: FORWARDED_ALLOW_IPS must be IP addresses ("10.0.0.5")' in alone.output(), alone.output()


@cites(DOC, 'A value that is not an address or a network stops start-up naming the flag, the variable or\nthe key')
@cites(DOC, '`pyxle: /app/pyxle.config.json: forwardedAllowIps[0] must be an IP address ("10.0.0.5"), a network '
            '("10.0.0.0/8") or "*" (got "proxy.local")`')
@pytest.mark.parametrize(("where", "expected"), [
    ("flag", "Invalid value for '--forwarded-allow-ips': 'proxy.local' is not an IP address or network"),
    ("variable", ('PYXLE_FORWARDED_ALLOW_IPS must be IP addresses ("10.0.0.5") or networks ("10.0.0.0/8") '
                 'separated by commas, or "*" (got "proxy.local,127.0.0.1")')),
    ("config", ('forwardedAllowIps[0] must be an IP address ("10.0.0.5"), a network ("10.0.0.0/8") or "*" '
               '(got "proxy.local")')),
])
def test_a_bad_forwarded_allow_ips_stops_start_up_naming_where_it_was_set(where: str, expected: str, tmp_path: Path) -> None:
    bad = "proxy.local,127.0.0.1"
    config = {"forwardedAllowIps": bad.split(",")} if where == "config" else None
    root = project(tmp_path / "app", config)
    args = ["--forwarded-allow-ips", bad] if where == "flag" else []
    env = {**KEY, "PYXLE_FORWARDED_ALLOW_IPS": bad} if where == "variable" else KEY
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", *args], root, server_env(**env))
    try:
        assert server.wait_exit() != 0
    finally:
        server.stop()  # one that started after all
    assert expected in server.output()
    if where == "config":  # as the docs show it: the file's path first
        assert f"pyxle: {root / 'pyxle.config.json'}: {expected}" in server.output()


NGINX_REAL_IP = """
server {{
    listen 127.0.0.1:{port};
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    real_ip_recursive on;
    location / {{ default_type text/plain; return 200 "$remote_addr"; }}
}}
"""


@cites(DOC, "the peer stays the client, as nginx's `real_ip_recursive`\nkeeps it")
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")
def test_the_client_is_the_one_nginxs_real_ip_recursive_finds(default: Server, tmp_path: Path) -> None:
    """Each X-Forwarded-For sent from loopback to nginx's real_ip module (loopback trusted, as
    Pyxle's default trusts it) and to Pyxle: both name the same client."""
    port = free_port()
    site = NGINX_REAL_IP.format(port=port)
    with running(nginx_command(tmp_path, site), f"http://127.0.0.1:{port}/", tmp_path / "nginx.log"):
        for sent in ["203.0.113.9", "unknown", "_hidden", "1.2.3.4.5", "<script>", "203.0.113.5, unknown",
                     "unknown, 203.0.113.5", "198.51.100.1, 203.0.113.7", "203.0.113.8, 127.0.0.1", "2001:db8::1"]:
            nginx = httpx.get(f"http://127.0.0.1:{port}/", headers={"x-forwarded-for": sent}, timeout=10).text
            assert (sent, who(default, {"x-forwarded-for": sent})["client"]) == (sent, nginx)
