"""A SIGHUP reload swaps in a new build while the old workers still answer pages naming the old
build's hashed scripts: the new build keeps the previous one's, and only that one's. A real
`pyxle serve --workers 2`, reloaded three times."""

from __future__ import annotations

import re
import signal
import time

import httpx

from tests.docs._blocks import cites

KEY = {"PYXLE_SECRET_KEY": "k" * 40}
PAGE = """
@server
async def load(request):
    return {}

export default function Index() {
  return <p>version %d</p>
}
"""


def _scripts(url: str, version: int) -> set[str]:
    """The ``/_pyxle/`` scripts the page names once it shows ``version`` (a reload is on its way)."""
    deadline = time.monotonic() + 60
    while True:
        html = httpx.get(url, timeout=30).text
        if f"version <!-- -->{version}" in html or f"version {version}" in html:
            return set(re.findall(r'<script[^>]+src="(/_pyxle/[^"]+)"', html)
                       + re.findall(r'rel="modulepreload" href="(/_pyxle/[^"]+)"', html))
        assert time.monotonic() < deadline, f"the page does not show version {version} yet"
        time.sleep(0.2)


def _reload(server, project, version: int) -> set[str]:  # type: ignore[no-untyped-def]
    """Edit the page, SIGHUP, wait until both old workers have stopped; the new page's scripts."""
    stopped = server.output().count("Stopped old worker-2")
    (project / "pages" / "index.pyxl").write_text(PAGE % version)
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 90
    while server.output().count("Stopped old worker-2") == stopped:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    return _scripts(server.url + "/", version)


@cites("docs/deployment.md", "The new build also keeps the previous build's hashed browser files under `/_pyxle/`")
def test_a_reload_keeps_the_previous_builds_scripts_and_only_those(make_project, start_server) -> None:
    """The swap removed them: a page an old worker answered in the second after it named scripts
    that answered 404, and never hydrated. Kept one generation, so they do not pile up."""
    project = make_project({"pages/index.pyxl": PAGE % 1}, node=True)
    server = start_server(project, "serve", "--workers", "2", env=KEY)
    first = _scripts(server.url + "/", 1)
    second = _reload(server, project, 2)
    gone = first - second  # the page's own chunk: its hash changed with its source
    assert gone and all(name.endswith(".js") for name in gone), (first, second)
    for name in gone:
        answer = httpx.get(server.url + name, headers={"Accept-Encoding": "br"}, timeout=10)
        assert answer.status_code == 200, (name, answer.status_code)
        assert answer.headers["content-type"].startswith("text/javascript"), answer.headers
    third = _reload(server, project, 3)
    _reload(server, project, 4)
    for name in third - first - second:  # the previous build's: kept
        assert httpx.get(server.url + name, timeout=10).status_code == 200, name
    for name in gone - third:  # the first build's: removed
        assert httpx.get(server.url + name, timeout=10).status_code == 404, name
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist")) == []
