"""Page code reading a `process.env` name it never sees (only `PYXLE_PUBLIC_*` and `NODE_ENV` reach
it): `pyxle build`, `pyxle check` and `pyxle dev` warn of each name once, at its file and line,
with the rename a port from Next.js needs. It was `undefined` in SSR and in the browser without a
word. A warning, not an error: the build and the check still succeed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites

PAGE = '''
import { Card } from '../components/Card.jsx'

export default function Index() {
  const foo = process.env.NEXT_PUBLIC_FOO
  // process.env.IN_A_COMMENT is not a read
  return (
    <main>
      <p>{foo} {process.env.NEXT_PUBLIC_FOO} {process.env.PYXLE_PUBLIC_API} {process.env.NODE_ENV}</p>
      <Card />
    </main>
  )
}
'''
CARD = '''
export function Card() {
  const token = typeof window === 'undefined' ? process.env.SECRET_TOKEN : null
  return <p>{token ? 'server' : 'browser'}</p>
}
'''
FILES = {"pages/index.pyxl": PAGE, "components/Card.jsx": CARD}
FOO = ("pages/index.pyxl:4: process.env.NEXT_PUBLIC_FOO is undefined in page code (the browser and server "
       "rendering): only PYXLE_PUBLIC_* variables reach the browser\n"
       "    const foo = process.env.NEXT_PUBLIC_FOO\n"
       "    hint: rename NEXT_PUBLIC_FOO to PYXLE_PUBLIC_FOO (in .env and in the code)")
SECRET = "components/Card.jsx:2: process.env.SECRET_TOKEN is undefined in page code"


def run(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), command, str(project)], capture_output=True, text=True, cwd=project,
                          env=server_env(NEXT_PUBLIC_FOO="nextfoo", PYXLE_PUBLIC_API="api"), timeout=300, check=False)


def assert_warned_once(output: str) -> None:
    assert FOO in output, output
    assert output.count("NEXT_PUBLIC_FOO is undefined") == 1, output
    assert SECRET in output and "hint: rename it PYXLE_PUBLIC_SECRET_TOKEN if the browser may see its value" in output
    assert "PYXLE_PUBLIC_API is undefined" not in output and "NODE_ENV is undefined" not in output
    assert "IN_A_COMMENT" not in output


@cites("docs/client.md", "`pyxle build`, `pyxle check` and `pyxle dev` warn of each other `process.env.NAME` page code reads")
def test_pyxle_build_warns_of_each_unexposed_name_once_and_still_builds(make_project) -> None:
    done = run(make_project(FILES, node=True), "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert_warned_once(done.stdout + done.stderr)


def test_pyxle_check_warns_of_them_too_and_passes(make_project) -> None:
    done = run(make_project(FILES, node=True), "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert_warned_once(done.stdout + done.stderr)
    assert "0 errors" in done.stderr + done.stdout


def test_pyxle_dev_warns_once_per_name_across_rebuilds(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project(FILES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1", env={"NEXT_PUBLIC_FOO": "nextfoo"})
    server.wait_for_output("NEXT_PUBLIC_FOO is undefined", timeout=30)
    assert httpx.get(server.url + "/", timeout=30).status_code == 200  # the worker has built too (quietly)
    (project / "pages" / "index.pyxl").write_text(PAGE.lstrip().replace("{foo} ", "{foo} {process.env.NEXT_PUBLIC_BAR} "))
    server.wait_for_output("pages/index.pyxl:8: process.env.NEXT_PUBLIC_BAR is undefined", timeout=30)
    assert_warned_once(server.output())
