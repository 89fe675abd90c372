"""A page whose module-level code throws as the SSR bundle loads (`const width = window.innerWidth`
outside the component): every SSR worker dies on it. `pyxle build` and a fresh `pyxle serve` stop
with one error naming the page, a SIGHUP reload is refused while the running workers keep serving,
and `pyxle dev` shows the error until the edit that fixes it. Real processes throughout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import NODE_MODULES, pyxle_command, server_env, ssr_bundle
from tests.docs._blocks import cites
from tests.e2e.test_ssr_worker_faults import node_workers

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
INDEX = """
@server
async def load(request):
    return {"n": 1}

export default function Index({ data }) {
  return <p>index {data.n}</p>
}
"""
WIN = """\
@server
async def load(request):
    return {}

const width = %s

export default function Win() {
  return <p>width {width}</p>
}
"""
BROKEN = WIN % "window.innerWidth"
REFUSED = "pages/win.pyxl:5: ReferenceError while the SSR bundle loads: window is not defined"


def _wait_for(url: str, text: str, timeout: float = 90) -> None:
    """Until ``url`` answers 200 with ``text`` in it (a reload or a rebuild is on its way)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = httpx.get(url, timeout=30)
            if answer.status_code == 200 and text in answer.text:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{url} does not answer {text!r} yet"
        time.sleep(0.2)


@cites("docs/pages.md", "`pyxle build` starts one SSR worker on the new build and fails naming the file and line")
def test_pyxle_build_fails_naming_the_page_whose_module_reads_window(make_project) -> None:
    project = make_project({"pages/index.pyxl": INDEX, "pages/win.pyxl": BROKEN}, node=True)
    result = subprocess.run([*pyxle_command(), "build", str(project)], capture_output=True, text=True,
                            env=server_env(), timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"pyxle: {REFUSED}\n    const width = window.innerWidth\n    hint: " in result.stderr
    assert "useEffect" in result.stderr and "Traceback" not in result.stderr


@cites("docs/pages.md", "An npm package that reads `window` as it loads (a map or chart library) fails it "
                        "naming the package and the project file that imports it, with the hint to import it with "
                        "`import()` inside a `useEffect`")
@pytest.mark.parametrize("kind", ["commonjs", "module"])
def test_an_npm_package_that_reads_window_as_it_loads_is_named_with_the_dynamic_import_hint(make_project,
                                                                                          kind: str) -> None:
    """The package's own file is not the user's to change: the error names the package, at the
    page that imports it, where a hint to move the package's code into an effect helped no one.
    (An ES module package runs at the bundle's top level: no frame of its stack names the page.)"""
    page = "import { touched } from 'win-touch'\n\nexport default function Map() {\n  return <p>{touched}</p>\n}\n"
    project = make_project({"pages/index.pyxl": INDEX, "pages/map.pyxl": page})
    modules = project / "node_modules"
    modules.mkdir()
    for shared in NODE_MODULES.iterdir():  # the suite's packages, and one of the app's own
        (modules / shared.name).symlink_to(shared, target_is_directory=shared.is_dir())
    (modules / "win-touch").mkdir()
    (modules / "win-touch" / "package.json").write_text(json.dumps({"name": "win-touch", "type": kind,
                                                                    "main": "index.js"}))
    code = "exports.touched = " if kind == "commonjs" else "export const touched = "
    (modules / "win-touch" / "index.js").write_text(code + "window.innerWidth > 0\n")
    result = subprocess.run([*pyxle_command(), "build", str(project)], capture_output=True, text=True,
                            env=server_env(), timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("pyxle: pages/map.pyxl:1: ReferenceError while the SSR bundle loads: window is not defined "
            "(in the npm package win-touch)\n    import { touched } from 'win-touch'\n    hint: win-touch reads "
            "window as it loads, and the server has no window: load it in the browser only, with "
            "`await import('win-touch')` inside a useEffect") in result.stderr, result.stderr
    assert "Traceback" not in result.stderr

@cites("docs/pages.md", "Vite's `import.meta.glob`, which esbuild does not\nexpand, fails there too, with the hint to import "
                        "each file by name or read the files in a `@server`\nloader")
def test_vites_import_meta_glob_fails_the_build_at_its_line_with_a_hint_for_it(make_project) -> None:
    """A page of a Vite-built app listing its posts (0.9.4 rendered it as a 500): not the hint to
    move the code into a useEffect, where it fails as well."""
    project = make_project({"pages/index.pyxl": INDEX, "pages/posts/first.md": "# First\n",
                            "pages/blog.pyxl": WIN % "Object.keys(import.meta.glob('./posts/*.md'))"}, node=True)
    result = subprocess.run([*pyxle_command(), "build", str(project)], capture_output=True, text=True,
                            env=server_env(), timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("pyxle: pages/blog.pyxl:5: TypeError while the SSR bundle loads: (intermediate value).glob is not a "
            "function\n    const width = Object.keys(import.meta.glob('./posts/*.md'))\n    hint: import.meta.glob is "
            "Vite's, and Pyxle bundles pages with esbuild, which does not expand it: import each file by name, or "
            "read the files in a @server loader and pass them to the page as data") in result.stderr, result.stderr


@cites("docs/pages.md", "`pyxle serve` and `pyxle dev` check the same once before their workers start")
def test_a_fresh_serve_of_such_a_page_exits_with_one_error_naming_it(make_project, start_server) -> None:
    """Not every worker's traceback while granian restarts them: one message, before any worker."""
    project = make_project({"pages/index.pyxl": INDEX, "pages/win.pyxl": BROKEN}, node=True)
    server = start_server(project, "serve", "--workers", "2", env=KEY, ready=False)
    assert server.wait_exit(60) == 1
    out = server.output()
    assert f"pyxle: {REFUSED}\n    const width = window.innerWidth\n    hint: " in out
    assert out.count("window is not defined") == 1
    assert "Traceback" not in out and "Spawning" not in out


@cites("docs/deployment.md", "and one SSR worker started on its build: if that fails")
def test_a_sighup_with_such_a_page_is_refused_and_the_workers_keep_serving(make_project, start_server) -> None:
    """The reload check starts an SSR worker on the new build: granian alone replaced the workers
    with ones that died at once, stopped the old ones too, and the site refused every request."""
    project = make_project({"pages/index.pyxl": INDEX}, node=True)
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    statuses: list[object] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not done.is_set():
                try:
                    statuses.append(client.get("/", headers={"Connection": "close"}).status_code)
                except httpx.HTTPError as exc:
                    statuses.append(repr(exc))
                time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        (project / "pages" / "win.pyxl").write_text(BROKEN)
        server.proc.send_signal(signal.SIGHUP)
        out = server.wait_for_output(f"reload refused, the running workers keep serving: {REFUSED}", timeout=90)
        assert "useEffect" in out
        time.sleep(6)  # longer than granian waits before stopping an old worker (3.5 s)
    finally:
        done.set()
        poller.join(20)
    assert statuses and set(statuses) == {200}, [s for s in statuses if s != 200][:5]
    assert "Respawning" not in server.output() and server.proc.poll() is None
    (project / "pages" / "win.pyxl").write_text(WIN % "42")
    server.proc.send_signal(signal.SIGHUP)
    _wait_for(server.url + "/win", "width <!-- -->42")


@cites("docs/pages.md", "an edit that breaks it shows the error until the edit that fixes it")
def test_pyxle_dev_shows_such_an_edit_as_an_error_and_recovers_at_the_fix(make_project, start_server) -> None:
    """The rebuild's SSR workers die as they load the bundle: the error is shown, naming the page
    (requests hung until a restart: the new render pool never started, and the watcher stopped)."""
    project = make_project({"pages/index.pyxl": INDEX, "pages/win.pyxl": WIN % "42"}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page: Path = project / "pages" / "win.pyxl"
    assert httpx.get(server.url + "/win", timeout=10).status_code == 200
    page.write_text(BROKEN)
    server.wait_for_output("reload failed after change to pages/win.pyxl", timeout=60)
    answer = httpx.get(server.url + "/win", timeout=10)
    assert answer.status_code == 500 and REFUSED in answer.text
    page.write_text(WIN % "43")
    _wait_for(server.url + "/win", "width <!-- -->43")


@cites("docs/deployment.md", "so a refused reload leaves the served build as it was: an SSR worker that dies "
                             "afterwards is started again on the build the running workers serve")
def test_a_refused_reload_leaves_the_served_build_as_it_was(make_project, start_server) -> None:
    """The reload check built the new project into dist/ before refusing it: an SSR worker that
    died afterwards was started again on the broken bundle, and every page answered 500."""
    project = make_project({"pages/index.pyxl": INDEX}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "2", env=KEY)
    bundle = ssr_bundle(project / "dist")
    served = bundle.read_bytes()
    (project / "pages" / "index.pyxl").write_text(INDEX.replace("index {data.n}", "edited {data.n}"))
    (project / "pages" / "win.pyxl").write_text(BROKEN)
    server.proc.send_signal(signal.SIGHUP)
    # (the reason, not the line's exact start: the check's stderr may begin with an asyncio warning)
    assert REFUSED in server.wait_for_output("reload refused, the running workers keep serving", timeout=90)
    workers = node_workers(server)
    assert len(workers) == 2
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    _wait_for(server.url + "/", "index <!-- -->1", timeout=20)  # rendered on the server by new SSR workers
    assert len(node_workers(server)) == 2 and not set(node_workers(server)) & set(workers)
    assert "edited" not in httpx.get(server.url + "/", timeout=10).text
    assert bundle.read_bytes() == served
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []  # nothing left beside it


@cites("docs/deployment.md", "A worker started in place of one that died serves the build the others serve")
def test_a_worker_that_replaces_a_dead_one_after_such_a_page_was_added_serves_the_servers_build(
        make_project, start_server) -> None:
    """The page is on disk, no reload asked for, and a worker dies (or is still loading as the file
    lands): the worker started in its place rebuilt dist/ from the sources, its SSR bundle threw,
    every worker started after it died the same way, and granian stopped the server as a crash loop."""
    from tests.e2e.test_hardening_server import granian_workers, wait_until

    project = make_project({"pages/index.pyxl": INDEX}, node=True)
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    wait_until(lambda: len(granian_workers(server)) == 2)
    bundle = ssr_bundle(project / "dist").read_bytes()
    (project / "pages" / "win.pyxl").write_text(BROKEN)
    [victim, survivor] = granian_workers(server)
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: len(granian_workers(server)) == 2 and victim not in granian_workers(server), timeout=30)
    time.sleep(6)  # beyond granian's 5.5 s crash-loop window
    assert server.proc.poll() is None, server.output()
    assert survivor in granian_workers(server) and len(granian_workers(server)) == 2
    assert ssr_bundle(project / "dist").read_bytes() == bundle, "the served build was rebuilt"
    answers = {httpx.get(server.url + "/", headers={"Connection": "close"}, timeout=10).status_code for _ in range(20)}
    assert answers == {200}
    assert "window is not defined" not in server.output()
