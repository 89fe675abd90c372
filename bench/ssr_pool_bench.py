"""The SSR pool on its own: renders per second through `SsrPool` from one Python process, with no
HTTP, for the page of bench/ssr_bench.py; against the same bundle's bare Node loop (the ceiling).

    .venv/bin/python bench/ssr_pool_bench.py [--seconds 4] [--concurrency 32] [--bundle ssr.mjs]

With ``--bundle`` it drives an existing build and prints only
``{"renders_per_second": ..., "cpu_us": {"python": ..., "node": ...}}`` (CPU per render), which is
how bench/before_after.py runs it under two versions of Pyxle.

Separates the cost of the Python <-> Node round trip from the rest of a page request: if the pool
alone reaches most of the ceiling, the gap in ssr_bench.py is the HTTP and page path, not IPC.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import _process_tree_cpu, env, ssr_bundle
from ssr_bench import page_project, render_ceiling

from pyxle.ssr import SsrPool

PROPS = json.dumps({"data": {"items": [{"id": i, "name": f"Item {i}", "price": i * 1.5} for i in range(30)]},
                    "layoutData": {"layout.pyxl": {"site": "Bench"}}})


async def drive(bundle: Path, props: str, seconds: float, concurrency: int, cpu: dict[str, float] | None = None) -> float:
    """Renders per second; ``cpu`` gets the CPU microseconds per render of this process and its
    Node workers (``python``, ``node``), which load on a shared machine disturbs less than the rate."""
    pool = SsrPool(bundle, size=2, timeout=10)
    await pool.start()
    request = {"page": "index", "routePath": "/", "csrfToken": ""}
    done = 0
    before = _process_tree_cpu(os.getpid())
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await pool.render(request, props)
            done += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    after = _process_tree_cpu(os.getpid())
    await pool.close()
    if cpu is not None:
        for name in ("python", "node"):
            used = sum(seconds for command, seconds in after.items() if command.startswith(name))
            used -= sum(seconds for command, seconds in before.items() if command.startswith(name))
            cpu[name] = used / done * 1e6
    return done / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--bundle", type=Path, default=None, help="an SSR bundle built already (page: ssr_bench's)")
    args = parser.parse_args()
    if args.bundle is not None:
        cpu: dict[str, float] = {}
        rate = asyncio.run(drive(args.bundle, PROPS, args.seconds, args.concurrency, cpu))
        print(json.dumps({"renders_per_second": rate, "cpu_us": cpu}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        project = page_project(Path(tmp))
        subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], env=env(), check=True,
                       capture_output=True)
        bundle = ssr_bundle(project)
        rate = asyncio.run(drive(bundle, PROPS, args.seconds, args.concurrency))
        ceiling = render_ceiling(bundle, json.loads(PROPS), int(args.seconds))
    print(f"SsrPool (2 workers, {args.concurrency} concurrent renders, no HTTP): {rate:.0f} renders/s")
    print(f"render ceiling (bare Node loop, one process): {ceiling:.0f} renders/s; pool / ceiling {rate / ceiling:.2f}")


if __name__ == "__main__":
    main()
