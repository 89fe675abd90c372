"""pyxle.testing's client in a user's suite: where tests build, the client's scope, CSRF, .env files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import server_env, write_project
from tests.docs._blocks import cites

PAGE = "export default function Home() { return <p>home page</p> }\n"


def _pytest(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A user's ``pytest`` run in ``project``, as the CLI's environment has it."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, "tests"],
                          cwd=project, env=env or server_env(), capture_output=True, text=True, timeout=300,
                          check=False)


def _tests(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = project / "tests" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@cites("docs/testing.md", "builds the pages into `.pyxle-build/test/`")
def test_two_xdist_workers_build_once_and_leave_dist_alone(tmp_path: Path) -> None:
    """A fresh checkout has no build: two workers must not build into one folder at once, and the
    tests' build is not the project's ``dist/`` (a production build made by hand stays as it is)."""
    project = write_project(tmp_path / "app", {"pages/index.pyxl": PAGE})
    test = """
        def test_home(pyxle_client):
            assert "home page" in pyxle_client.get("/").text
        """
    _tests(project, {"test_a.py": test, "test_b.py": test})
    run = _pytest(project, "-n", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert not (project / "dist").exists()
    assert (project / ".pyxle-build" / "test" / "manifest.json").is_file()


@cites("docs/testing.md", "each test gets a fresh `pyxle_client`, with an empty cookie jar")
@cites("docs/testing.md", "the client signs its own CSRF token")
def test_each_test_gets_a_fresh_client_and_the_token_costs_no_request(tmp_path: Path) -> None:
    """A sign-in in one test is not the next test's; the app (and its rate-limit budget) is the
    session's, and the client's CSRF token is not a request that spends that budget."""
    project = write_project(tmp_path / "app", {
        "pyxle.config.json": '{"csrf": {"apiRoutes": true}, "rateLimit": {"requests": 3, "window": 60}}',
        "pages/api/login.py": """
            from starlette.responses import JSONResponse

            async def post(request):
                answer = JSONResponse({"ok": True})
                answer.set_cookie("session", "ada")
                return answer
            """,
        "pages/api/me.py": "async def get(request): return {'user': request.cookies.get('session', 'anonymous')}\n",
    }, None)
    _tests(project, {"test_order.py": """
        def test_1_sign_in(pyxle_client):
            assert pyxle_client.post("/api/login").status_code == 200
            assert pyxle_client.get("/api/me").json() == {"user": "ada"}

        def test_2_a_visitor_is_anonymous(pyxle_client):
            assert not pyxle_client.cookies
            assert pyxle_client.post("/api/login").status_code == 200  # the third request of 3: no token fetch
            assert pyxle_client.get("/api/me").status_code == 429  # the session's budget is spent
        """})
    run = _pytest(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


@cites("docs/testing.md", "the client's base URL is `https://testserver`")
def test_the_client_posts_when_the_csrf_cookie_is_secure(tmp_path: Path) -> None:
    """security.md's HTTPS settings (a ``__Host-`` name, ``cookieSecure``): the cookie the app sets is
    ``Secure``, which an HTTP client sends to https URLs only."""
    for name, csrf in {"host": '"cookieName": "__Host-pyxle-csrf", "cookieSecure": true',
                       "secure": '"cookieSecure": true'}.items():
        project = write_project(tmp_path / name, {
            "pyxle.config.json": f'{{"csrf": {{{csrf}, "apiRoutes": true}}}}',
            "pages/index.pyxl": PAGE,
            "pages/api/echo.py": "async def post(request): return {'got': await request.json()}\n",
        })
        _tests(project, {"test_echo.py": """
            def test_post(pyxle_client):
                assert pyxle_client.post("/api/echo", json={"a": 1}).json() == {"got": {"a": 1}}

            def test_post_after_a_page_set_the_cookie(pyxle_client):
                assert "; secure" in pyxle_client.get("/").headers["set-cookie"].lower()
                assert pyxle_client.post("/api/echo", json={"a": 2}).json() == {"got": {"a": 2}}
            """})
        run = _pytest(project, env=server_env(PYXLE_SECRET_KEY="test-only-secret-key-for-the-secure-cookie-case"))
        assert run.returncode == 0, name + run.stdout + run.stderr
        assert "2 passed" in run.stdout


@cites("docs/testing.md", "`.env`, `.env.test` and `.env.test.local`")
@cites("docs/configuration.md", "Tests through `pyxle.testing` read\n`.env`, `.env.test` and `.env.test.local` instead (never `.env.local` nor the production files")
@cites("docs/testing.md", "never `.env.local` nor the `.env.production` files")
def test_the_client_loads_the_test_env_files_and_restores_the_environment(tmp_path: Path) -> None:
    """A developer's ``.env.production.local`` (a production DATABASE_URL) is never the tests'."""
    project = write_project(tmp_path / "app", {
        ".env": "BASE=1\n", ".env.test": "TEST_ONLY=1\n", ".env.test.local": "TEST_LOCAL=1\n",
        ".env.local": "LOCAL=1\n", ".env.production": "PROD=1\n",
        ".env.production.local": "DATABASE_URL=postgres://prod-db.internal/app\n",
        "pages/api/env.py": "import os\n\nasync def get(request): return {k: os.environ.get(k) for k in "
                            "('BASE', 'TEST_ONLY', 'TEST_LOCAL', 'LOCAL', 'PROD', 'DATABASE_URL')}\n",
    }, None)
    _tests(project, {"conftest.py": """
        import os
        from pathlib import Path

        def pytest_sessionfinish(session):
            kept = sorted(k for k in ("BASE", "TEST_ONLY", "PYXLE_DOTENV_KEYS") if k in os.environ)
            Path(__file__).with_name("after.txt").write_text(repr(kept))
        """, "test_env.py": """
        def test_the_app_sees_the_test_files(pyxle_client):
            assert pyxle_client.get("/api/env").json() == {"BASE": "1", "TEST_ONLY": "1", "TEST_LOCAL": "1",
                                                           "LOCAL": None, "PROD": None, "DATABASE_URL": None}
        """})
    run = _pytest(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (project / "tests" / "after.txt").read_text() == "[]"
