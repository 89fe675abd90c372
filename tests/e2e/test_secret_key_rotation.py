"""Rotating PYXLE_SECRET_KEY: the old key moves to PYXLE_SECRET_KEY_FALLBACKS, where it verifies
what it signed (a loader's signed session cookie, a CSRF token) and signs nothing, in every worker
of a real ``pyxle serve``. Without it, a new key (a 0.9 app's short one must go) logged everyone out."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from pyxle.security import sign_cookie, verify_token
from pyxle.security._tokens import make_token
from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites, doc_block

OLD = "short-prod-key-2024"  # 19 bytes: 0.9.4 took it
OLDER = "o" * 40
NEW = "n" * 48
PAGE = '''
from pyxle import verify_cookie

@server
async def load(request):
    return {"user": verify_cookie(request.cookies.get("session", ""), salt="session")}

@action
async def whoami(request):
    return {"user": verify_cookie(request.cookies.get("session", ""), salt="session")}

export default function Home({ data }) {
  return <p>{data.user}</p>
}
'''


def pyxle(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(**env), check=False)


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """``pyxle serve --workers 2`` with the new key, and both older keys as fallbacks in ``.env``."""
    from tests.conftest import NODE_MODULES, Server, write_project

    root = write_project(tmp_path_factory.mktemp("rotated") / "app", {
        "pages/index.pyxl": PAGE,
        ".env": doc_block("docs/security.md", "rotation-env").replace("<the new key>", NEW)
                                                           .replace("<the old key>", OLD).replace("<an older one>", OLDER),
    }, NODE_MODULES)
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", "--workers", "2"], root, server_env())
    try:
        server.wait_ready(timeout=90)
        yield server
    finally:
        server.stop()


def _user(server, cookie: str) -> object:  # type: ignore[no-untyped-def]
    """What the page's loader read from the session cookie (its navigation JSON), on a new connection."""
    answer = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1", "cookie": f"session={cookie}",
                                                  "connection": "close"})
    assert answer.status_code == 200, answer.text
    return answer.json()["props"]["data"]["user"]


@cites("docs/security.md", "`PYXLE_SECRET_KEY_FALLBACKS` lists older keys")
@cites("docs/migrating.md", "move the 0.9 key to `PYXLE_SECRET_KEY_FALLBACKS`")
def test_a_loader_verifies_a_cookie_signed_with_an_old_key_in_every_worker(rotated) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):  # new connections: both workers answer some
        assert _user(rotated, sign_cookie("alice", OLD, salt="session")) == "alice"
        assert _user(rotated, sign_cookie("bob", OLDER, salt="session")) == "bob"
        assert _user(rotated, sign_cookie("carol", NEW, salt="session")) == "carol"


@cites("docs/security.md", "a value signed by none of them is refused")
def test_a_cookie_signed_by_neither_key_is_refused(rotated) -> None:  # type: ignore[no-untyped-def]
    assert _user(rotated, sign_cookie("mallory", "m" * 40, salt="session")) is None
    assert _user(rotated, sign_cookie("alice", OLD, salt="other")) is None  # the salt still counts


@cites("docs/security.md", "the answer carries a new token signed with the current key")
def test_a_csrf_post_with_a_token_of_the_old_key_passes_and_gets_a_new_token(rotated) -> None:  # type: ignore[no-untyped-def]
    old_token = make_token(OLD.encode())
    session = sign_cookie("alice", OLD, salt="session")

    def post(token: str) -> httpx.Response:
        return httpx.post(rotated.url + "/api/__actions/index/whoami", json={}, headers={
            "x-csrf-token": token, "cookie": f"pyxle-csrf={token}; session={session}", "connection": "close"})

    for _ in range(4):  # new connections: both workers answer some
        posted = post(old_token)
        assert posted.status_code == 200 and posted.json() == {"ok": True, "user": "alice"}, posted.text
        renewed = posted.cookies["pyxle-csrf"]
        assert renewed != old_token and verify_token(NEW.encode(), renewed)
        assert not verify_token(OLD.encode(), renewed)  # fallbacks never sign
        again = post(renewed)
        assert again.status_code == 200 and "pyxle-csrf" not in again.cookies, again.text


@cites("docs/migrating.md", "with the 0.9 key in `PYXLE_SECRET_KEY_FALLBACKS`, its tabs keep posting")
def test_a_094_tabs_token_signed_with_the_old_key_passes_and_keeps_its_cookie(rotated) -> None:  # type: ignore[no-untyped-def]
    """A 0.9 app's short key moved to the fallbacks: a tab 0.9 served posts with 0.9's cookie and a
    token 0.9 signed with that key, as it did before the upgrade."""
    from tests.e2e._v094 import COOKIE_094, token_094

    token = token_094(OLD)
    for _ in range(4):  # new connections: both workers answer some
        posted = httpx.post(rotated.url + "/api/__actions/index/whoami", json={}, headers={
            "x-csrf-token": token, "cookie": f"{COOKIE_094}={token}", "connection": "close"})
        assert posted.status_code == 200 and posted.json()["ok"] is True, posted.text
        assert COOKIE_094 not in posted.cookies  # the tab's cookie verifies: left as it is
    forged = token_094("another-key-0.9-never-had-xxxxxxxx")
    refused = httpx.post(rotated.url + "/api/__actions/index/whoami", json={}, headers={
        "x-csrf-token": forged, "cookie": f"{COOKIE_094}={forged}"})
    assert refused.status_code == 403


def test_a_csrf_token_signed_by_neither_key_is_refused(rotated) -> None:  # type: ignore[no-untyped-def]
    forged = make_token(b"f" * 40)
    refused = httpx.post(rotated.url + "/api/__actions/index/whoami", json={},
                         headers={"x-csrf-token": forged, "cookie": f"pyxle-csrf={forged}"})
    assert refused.status_code == 403 and refused.json()["error"] == "CSRF token invalid"


@cites("docs/security.md", "start-up names it once by its position, never its value")
def test_a_short_fallback_is_taken_with_one_warning_naming_its_position_not_its_value(rotated) -> None:  # type: ignore[no-untyped-def]
    out = rotated.output()
    warning = doc_block("docs/security.md", "short-fallback").strip().removeprefix("pyxle: warning: ")
    assert out.count(warning) == 1, out  # once, not once per worker
    assert "key 2 of 2" not in out  # the long one is not warned about
    assert OLD not in out and OLDER not in out and NEW not in out


@cites("docs/security.md", "move the old one to PYXLE_SECRET_KEY_FALLBACKS")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_short_current_key_is_still_refused_and_the_refusal_says_how_to_keep_old_values(tmp_path: Path,
                                                                                           command: str) -> None:
    from tests.conftest import write_project

    api = write_project(tmp_path / "app", {"pages/api/hello.py": "async def get(request):\n    return {}\n"}, None)
    run = pyxle(api, command, ".", PYXLE_SECRET_KEY=OLD, PYXLE_SECRET_KEY_FALLBACKS="")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "PYXLE_SECRET_KEY is 19 bytes; it must be at least 32" in run.stderr, run.stderr
    assert "set a new PYXLE_SECRET_KEY and move the old one to PYXLE_SECRET_KEY_FALLBACKS" in run.stderr
    assert OLD not in run.stderr


@cites("docs/security.md", '`--print-config` shows each as `"********"`')
def test_print_config_masks_the_fallback_keys(tmp_path: Path) -> None:
    from tests.conftest import write_project

    api = write_project(tmp_path / "app", {"pages/api/hello.py": "async def get(request):\n    return {}\n"}, None)
    run = pyxle(api, "serve", ".", "--print-config", PYXLE_SECRET_KEY=NEW, PYXLE_SECRET_KEY_FALLBACKS=f"{OLD},{OLDER}")
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["secretKeyFallbacks"] == ["********", "********"] and shown["secretKey"] == "********"
    assert OLD not in run.stdout + run.stderr and OLDER not in run.stdout + run.stderr


@cites("docs/security.md", "`pyxle serve` and `pyxle dev` alike, reads the variable")
def test_pyxle_dev_verifies_old_values_too(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": PAGE}, node=True)
    server = start_server(project, "dev", env={"PYXLE_SECRET_KEY": NEW, "PYXLE_SECRET_KEY_FALLBACKS": OLD})
    assert _user(server, sign_cookie("alice", OLD, salt="session")) == "alice"
    assert _user(server, sign_cookie("mallory", "m" * 40, salt="session")) is None
    old_token = make_token(OLD.encode())
    posted = httpx.post(server.url + "/api/__actions/index/whoami", json={}, headers={
        "x-csrf-token": old_token, "cookie": f"pyxle-csrf={old_token}", "connection": "close"})
    assert posted.status_code == 200 and verify_token(NEW.encode(), posted.cookies["pyxle-csrf"]), posted.text
    assert server.output().count("key 1 of 1 is 19 bytes") == 1
