"""The hand-written parts of pyxle.security: HMAC from pad states, cookie scanning, path prefixes."""

from __future__ import annotations

import base64
import hmac

import pytest

from pyxle.security import SecretKeyError, resolve_secret
from pyxle.security._csrf import CSRFMiddleware, _cookie, under
from pyxle.security._tokens import Signer
from tests.docs._blocks import cites


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("secret", [b"k" * 32, b"x" * 64, b"y" * 65, b"z" * 200])
def test_signature_is_standard_hmac_sha256_with_a_key_of_its_own(secret: bytes) -> None:
    signer = Signer(secret)
    key = hmac.digest(secret, b"pyxle csrf token", "sha256")
    for nonce in ("a", "nonce-123", "Z" * 40):
        assert signer.sign(nonce) == b64(hmac.digest(key, nonce.encode(), "sha256"))


def test_a_tokens_signature_is_not_sign_cookies_key_for_its_nonce() -> None:
    """Signed with the secret itself, a token handed every visitor the key sign_cookie derives for
    salt=<nonce> (HMAC(secret, salt)): verify_cookie then took a value signed with it."""
    from pyxle.security import sign_cookie, verify_cookie

    secret = "s" * 40
    nonce, _, signature = Signer(secret.encode()).make_token().partition(".")
    leaked = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    forged = "admin." + hmac.new(leaked, b"admin", "sha256").hexdigest()
    assert verify_cookie(forged, secret, salt=nonce) is None
    assert verify_cookie(sign_cookie("admin", secret, salt=nonce), secret, salt=nonce) == "admin"


def test_tokens_verify_only_with_their_secret() -> None:
    token = Signer(b"a" * 32).make_token()
    assert Signer(b"a" * 32).verify(token)
    assert not Signer(b"b" * 32).verify(token)
    nonce, _, signature = token.partition(".")
    assert not Signer(b"a" * 32).verify(f"{nonce}x.{signature}")
    for bad in ("", ".", "nodot", "a." + "A" * 43, "x" * 300):
        assert not Signer(b"a" * 32).verify(bad)


def test_tokens_are_unique() -> None:
    signer = Signer(b"a" * 32)
    assert len({signer.make_token() for _ in range(2000)}) == 2000


@pytest.mark.parametrize("header,value", [
    (b"pyxle-csrf=abc", "abc"),
    (b"a=1; pyxle-csrf=abc.def; b=2", "abc.def"),
    (b"xpyxle-csrf=evil", None),
    (b"xpyxle-csrf=evil; pyxle-csrf=good", "good"),
    (b'pyxle-csrf="quoted"', "quoted"),
    (b"pyxle-csrf=", None),
    (b"other=1", None),
])
def test_cookie_scan(header: bytes, value: str | None) -> None:
    assert _cookie(header, "pyxle-csrf") == value


@pytest.mark.parametrize("path,prefix,expected", [
    ("/api/hooks", "/api/hooks", True),
    ("/api/hooks/x", "/api/hooks", True),
    ("/api/hooks/x", "/api/hooks/", True),
    ("/api/hooksmith", "/api/hooks", False),
    ("/api", "/api/hooks", False),
])
def test_prefixes_match_on_segment_boundaries(path: str, prefix: str, expected: bool) -> None:
    assert under(path, prefix) is expected


def test_which_paths_are_protected() -> None:
    def mw(**kw) -> CSRFMiddleware:
        return CSRFMiddleware(lambda s, r, c: None, secret=b"k" * 32, **kw)

    default = mw()
    assert default.protects("/api/__actions/index/save")
    assert default.protects("/blog/new")  # pages: no-JS form posts
    assert not default.protects("/api/users")
    assert mw(api_routes=True).protects("/api/users")
    assert mw(api_routes=("/api/admin",)).protects("/api/admin/x")
    assert not mw(api_routes=("/api/admin",)).protects("/api/administrator")
    assert not mw(exempt_paths=("/api/__actions/index",)).protects("/api/__actions/index/save")
    # An API route lifts the check only where the app says it answers the method (a GET-only route
    # before which a plugin's middleware answers POST does not).
    get_only = mw(api_route=lambda path, method: "pages/api/x.py" if method == "GET" else None)
    assert get_only.protects("/api/x", "POST") and not get_only.protects("/api/x", "GET")


def test_secret_rules() -> None:
    with pytest.raises(SecretKeyError, match="secrets.token_urlsafe"):
        resolve_secret("short", mode="production")
    key, warning = resolve_secret("s" * 32, mode="production")
    assert key == b"s" * 32 and warning is None
    generated, warning = resolve_secret(None, mode="production")
    assert len(generated) >= 32 and "PYXLE_SECRET_KEY" in warning
    assert resolve_secret(None, mode="development")[1] is None
    assert resolve_secret(None, mode="production")[0] != generated


def test_csrf_protects_answers_stay_right_when_remembered_and_the_memory_is_bounded() -> None:
    from pyxle._memo import ENTRIES as _MEMO_PATHS

    mw = CSRFMiddleware(lambda s, r, c: None, secret=b"k" * 32, exempt_paths=("/hooks",))
    for _ in range(2):  # the second pass answers from memory
        assert mw.protects("/api/__actions/index/save")
        assert not mw.protects("/api/users")
        assert not mw.protects("/hooks/stripe")
        assert mw.protects("/hooksmith")
    for n in range(_MEMO_PATHS + 500):  # a client inventing paths cannot grow it without end
        assert mw.protects(f"/page/{n}")
        assert not mw.protects(f"/api/item/{n}")
    assert len(mw._protects) == _MEMO_PATHS
    fresh = CSRFMiddleware(lambda s, r, c: None, secret=b"k" * 32)
    long_path = "/p/" + "x" * 5000
    assert fresh.protects(long_path) and long_path not in fresh._protects  # long paths are decided, not kept
    assert mw.protects("/page/unseen") and not mw.protects("/api/unseen")


def test_the_routers_answer_for_csrf_is_remembered_in_bounded_memory() -> None:
    from pyxle._memo import ENTRIES
    from pyxle.app._router import PyxleRouter
    from pyxle.routing import route_for_file

    async def users(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        pass

    router = PyxleRouter(default=users)
    spec = route_for_file("api/users.py", "api")
    assert spec is not None
    router.set_routes([(spec, users)])
    assert router.answering("/api/users") is users and router.answering("/api/users/") is users
    for n in range(ENTRIES + 500):  # a client inventing paths cannot grow it without end
        assert router.answering(f"/api/item/{n}") is None
    assert len(router._answering) == ENTRIES
    assert router.answering("/api/" + "x" * 5000) is None and len(router._answering) == ENTRIES


@pytest.mark.parametrize(("policy", "expected"), [
    ("default-src 'self'", "default-src 'self' 'nonce-N'"),
    ("default-src 'self'; script-src 'self' https://cdn.example", "default-src 'self'; script-src 'self' https://cdn.example 'nonce-N'"),
    ("script-src 'self'; script-src-elem 'self'; img-src *", "script-src 'self'; script-src-elem 'self' 'nonce-N'; img-src *"),
    ("img-src *;; script-src 'self'; script-src 'unsafe-inline';", "img-src *; script-src 'self' 'nonce-N'; script-src 'unsafe-inline'"),
    ("script-src 'unsafe-inline' 'sha256-abc'", "script-src 'unsafe-inline' 'sha256-abc' 'nonce-N'"),
    ("default-src 'self' 'unsafe-inline' 'strict-dynamic'", "default-src 'self' 'unsafe-inline' 'strict-dynamic' 'nonce-N'"),
    ("script-src 'unsafe-inline' 'STRICT-DYNAMIC' https:", "script-src 'unsafe-inline' 'STRICT-DYNAMIC' https: 'nonce-N'"),
])
@cites("docs/security.md", "A `Content-Security-Policy` (or its `-Report-Only` twin) that governs scripts without "
       "`'unsafe-inline'`")
def test_a_policy_that_refuses_inline_scripts_gets_the_nonce_where_scripts_are_governed(policy: str, expected: str) -> None:
    from pyxle.security import script_policy

    make = script_policy({"Content-Security-Policy-Report-Only": policy, "X-Frame-Options": "DENY"})
    assert make is not None
    nonce, headers = make()
    assert headers == {"Content-Security-Policy-Report-Only": expected.replace("'nonce-N'", f"'nonce-{nonce}'")}
    assert make()[0] != nonce


@pytest.mark.parametrize("policy", ["default-src 'self' 'unsafe-inline'", "script-src 'none'", "img-src 'self'", ""])
def test_a_policy_that_allows_inline_scripts_or_governs_none_is_left_as_written(policy: str) -> None:
    from pyxle.security import script_policy

    assert script_policy({"Content-Security-Policy": policy}) is None
    assert script_policy({"X-Frame-Options": "DENY"}) is None


@cites("docs/security.md", "a value a cookie cannot carry (a user's name in Japanese) is quoted first and "
       "unquoted once verified: `sign_cookie(quote(name), salt=\"session\")`, then `unquote(verify_cookie(...))`")
def test_a_name_outside_latin_1_signed_quoted_goes_in_a_cookie_and_reads_back() -> None:
    """Signed as it is, "日本" cannot go in a Set-Cookie header (a 500 at sign-in); quoted, it goes
    through Starlette's header and parser and verifies back to the name."""
    from urllib.parse import quote, unquote

    from starlette.requests import cookie_parser
    from starlette.responses import Response

    from pyxle import sign_cookie, verify_cookie

    with pytest.raises(UnicodeEncodeError):
        Response().set_cookie("session", sign_cookie("日本", "k", salt="session"))
    answer = Response()
    answer.set_cookie("session", sign_cookie(quote("日本"), "k", salt="session"))
    sent = answer.headers["set-cookie"].split(";")[0]
    verified = verify_cookie(cookie_parser(sent)["session"], "k", salt="session")
    assert verified is not None and unquote(verified) == "日本"


def test_verify_cookie_tries_the_fallback_keys_only_to_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyxle.security import sign_cookie, verify_cookie

    old, new = "old-key-of-19-bytes", "n" * 40
    monkeypatch.setenv("PYXLE_SECRET_KEY", new)
    monkeypatch.setenv("PYXLE_SECRET_KEY_FALLBACKS", f" x{'y' * 40} , {old},")
    signed = sign_cookie("alice", old, salt="session")
    assert verify_cookie(signed, salt="session") == "alice"  # the variable's fallbacks
    assert sign_cookie("alice", salt="session") == sign_cookie("alice", new, salt="session")  # never signs with one
    assert verify_cookie(signed, new, salt="session") is None  # a key passed: the variable is not read
    assert verify_cookie(signed, new, salt="session", fallbacks=[old]) == "alice"
    assert verify_cookie(signed, salt="session", fallbacks=[]) is None
    assert verify_cookie(sign_cookie("m", "m" * 40, salt="session"), salt="session") is None


def test_config_and_security_split_the_fallbacks_alike() -> None:
    from pyxle.config._rules import split_fallbacks as config_split
    from pyxle.security._secret import split_fallbacks

    for text in (None, "", "a", "a,b", " a , b ,", "a b,c", ",,", "k" * 40 + "," + "short"):
        assert split_fallbacks(text) == config_split(text), text
    assert split_fallbacks(" a , b c ,") == ("a", "b c")


def test_a_csrf_token_of_a_fallback_key_is_valid_and_replaced() -> None:
    import asyncio

    from pyxle.security._tokens import make_token, verify_token

    old, new = b"o" * 19, b"n" * 40
    seen: list[dict] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})

    async def post(middleware: CSRFMiddleware, token: str) -> tuple[int, str | None]:
        scope = {"type": "http", "method": "POST", "path": "/api/__actions/x/y", "headers": [
            (b"cookie", f"pyxle-csrf={token}".encode()), (b"x-csrf-token", token.encode())], "scheme": "http"}
        answers: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            answers.append(message)

        await middleware(scope, receive, send)
        seen.append(scope)
        start = answers[0]
        cookies = [v.decode() for k, v in start.get("headers", []) if k == b"set-cookie"]
        return start["status"], cookies[0].split(";")[0].split("=", 1)[1] if cookies else None

    rotated = CSRFMiddleware(app, secret=new, fallbacks=[old])
    status, renewed = asyncio.run(post(rotated, make_token(old)))
    assert status == 200 and renewed is not None and verify_token(new, renewed) and not verify_token(old, renewed)
    assert asyncio.run(post(rotated, renewed)) == (200, None)
    assert asyncio.run(post(rotated, make_token(b"f" * 40)))[0] == 403
    assert asyncio.run(post(CSRFMiddleware(app, secret=new), make_token(old)))[0] == 403  # no fallbacks: refused


def test_masked_config_hides_every_fallback_key() -> None:
    from pyxle.config import PyxleConfig

    shown = PyxleConfig(root=".", secret_key="n" * 40, secret_key_fallbacks=("a" * 19, "b" * 40)).to_dict()
    assert shown["secretKeyFallbacks"] == ["********", "********"] and shown["secretKey"] == "********"
    assert "a" * 19 not in repr(PyxleConfig(root=".", secret_key_fallbacks=("a" * 19,)))


@cites("docs/security.md", "after a key change, the page cache starts empty and the counters start again from zero")
def test_the_redis_namespace_follows_the_current_key_alone() -> None:
    from pyxle._redis import app_namespace

    assert app_namespace("n" * 40) != app_namespace("o" * 40) and app_namespace("n" * 40) == app_namespace("n" * 40)
