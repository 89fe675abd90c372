"""The documented deploy, `pyxle build` then `kill -HUP`, on a real `pyxle serve --skip-build`: between
the two, the server renders only its own build. An SSR worker it starts in that gap (one that crashed,
one replaced after --ssr-timeout, a spare) loads the bundle the server started with, not the new one
`pyxle build` put in `dist/`, which the old loaders' data does not fit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites
from tests.e2e.test_ssr_worker_faults import build_and_serve, node_workers

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
V1 = """
@server
async def load(request):
    return {"label": "v1"}

export default function Index({ data }) {
  return <p>label {data.label}</p>
}
"""
# The new JSX needs a prop only the new loader returns: with v1's data it throws.
V2 = """
@server
async def load(request):
    return {"items": ["v2a", "v2b"]}

export default function Index({ data }) {
  return <ul>{data.items.map((item) => <li key={item}>item {item}</li>)}</ul>
}
"""
V3 = V2.replace("item {item}", "third {item}")


def _build(project: Path) -> None:
    """`pyxle build`, as a deploy runs it while the server serves dist/."""
    built = subprocess.run([*pyxle_command(), "build"], cwd=project, env=server_env(), capture_output=True, text=True,
                           timeout=180, check=False)
    assert built.returncode == 0, built.stdout + built.stderr


def _chunk(html: str) -> str:
    """The page's own hashed module, as the HTML names it."""
    found = re.search(r'src="(/_pyxle/page_index-[^"]+\.js)"', html)
    assert found, html
    return found.group(1)


def _bundles(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "dist" / "server").glob("ssr*.mjs"))


@cites("docs/deployment.md", "an SSR worker started afterwards (one\nthat died, one replaced after "
                             "`--ssr-timeout`) loads the SSR bundle the running workers started with")
@cites("docs/deployment.md", "The new build also keeps the previous build's SSR bundle")
def test_ssr_workers_started_after_a_build_render_the_servers_own_build_until_the_reload(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """A worker started after `pyxle build` loaded the new dist/server/ssr.mjs: the old loader's props
    in the new JSX, so `data.items.map` threw and the page answered 500 until the reload."""
    project = make_project({"pages/index.pyxl": V1}, node=True)
    server = build_and_serve(project, start_server, "--ssr-workers", "1", **KEY)
    first = httpx.get(server.url + "/", timeout=10)
    assert first.status_code == 200 and "label <!-- -->v1" in first.text, first.text
    chunk = _chunk(first.text)
    (project / "pages" / "index.pyxl").write_text(V2)
    _build(project)
    killed = node_workers(server)
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)  # a crashed (or timed-out) render worker
    deadline = time.monotonic() + 30
    while not (set(node_workers(server)) - set(killed)):
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    for _ in range(5):  # rendered by the new worker, every time
        answer = httpx.get(server.url + "/", timeout=10)
        assert answer.status_code == 200, answer.text + server.output()
        assert "label <!-- -->v1" in answer.text and "item" not in answer.text, answer.text
        assert _chunk(answer.text) == chunk
        assert httpx.get(server.url + chunk, timeout=10).status_code == 200
    assert "Cannot read properties of undefined" not in server.output()
    served = _bundles(project)
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 90
    while "item <!-- -->v2a" not in (answer := httpx.get(server.url + "/", timeout=30)).text:
        assert time.monotonic() < deadline, answer.text + server.output()
        time.sleep(0.2)
    assert answer.status_code == 200 and _chunk(answer.text) != chunk
    # One previous generation only: a third build keeps the second's bundle, not the first's.
    assert len(served) == 2, served
    (project / "pages" / "index.pyxl").write_text(V3)
    _build(project)
    kept = _bundles(project)
    assert len(kept) == 2 and len(set(kept) & set(served)) == 1, (served, kept)
