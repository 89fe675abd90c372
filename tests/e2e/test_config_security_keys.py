"""An unknown key in pyxle.config.json taken for a security setting (its "did you mean") stops a
real `pyxle serve` / `pyxle dev`, naming the file, the line and the key it looks like: a misspelt
"rateLimit" started the server with no limit, and a misspelt metrics token left the endpoint open.
Other unknown keys are still only warned about."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import pyxle_command, server_env, serving, write_project
from tests.docs._blocks import cites, doc_block

ROUTE = "async def get(request):\n    return {'ok': True}\n"


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(), check=False)


def config_text(key: str, value: object, block: str | None = None) -> str:
    """A config file of a few lines whose misspelt key is on line 3."""
    if block is None:
        return '{\n  "name": "app",\n  ' + json.dumps(key) + ": " + json.dumps(value) + "\n}\n"
    return ('{\n  ' + json.dumps(block) + ': {\n    ' + json.dumps(key) + ": " + json.dumps(value)
            + "\n  }\n}\n")


@pytest.fixture
def api(tmp_path: Path) -> Path:
    return write_project(tmp_path / "app", {"pages/api/hello.py": ROUTE}, None)


@cites("docs/configuration.md", "An unknown key taken for one of the settings that guard the app stops start-up")
@pytest.mark.parametrize(("key", "value", "meant"), [
    ("ratelimit", {"requests": 2, "window": 60}, "rateLimit"),
    ("rate_limit", {"requests": 2, "window": 60}, "rateLimit"),
    ("securityheaders", {"Content-Security-Policy": "default-src 'self'"}, "securityHeaders"),
    ("CSRF", {"cookieSecure": True}, "csrf"),
    ("Cors", {"origins": ["https://example.com"]}, "cors"),
    ("forwardedAllowIPs", [], "forwardedAllowIps"),
    ("middlewares", ["app:Guard"], "middleware"),
    ("routeMiddlewares", {"apis": ["hooks:auth"]}, "routeMiddleware"),
    ("plugin", ["pyxle-auth"], "plugins"),
    ("maxBodysize", 1000, "maxBodySize"),
])
def test_a_misspelt_top_level_security_key_stops_serve_naming_file_line_and_key(
        api: Path, key: str, value: object, meant: str) -> None:
    (api / "pyxle.config.json").write_text(config_text(key, value))
    run = pyxle(api, "serve", ".")
    assert run.returncode == 1, run.stdout + run.stderr
    shown = doc_block("docs/configuration.md", "security-key-refused").strip().replace("/app", str(api))
    assert shown.replace('"ratelimit"', f'"{key}"').replace('"rateLimit"', f'"{meant}"') in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("block", "key", "meant"), [
    ("observability", "metricsToken", "observability.metricsEndpointToken"),
    ("observability", "trustIncomingRequestID", "observability.trustIncomingRequestId"),
    ("cors", "origin", "cors.origins"),
    ("cors", "credential", "cors.credentials"),
    ("realtime", "apiRoute", "realtime.apiRoutes"),
])
def test_a_misspelt_security_key_inside_a_block_stops_serve_and_dev(api: Path, block: str, key: str, meant: str) -> None:
    (api / "pyxle.config.json").write_text(config_text(key, True, block))
    path = api / "pyxle.config.json"
    for command in ("serve", "dev"):
        run = pyxle(api, command, ".")
        assert run.returncode == 1, (command, run.stdout + run.stderr)
        assert f'{path}: line 3: unknown key "{block}.{key}"; did you mean "{meant}"?' in run.stderr, run.stderr


def test_a_misspelt_metrics_token_does_not_start_an_open_metrics_endpoint(api: Path) -> None:
    (api / "pyxle.config.json").write_text(json.dumps(
        {"observability": {"metricsEndpoint": True, "metricsToken": "s3cret-token"}}))
    run = pyxle(api, "serve", ".")
    assert run.returncode == 1 and 'did you mean "observability.metricsEndpointToken"?' in run.stderr, run.stderr


@cites("docs/migrating.md", "Elsewhere one is ignored with a warning, where 0.9.4 refused it: `starlette.hostname` or\n"
       "`navigation.defaultPrefetchTL` no longer stops a deploy.")
def test_an_unknown_key_that_guards_nothing_is_still_only_warned_about(api: Path) -> None:
    (api / "pyxle.config.json").write_text(json.dumps(
        {"starlette": {"hostname": "127.0.0.1"}, "navigation": {"defaultPrefetchTL": 30}, "completelyUnrelated": 1}))
    with serving(api) as server:
        assert httpx.get(server.url + "/api/hello").json() == {"ok": True}
        out = server.output()
    assert 'unknown key "starlette.hostname" is ignored (did you mean "starlette.host"?)' in out
    assert 'unknown key "navigation.defaultPrefetchTL" is ignored (did you mean "navigation.defaultPrefetchTtl"?)' in out
    assert 'unknown key "completelyUnrelated" is ignored' in out
