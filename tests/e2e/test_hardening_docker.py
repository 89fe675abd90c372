"""The Dockerfile `pyxle init` writes: its build and run commands work as written (tested without
Docker, on the starter itself), and the image builds and runs where a Docker engine is available."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, Server, free_port, link_node_modules, pyxle_command, server_env, spawn
from tests.docs._blocks import cites, doc_block


def init(tmp_path: Path, *args: str) -> Path:
    made = subprocess.run([sys.executable, "-m", "pyxle", "init", *args, "shop"], cwd=tmp_path, env=server_env(),
                          capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    assert "  Dockerfile\n" in made.stdout and "  .dockerignore\n" in made.stdout
    return tmp_path / "shop"


def stages(dockerfile: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(FROM line, [(INSTRUCTION, arguments), ...]), ...]``: continuation lines joined, comments dropped."""
    text = dockerfile.read_text().replace("\\\n", " ")
    found: list[tuple[str, list[tuple[str, str]]]] = [("", [])]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction.upper() == "FROM":
            found.append((rest, []))
        else:
            found[-1][1].append((instruction.upper(), " ".join(rest.split())))
    return found[1:]


def exec_form(arguments: str) -> list[str]:
    assert arguments.startswith("["), f"exec form expected, so signals reach pyxle: {arguments}"
    return json.loads(arguments)


def run_as_in_the_image(command: list[str], port: int | None) -> list[str]:
    """The image's command for this machine: its shell line expanded by sh as in the container, with
    ``PORT`` set to the port the test picked (as a platform would), and `pyxle` from this checkout."""
    assert command[:2] == ["sh", "-c"] and command[2].startswith("exec pyxle "), command
    line = command[2].removeprefix("exec ")
    expanded = subprocess.run(["sh", "-c", f'set -- {line}; printf "%s\\0" "$@"'], capture_output=True,
                              text=True, timeout=30, check=True, env={} if port is None else {"PORT": str(port)})
    words = expanded.stdout.split("\0")[:-1]
    assert words[0] == "pyxle"
    return ["127.0.0.1" if word == "0.0.0.0" else word for word in words[1:]]


def tree(project: Path) -> dict[str, float]:
    return {str(path.relative_to(project)): path.stat().st_mtime for path in project.rglob("*")
            if "node_modules" not in path.parts}


@cites("docs/deployment.md", "it listens on 8000, or on `PORT` where the platform sets it (Heroku, Cloud Run, Railway), and\n"
                             "  the health check asks the same port")
def test_the_app_dockerfile_builds_with_node_and_runs_on_python_without_root(tmp_path: Path) -> None:
    project = init(tmp_path)
    [node, build, runtime] = stages(project / "Dockerfile")
    assert node[0].startswith("node:") and node[0].endswith(" AS node")
    assert build[0].startswith("python:") and build[0].endswith(" AS build")
    assert runtime[0].startswith("python:") and " AS " not in runtime[0] and "slim" in runtime[0]
    steps = dict(runtime[1])
    assert steps["USER"] not in ("root", "0")
    assert "/healthz" in steps["HEALTHCHECK"] and steps["EXPOSE"] == "8000"
    copied = [arguments for instruction, arguments in runtime[1] if instruction == "COPY"]
    assert "--from=node /usr/local/bin/node /usr/local/bin/node" in copied  # SSR needs node, not npm
    assert not any("npm" in arguments or "node_modules" in arguments for arguments in copied)

    # The build stage's commands, in the starter (what `npm install` puts there is linked in).
    link_node_modules(project)
    env = {**server_env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for instruction, arguments in build[1]:
        if instruction == "RUN" and "pyxle" in arguments:
            done = subprocess.run(["sh", "-c", arguments], cwd=project, env=env, capture_output=True, text=True,
                                  timeout=300, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "dist" / "manifest.json").is_file() and not (project / "node_modules").exists()

    # The runtime stage's command and health check, with nothing but the built project.
    before = tree(project)
    port = free_port()
    server = Server(run_as_in_the_image(exec_form(steps["CMD"]), port), project,
                    server_env(PYXLE_SECRET_KEY="s" * 40))
    try:
        server.wait_ready()
        health = exec_form(steps["HEALTHCHECK"].split("CMD ", 1)[1])
        assert health[0] == "python"
        assert subprocess.run([sys.executable, *health[1:]], env={**os.environ, "PORT": str(port)}, timeout=30,
                              check=False).returncode == 0
        # where the platform sets no PORT, both use 8000 (the port EXPOSE names)
        assert "--port 8000 " in " ".join(run_as_in_the_image(exec_form(steps["CMD"]), None)) + " "
        assert "os.environ.get(\"PORT\") or 8000}" in health[2]
        page = httpx.get(server.url + "/", timeout=10)
        assert page.status_code == 200 and "<header" in page.text and "/_pyxle/" in page.text
        asset = page.text.split('src="', 1)[1].split('"', 1)[0]
        assert httpx.get(server.url + asset, timeout=10).status_code == 200
    finally:
        server.stop()
    assert tree(project) == before  # it writes nothing into /app: read-only files for a non-root user will do


def test_the_api_dockerfile_runs_on_python_alone(tmp_path: Path) -> None:
    project = init(tmp_path, "--api")
    [build, runtime] = stages(project / "Dockerfile")
    assert build[0].endswith(" AS build") and not any("node" in arguments for _, arguments in build[1] + runtime[1])
    steps = dict(runtime[1])
    assert steps["USER"] not in ("root", "0") and "/healthz" in steps["HEALTHCHECK"]
    port = free_port()
    server = Server(run_as_in_the_image(exec_form(steps["CMD"]), port), project,
                    server_env(PYXLE_SECRET_KEY="s" * 40, PATH=str(Path(sys.executable).parent)))
    try:
        server.wait_ready()
        assert httpx.get(server.url + "/api/hello", timeout=10).json() == {"message": "Hello, world!"}
    finally:
        server.stop()


FOREVER = "import asyncio\n\nasync def get(request):\n    await asyncio.sleep(3600)\n"
DOCKER_STOP_GRACE = 10.0  # `docker stop` sends SIGTERM, then SIGKILL this many seconds later (its default)


def _get_until_closed(url: str) -> None:
    """A request that never ends, until the server goes and closes it (no answer: as expected)."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url, timeout=30)


@pytest.mark.parametrize("starter", ["app", "api"])
def test_the_image_command_exits_before_docker_stop_kills_it_with_a_request_that_never_ends(
        tmp_path: Path, starter: str) -> None:
    """The image's CMD with a request in progress that never ends: after SIGTERM the server closes
    it and exits within docker stop's 10 s, so no SIGKILL cuts its own clean-up short. With
    --shutdown-timeout at its default of 10 s, it exited after docker would have killed it."""
    project = init(tmp_path, *(["--api"] if starter == "api" else []))
    (project / "pages" / "api" / "forever.py").write_text(FOREVER)
    if starter == "app":
        link_node_modules(project)
        assert subprocess.run([sys.executable, "-m", "pyxle", "build", "."], cwd=project, env=server_env(),
                              capture_output=True, timeout=300, check=False).returncode == 0
    *_, (_, steps) = stages(project / "Dockerfile")
    server = Server(run_as_in_the_image(exec_form(dict(steps)["CMD"]), free_port()), project,
                    server_env(PYXLE_SECRET_KEY="s" * 40))
    try:
        server.wait_ready()
        client = threading.Thread(target=_get_until_closed, args=(server.url + "/api/forever",), daemon=True)
        client.start()
        time.sleep(0.5)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        server.wait_exit(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert elapsed < DOCKER_STOP_GRACE - 1, f"exited {elapsed:.1f}s after SIGTERM; docker stop kills at 10s"


def _docker_pattern(pattern: str) -> re.Pattern[str]:
    """A ``.dockerignore`` line as Docker reads it (moby's patternmatcher): from the context's top,
    ``**`` any number of folders, ``*`` and ``?`` within one name."""
    pattern = pattern.strip("/")
    out, at = "", 0
    while at < len(pattern):
        if pattern.startswith("**/", at):
            out, at = out + "(.*/)?", at + 3
        elif pattern.startswith("**", at):
            out, at = out + ".*", at + 2
        elif pattern[at] == "*":
            out, at = out + "[^/]*", at + 1
        elif pattern[at] == "?":
            out, at = out + "[^/]", at + 1
        else:
            out, at = out + re.escape(pattern[at]), at + 1
    return re.compile(out)


def docker_ignores(dockerignore: Path, path: str) -> bool:
    """Whether ``docker build`` leaves ``path`` out: a pattern matches it or one of its folders."""
    patterns = [_docker_pattern(line) for line in dockerignore.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    parts = path.split("/")
    return any(p.fullmatch("/".join(parts[:n])) for p in patterns for n in range(1, len(parts) + 1))


def test_the_dockerignore_keeps_builds_and_local_secrets_out(tmp_path: Path) -> None:
    ignore = init(tmp_path) / ".dockerignore"
    for path in ("node_modules/react/index.js", "dist/manifest.json", ".pyxle-build/x.js", ".venv/pyvenv.cfg",
                 "__pycache__/x.pyc", ".env.local", ".env.production.local", ".git/HEAD"):
        assert docker_ignores(ignore, path), path
    for path in ("pages/index.pyxl", "package.json", "package-lock.json", ".env", "requirements.txt"):
        assert not docker_ignores(ignore, path), path


def test_the_dockerignore_leaves_out_caches_and_packages_in_any_folder(tmp_path: Path) -> None:
    """A nested node_modules (a workspace package's) reached the runtime image: the build stage
    removes only the top one. Its native binaries were built for the developer's machine."""
    ignore = init(tmp_path) / ".dockerignore"
    for path in ("lib/__pycache__/x.pyc", "pages/api/__pycache__/hello.cpython-312.pyc",
                 "packages/ui/node_modules/left-pad/index.js"):
        assert docker_ignores(ignore, path), path


def docs_docker_commands(tag: str, project: Path, pip_args: str, port: int) -> tuple[list[str], list[str]]:
    """docs/deployment.md's `docker build` and `docker run`, for this machine: the test's image tag,
    project and port, pip finding this checkout's wheel, the container detached."""
    build, run = (shlex.split(line) for line in doc_block("docs/deployment.md", "docker").splitlines())
    swap = {"my-app": tag, ".": str(project), "8000:8000": f"127.0.0.1:{port}:8000",
            "PYXLE_SECRET_KEY=...": "PYXLE_SECRET_KEY=" + "s" * 40}
    assert build[:2] == ["docker", "build"] and run[:2] == ["docker", "run"]
    build = [build[0], build[1], "--network", "host", "--build-arg", f"EXTRA_PIP_ARGS={pip_args}",
             *(swap.get(word, word) for word in build[2:])]
    run = [run[0], run[1], "-d", *(swap.get(word, word) for word in run[2:])]
    assert tag in build and tag in run and str(project) in build and f"127.0.0.1:{port}:8000" in run
    return build, run


def _docker_engine() -> str | None:
    """Why Docker cannot be used here, or None when it can."""
    if shutil.which("docker") is None:
        return "the docker command is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30, check=False)
    return None if info.returncode == 0 else "no Docker engine is reachable (docker info failed)"


@pytest.mark.skipif(_docker_engine() is not None, reason=f"needs a Docker engine: {_docker_engine()}")
def test_the_app_image_builds_runs_and_reports_healthy(tmp_path: Path) -> None:
    """The real thing: `docker build` the starter (with this checkout's Pyxle, served to pip as a
    wheel), run it, wait for Docker's health check to pass, and load the page."""
    project = init(tmp_path)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(REPO)], check=True,
                   capture_output=True, timeout=300)
    index = subprocess.Popen([sys.executable, "-m", "http.server", str(port := free_port()), "--bind", "127.0.0.1"],
                             cwd=wheels, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tag = f"pyxle-test-{uuid.uuid4().hex[:8]}"
    container = ""
    try:
        build, run = docs_docker_commands(tag, project, f"--find-links http://127.0.0.1:{port}/", web := free_port())
        subprocess.run(build, check=True, timeout=1800)
        container = subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip()
        deadline = time.monotonic() + 120
        while True:
            status = subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}", container],
                                    capture_output=True, text=True, check=False).stdout.strip()
            if status == "healthy":
                break
            assert status != "unhealthy" and time.monotonic() < deadline, status
            time.sleep(1)
        page = httpx.get(f"http://127.0.0.1:{web}/", timeout=10)
        assert page.status_code == 200 and "<header" in page.text
        user = subprocess.run(["docker", "exec", container, "id", "-u"], capture_output=True, text=True,
                              check=True).stdout.strip()
        assert user != "0"
    finally:
        index.terminate()
        if container:
            subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)


def _init_process() -> str | None:
    """Why `docker run --init`'s PID 1 cannot be reproduced here, or None when it can: Docker's init
    is tini, run as PID 1 of a new PID namespace, which unshare makes (as root)."""
    if shutil.which("tini") is None or shutil.which("unshare") is None:
        return "needs tini and unshare (Debian's tini and util-linux; scripts/test.sh installs tini)"
    tried = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True, timeout=30,
                           check=False)
    return None if tried.returncode == 0 else "unshare cannot make a PID namespace here (it needs root)"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (Path("/proc") / str(pid) / "cmdline").read_text().replace("\0", " ")
    return ""


@cites("docs/deployment.md", "`--init` reaps the processes\n  of workers that die")
@pytest.mark.skipif(_init_process() is not None, reason=str(_init_process()))
def test_under_docker_runs_init_the_node_renderer_of_a_killed_worker_is_reaped(tmp_path: Path) -> None:
    """The image's CMD with --workers 2 as the child of tini, PID 1 of its own PID namespace, as in
    `docker run --init`. A worker killed with -9 leaves its Node renderer to PID 1; tini reaps it
    when it exits. (With pyxle itself as PID 1, no --init, it stays a zombie: `[node] <defunct>`.)"""
    project = init(tmp_path)
    link_node_modules(project)
    assert subprocess.run([*pyxle_command(), "build", "."], cwd=project, env=server_env(), capture_output=True,
                          timeout=300, check=False).returncode == 0
    *_, (_, steps) = stages(project / "Dockerfile")
    port = free_port()
    args = [*run_as_in_the_image(exec_form(dict(steps)["CMD"]), port), "--workers", "2"]
    # --kill-child: the namespace's PID 1 (and so all in it) dies with unshare, which dies with the test run.
    proc = spawn(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "tini", "--", *pyxle_command(), *args],
                 cwd=project, env=server_env(PYXLE_SECRET_KEY="s" * 40), stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        [tini] = _children(proc.pid)
        [master] = _children(tini)
        renderers = {}
        while len(renderers) < 2:  # each worker's Node renderer (started with the worker, or at its first render)
            renderers = {worker: node for worker in _children(master) for node in _children(worker)
                         if "worker.mjs" in _cmdline(node)}
            assert time.monotonic() < deadline, "two workers with their Node renderers"
            time.sleep(0.2)
        worker, node = next(iter(renderers.items()))
        os.kill(worker, signal.SIGKILL)
        gone = time.monotonic() + 60
        while Path(f"/proc/{node}").exists():  # a zombie keeps its /proc entry until PID 1 reaps it
            assert time.monotonic() < gone, f"the dead worker's Node renderer was not reaped: {_cmdline(node)!r}"
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code == 200  # and the server goes on
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
