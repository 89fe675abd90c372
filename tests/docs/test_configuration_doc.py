"""docs/configuration.md: the complete example starts a server, and the messages and values shown
are the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pyxle.config import load_env_files, public_env
from pyxle.config._env import parse_env
from tests.docs._blocks import cites, doc_block, write_project
from tests.docs.conftest import pyxle_run, serve_doc_project


@pytest.fixture
def api(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "pages" / "api").mkdir(parents=True)
    (root / "pages" / "api" / "x.py").write_text("async def get(request):\n    return {'x': 1}\n")
    return root


def test_the_complete_example_starts_and_applies(tmp_path: Path) -> None:
    root = write_project("middleware", tmp_path / "app")  # the modules it names
    (root / "pyxle.config.json").write_text(doc_block("docs/configuration.md", "complete-config"))
    (root / "styles").mkdir()
    (root / "styles" / "reset.css").write_text("body { margin: 0 }\n")
    server = serve_doc_project(root, env={"PYXLE_SECRET_KEY": "k" * 40})
    try:
        answer = httpx.get(server.url + "/api/users/1", headers={"x-api-key": "secret", "origin": "https://example.com"})
        assert answer.json() == {"name": "Ada"}
        assert answer.headers["access-control-allow-origin"] == "https://example.com"
        assert answer.headers["content-security-policy"] == "default-src 'self'"
        assert "x-frame-options" not in answer.headers
        assert "x-response-time" in answer.headers and answer.headers["server-timing"].startswith("app;dur=")
        # Nothing in the config drew a warning. (Read before stopping: how long a worker takes to
        # stop on a loaded machine is not this example's business; one CI run saw granian's
        # "killing worker-1 after it refused to gracefully stop" here.)
        assert "warning" not in server.output().lower().replace("pyxle_secret_key", "")
    finally:
        server.stop()


@cites("docs/configuration.md", "Every response gets these headers unless you change them")
def test_the_default_security_headers_are_the_ones_shown(api: Path) -> None:
    server = serve_doc_project(api)
    try:
        headers = httpx.get(server.url + "/api/x").headers
    finally:
        server.stop()
    for line in doc_block("docs/configuration.md", "default-headers").splitlines():
        name, _, value = line.partition(": ")
        assert headers[name] == value


@cites("docs/configuration.md", "Start-up stops when a value is wrong, listing every problem at once")
def test_the_validation_errors_shown_are_what_start_up_prints(api: Path) -> None:
    (api / "pyxle.config.json").write_text(json.dumps(
        {"starlette": {"port": 70000}, "csrf": {"cookieSameSite": "loose"}, "middleware": ["a:B", 42]}))
    run = pyxle_run(api, "serve", str(api))
    assert run.returncode == 1
    assert doc_block("docs/configuration.md", "config-errors").replace("/srv/app", str(api)) in run.stderr


@cites("docs/configuration.md", "(`invalid JSON at line 3, column 14: Expecting ':'\ndelimiter`)")
@cites("docs/configuration.md", "(`unknown key \"cors.origin\" is ignored (did you mean \"cors.origins\"?)`)")
@cites("docs/configuration.md", "`unknown key \"routeMiddleware.action\" (known: pages, apis, actions); did you mean \"routeMiddleware.actions\"?`")
@cites("docs/configuration.md", "`pyxle.config.json: \"llms\" is refused: llms.txt and Markdown versions of pages are not supported;\n"
       "remove it from the file to start without it`")
def test_the_other_config_messages_are_the_real_ones(api: Path) -> None:
    cases = {
        '{\n  "name": "app",\n  "pagesDir" "pages"\n}\n': "invalid JSON at line 3, column 14: Expecting ':' delimiter",
        '{"cors": {"origin": []}}': 'unknown key "cors.origin" is ignored (did you mean "cors.origins"?)',
        '{"routeMiddleware": {"action": []}}':
            'unknown key "routeMiddleware.action" (known: pages, apis, actions); did you mean "routeMiddleware.actions"?',
        '{"llms": {"enabled": true}}':
            'pyxle.config.json: "llms" is refused: llms.txt and Markdown versions of pages are not supported; '
            'remove it from the file to start without it',
    }
    for text, message in cases.items():
        (api / "pyxle.config.json").write_text(text)
        run = pyxle_run(api, "dev", str(api), "--print-config")
        assert message in run.stderr, (text, run.stderr)


@cites("docs/configuration.md", "a\n`rateLimit` with `\"reqests\": 100` would limit nothing")
def test_a_misspelt_rate_limit_key_stops_start_up_instead_of_limiting_nothing(api: Path) -> None:
    for key, hint in (("reqests", "requests"), ("trustForwardFor", "trustForwardedFor"), ("redisURL", "redisUrl")):
        (api / "pyxle.config.json").write_text(json.dumps({"rateLimit": {"requests": 2, "window": 60, key: 1}}))
        run = pyxle_run(api, "serve", str(api))
        assert run.returncode == 1, run.stderr
        assert f'unknown key "rateLimit.{key}"' in run.stderr and f'did you mean "rateLimit.{hint}"?' in run.stderr


@cites("docs/configuration.md", '`pyxle: PYXLE_PORT must be an integer between 0 and 65535 (0: any free port) (got "eighty")`')
def test_a_bad_pyxle_port_stops_start_up_with_the_message_shown(api: Path) -> None:
    run = pyxle_run(api, "serve", str(api), PYXLE_PORT="eighty")
    assert run.returncode == 1
    assert 'pyxle: PYXLE_PORT must be an integer between 0 and 65535 (0: any free port) (got "eighty")' in run.stderr


@cites("docs/configuration.md", 'The secret key is never printed: `--print-config` shows `"secretKey": "********"`')
def test_print_config_masks_the_secret_key(api: Path) -> None:
    run = pyxle_run(api, "dev", str(api), "--print-config", PYXLE_SECRET_KEY="s" * 40)
    assert '"secretKey": "********"' in run.stdout and "s" * 40 not in run.stdout


def test_the_env_syntax_example_reads_as_described() -> None:
    values, problems = parse_env(doc_block("docs/configuration.md", "dotenv-syntax"))
    assert problems == ()
    assert values["DATABASE_URL"] == "postgres://localhost/app"
    assert values["LOG_LEVEL"] == "info"
    assert values["GREETING"] == "Hello\nWorld"
    assert values["PATTERN"] == "literal \\n and # kept"
    assert values["CERT"] == "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"
    assert values["EMPTY"] == ""


@cites("docs/configuration.md", "Variables whose name starts with `PYXLE_PUBLIC_` are inlined into the code sent to the browser")
def test_a_public_variable_from_a_env_file_is_one_the_bundle_gets(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(doc_block("docs/configuration.md", "public-env") + "SECRET=s\n")
    environ: dict[str, str] = {}
    load_env_files(tmp_path, "production", environ)
    assert public_env(environ) == {"PYXLE_PUBLIC_API_URL": "https://api.example.com"}
