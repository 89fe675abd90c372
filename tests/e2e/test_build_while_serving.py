"""`pyxle build` run while `pyxle serve --skip-build` serves the previous build (deployment.md's
systemd unit: build, then reload): the new build keeps the previous one's hashed browser files, and
only that one's, as a reload's own build does. A real server, real builds, httpx."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import pyxle_command, server_env, spawn
from tests.docs._blocks import cites
from tests.e2e.test_reload_assets import KEY, PAGE
from tests.e2e.test_reload_assets import _scripts as scripts  # the page's scripts once it shows a version


def build(project: Path, version: int) -> None:
    (project / "pages" / "index.pyxl").write_text(PAGE % version)
    run = subprocess.run([*pyxle_command(), "build", "."], cwd=project, capture_output=True, text=True, timeout=300,
                         env=server_env(), check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []  # nothing left beside dist/


def status(url: str) -> int:
    return httpx.get(url, timeout=10).status_code


@cites("docs/deployment.md", "`pyxle build` run while a server serves `dist/` keeps both too")
@cites("docs/deployment.md", "(a build that fails leaves `dist/`\nas it was), so a deploy that builds and then reloads a "
       "`--skip-build` server never serves a page")
def test_pyxle_build_beside_a_running_server_keeps_the_previous_builds_scripts(make_project, start_server) -> None:
    """`pyxle build` emptied dist/public/ in place: the running workers kept rendering pages that
    named the old scripts, which answered 404 (and still did after a reload), so the page never
    hydrated. A build that fails leaves dist/ as it was."""
    project = make_project({"pages/index.pyxl": PAGE % 1}, node=True)
    build(project, 1)
    server = start_server(project, "serve", "--skip-build", env=KEY)
    first = scripts(server.url + "/", 1)
    build(project, 2)
    assert scripts(server.url + "/", 1) == first  # the running worker still answers the first build's page
    for name in first:
        assert status(server.url + name) == 200, name

    server.proc.send_signal(signal.SIGHUP)  # the deploy's reload: the new workers serve the second build
    second = scripts(server.url + "/", 2)
    gone = first - second  # the page's own chunk: its hash changed with its source
    assert gone, (first, second)
    for name in first:  # a browser's cached page still loads
        assert status(server.url + name) == 200, name

    build(project, 3)  # kept one generation: the served build's scripts stay, the first build's go
    for name in second:
        assert status(server.url + name) == 200, name
    for name in gone:
        assert status(server.url + name) == 404, name

    (project / "pages" / "index.pyxl").write_text(PAGE.replace("<p>", "<p") % 4)  # a build that fails
    run = subprocess.run([*pyxle_command(), "build", "."], cwd=project, capture_output=True, text=True, timeout=300,
                         env=server_env(), check=False)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stdout + run.stderr
    assert scripts(server.url + "/", 2) == second  # dist/ is as it was: the served build, whole
    for name in second:
        assert status(server.url + name) == 200, name
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []


@cites("docs/deployment.md", "a `pyxle build` started while\nanother (or a reload's check) is under way prints `pyxle: waiting for another build of …/dist to\nfinish` and starts when it is done, so two deploys that overlap both succeed")
def test_two_builds_at_once_wait_for_each_other_and_both_succeed(make_project, start_server) -> None:
    """Two deploys overlapping (or a build during a reload's check) staged into the same
    `.dist.next`: each emptied it under the other, which failed on a file gone ("ENOENT ...
    .dist.next/public/_pyxle/..."). Now the second waits for the first, says so, and both succeed."""
    project = make_project({"pages/index.pyxl": PAGE % 1, "pages/about.pyxl": PAGE % 7}, node=True)
    build(project, 1)
    server = start_server(project, "serve", "--skip-build", env=KEY)
    (project / "pages" / "index.pyxl").write_text(PAGE % 2)
    command = [*pyxle_command(), "build", "."]
    first = spawn(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=server_env())
    second = spawn(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=server_env())
    outputs = [proc.communicate(timeout=300) for proc in (first, second)]
    for proc, (out, err) in zip((first, second), outputs, strict=True):
        assert proc.returncode == 0, out + err
    # One waited for the other (a build takes seconds, both start at once), and said so.
    waited = [err for _, err in outputs if f"pyxle: waiting for another build of {project / 'dist'} to finish" in err]
    assert len(waited) == 1, outputs
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []

    server.proc.send_signal(signal.SIGHUP)  # the build in dist/ is whole: the new workers serve it
    second_scripts = scripts(server.url + "/", 2)
    for name in second_scripts:
        assert status(server.url + name) == 200, name


def test_a_build_during_a_reload_waits_for_the_reload_and_both_succeed(make_project, start_server) -> None:
    """A reload (SIGHUP) checks its build in the same `.dist.next` a `pyxle build` stages in: the
    one that starts second waits for the first to finish."""
    project = make_project({"pages/index.pyxl": PAGE % 1}, node=True)
    server = start_server(project, "serve", env=KEY)  # a reload of a server that builds: it stages a build
    assert "version 1" in httpx.get(server.url + "/", timeout=10).text
    (project / "pages" / "index.pyxl").write_text(PAGE % 2)
    server.proc.send_signal(signal.SIGHUP)
    run = subprocess.run([*pyxle_command(), "build", "."], cwd=project, capture_output=True, text=True, timeout=300,
                         env=server_env(), check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    scripts(server.url + "/", 2)  # the reload went through: the new workers serve version 2
    assert "reload refused" not in server.output(), server.output()
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []


@cites("docs/deployment.md", "A restart that builds (`pyxle serve` without `--skip-build`, its pages changed) keeps both too")
def test_a_restart_that_builds_keeps_the_previous_builds_scripts(make_project, start_server) -> None:
    """`pyxle serve` without --skip-build rebuilt a stale dist/ in place at start: the previous
    build's hashed files were gone, so a page a browser still had open (or cached) lost its scripts:
    a lazy import() or a client navigation to one of them answered 404."""
    project = make_project({"pages/index.pyxl": PAGE % 1}, node=True)
    build(project, 1)
    first = start_server(project, "serve", "--skip-build", env=KEY)
    old = scripts(first.url + "/", 1)
    first.stop()

    (project / "pages" / "index.pyxl").write_text(PAGE % 2)
    second = start_server(project, "serve", env=KEY)  # builds at start: the pages changed
    new = scripts(second.url + "/", 2)
    assert old - new, (old, new)  # the page's own chunk changed
    for name in old:  # (404 before: the start's build emptied dist/public/)
        assert status(second.url + name) == 200, name
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []


def versions_served(url: str, timeout: float = 60) -> dict[int, set[str]]:
    """The page's versions the workers answer with, each with the scripts it names: new connections
    until two versions were seen (the kernel spreads them over the workers), or ``timeout``."""
    seen: dict[int, set[str]] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < 2 and time.monotonic() < deadline:
        try:
            html = httpx.get(url, headers={"connection": "close"}, timeout=10).text
        except httpx.TransportError:  # a connection the killed worker had taken
            continue
        version = int(re.search(r"version (?:<!-- -->)?(\d+)", html).group(1))  # type: ignore[union-attr]
        seen[version] = set(re.findall(r'<script[^>]+src="(/_pyxle/[^"]+)"', html)
                            + re.findall(r'rel="modulepreload" href="(/_pyxle/[^"]+)"', html))
    return seen


@cites("docs/deployment.md", "between a `pyxle build` that put a new build in `dist/` and the reload that follows it, a "
       "worker\nstarted in place of one that died serves the new build, whole (its Python, its SSR bundle and its\n"
       "scripts), beside the others' old one")
def test_a_worker_replaced_between_a_build_and_its_reload_serves_the_new_build_whole(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": PAGE % 1}, node=True)
    build(project, 1)
    server = start_server(project, "serve", "--skip-build", "--workers", "2", env=KEY)
    scripts(server.url + "/", 1)
    build(project, 2)
    workers = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True,
                             check=False).stdout.split()
    assert len(workers) == 2, workers
    os.kill(int(workers[0]), signal.SIGKILL)
    seen = versions_served(server.url + "/")
    assert sorted(seen) == [1, 2], seen  # the worker that kept serving, and its new sibling
    for names in seen.values():  # each page whole: every script it names is there
        for name in names:
            assert status(server.url + name) == 200, name

