"""An SSR worker's life as the pool sees it, with real Node workers.

Its exit is read once, by asyncio, which waits for it: the pool killing a worker whose answer pipe
had closed reaped it first (``Popen.poll`` in asyncio's ``kill()``), so asyncio logged "Unknown
child process pid N, will report returncode 255" (at ``pyxle serve``'s start, from its SSR check)
and the replacement's log line told code 255 for the worker's real exit status. Each race is run
enough times to show up on a quiet machine. And a SIGTERM sent to the server's process group
while a worker loads its bundle does not end it (the server stops its workers itself)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import pyxle_command, server_env, ssr_bundle

HOME = "export default function Home() { return <p>home</p> }\n"
EXITS = '''
export default function Exits() {
  if (typeof window === 'undefined') process.exit(3)
  return <p>never</p>
}
'''


@pytest.fixture
def bundle(make_project) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """(project, its SSR bundle), built by ``pyxle build``."""
    project = make_project({"pages/index.pyxl": HOME, "pages/exits.pyxl": EXITS}, node=True)
    built = subprocess.run([*pyxle_command(), "build", str(project)], cwd=project, env=server_env(),
                           capture_output=True, text=True, timeout=180, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    return project, ssr_bundle(project / "dist")


def test_the_start_up_ssr_check_leaves_its_worker_to_asyncio(bundle, caplog) -> None:  # type: ignore[no-untyped-def]
    """The check ``pyxle serve`` runs before it starts (one SSR worker started, then stopped): on a
    busy machine half the starts logged asyncio's "Unknown child process" warning."""
    from pyxle.app._ssrcheck import bundle_problem

    project, ssr = bundle
    caplog.set_level(logging.WARNING, "asyncio")
    for _ in range(60):
        assert bundle_problem(ssr, project) is None
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


def test_a_worker_that_exits_in_a_render_is_replaced_with_its_real_exit_code(bundle, caplog) -> None:  # type: ignore[no-untyped-def]
    """A page that ends its Node process with code 3, 30 times in a row: each replacement's line
    says code 3 (it said 255 when the pool had reaped the worker before asyncio could)."""
    from pyxle.ssr import RenderError, SsrPool

    _, ssr = bundle
    caplog.set_level(logging.WARNING)

    async def scenario() -> None:
        pool = SsrPool(ssr, size=1, timeout=5)
        await pool.start()
        try:
            for _ in range(30):
                with pytest.raises(RenderError, match="exited during the render"):
                    await pool.render({"page": "exits", "routePath": "/exits", "csrfToken": ""}, "{}")
                while pool.alive < 1 or pool._notes:  # the replacement, and the line saying why
                    await asyncio.sleep(0.02)
            answer = await pool.render({"page": "index", "routePath": "/", "csrfToken": ""}, "{}")
            assert "home" in answer["html"]
        finally:
            await pool.close()

    asyncio.run(scenario())
    replaced = [record.getMessage() for record in caplog.records if "replacing SSR worker" in record.getMessage()]
    assert len(replaced) == 30
    assert [line for line in replaced if not re.fullmatch(r"replacing SSR worker \d+: it exited with code 3", line)] == []
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


SLOW_BUNDLE = """
import { writeFileSync } from 'node:fs'
writeFileSync(%r, '')  // loading now
await new Promise((resolve) => setTimeout(resolve, 1000))  // and for a second
export function render(request) { return { html: '<p>loaded</p>', head: [] } }
"""


def node_children() -> list[int]:
    """The SSR workers this process started (children running worker.mjs), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == os.getpid() and \
                    b"worker.mjs" in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass  # it exited meanwhile
    return found


def test_a_sigterm_to_the_group_while_a_worker_loads_its_bundle_does_not_end_it(tmp_path: Path) -> None:
    """SIGTERM to the group reaches a worker still loading its bundle (the server's first ones, or
    one replacing another): its start failed with "exit code -15" while the server was stopping.
    The worker ignores it from before it loads the bundle."""
    from pyxle.ssr import SsrPool

    bundle, loading = tmp_path / "ssr.mjs", tmp_path / "loading"
    bundle.write_text(SLOW_BUNDLE % str(loading))

    async def scenario() -> None:
        pool = SsrPool(bundle, size=1, timeout=5)
        starting = asyncio.ensure_future(pool.start())
        while not loading.exists():
            await asyncio.sleep(0.02)
        [node] = node_children()
        os.kill(node, signal.SIGTERM)
        await starting
        answer = await pool.render({"page": "index", "routePath": "/", "csrfToken": ""}, "{}")
        assert answer["html"] == "<p>loaded</p>"
        await pool.close()

    asyncio.run(scenario())


LOOPS_BUNDLE = """
export function render(request) {
  if (request.page === 'hang') { while (true) {} }
  return { html: '<p>' + request.page + '</p>', head: [] }
}
"""


@pytest.mark.parametrize("size", [1, 2])
def test_spares_for_held_workers_stay_within_twice_the_pool(tmp_path: Path, size: int) -> None:
    """Every worker held by an endless render, with more of them queued than the pool has workers,
    and healthy renders behind: spares are started (one per held worker), the pool never runs more
    than twice its size, each hung render fails at the timeout, every healthy one is answered, and
    the pool ends at its size (none left behind by close)."""
    from pyxle.ssr import RenderTimeout, SsrPool

    bundle = tmp_path / "ssr.mjs"
    bundle.write_text(LOOPS_BUNDLE)

    async def scenario() -> int:
        pool = SsrPool(bundle, size=size, timeout=3)
        await pool.start()
        most = 0

        async def count() -> None:
            nonlocal most
            while True:  # (the pool's count: a worker it killed may take a moment to leave /proc)
                most = max(most, pool.alive + len(pool._sparing))
                await asyncio.sleep(0.01)

        counting = asyncio.ensure_future(count())
        try:
            hung = [asyncio.ensure_future(pool.render({"page": "hang", "routePath": "/", "csrfToken": ""}, "{}"))
                    for _ in range(2 * size + 1)]
            await asyncio.sleep(0.2)
            answers = await asyncio.gather(*(pool.render({"page": f"ok{n}", "routePath": "/", "csrfToken": ""}, "{}")
                                             for n in range(20)))
            assert [answer["html"] for answer in answers] == [f"<p>ok{n}</p>" for n in range(20)]
            for render in hung:
                with pytest.raises(RenderTimeout):
                    await render
            for _ in range(100):  # the last spare is stopped once idle, at the watchdog's next look
                if pool.alive == size and len(node_children()) == size:
                    break
                await asyncio.sleep(0.05)
            assert pool.alive == size and len(node_children()) == size, (pool.pids(), node_children())
        finally:
            counting.cancel()
            await pool.close()
        return most

    assert size < asyncio.run(scenario()) <= 2 * size
    assert node_children() == []
