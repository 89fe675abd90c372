"""Without PYXLE_SECRET_KEY, the key a server generates signs its CSRF tokens only: sign_cookie and
verify_cookie raise ``MissingSecretKeyError`` (as docs/security.md says) instead of signing sessions
with a key the next restart forgets."""

from __future__ import annotations

import signal

import httpx
import pytest

from pyxle.security import MissingSecretKeyError, sign_cookie, verify_cookie

SIGN = '''
import os

from pyxle import sign_cookie


async def get(request):
    try:
        signed = sign_cookie("user:42", salt="session")
    except Exception as exc:
        return {"error": type(exc).__name__, "env": "PYXLE_SECRET_KEY" in os.environ, "pid": os.getpid()}
    return {"signed": signed, "pid": os.getpid()}


async def post(request):
    return {"posted": True}
'''
PROJECT = {"pages/api/sign.py": SIGN, "pyxle.config.json": '{"csrf": {"apiRoutes": true}}'}


def test_serve_without_a_key_refuses_to_sign_cookies_and_keeps_its_csrf_key_across_a_reload(make_project,
                                                                                              start_server):
    server = start_server(make_project(PROJECT), "serve")
    out = server.output()
    assert "PYXLE_SECRET_KEY is not set" in out and "sign_cookie / verify_cookie (sessions) raise" in out
    with httpx.Client(base_url=server.url, headers={"Connection": "close"}) as client:
        first = client.get("/api/sign").json()
        assert first["error"] == "MissingSecretKeyError" and first["env"] is False
        client.get("/")  # the CSRF cookie
        token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        assert client.post("/api/sign", headers=token).json() == {"posted": True}
        server.proc.send_signal(signal.SIGHUP)  # a new worker: the CLI's generated key, handed on
        server.wait_for_output("Stopped old worker-1", timeout=40)
        assert client.get("/api/sign").json()["pid"] != first["pid"]
        assert client.post("/api/sign", headers=token).json() == {"posted": True}


def test_serve_with_a_key_signs_with_it(make_project, start_server):
    key = "k" * 40
    server = start_server(make_project(PROJECT), "serve", env={"PYXLE_SECRET_KEY": key})
    signed = httpx.get(server.url + "/api/sign").json()["signed"]
    assert verify_cookie(signed, key, salt="session") == "user:42"


def test_an_empty_secret_key_argument_raises_even_with_the_variable_set(monkeypatch):
    """``sign_cookie(v, os.environ.get("MY_KEY", ""))`` with MY_KEY unset must fail closed, as in
    pyxle-framework 0.9.4, not sign with PYXLE_SECRET_KEY in its place."""
    monkeypatch.setenv("PYXLE_SECRET_KEY", "e" * 40)
    for call in (lambda: sign_cookie("v", ""), lambda: verify_cookie("v.abc", ""),
                 lambda: sign_cookie("v", secret_key=""), lambda: verify_cookie(sign_cookie("v"), secret_key="")):
        with pytest.raises(MissingSecretKeyError):
            call()
    assert verify_cookie(sign_cookie("v"), "e" * 40) == "v"  # None reads the variable
    monkeypatch.setenv("PYXLE_SECRET_KEY", "")
    with pytest.raises(MissingSecretKeyError):
        sign_cookie("v")
