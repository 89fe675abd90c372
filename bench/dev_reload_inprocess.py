"""`pyxle dev`'s reload after a page edit, in process, in a large app: the working tree against an
earlier version in the same run.

    .venv/bin/python bench/dev_reload_inprocess.py [--pages 300] [--edits 7] [--rounds 3] [--against REF]

Builds the app of `pyxle dev` (development mode) for the demo with `--pages` more pages (each with
a loader and an action), then edits one page `--edits` times, timing what the file watcher runs for
each edit: the route table's reload (compile, bundle through the warm `build.mjs --serve`, import
every page's Python) and the SSR workers' swap. Prints the median wall time and the median Python
CPU (`time.process_time`, this process only: Node's share is in the wall time) of the edits after
the first. Each version runs in its own process (`--against`: its `src/` first on PYTHONPATH),
alternating, `--rounds` times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env, source_tree
from dev_bench import project

PAGE = """@server
async def load(request):
    return {{"n": {n}, "items": [{{"id": k, "text": "item %d" % k}} for k in range(20)]}}


@action
async def save(request):
    body = await request.json()
    return {{"saved": {n}, "body": body}}


export default function Page{n}({{ data }}) {{
  return <main><h1>Page {n}</h1><ul>{{data.items.map((it) => <li key={{it.id}}>{{it.text}}</li>)}}</ul></main>
}}
"""


def measure(root: Path, edits: int) -> dict[str, float]:
    """Run in a child process: the median seconds (wall, Python CPU) of an edit's reload."""
    from pyxle.app._app import create_app
    from pyxle.app._watch import forget_project_modules
    from pyxle.bundler import Bundler
    from pyxle.config import load_config

    app = create_app(load_config(root), mode="development")
    edited = root / "pages" / "generated0.pyxl"
    original = edited.read_text()

    async def run() -> tuple[list[float], list[float]]:
        app.load_routes()
        app.bundler = Bundler(root)
        app.bundler.start()
        wall, cpu = [], []
        try:
            for i in range(edits):
                edited.write_text(original.replace("<h1>Page", f"<h1>Edit {i} of page"))
                began, began_cpu = time.perf_counter(), time.process_time()
                forget_project_modules(root)
                await app.swap_renderer(app.load_routes())
                wall.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
        finally:
            edited.write_text(original)
            app.bundler.close()
        return wall[1:], cpu[1:]  # the first edit also makes esbuild's contexts

    wall, cpu = asyncio.run(run())
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}


def child(root: Path, edits: int, src: Path | None) -> dict[str, float]:
    extra = {"PYTHONPATH": f"{src}:{REPO}"} if src else {}
    code = ("import json, sys; sys.path.insert(0, 'bench'); from dev_reload_inprocess import measure; "
            f"print(json.dumps(measure(__import__('pathlib').Path({str(root)!r}), {edits})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**env(), **extra}, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", default="", help="git ref of the version to compare with")
    args = parser.parse_args()
    import dev_bench

    dev_bench.PAGE = PAGE
    with tempfile.TemporaryDirectory() as tmp:
        root = project(Path(tmp), "app", True, args.pages)
        versions: dict[str, Path | None] = {"working tree": None}
        if args.against:
            (Path(tmp) / "before").mkdir()
            versions[args.against] = source_tree(args.against, Path(tmp) / "before")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
        for _ in range(args.rounds):
            for name, src in versions.items():
                results[name].append(child(root, args.edits, src))
        for name, runs in results.items():
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            print(f"{name}: reload after an edit {wall * 1000:.0f} ms, of which Python CPU {cpu * 1000:.0f} ms "
                  f"(medians of {args.rounds} runs of {args.edits - 1} edits, {args.pages} pages)")


if __name__ == "__main__":
    main()
