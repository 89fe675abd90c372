"""docs/configuration.md: the complete example starts a server, and the messages and values shown
are the real ones."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pyxle.config import load_env_files, public_env
from pyxle.config._env import parse_env
from tests.conftest import Server, free_port, serving
from tests.conftest import write_project as write_files
from tests.docs._blocks import blocks, cites, doc_block, write_project
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
@cites("docs/configuration.md", "(`unknown key \"starlette.hots\" is ignored (did you mean \"starlette.host\"?)`)")
@cites("docs/configuration.md", "`unknown key \"routeMiddleware.action\" (known: pages, apis, actions); did you mean \"routeMiddleware.actions\"?`")
@cites("docs/configuration.md", "`pyxle.config.json: \"llms\" is refused: llms.txt and Markdown versions of pages are not supported;\n"
       "remove it from the file to start without it`")
def test_the_other_config_messages_are_the_real_ones(api: Path) -> None:
    cases = {
        '{\n  "name": "app",\n  "pagesDir" "pages"\n}\n': "invalid JSON at line 3, column 14: Expecting ':' delimiter",
        '{"starlette": {"hots": "x"}}': 'unknown key "starlette.hots" is ignored (did you mean "starlette.host"?)',
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


def _config_block(key: str) -> dict:  # type: ignore[type-arg]
    """The ``config`` block of docs/configuration.md that sets ``key``."""
    found = [json.loads(b.text) for b in blocks("docs/configuration.md") if b.kind == "config" and f'"{key}"' in b.text]
    assert len(found) == 1, f"docs/configuration.md has {len(found)} config blocks setting {key}"
    return found[0]


SIZED = '''
from starlette.responses import PlainTextResponse


async def get(request):
    return PlainTextResponse("x" * int(request.query_params["n"]))
'''


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the defaults and merges below: the doc's security headers, with a name in
    lower case replacing a default and a new header; CORS on for one origin, credentials unset."""
    headers = {**_config_block("securityHeaders")["securityHeaders"], "x-content-type-options": "nosniff, really",
               "X-Probe": "yes"}
    config = {"securityHeaders": headers, "cors": {"origins": ["https://app.example.com"]}}
    root = write_files(tmp_path_factory.mktemp("configured") / "app",
                       {"pages/api/sized.py": SIZED, "pyxle.config.json": json.dumps(config)}, None)
    with serving(root) as server:
        yield server


@cites("docs/configuration.md", "`securityHeaders` is merged over these defaults: a string sets a header (adding a new one or\n"
                                "replacing a default; names are case-insensitive), `null` stops a header from being sent")
def test_security_headers_merge_over_the_defaults(configured: Server) -> None:
    for path in ("/api/sized?n=1", "/no-such-page"):  # an answer of the app and one of Pyxle's own
        headers = httpx.get(configured.url + path).headers
        assert headers["x-frame-options"] == "SAMEORIGIN" and "referrer-policy" not in headers, path
        assert headers.get_list("x-content-type-options") == ["nosniff, really"] and headers["x-probe"] == "yes", path


@cites("docs/configuration.md", "| `cors.credentials` | `true` / `false`: allow cookies and `Authorization` | `false` |")
def test_cors_allows_no_credentials_unless_asked(configured: Server) -> None:
    origin = {"origin": "https://app.example.com"}
    simple = httpx.get(configured.url + "/api/sized?n=1", headers=origin)
    preflight = httpx.options(configured.url + "/api/sized", headers={**origin, "access-control-request-method": "GET"})
    for answer in (simple, preflight):
        assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "access-control-allow-credentials" not in answer.headers


@cites("docs/configuration.md", "| `minimumSize` | integer >= 0 (bytes) | `1024` | smaller answers are sent as they are")
def test_answers_under_1024_bytes_are_sent_uncompressed(configured: Server) -> None:
    def coding(size: int) -> str | None:
        return httpx.get(f"{configured.url}/api/sized?n={size}", headers={"accept-encoding": "gzip"}).headers.get(
            "content-encoding")

    assert [coding(size) for size in (1023, 1024)] == [None, "gzip"]


WHOAMI = """
from pathlib import Path


async def get(request):
    return {"sid": request.cookies.get("sid")}


async def post(request):
    Path("posted").write_text(await request.body() and "yes" or "empty")
    return {"ok": True}
"""

# Each runs in a page of another origin; what it resolves to is what the page's script could read.
READ = "async (url) => { try { return await (await fetch(url)).json() } catch (e) { return 'refused' } }"
READ_WITH_COOKIES = ("async (url) => { try { return await (await fetch(url, {credentials: 'include'})).json() }"
                     " catch (e) { return 'refused' } }")
POST_NO_CORS = ("async (url) => { const r = await fetch(url, {method: 'POST', mode: 'no-cors', body: 'x'});"
                " return [r.type, r.status] }")


@cites("docs/configuration.md", "Then browsers let scripts on those\norigins read your answers (and send cookies and "
                                "`Authorization`, with `credentials`); scripts\non any other site cannot read them")
@cites("docs/configuration.md", "CORS does not refuse requests: a cross-site form or a\n`no-cors` fetch still reaches "
                                "your handler, and the browser only hides the answer")
def test_in_chromium_only_the_listed_origins_scripts_read_the_answers(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"  # the other sites: a static page server, reached as two origins
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>elsewhere</title>")
    with serving_static(site) as port:
        listed, unlisted = f"http://localhost:{port}", f"http://127.0.0.1:{port}"
        root = write_files(tmp_path / "app", {"pages/api/whoami.py": WHOAMI, "pyxle.config.json": json.dumps(
            {"cors": {"origins": [listed], "credentials": True}})})
        with serving(root) as server:
            api = server.url.replace("127.0.0.1", "localhost") + "/api/whoami"  # same site as both pages
            context = browser.new_context()
            try:
                context.add_cookies([{"name": "sid", "value": "s1", "url": api}])
                page = context.new_page()
                page.goto(listed + "/")
                assert page.evaluate(READ, api) == {"sid": None}  # readable; no cookie unless asked
                assert page.evaluate(READ_WITH_COOKIES, api) == {"sid": "s1"}  # credentials: the cookie goes
                page.goto(unlisted + "/")
                assert page.evaluate(READ, api) == "refused"
                assert page.evaluate(READ_WITH_COOKIES, api) == "refused"
                assert page.evaluate(POST_NO_CORS, api) == ["opaque", 0]  # the answer is hidden ...
                assert (root / "posted").read_text() == "yes"  # ... but the handler ran
            finally:
                context.close()


@contextlib.contextmanager
def serving_static(folder: Path) -> Iterator[int]:
    """Python's own static file server on a free port: a page of another origin to run scripts in."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "http.server did not start"
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_variable_table_lists_every_variable_pyxle_reads() -> None:
    """PYXLE_WORKER_TIMEOUT was read (and documented in deployment.md) but missing here."""
    from pyxle.config._overrides import variables_read

    text = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()
    table = text[text.index("| variable | overrides | accepted values |"):text.index("A bad value stops start-up")]
    assert [name for name in variables_read() if f"`{name}`" not in table] == []
