"""Pyxle stays Pyxle: apps and plugins name the distribution `pyxle-framework`, and installing
their requirements from the package index keeps this source tree as the `pyxle` that runs.

One fresh virtualenv per session, with this tree installed (editable) and real installs from the
index: `pyxle-db` and `pyxle-auth` themselves require `pyxle-framework>=0.4.0`.
"""

from __future__ import annotations

import os
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.docs._blocks import cites, doc_block

pytestmark = pytest.mark.timeout(900)

OURS = str(REPO / "src" / "pyxle" / "__init__.py")


class Env:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.python = folder / "bin" / "python"
        self.pyxle = folder / "bin" / "pyxle"

    def run(self, *args: str | Path, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
        # This venv alone: nothing of the test run's own interpreter or source path leaks in.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env["PATH"] = f"{self.folder / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600,
                                env=env, check=False)
        assert result.returncode == 0 or not ok, result.stdout + result.stderr
        return result

    def pyxle_file(self) -> str:
        return self.run(self.python, "-c", "import pyxle; print(pyxle.__file__)").stdout.strip()

    def version(self, distribution: str) -> str:
        code = f"from importlib.metadata import version; print(version({distribution!r}))"
        return self.run(self.python, "-c", code).stdout.strip()


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    folder = tmp_path_factory.mktemp("install") / "venv"
    venv.EnvBuilder(with_pip=True).create(folder)
    made = Env(folder)
    made.run(made.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", REPO)
    yield made


def test_requirements_naming_pyxle_framework_and_the_plugins_keep_this_pyxle(env: Env, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("pyxle-framework>=0.4\npyxle-db>=0.3.1,<0.4\npyxle-auth>=0.4.2,<0.5\n")
    env.run(env.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt",
            cwd=tmp_path)
    assert env.pyxle_file() == OURS
    assert env.version("pyxle-framework") == "1.0.0"
    assert env.version("pyxle-db").startswith("0.3.") and env.version("pyxle-auth").startswith("0.4.")
    # The installed `pyxle` command is this one (0.9's prints its own version, bare as ours is, and has
    # no `routes` command).
    assert env.run(env.pyxle, "--version").stdout.strip() == "1.0.0"
    assert "Commands:" in env.run(env.pyxle, "--help").stdout and "routes" in env.run(env.pyxle, "--help").stdout
    # And the plugins import against it.
    env.run(env.python, "-c", "import pyxle_db.plugin, pyxle_auth.plugin")


def test_pyxle_install_keeps_this_pyxle_when_an_app_pins_an_older_one(env: Env, tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "pages" / "api").mkdir(parents=True)
    (app / "pages" / "api" / "hello.py").write_text("async def get(request):\n    return {'hello': True}\n")
    # What `pyxle init` of 0.9 wrote: a pin that would replace this Pyxle if installed as written.
    (app / "requirements.txt").write_text("pyxle-framework>=0.9.4,<0.10\npyxle-db\npyxle-auth\n")
    result = env.run(env.pyxle, "install", app)
    assert doc_block("docs/migrating.md", "install-note").strip() in result.stderr
    assert env.pyxle_file() == OURS and env.version("pyxle-framework") == "1.0.0"
    assert not (app / ".pyxle-requirements.txt").exists() and not (app / ".pyxle-constraints.txt").exists()
    assert "/api/hello  pages/api/hello.py" in env.run(env.pyxle, "routes", app).stdout


@cites("docs/migrating.md", "The extras that 0.9 named are here too, with the packages they need: `pyxle-framework[pydantic]`, "
                            "`[redis]`, `[observability]`, `[observability-otel]` and `[langkit]`")
@cites("docs/migrating.md", "`pyxle install` keeps the extras of the line it leaves out")
def test_pyxle_install_keeps_the_extras_of_a_0_9_pin(env: Env, tmp_path: Path) -> None:
    """`pyxle-framework[pydantic]>=0.9.4,<0.10`, as 0.9.4 told apps with typed actions to write: the
    line was left out with its extra, pydantic was never installed, and the app stopped at start-up
    (`No module named 'pydantic'`); pip also said 1.0.0 'does not provide the extra'."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("pyxle-framework[pydantic]>=0.9.4,<0.10\n")
    assert env.run(env.python, "-c", "import pydantic", ok=False).returncode != 0, "the venv starts without pydantic"
    result = env.run(env.pyxle, "install", app)
    assert "left out" in result.stderr and "does not provide the extra" not in result.stdout + result.stderr
    env.run(env.python, "-c", "import pydantic")
    assert env.pyxle_file() == OURS and env.version("pyxle-framework") == "1.0.0"
    dry = env.run(env.python, "-m", "pip", "install", "--dry-run", "--no-deps", "--disable-pip-version-check",
                  "-e", f"{REPO}[pydantic,observability,observability-otel,langkit,redis]")
    assert "does not provide the extra" not in dry.stdout + dry.stderr


@cites("docs/migrating.md", "`pyxle install` leaves that line out and says why")
def test_pyxle_install_leaves_out_an_old_starlette_pin_and_installs_the_rest(env: Env, tmp_path: Path) -> None:
    """What `pyxle init` of 0.3 to 0.6 wrote. Installed as written, pip put Starlette 0.37 over the
    1.x this Pyxle needs; then `pyxle install` stopped on the conflict, and every such app had to
    edit its requirements.txt before it ran."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("starlette>=0.37,<0.38\nhttpx>=0.27,<0.28\npyxle-framework>=0.4.1,<0.5\n")
    before = env.version("starlette")
    result = env.run(env.pyxle, "install", app)
    assert doc_block("docs/migrating.md", "starlette-note").strip().replace("1.0.1", before) in result.stderr
    assert "'pyxle-framework>=0.4.1,<0.5' left out" in result.stderr and "pyxle install: done" in result.stderr
    assert env.version("starlette") == before and before.startswith("1.")
    assert env.version("httpx").startswith("0.27.")  # the rest of the file was installed
    assert env.pyxle_file() == OURS


def test_pyxle_install_keeps_a_pin_of_pyxles_own_dependency_that_pyxle_allows(env: Env, tmp_path: Path) -> None:
    """Only a pin Pyxle cannot run with is left out: one inside Pyxle's range is the app's to make."""
    app = tmp_path / "app"
    app.mkdir()
    before = env.version("starlette")
    (app / "requirements.txt").write_text(f"starlette=={before}\n")
    result = env.run(env.pyxle, "install", app)
    assert "left out" not in result.stderr and "pyxle install: done" in result.stderr
    assert env.version("starlette") == before
