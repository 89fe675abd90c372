"""`pyxle serve --print-config` prints the configuration `pyxle serve` runs with (the
`.env.production` files), as `pyxle dev --print-config` prints development's: only dev had it, so
what production would run could not be seen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import pyxle_command, server_env, write_project
from tests.docs._blocks import cites

KEY = "production-key-" + "p" * 40
ROUTE = "async def get(request):\n    return {'ok': True}\n"


def printed(project: Path, command: str, *args: str) -> dict:  # type: ignore[type-arg]
    run = subprocess.run([*pyxle_command(), command, ".", "--print-config", *args], cwd=project, capture_output=True,
                         text=True, timeout=120, env=server_env(), check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


@cites("docs/configuration.md", "To see the result of all four, run `pyxle serve --print-config` (production, with the\n"
       "`.env.production` files) or `pyxle dev --print-config` (development, with the `.env.development`\nones)")
@cites("docs/deployment.md", "`--print-config` prints the configuration it\n  would run with (the `.env.production` files read, secrets masked) and exits.")
def test_serve_prints_the_production_configuration_and_dev_the_development_one(tmp_path: Path) -> None:
    project = write_project(tmp_path / "app", {
        "pages/api/hello.py": ROUTE, "pyxle.config.json": json.dumps({"maxBodySize": 1000, "cors": {"origins": ["https://a.test"]}}),
        ".env": "PYXLE_DEBUG=0\n", ".env.production": "PYXLE_MAX_BODY_SIZE=4000\n",
        ".env.production.local": f"PYXLE_FORWARDED_ALLOW_IPS=10.0.0.0/8\nPYXLE_SECRET_KEY={KEY}\n",
        ".env.development": "PYXLE_MAX_BODY_SIZE=2000\nPYXLE_DEBUG=1\n"}, None)
    production = printed(project, "serve", "--port", "9123")
    assert (production["maxBodySize"], production["debug"], production["forwardedAllowIps"]) == (4000, False, ["10.0.0.0/8"])
    assert production["secretKey"] == "********" and KEY not in json.dumps(production)
    assert production["starlette"]["port"] == 9123 and production["cors"]["origins"] == ["https://a.test"]
    development = printed(project, "dev")
    assert (development["maxBodySize"], development["debug"]) == (2000, True)
    assert development["forwardedAllowIps"] == ["127.0.0.1", "::1"] and development["secretKey"] is None
