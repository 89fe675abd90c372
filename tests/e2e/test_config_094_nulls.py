"""What pyxle-framework 0.9.4 accepted and docs/migrating.md calls "same": null blocks and lists
(asking for nothing: CSRF stays on), its field names on ``RateLimitConfig`` and ``CsrfConfig``, and
``--workers 0`` / ``--ssr-workers 0`` (auto), run through the real ``pyxle check`` and ``pyxle serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from pyxle.config import CsrfConfig, RateLimitConfig
from tests.conftest import SHARED_SECRET, server_env
from tests.docs._blocks import cites

API = {"pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n\n\nasync def post(request):\n    return {'posted': True}\n"}
NULLS = {"rateLimit": None, "csrf": None, "cors": None}
NESTED = {"rateLimit": {"requests": 2, "exemptPaths": None},
          "csrf": {"apiRoutes": True, "exemptPaths": None},
          "cors": {"origins": None, "methods": None, "headers": None}}


@pytest.mark.parametrize("config", [NULLS, NESTED], ids=["blocks", "lists"])
def test_null_asks_for_nothing_and_csrf_stays_on(make_project, start_server, config):
    project = make_project({**API, "pyxle.config.json": json.dumps(config)})
    check = subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                           env=server_env(), check=False, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    server = start_server(project, "serve")
    refused = httpx.post(server.url + "/", json={})  # a page path: always checked
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    if config is NESTED:  # the limit and the API routes' check are what the block asked for
        assert httpx.post(server.url + "/api/hello").status_code == 403
        assert 429 in {httpx.get(server.url + "/api/hello").status_code for _ in range(3)}
    else:
        assert httpx.post(server.url + "/api/hello").json() == {"posted": True}
        assert {httpx.get(server.url + "/api/hello").status_code for _ in range(5)} == {200}


TOP_NULLS = {"name": None, "starlette": None, "middleware": None, "routeMiddleware": None, "plugins": None,
             "styling": None, "observability": None}


@cites("docs/migrating.md", "wherever 0.9 took\n`null` (`name`, `starlette`, `middleware`, `routeMiddleware`, `plugins`, `styling`,\n`observability`")
def test_every_top_level_null_0_9_took_is_taken(make_project, start_server):
    """Only the blocks above took null: an app with `"middleware": null` (or any of these) did not
    start, where 0.9.4 read each as not set (a probe, checking 0.9.4's load_config key by key)."""
    project = make_project({**API, "pyxle.config.json": json.dumps(TOP_NULLS)})
    check = subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                           env=server_env(), check=False, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert httpx.get(start_server(project, "serve").url + "/api/hello").json() == {"hello": "world"}
    (project / "pyxle.config.json").write_text('{"debug": null}')  # 0.9.4 refused it too
    refused = subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                             env=server_env(), check=False, timeout=60)
    assert refused.returncode != 0 and "debug" in refused.stdout + refused.stderr


def test_the_0_9_field_names_are_taken_and_read():
    limit = RateLimitConfig(requests=5, window_seconds=10)
    assert limit == RateLimitConfig(requests=5, window=10) and limit.window_seconds == limit.window == 10
    csrf = CsrfConfig(cookie_samesite="strict")
    assert csrf == CsrfConfig(cookie_same_site="strict") and csrf.cookie_samesite == "strict"
    assert RateLimitConfig().window_seconds == 60.0 and CsrfConfig().cookie_samesite == "lax"
    with pytest.raises(TypeError, match="window_seconds"):
        RateLimitConfig(window=1, window_seconds=2)


@cites("docs/deployment.md", "`--workers 0` starts one worker per CPU core, as pyxle-framework 0.9 did, and the banner says how many")
@cites("docs/deployment.md", "`--ssr-workers 0` asks for that default")
def test_workers_0_starts_one_per_core_and_says_so(make_project, start_server):
    cores = max(1, os.cpu_count() or 1)
    server = start_server(make_project(API), "serve", "--workers", "0", "--ssr-workers", "0", env=SHARED_SECRET)
    assert f"(workers: {cores}, one per CPU core)" in server.output()
    assert httpx.get(server.url + "/api/hello").json() == {"hello": "world"}
