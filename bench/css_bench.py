"""What CSS through the project's PostCSS config adds to `pyxle build` of the demo, beyond the
PostCSS run itself.

    .venv/bin/python bench/css_bench.py [--rounds 7] [--tailwind [--vite]]

In one run, alternating in rounds, on copies of the demo (node_modules from tests/node):
  plain     the demo as it is: no PostCSS config, esbuild reads the CSS itself (with --tailwind,
            Tailwind's own CSS too, unprocessed: its compiler is left out of node_modules)
  postcss   the demo with a postcss.config.cjs (autoprefixer; Tailwind 4 with --tailwind); with
            --vite no config, as apps set up for @tailwindcss/vite: Pyxle runs Tailwind's compiler
  alone     the PostCSS run itself: one Node process loading the same config and plugins and
            processing the same stylesheets (what `npx postcss` would do), timed inside Node; with
            --vite, Tailwind's compiler and scanner on the same stylesheets
Reports the median CPU time (the build's whole process tree), the median and best wall time, and
    overhead = (postcss - plain - alone) / plain
Goal (issue 12): overhead <= 10%.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env

NODE_MODULES = REPO / "tests" / "node" / "node_modules"
CONFIGS = {
    "autoprefixer": "module.exports = { plugins: { autoprefixer: {} } }\n",
    "tailwind": "module.exports = { plugins: { '@tailwindcss/postcss': {}, autoprefixer: {} } }\n",
}
# The PostCSS run alone: load the config and its plugins, process each stylesheet (argv: root, files...).
ALONE = r"""
const started = performance.now(), cpu = process.cpuUsage()
const { createRequire } = require('node:module')
const fs = require('node:fs'), path = require('node:path')
const [root, ...files] = process.argv.slice(1)
const load = createRequire(path.join(root, 'package.json'))
const config = load(path.join(root, 'postcss.config.cjs'))
const plugins = Object.entries(config.plugins).map(([name]) => load(name))
const postcss = load('postcss')
;(async () => {
  for (const file of files) await postcss(plugins).process(fs.readFileSync(file, 'utf8'), { from: file })
  const used = process.cpuUsage(cpu)
  console.log(JSON.stringify({ wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 }))
})()
"""
# Tailwind alone, as @tailwindcss/vite (and Pyxle without a PostCSS config) runs it: compile the
# stylesheets that use it, scan the project for candidates, build (argv: root, files...).
ALONE_TAILWIND = r"""
const started = performance.now(), cpu = process.cpuUsage()
const { createRequire } = require('node:module')
const fs = require('node:fs'), path = require('node:path')
const [root, ...files] = process.argv.slice(1)
const load = createRequire(path.join(root, 'package.json'))
const node = load('@tailwindcss/node'), oxide = load('@tailwindcss/oxide')
;(async () => {
  for (const file of files) {
    const css = fs.readFileSync(file, 'utf8')
    if (!css.includes('@import "tailwindcss"')) continue
    const compiler = await node.compile(css, { base: path.dirname(file), onDependency: () => {} })
    const sources = [{ base: root, pattern: '**/*', negated: false }, ...compiler.sources]
    node.optimize(compiler.build(new oxide.Scanner({ sources }).scan()), { file, minify: false })
  }
  const used = process.cpuUsage(cpu)
  console.log(JSON.stringify({ wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 }))
})()
"""


def demo_copy(scratch: Path, name: str, config: str | None, tailwind: bool, *, plain: bool = False) -> Path:
    root = scratch / name
    shutil.copytree(REPO / "examples" / "demo", root,
                    ignore=shutil.ignore_patterns("node_modules", "data", ".pyxle-build", "dist", "__pycache__"))
    if plain and tailwind:  # without Tailwind's compiler, which Pyxle would run with no PostCSS config
        (root / "node_modules").mkdir()
        for entry in NODE_MODULES.iterdir():
            if entry.name != "@tailwindcss":
                (root / "node_modules" / entry.name).symlink_to(entry)
    else:
        (root / "node_modules").symlink_to(NODE_MODULES)
    (root / ".gitignore").write_text("dist/\n.pyxle-build/\nnode_modules/\n")
    if config is not None:
        (root / "postcss.config.cjs").write_text(config)
    if tailwind:  # both copies carry Tailwind's CSS, so both bundle the same stylesheets
        css = root / "pages" / "global.css"
        css.write_text(f'@import "tailwindcss{"/index.css" if plain else ""}";\n' + css.read_text())
    return root


def timed_build(root: Path) -> tuple[float, float]:
    """Wall and CPU seconds (this child and everything it waited for: Node, esbuild) of one build."""
    before, started = os.times(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "pyxle", "build", str(root)], env=env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall, after = time.perf_counter() - started, os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def timed_alone(root: Path, script: str) -> tuple[float, float]:
    stylesheets = [str(p) for p in sorted(root.rglob("*.css")) if "node_modules" not in p.parts and "dist" not in p.parts]
    out = subprocess.run(["node", "-e", script, str(root), *stylesheets], cwd=root, check=True, capture_output=True,
                         text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    return figures["wall"], figures["cpu"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tailwind", action="store_true", help="Tailwind 4 (and autoprefixer) instead of autoprefixer")
    parser.add_argument("--vite", action="store_true", help="with --tailwind: no PostCSS config (an app set up for Vite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        plain = demo_copy(scratch, "plain", None, args.tailwind, plain=True)
        config = None if args.vite else CONFIGS["tailwind" if args.tailwind else "autoprefixer"]
        processed = demo_copy(scratch, "postcss", config, args.tailwind)
        alone = ALONE_TAILWIND if args.vite else ALONE
        results: dict[str, list[tuple[float, float]]] = {"plain": [], "postcss": [], "alone": []}
        timed_build(plain)  # warm the file cache and Node's compile cache once
        timed_build(processed)
        for _ in range(args.rounds):
            results["plain"].append(timed_build(plain))
            results["postcss"].append(timed_build(processed))
            results["alone"].append(timed_alone(processed, alone))
    # Medians, and the best wall time (other work on a shared machine only ever adds to it).
    figures = {k: (statistics.median(c for _, c in v), statistics.median(w for w, _ in v), min(w for w, _ in v))
               for k, v in results.items()}
    print(f"{'contender':<10} {'cpu s':>8} {'wall s':>8} {'best wall':>10}")
    for name, (cpu, wall, best) in figures.items():
        print(f"{name:<10} {cpu:>8.3f} {wall:>8.3f} {best:>10.3f}")
    for i, what in enumerate(("cpu", "wall", "best wall")):
        plain_t, post_t, alone_t = figures["plain"][i], figures["postcss"][i], figures["alone"][i]
        print(f"overhead beyond the PostCSS run ({what}): {(post_t - plain_t - alone_t) / plain_t:+.1%} "
              f"(postcss build {post_t / plain_t:.2f}x plain)")


if __name__ == "__main__":
    main()
