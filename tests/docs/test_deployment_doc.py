"""docs/deployment.md: the Docker image the starter describes, and the defaults of the timeouts and
limits table, read from a real `pyxle serve` (the behaviours themselves: tests/e2e/test_hardening_*.py)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

import pyxle
from tests.conftest import SHARED_SECRET
from tests.docs._blocks import REPO, cites, doc_block
from tests.docs.conftest import pyxle_run
from tests.e2e.test_hardening_docker import exec_form, init, stages

DOC = "docs/deployment.md"


def _dockerfile_args(dockerfile: Path) -> dict[str, str]:
    return {m[1]: m[2].strip('"') for m in re.finditer(r"^ARG (\w+)=(.*)$", dockerfile.read_text(), re.MULTILINE)}


@cites(DOC, "`pyxle init` writes a `Dockerfile` and a `.dockerignore` with the starter")
def test_the_docker_commands_shown_are_the_ones_the_starters_dockerfile_gives(tmp_path: Path) -> None:
    assert pyxle_run(tmp_path, "init", "my-app").returncode == 0
    dockerfile = (tmp_path / "my-app" / "Dockerfile").read_text()
    for line in doc_block(DOC, "docker").splitlines():
        assert f"#   {line}\n" in dockerfile, line


@cites(DOC, "the runtime stage is `python:3.12-slim` with only the `node` binary")
@cites(DOC, "It runs as a non-root user (uid 10001)")
@cites(DOC, "`HEALTHCHECK` asks `/healthz` every 30 s")
@cites(DOC, '`CMD ["sh", "-c", "exec pyxle serve . --skip-build --host 0.0.0.0 --port ${PORT:-8000} --shutdown-timeout 8"]`')
@cites(DOC, "Add `--workers N` (with `PYXLE_SECRET_KEY` set)")
@cites(DOC, "Build arguments: `PYTHON_VERSION` (3.12), `NODE_VERSION` (22), `PYXLE_REQUIREMENT` (the pip\n"
            "  requirement for Pyxle, `pyxle-framework==<the version that made the project>`) and\n"
            "  `EXTRA_PIP_ARGS` (say `--index-url https://pypi.example.com/simple`)")
def test_the_image_is_the_one_described(tmp_path: Path) -> None:
    dockerfile = init(tmp_path) / "Dockerfile"
    assert _dockerfile_args(dockerfile) == {"PYTHON_VERSION": "3.12", "NODE_VERSION": "22",
                                            "PYXLE_REQUIREMENT": f"pyxle-framework=={pyxle.__version__}",
                                            "EXTRA_PIP_ARGS": ""}
    *_, (base, steps) = stages(dockerfile)
    assert base == "python:${PYTHON_VERSION}-slim-bookworm"
    run = dict(steps)
    assert "--uid 10001" in run["RUN"] and run["USER"] == "app"
    assert run["HEALTHCHECK"].startswith("--interval=30s ") and "/healthz" in run["HEALTHCHECK"]
    shown = re.search(r"`CMD (\[.*?\])`", (REPO / DOC).read_text())
    assert shown and exec_form(run["CMD"]) == exec_form(shown.group(1))
    pip = next(arguments for instruction, arguments in stages(dockerfile)[1][1]
               if instruction == "RUN" and "pip install" in arguments)
    assert '${EXTRA_PIP_ARGS} "${PYXLE_REQUIREMENT}"' in pip


LIMITS_ROUTE = "import dataclasses\n\nasync def get(request):\n    return dataclasses.asdict(request.scope['app'].limits)\n"


@cites(DOC, "| `--keep-alive-timeout` | `PYXLE_KEEP_ALIVE_TIMEOUT` | 30 s |")
@cites(DOC, "| `--body-timeout` | `PYXLE_BODY_TIMEOUT` | 60 s |")
@cites(DOC, "| `--shutdown-timeout` | `PYXLE_SHUTDOWN_TIMEOUT` | 10 s |")
@cites(DOC, "| `--worker-timeout` | `PYXLE_WORKER_TIMEOUT` | 30 s |")
@cites(DOC, "| `--ssr-timeout` | `PYXLE_SSR_TIMEOUT` | 10 s |")
def test_a_server_without_flags_uses_the_default_timeouts(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/limits.py": LIMITS_ROUTE}), "serve", env=SHARED_SECRET)
    assert httpx.get(server.url + "/api/limits").json() == {
        "keep_alive_timeout": 30.0, "body_timeout": 60.0, "shutdown_timeout": 10.0, "worker_timeout": 30.0,
        "ssr_timeout": 10.0, "ssr_queue": None}  # None: 128 per SSR worker, below



@cites(DOC, "Each is a `pyxle serve` flag and a `PYXLE_*` variable of the same name, which may come from the\n"
            "shell or from a `.env` file like any other (the flag wins, then the shell)")
def test_a_limit_from_a_flag_beats_the_shell_which_beats_a_dotenv_file(make_project, start_server) -> None:
    project = make_project({"pages/api/limits.py": LIMITS_ROUTE,
                            ".env": "PYXLE_BODY_TIMEOUT=5\nPYXLE_SSR_TIMEOUT=5\nPYXLE_SHUTDOWN_TIMEOUT=5\n"})
    server = start_server(project, "serve", "--body-timeout", "7",
                          env={**SHARED_SECRET, "PYXLE_BODY_TIMEOUT": "6", "PYXLE_SSR_TIMEOUT": "6"})
    seen = httpx.get(server.url + "/api/limits").json()
    assert (seen["body_timeout"], seen["ssr_timeout"], seen["shutdown_timeout"]) == (7.0, 6.0, 5.0)

SLOW_PAGE = """
@server
async def load(request):
    return {"n": request.query_params.get("n", "")}

export default function Page({ data }) {
  const end = Date.now() + 40
  while (Date.now() < end) {}
  return <p>rendered {data.n}</p>
}
"""


@cites(DOC, "| `--ssr-queue` | `PYXLE_SSR_QUEUE` | 128 per SSR worker |")
@cites("docs/pages.md", "`--ssr-queue` / `PYXLE_SSR_QUEUE` renders (default 128 per SSR worker)")
@cites(DOC, "With renders of 100 ms on 2 SSR workers, the default queue (128 per SSR worker: 256) is up to\n  13 s of waiting")
@pytest.mark.parametrize("workers", [1, 2])
def test_the_default_render_queue_holds_128_renders_per_ssr_worker(make_project, start_server, workers: int) -> None:
    """200 renders of 40 ms at once per SSR worker: 128 per worker may wait, the rest are refused at
    once. (256 renders of 100 ms shared by 2 workers take 12.8 s: the doc's "up to 13 s".)"""
    server = start_server(make_project({"pages/index.pyxl": SLOW_PAGE}, node=True), "serve", "--ssr-workers",
                          str(workers), env=SHARED_SECRET)
    httpx.get(server.url + "/", timeout=30)
    burst_size = 200 * workers

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=burst_size), timeout=120) as client:
            return await asyncio.gather(*(client.get(f"{server.url}/?n={i}") for i in range(burst_size)))

    statuses = [r.status_code for r in asyncio.run(burst())]
    assert set(statuses) == {200, 503}, statuses
    waiting = f"{128 * workers} renders waiting for {workers} worker{'s' if workers > 1 else ''}"
    assert f"the SSR queue is full ({waiting})" in server.output()




def _shape(line: str) -> str:
    """An access line with its request id and numbers (time, address, status, duration) blanked."""
    return re.sub(r"\d+", "0", re.sub(r"\b[0-9a-f]{32}\b", "<id>", line))


@cites(DOC, "- Access log on stdout, one line per request, ending with its\n  [request id](observability.md#request-ids):\n"
            '  `2026-11-24T01:40:00Z 127.0.0.1 "GET /api/hello" 200 0.4ms 9c2f4e7a1b3d5f60a8e2c4b6d8f01a3c`,\n'
            "  or with `--log-format json`")
def test_the_text_access_line_shown_has_the_shape_of_a_real_one(make_project, start_server) -> None:
    shown = re.search(r"- Access log on stdout,[^`]*`([^`]+)`", (REPO / DOC).read_text()).group(1)
    server = start_server(make_project({"pages/api/hello.py": "async def get(request):\n    return {'hi': 1}\n"}))
    rid = httpx.get(server.url + "/api/hello", timeout=10).headers["x-request-id"]
    real = next(line for line in server.wait_for_output(rid).splitlines() if rid in line)
    assert '"GET /api/hello" 200 ' in real and real.endswith(f" {rid}"), real
    assert _shape(shown) == _shape(real), (shown, real)


@cites(DOC, "[timeouts and limits](#timeouts-and-limits) below (`--keep-alive-timeout`, `--body-timeout`,\n"
            "  `--shutdown-timeout`, `--worker-timeout`, `--ssr-timeout`, `--ssr-queue`)")
def test_the_serve_synopsis_names_every_flag_of_pyxle_serve() -> None:
    """It left out --skip-build, --ssr-workers and --worker-timeout, which `pyxle serve --help` lists."""
    import click

    from pyxle.cli import main

    serve = main.commands["serve"]  # type: ignore[attr-defined]
    text = (REPO / DOC).read_text()
    synopsis = text[text.index("- `pyxle serve [DIR]"):text.index("- The server is")]
    flags = [opt for param in serve.params if isinstance(param, click.Option) and not param.hidden
             for opt in param.opts if opt.startswith("--") and opt != "--help"]
    missing = [flag for flag in flags if flag.removeprefix("--") not in synopsis]
    assert missing == []


@cites(DOC, "`--port`'s default is\n  `starlette.port` or `PYXLE_PORT`, else 8000.")
def test_the_port_flag_says_where_its_default_comes_from(tmp_path: Path) -> None:
    run = pyxle_run(tmp_path, "serve", "--help")
    help_text = " ".join(run.stdout.split())
    assert "--port INTEGER RANGE Port (default: starlette.port or PYXLE_PORT, else 8000; 0: any free port)." in help_text
