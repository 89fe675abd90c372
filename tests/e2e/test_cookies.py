"""Signed cookies (0.9.x's format and import paths) and ``request.state.cookies`` in loaders and
actions, served for real."""

from __future__ import annotations

import pytest
from starlette.responses import Response

import pyxle
from pyxle.runtime import ActionCookies
from pyxle.security import MissingSecretKeyError, sign_cookie, verify_cookie
from tests.docs._blocks import cites

PAGE = '''
from starlette.exceptions import HTTPException

@server
async def load(request):
    request.state.cookies.set("seen", "yes", max_age=60)
    return {"ok": True}

@action
async def remember(request):
    body = await request.json()
    request.state.cookies.set("theme", body["theme"], httponly=False)
    request.state.cookies.delete("seen")
    return {"theme": body["theme"]}

@action
async def refuse(request):
    request.state.cookies.set("attempt", "1")
    raise ActionError("not now", 409)

@action
async def log_out(request):
    request.state.cookies.delete("session")
    raise HTTPException(303, headers={"Location": "/"})

@action
async def forbid(request):
    request.state.cookies.set("tried", "1")
    raise HTTPException(403, "not yours")

@action
async def both(request):
    from starlette.responses import JSONResponse
    request.state.cookies.set("theme", "recorded")
    answer = JSONResponse({"ok": True})
    answer.set_cookie("theme", "returned")
    answer.set_cookie("theme", "elsewhere", path="/shop")
    return answer

@action
async def crash(request):
    request.state.cookies.set("half", "done")
    raise RuntimeError("boom")

@action
async def unreadable(request):
    request.state.cookies.set("half", "done")
    return await request.json()

export default function Home() {
  return <p>home</p>
}
'''

GUARD = '''
from starlette.exceptions import HTTPException

@server
async def load(request):
    request.state.cookies.set("seen", "1")
    if request.query_params.get("m") == "redirect":
        raise HTTPException(303, headers={"Location": "/login"})
    if request.query_params.get("m") == "deny":
        raise HTTPException(401, "sign in")
    return {}

export default function Guard() {
  return <p>guard</p>
}
'''


def test_signatures_match_pyxle_framework_0_9(monkeypatch):
    # Produced by pyxle-framework 0.9.4's sign_cookie: cookies signed before the upgrade still verify.
    assert sign_cookie("abc", "k") == "abc.073fcd68872f2ca0dcd25c4e6e7dfa7fe2ff1b57078697dc55eac93fbeb92096"
    assert sign_cookie("abc", "k", salt="sess") == (
        "abc.75bbe75ddff5108fee538cbdde3739a2545457e1faef45cac881c00ac7fcc7e4")
    assert pyxle.sign_cookie is sign_cookie and pyxle.verify_cookie is verify_cookie


def test_verify_returns_the_value_only_for_the_right_secret_and_salt(monkeypatch):
    signed = sign_cookie("user:42", "secret-one", salt="session")
    assert verify_cookie(signed, "secret-one", salt="session") == "user:42"
    assert verify_cookie(signed, "secret-two", salt="session") is None
    assert verify_cookie(signed, "secret-one") is None  # another purpose
    assert verify_cookie(signed.replace("42", "43"), "secret-one", salt="session") is None
    assert verify_cookie("", "secret-one") is None and verify_cookie("no-signature", "secret-one") is None
    assert verify_cookie(sign_cookie("", "k"), "k") == ""  # a signed empty value is still valid
    monkeypatch.setenv("PYXLE_SECRET_KEY", "from-the-environment")
    assert verify_cookie(sign_cookie("x"), "from-the-environment") == "x"
    monkeypatch.delenv("PYXLE_SECRET_KEY")
    with pytest.raises(MissingSecretKeyError, match="PYXLE_SECRET_KEY"):
        verify_cookie(signed)


@cites("docs/security.md", "request came over https or the call asks for `samesite=\"none\"` (browsers drop such a cookie\nwithout `Secure`)")
def test_cookies_default_to_httponly_lax_and_secure_over_https():
    cookies = ActionCookies(https=True)
    cookies.set("a", "1")
    cookies.set("b", "2", httponly=False, samesite="strict", secure=False)
    headers = cookies.apply(Response()).headers.getlist("set-cookie")
    assert "HttpOnly" in headers[0] and "SameSite=lax" in headers[0] and "Secure" in headers[0]
    assert "HttpOnly" not in headers[1] and "SameSite=strict" in headers[1] and "Secure" not in headers[1]
    plain = ActionCookies(https=False)
    plain.set("c", "3")
    assert "Secure" not in plain.apply(Response()).headers["set-cookie"]
    cross_site = ActionCookies(https=False)  # browsers drop SameSite=None without Secure
    cross_site.set("d", "4", samesite="none")
    cross_site.set("e", "5", samesite="none", secure=False)  # said outright: as said
    headers = cross_site.apply(Response()).headers.getlist("set-cookie")
    assert "; Secure" in headers[0] and "SameSite=none" in headers[0] and "Secure" not in headers[1], headers


@pytest.fixture
def server(make_project, start_server):  # type: ignore[no-untyped-def]
    return start_server(make_project({"pages/index.pyxl": PAGE, "pages/guard.pyxl": GUARD}, node=True))


def _cookie_headers(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_a_loader_sets_a_cookie_on_the_page_and_its_navigation_json(server):
    import httpx

    page = httpx.get(server.url + "/")
    seen = _cookie_headers(page)["seen"]
    assert seen.startswith("seen=yes") and "HttpOnly" in seen and "SameSite=lax" in seen and "Max-Age=60" in seen
    assert "Secure" not in seen  # plain http
    nav = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1"})
    assert nav.json()["ok"] is True and "seen" in _cookie_headers(nav)


def test_cookies_are_secure_behind_a_proxy_that_terminates_tls(server):
    """Behind a proxy that terminates TLS the request is plain http; its X-Forwarded-Proto says the
    client came over https. Cookies from loaders and actions (and the CSRF cookie) ignored it."""
    import httpx

    proxied = {"X-Forwarded-Proto": "https"}
    page = httpx.get(server.url + "/", headers=proxied)
    cookies = _cookie_headers(page)
    assert "; Secure" in cookies["seen"] and "; Secure" in cookies["pyxle-csrf"]
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        saved = client.post("/api/__actions/index/remember", json={"theme": "dark"}, headers={**csrf, **proxied})
        assert "; Secure" in _cookie_headers(saved)["theme"]
    for headers in ({}, {"X-Forwarded-Proto": "http"}, {"X-Forwarded-Proto": "http, https"}):
        plain = _cookie_headers(httpx.get(server.url + "/", headers=headers))
        assert "Secure" not in plain["seen"] and "Secure" not in plain["pyxle-csrf"], headers


def test_an_action_sets_and_deletes_cookies_and_keeps_them_on_its_own_error(server):
    import httpx

    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        saved = client.post("/api/__actions/index/remember", json={"theme": "dark"}, headers=csrf)
        assert saved.json() == {"ok": True, "theme": "dark"}
        cookies = _cookie_headers(saved)
        assert cookies["theme"].startswith("theme=dark") and "HttpOnly" not in cookies["theme"]
        assert 'seen=""' in cookies["seen"] and "Max-Age=0" in cookies["seen"]
        refused = client.post("/api/__actions/index/refuse", json={}, headers=csrf)
        assert refused.status_code == 409 and "attempt" in _cookie_headers(refused)
        crashed = client.post("/api/__actions/index/crash", json={}, headers=csrf)
        assert crashed.status_code == 500 and "half" not in _cookie_headers(crashed)


def test_a_cookie_value_no_header_can_carry_fails_where_it_is_set(server):
    """A value outside Latin-1 cannot go in a Set-Cookie header: the error is raised by the
    action's own ``set`` call (its line in the traceback), not after it, when the answer is made.
    Encoded with ``urllib.parse.quote()`` first, as the docs advise, the same value is set."""
    from urllib.parse import quote, unquote

    import httpx

    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        latin = client.post("/api/__actions/index/remember", json={"theme": "é"}, headers=csrf)
        assert latin.status_code == 200 and _cookie_headers(latin)["theme"].startswith('theme="\\351"')
        euro = client.post("/api/__actions/index/remember", json={"theme": "€"}, headers=csrf)
        assert euro.status_code == 500 and euro.json() == {"ok": False, "error": "Internal Server Error"}
        quoted = client.post("/api/__actions/index/remember", json={"theme": quote("€")}, headers=csrf)
        assert quoted.status_code == 200 and _cookie_headers(quoted)["theme"].startswith("theme=%E2%82%AC;")
        assert unquote(client.cookies["theme"]) == "€"  # encoded as the docs say, it comes back whole
    out = server.wait_for_output("ValueError: cookie 'theme': '€' cannot go in a Set-Cookie header")
    assert 'request.state.cookies.set("theme", body["theme"], httponly=False)' in out


def test_an_http_exception_raised_on_purpose_carries_the_cookies_set_before_it(server):
    """A logout deletes the session cookie and redirects by raising ``HTTPException(303)``: the
    redirect is its answer, so the deletion goes on it (it was dropped: the logout did not log out).
    The same for a loader's redirect and for 4xx; an action's unexpected error still sets none."""
    import httpx

    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        out = client.post("/api/__actions/index/log_out", json={}, headers=csrf)
        assert out.status_code == 200 and out.json() == {"ok": True, "redirect": "/"}  # as a returned redirect
        assert "Max-Age=0" in _cookie_headers(out)["session"]
        forbidden = client.post("/api/__actions/index/forbid", json={}, headers=csrf)
        assert forbidden.status_code == 403 and forbidden.json() == {"ok": False, "error": "not yours"}
        assert _cookie_headers(forbidden)["tried"].startswith("tried=1")
    for navigation in ({}, {"x-pyxle-navigation": "1"}):
        moved = httpx.get(server.url + "/guard?m=redirect", headers=navigation)
        if navigation:  # the router's request: the redirect as JSON it follows (docs/pages.md)
            assert moved.status_code == 200 and moved.json()["redirect"] == "/login", moved.text
        else:
            assert moved.status_code == 303 and moved.headers["location"] == "/login"
        assert "seen" in _cookie_headers(moved), navigation
        denied = httpx.get(server.url + "/guard?m=deny", headers=navigation)
        assert denied.status_code == 401 and "seen" in _cookie_headers(denied), navigation


def test_an_action_that_set_a_cookie_then_read_a_malformed_body_gets_the_400(server):
    """The refusal of a body the action could not read is Pyxle's, not the action's answer: it
    carries none of the cookies set before it (which crashed it: a 500 with
    ``'function' object has no attribute 'set_cookie'``)."""
    import httpx

    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        answer = client.post("/api/__actions/index/unreadable", content=b"{nope", headers={
            "x-csrf-token": client.cookies["pyxle-csrf"], "content-type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"].startswith("Malformed JSON body")
    assert "half" not in _cookie_headers(answer)


@cites("docs/security.md", "A cookie that a returned `Response` sets as well (the same name, path and domain) is sent\n"
       "once, with the value `request.state.cookies` gave it.")
def test_a_cookie_set_by_both_the_returned_response_and_request_state_is_sent_once(server):
    """Both Set-Cookie headers went out: a browser kept the second, a client library or cache may
    keep the first. A cookie of the same name at another path is another cookie and stays."""
    import httpx

    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        answer = client.post("/api/__actions/index/both", json={}, headers=csrf)
    themes = [h for h in answer.headers.get_list("set-cookie") if h.startswith("theme=")]
    assert len(themes) == 2, themes
    assert themes[0].startswith("theme=elsewhere") and "Path=/shop" in themes[0], themes
    assert themes[1].startswith("theme=recorded"), themes
