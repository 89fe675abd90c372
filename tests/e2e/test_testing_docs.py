"""docs/testing.md: its examples run as written, against the `pyxle init` starter; and an app
built without the CLI still signs CSRF tokens with a real key."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pyxle.app import create_app
from pyxle.config import load_config
from pyxle.security._tokens import Signer
from tests.conftest import link_node_modules, server_env
from tests.docs._blocks import doc_block


def starter(tmp_path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pyxle", "init", "app"], cwd=tmp_path, env=server_env(), check=True,
                   capture_output=True)
    project = tmp_path / "app"
    link_node_modules(project)
    return project


def test_the_documented_tests_pass_on_the_starter(tmp_path: Path) -> None:
    project = starter(tmp_path)
    blocks = [doc_block("docs/testing.md", name) for name in ("users-suite", "testclient-api", "testclient-action")]
    (project / "tests").mkdir(exist_ok=True)  # the starter ships tests/test_app.py
    (project / "tests" / "test_docs.py").write_text("\n\n".join(blocks))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_docs.py"],
                         cwd=project, env=server_env(), capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "6 passed" in run.stdout


def test_an_app_built_without_the_cli_refuses_tokens_signed_with_an_empty_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("PYXLE_SECRET_KEY", raising=False)
    project = tmp_path / "api"
    (project / "pages" / "api").mkdir(parents=True)
    (project / "pyxle.config.json").write_text('{"csrf": {"apiRoutes": true}}')
    (project / "pages" / "api" / "submit.py").write_text("async def post(request):\n    return {'accepted': True}\n")
    with caplog.at_level(logging.WARNING, logger="pyxle"):
        app = create_app(load_config(project, mode="production"), mode="production")
    assert "PYXLE_SECRET_KEY is not set" in caplog.text
    forged = Signer(b"").make_token()  # what anyone could mint if the key were empty
    with TestClient(app) as client:
        refused = client.post("/api/submit", headers={"x-csrf-token": forged, "cookie": f"pyxle-csrf={forged}"})
        assert refused.status_code == 403 and refused.json()["error"] == "CSRF token invalid"  # sent, and refused
        client.get("/api/submit")  # a real token, from the app's own cookie
        token = client.cookies["pyxle-csrf"]
        assert client.post("/api/submit", headers={"x-csrf-token": token}).json() == {"accepted": True}
