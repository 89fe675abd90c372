"""A bad PYXLE_* timeout, render queue or secret key stops a real `pyxle serve` / `pyxle dev` named
with the .env file and line that set it, as PYXLE_PORT is, and every bad variable is listed at
once: they were named without their file, one at a time (the first timeout only)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import pyxle_command, server_env, serving, write_project
from tests.docs._blocks import cites

ROUTE = "async def get(request):\n    return {'ok': True}\n"
SECONDS = "must be a number of seconds above 0 and under a year"


def pyxle(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(**env), check=False)


@pytest.fixture
def api(tmp_path: Path) -> Path:
    return write_project(tmp_path / "app", {"pages/api/hello.py": ROUTE}, None)


@cites("docs/configuration.md", "Every bad variable is listed at once")
@pytest.mark.parametrize(("command", "mode"), [("serve", "production"), ("dev", "development")])
def test_every_bad_variable_of_the_env_files_is_named_with_its_file_and_line(api: Path, command: str, mode: str) -> None:
    (api / ".env").write_text("APP=1\nPYXLE_BODY_TIMEOUT=soon\nPYXLE_SSR_QUEUE=-1\nPYXLE_SECRET_KEY=short\n"
                              "PYXLE_PORT=eighty\n")
    (api / f".env.{mode}").write_text("# this mode's\nPYXLE_WORKER_TIMEOUT=0\nPYXLE_SSR_TIMEOUT=nan\n")
    (api / ".env.local").write_text("PYXLE_KEEP_ALIVE_TIMEOUT=forever\nPYXLE_SHUTDOWN_TIMEOUT=1e12\n")
    run = pyxle(api, command, ".")
    assert run.returncode == 1, run.stdout + run.stderr
    env, local, moded = api / ".env", api / ".env.local", api / f".env.{mode}"
    for line in (f'{env}:2: PYXLE_BODY_TIMEOUT {SECONDS} (got "soon")',
                 f'{env}:3: PYXLE_SSR_QUEUE must be a whole number of renders, 0 or more (got "-1")',
                 f"{env}:4: PYXLE_SECRET_KEY is 5 bytes; it must be at least 32. Make one with: ",
                 f"{env}:5: PYXLE_PORT must be an integer between 0 and 65535",
                 f'{moded}:2: PYXLE_WORKER_TIMEOUT {SECONDS} (got "0")',
                 f'{moded}:3: PYXLE_SSR_TIMEOUT {SECONDS} (got "nan")',
                 f'{local}:1: PYXLE_KEEP_ALIVE_TIMEOUT {SECONDS} (got "forever")',
                 f'{local}:2: PYXLE_SHUTDOWN_TIMEOUT {SECONDS} (got "1e12")'):
        assert line in run.stderr, (line, run.stderr)
    assert "short" not in run.stderr and "Traceback" not in run.stderr  # the key itself is never shown


def test_a_bad_variable_from_the_shell_is_named_without_a_file(api: Path) -> None:
    (api / ".env").write_text("PYXLE_SSR_TIMEOUT=3\n")  # the shell's value wins over the file's
    run = pyxle(api, "serve", ".", PYXLE_SSR_TIMEOUT="abc", PYXLE_SECRET_KEY="tiny")
    assert run.returncode == 1, run.stdout + run.stderr
    assert f'pyxle: PYXLE_SSR_TIMEOUT {SECONDS} (got "abc")\n' in run.stderr, run.stderr
    assert "\nPYXLE_SECRET_KEY is 4 bytes; it must be at least 32." in run.stderr, run.stderr
    assert ".env" not in run.stderr


@cites("docs/configuration.md", "A `PYXLE_*` variable Pyxle does not read (other than `PYXLE_PUBLIC_*`) that looks like one it\n"
       "does is named in a start-up warning")
@cites("docs/configuration.md", '`pyxle: warning: /app/.env:3: unknown variable "PYXLE_SECRETKEY" is ignored (did you mean '
       '"PYXLE_SECRET_KEY"?)`')
def test_a_misspelt_pyxle_variable_is_named_with_the_one_it_looks_like(api: Path) -> None:
    (api / ".env").write_text(f"APP=1\nPYXLE_MAXBODYSIZE=5\nPYXLE_SECRETKEY={'k' * 40}\nPYXLE_PUBLIC_SECRETKEY=x\n"
                              "PYXLE_MY_OWN_THING=1\n")
    with serving(api, env={"PYXLE_FORWARDED_ALLOWED_IPS": "*"}) as server:
        assert httpx.post(server.url + "/api/hello", content=b"x" * 100).status_code != 413  # the variable is not read
        out = server.output()
    env = api / ".env"
    said = "is ignored (did you mean"
    for line in (f'pyxle: warning: {env}:2: unknown variable "PYXLE_MAXBODYSIZE" {said} "PYXLE_MAX_BODY_SIZE"?)',
                 f'pyxle: warning: {env}:3: unknown variable "PYXLE_SECRETKEY" {said} "PYXLE_SECRET_KEY"?)',
                 f'pyxle: warning: unknown variable "PYXLE_FORWARDED_ALLOWED_IPS" {said} "PYXLE_FORWARDED_ALLOW_IPS"?)'):
        assert line in out, (line, out)
    assert "PYXLE_PUBLIC_SECRETKEY" not in out and "PYXLE_MY_OWN_THING" not in out, out
    assert "k" * 40 not in out

