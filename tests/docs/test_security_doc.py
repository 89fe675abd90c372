"""docs/security.md: its examples served as written, and its CSRF and CORS sentences."""

from __future__ import annotations

import socket

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites, doc_block, write_project
from tests.docs.conftest import pyxle_run, serve_doc_project


@pytest.fixture(scope="module")
def app(doc_project) -> Server:
    return doc_project("security", env={"PYXLE_SECRET_KEY": "k" * 40})  # the signed-cookie example needs one


@cites("docs/security.md", "sets a cookie `pyxle-csrf` (`Path=/`,\n  `SameSite=Lax`, `Secure` over https; not `HttpOnly`")
def test_the_first_response_on_a_protected_path_sets_the_token_cookie(app: Server) -> None:
    cookie = httpx.get(app.url + "/settings").headers["set-cookie"]
    assert cookie.startswith("pyxle-csrf=") and "Path=/" in cookie and "SameSite=Lax" in cookie
    assert "HttpOnly" not in cookie and "Secure" not in cookie  # plain http here


@cites("docs/security.md", "The first response to a client without a valid token")
@cites("docs/security.md", "to a protected path must send the same value in the `x-csrf-token` header")
@cites("docs/configuration.md", '| `csrf.cookieName` | cookie name (no spaces or separators); `null` for the default | `"pyxle-csrf"` |')
@cites("docs/configuration.md", '| `csrf.headerName` | header name (stored lower-case) | `"x-csrf-token"` |')
def test_a_403_refusal_to_a_client_without_a_cookie_sets_the_cookie(app: Server) -> None:
    refused = httpx.post(app.url + "/api/account/name", json={"name": "Ada"})
    assert refused.status_code == 403
    assert refused.json() == {"error": "CSRF token missing", "code": "csrf_failed"}
    token = refused.cookies["pyxle-csrf"]  # the client can retry with it at once
    retried = httpx.post(app.url + "/api/account/name", json={"name": "Ada"}, cookies={"pyxle-csrf": token},
                         headers={"x-csrf-token": token})
    assert retried.json() == {"name": "Ada"}


@cites("docs/security.md", "`\"CSRF token invalid\"`\n  when one did that does not match, or a cookie this server did not sign (one from before a\n"
                           "  `PYXLE_SECRET_KEY` change)")
def test_a_cookie_the_server_did_not_sign_is_invalid_in_a_form_post_too(app: Server) -> None:
    """Such a cookie's form field went unread, and the refusal said "missing" (the header said "invalid")."""
    old = "bm9uY2U.c2lnbmVkLWJ5LWFub3RoZXIta2V5"
    for sent in ({"data": {"_csrf_token": old, "name": "Ada"}}, {"json": {"name": "Ada"}, "headers": {"x-csrf-token": old}}):
        refused = httpx.post(app.url + "/api/account/name", cookies={"pyxle-csrf": old}, **sent)  # type: ignore[arg-type]
        assert refused.status_code == 403 and refused.json()["error"] == "CSRF token invalid", sent
        assert refused.cookies["pyxle-csrf"] != old  # a new one to try again with


@cites("docs/security.md", 'or `"CSRF token invalid"`')
def test_a_header_that_differs_from_the_cookie_is_invalid(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/settings")
        refused = client.post("/api/account/name", json={"name": "Ada"}, headers={"x-csrf-token": "x.y"})
    assert refused.status_code == 403 and refused.json()["error"] == "CSRF token invalid"
    assert "set-cookie" not in refused.headers  # the client's cookie is valid: nothing to replace


def test_the_browser_snippet_sends_the_token(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/settings")
    snippet = doc_block("docs/security.md", "csrf-fetch")
    status = page.page.evaluate(f"async () => {{ {snippet}; return answer.status }}")
    assert status == 200


@cites("docs/security.md", "A cross-site form, or `fetch(url, {method: \"POST\", mode: \"no-cors\"})` from any page,\n"
       "still reaches your handler and runs it")
@cites("docs/security.md", "such a request with `403` before your code runs")
def test_cors_does_not_stop_a_cross_site_post_and_csrf_api_routes_does(tmp_path) -> None:
    root = write_project("security", tmp_path / "app")
    (root / "pages" / "api" / "account" / "name.py").write_text(
        "from pathlib import Path\n\nasync def post(request):\n"
        "    Path('ran').write_text('yes')\n    return {'ok': True}\n")
    (root / "pyxle.config.json").write_text('{"cors": {"origins": ["https://app.example.com"]}}')
    # What a browser sends for a no-cors POST from another site: a simple request, no preflight.
    cross_site = {"origin": "https://evil.example", "content-type": "text/plain"}
    server = serve_doc_project(root)
    try:
        answer = httpx.post(server.url + "/api/account/name", content="{}", headers=cross_site)
        assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers
        assert (root / "ran").read_text() == "yes"  # the handler ran; the browser only hides the answer
    finally:
        server.stop()
    (root / "ran").unlink()
    (root / "pyxle.config.json").write_text('{"cors": {"origins": ["https://app.example.com"]}, '
                                            '"csrf": {"apiRoutes": ["/api/account"]}}')
    server = serve_doc_project(root)
    try:
        assert httpx.post(server.url + "/api/account/name", content="{}", headers=cross_site).status_code == 403
        assert not (root / "ran").exists()
    finally:
        server.stop()


@cites("docs/security.md", "a close before `accept()` refuses the handshake with `403`")
@cites("docs/security.md", "Every HTTP response carries, unless the handler set the header itself")
@cites("docs/security.md", "| `X-Content-Type-Options` | `nosniff` |")
@cites("docs/security.md", "| `Referrer-Policy` | `strict-origin-when-cross-origin` |")
@cites("docs/security.md", "| `X-Frame-Options` | `DENY` |")
def test_the_websocket_origin_check_refuses_other_origins(app: Server) -> None:
    with pytest.raises(InvalidStatus) as refused:  # closed before accept: the handshake is refused
        connect(app.ws_url + "/api/live", origin="https://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    headers = refused.value.response.headers  # the refusal is an HTTP answer: it has the headers too
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    with (connect(app.ws_url + "/api/live", origin="https://app.example.com") as ws,  # type: ignore[arg-type]
          pytest.raises(websockets.ConnectionClosedOK)):
        ws.recv(timeout=10)  # accepted; the handler then returns


def _head_of(app: Server, request: bytes) -> bytes:
    """The status line and headers a raw ``request`` gets."""
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (data := sock.recv(65536)):
            answer += data
    return answer.partition(b"\r\n\r\n")[0].lower()


@cites("docs/security.md", "the server answers a\nrequest it cannot read before Pyxle sees it, with an empty body and none "
                           "of them: a request line\nover 64 KiB with `414`, too many header lines with `431`, a "
                           "malformed request line with `400`")
def test_requests_the_server_cannot_read_are_refused_before_pyxle_without_its_headers(app: Server) -> None:
    many = b"".join(b"x-h%d: v\r\n" % i for i in range(300))
    for request, status in ((b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
                            (b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", b"431"),
                            (b"GET /sp ace HTTP/1.1\r\nHost: x\r\n\r\n", b"400")):
        head = _head_of(app, request)
        assert head.startswith(b"http/1.1 " + status) and b"content-length: 0" in head, head
        assert b"x-content-type-options" not in head, head
    assert b"x-content-type-options: nosniff" in _head_of(app, b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")


@cites("docs/security.md", '"too many" is over 100 lines, and a head over 400 to 600 KiB in all, a request line that long\n'
                           "included, gets `431` too")
def test_the_limits_of_a_request_head_are_100_lines_and_about_half_a_mebibyte(app: Server) -> None:
    def lines(n: int) -> bytes:  # a head of n header lines, Host included
        return b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"x-h%d: v\r\n" % i for i in range(n - 1)) + b"\r\n"

    assert b"x-request-id" in _head_of(app, lines(100))  # read, and answered by Pyxle
    assert _head_of(app, lines(101)).startswith(b"http/1.1 431")
    assert _head_of(app, b"GET /" + b"a" * 300_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"http/1.1 414")
    assert _head_of(app, b"GET /" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"http/1.1 431")


@cites("docs/security.md", "gives the value\nback only if the signature was made with the same secret and `salt`, else `None`")
def test_a_signed_cookie_verifies_and_a_forged_one_does_not(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.post("/api/session")
        assert client.get("/api/session").json() == {"user": "user:42"}
    forged = httpx.get(app.url + "/api/session", cookies={"session": "user:1.forged"})
    assert forged.json() == {"user": None}


@cites("docs/security.md", "cookies are `HttpOnly`, `SameSite=Lax`, and `Secure` when the\nrequest came over https")
@cites("docs/security.md", "or the `X-Forwarded-Proto: https` a proxy that terminates\nTLS adds")
@cites("docs/deployment.md", "Cookies (the CSRF cookie while `csrf.cookieSecure` is unset, and\n  `request.state.cookies`) are "
                             "`Secure` when the request came over https")
@pytest.mark.parametrize("proxy", [{}, {"x-forwarded-proto": "https"}], ids=["http", "https behind a proxy"])
def test_the_theme_action_sets_and_deletes_cookies(app: Server, proxy: dict[str, str]) -> None:
    with httpx.Client(base_url=app.url, headers=proxy) as client:  # from 127.0.0.1: a trusted proxy by default
        client.get("/settings")
        token = client.cookies["pyxle-csrf"]  # sent by hand: the jar keeps a Secure cookie off plain http
        answer = client.post("/api/__actions/settings/choose_theme", json={"theme": "dark"},
                             headers={"x-csrf-token": token, "cookie": f"pyxle-csrf={token}"})
    assert answer.json() == {"ok": True, "theme": "dark"}
    cookies = answer.headers.get_list("set-cookie")
    theme = next(c for c in cookies if c.startswith("theme="))
    assert "Max-Age=31536000" in theme and "HttpOnly" in theme and "SameSite=lax" in theme.replace("Lax", "lax")
    assert any(c.startswith("draft=") and "Max-Age=0" in c for c in cookies)
    assert all(("Secure" in c) == bool(proxy) for c in cookies), cookies


@cites("docs/security.md", "State is shared with `--workers`\nabove 1, with the realtime broker in Redis (`PYXLE_REALTIME_BROKER=redis`), with rate-limit\n"
       "counters in Redis (`rateLimit.redisUrl`), and with the page cache in Redis (`cache.backend`)")
@pytest.mark.parametrize(("args", "env", "config", "shared"), [
    (["--workers", "4"], {}, "{}", "--workers 4"),
    ([], {"PYXLE_REALTIME_BROKER": "redis"}, "{}", "the realtime broker is redis"),
    ([], {}, '{"rateLimit": {"requests": 10, "window": 60, "redisUrl": "redis://127.0.0.1:6379/0"}}',
     "rateLimit.redisUrl"),
    ([], {}, '{"cache": {"backend": "redis", "redisUrl": "redis://127.0.0.1:6379/0"}}', "the page cache is in redis"),
], ids=["workers", "realtime-broker", "rate-limit", "page-cache"])
def test_serve_without_a_key_refuses_to_start_naming_what_is_shared(tmp_path, args: list[str], env: dict[str, str],
                                                                    config: str, shared: str) -> None:
    root = write_project("security", tmp_path / "app")
    (root / "pyxle.config.json").write_text(config)
    run = pyxle_run(root, "serve", str(root), "--port", "0", *args, timeout=60, **env)
    assert run.returncode == 1
    assert doc_block("docs/security.md", "secret-refusal").strip().replace("--workers 4", shared) in run.stderr
