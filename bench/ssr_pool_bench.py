"""The SSR pool on its own: renders per second through `SsrPool` from one Python process, with no
HTTP, for the page of bench/ssr_bench.py; against the same bundle's bare Node loop (the ceiling).

    .venv/bin/python bench/ssr_pool_bench.py [--seconds 4] [--concurrency 32]

Separates the cost of the Python <-> Node round trip from the rest of a page request: if the pool
alone reaches most of the ceiling, the gap in ssr_bench.py is the HTTP and page path, not IPC.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import env
from ssr_bench import page_project, render_ceiling

from pyxle.ssr import SsrPool


async def drive(bundle: Path, props: str, seconds: float, concurrency: int) -> float:
    pool = SsrPool(bundle, size=2, timeout=10)
    await pool.start()
    request = {"page": "index", "routePath": "/", "csrfToken": ""}
    done = 0
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await pool.render(request, props)
            done += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    await pool.close()
    return done / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = page_project(Path(tmp))
        subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], env=env(), check=True,
                       capture_output=True)
        bundle = project / "dist" / "server" / "ssr.mjs"
        items = [{"id": i, "name": f"Item {i}", "price": i * 1.5} for i in range(30)]
        props = json.dumps({"data": {"items": items}, "layoutData": {"layout.pyxl": {"site": "Bench"}}})
        rate = asyncio.run(drive(bundle, props, args.seconds, args.concurrency))
        ceiling = render_ceiling(bundle, json.loads(props), int(args.seconds))
    print(f"SsrPool (2 workers, {args.concurrency} concurrent renders, no HTTP): {rate:.0f} renders/s")
    print(f"render ceiling (bare Node loop, one process): {ceiling:.0f} renders/s; pool / ceiling {rate / ceiling:.2f}")


if __name__ == "__main__":
    main()
