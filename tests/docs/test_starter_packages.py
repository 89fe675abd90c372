"""The `pyxle init` starters' npm packages install on the Node the docs name (getting-started.md:
Node.js 20 or later) without an engine warning (issue 17: `@babel/core ^8` warned EBADENGINE on Node 20)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.docs._blocks import REPO, cites

STARTERS = sorted((REPO / "src" / "pyxle" / "cli" / "templates").glob("*/package.json"))
INSTALLED = sorted((REPO / "tests").glob("node*/node_modules"))

# For each range of the starter: an installed copy that satisfies it, and whether that copy's
# "engines.node" accepts the running Node and the oldest Node the docs support.
CHECK = """
const semver = require(process.argv[1] + '/npm/node_modules/semver')
const [ranges, folders, oldest] = JSON.parse(process.argv[2])
const out = {}
for (const [name, range] of Object.entries(ranges)) {
  const found = folders.map((f) => { try { return require(f + '/' + name + '/package.json') } catch { return null } })
    .filter((p) => p && semver.satisfies(p.version, range))
  out[name] = found.length ? { version: found[0].version, engines: (found[0].engines || {}).node || '*',
    now: semver.satisfies(process.version, (found[0].engines || {}).node || '*'),
    oldest: semver.satisfies(oldest, (found[0].engines || {}).node || '*') } : null
}
console.log(JSON.stringify(out))
"""


@cites("docs/getting-started.md", "Node.js 20 or later")
@pytest.mark.parametrize("manifest", STARTERS, ids=[p.parent.name for p in STARTERS])
def test_every_starter_package_accepts_node_20(manifest) -> None:
    data = json.loads(manifest.read_text())
    ranges = {**data.get("dependencies", {}), **data.get("devDependencies", {})}
    npm_root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, check=True).stdout.strip()
    run = subprocess.run(["node", "-e", CHECK, npm_root, json.dumps([ranges, [str(f) for f in INSTALLED], "20.0.0"])],
                         capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)
    missing = [name for name, seen in found.items() if seen is None]
    assert not missing, f"no copy in tests/node*/ satisfies the starter's range for {missing}"
    refused = {name: seen["engines"] for name, seen in found.items() if not (seen["now"] and seen["oldest"])}
    assert not refused, f"packages whose engines refuse Node 20 or this Node: {refused}"


EXAMPLES = sorted((REPO / "examples").glob("*/package.json"))


@cites("docs/getting-started.md", "`react-refresh` and `@babel/core` give `pyxle dev` React Fast Refresh")
@pytest.mark.parametrize("manifest", STARTERS + EXAMPLES, ids=[f"{p.parent.parent.name}/{p.parent.name}" for p in STARTERS + EXAMPLES])
def test_every_starter_and_example_installs_what_fast_refresh_needs(manifest) -> None:
    # Without them `pyxle dev` starts with "React state is not kept across edits: add the dev
    # packages ...", right after `pyxle install` as the example's README says to run it.
    from pyxle.bundler import _REFRESH

    data = json.loads(manifest.read_text())
    if "react" not in data.get("dependencies", {}):
        pytest.skip("no pages")
    missing = [name for name in _REFRESH if name not in data.get("devDependencies", {})]
    assert not missing, f"{manifest.relative_to(REPO)} leaves out {missing}"
