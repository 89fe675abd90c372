"""SIGHUP reloads under clients that open a new connection for every request: how many requests
fail, and how a burst of new connections spreads over the workers.

    .venv/bin/python bench/reload_bench.py [--reloads 4] [--clients 6] [--workers 2] [--against REF]

Each client asks `GET /api/pid` with `Connection: close` in a loop, with no pause, while the
server is sent `--reloads` SIGHUPs, 9 s apart (a reload of two workers takes about 8 s). A
request that fails (a transport error or a 5xx) is counted with the time it failed. Then 32
connections are opened at once, five times, and the answering workers counted: how evenly the
kernel spreads a burst (a proxy opening its pool). `--against` runs the same on an earlier
version (its `src/` on `PYTHONPATH`) in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, source_tree, start, stop

PID = "import os\n\nasync def get(request):\n    return {'pid': os.getpid()}\n"


def run(project: Path, *, reloads: int, clients: int, workers: int, src: Path | None) -> tuple[int, int, list[list[int]]]:
    """Requests answered, requests failed, and the spread of five bursts."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/pid"
    extra = {"PYXLE_SECRET_KEY": "k" * 40, **({"PYTHONPATH": str(src)} if src else {})}
    server = start([str(REPO / ".venv" / "bin" / "pyxle"), "serve", "--workers", str(workers), "--port", str(port)],
                   url, cwd=project, extra_env=extra)
    answered, failed = [0], [0]
    done = threading.Event()

    def client() -> None:
        with httpx.Client(timeout=10) as http:
            while not done.is_set():
                try:
                    ok = http.get(url, headers={"Connection": "close"}).status_code < 500
                except httpx.HTTPError:
                    ok = False
                (answered if ok else failed)[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    try:
        for thread in threads:
            thread.start()
        for _ in range(reloads):
            server.send_signal(signal.SIGHUP)
            time.sleep(9)
        done.set()
        for thread in threads:
            thread.join(20)

        async def burst() -> list[int]:
            async def one() -> int:
                async with httpx.AsyncClient(timeout=10) as http:
                    return int((await http.get(url)).json()["pid"])
            return sorted(collections.Counter(await asyncio.gather(*(one() for _ in range(32)))).values())

        spread = [asyncio.run(burst()) for _ in range(5)]
    finally:
        done.set()
        stop(server)
    return answered[0], failed[0], spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reloads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--against", help="git ref of an earlier version to run the same on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "app"
        (project / "pages" / "api").mkdir(parents=True)
        (project / "pages" / "api" / "pid.py").write_text(PID)
        versions: dict[str, Path | None] = {"this tree": None}
        if args.against:
            before = Path(scratch) / "before"
            before.mkdir()
            versions[args.against] = source_tree(args.against, before)
        for name, src in versions.items():
            answered, failed, spread = run(project, reloads=args.reloads, clients=args.clients, workers=args.workers,
                                           src=src)
            print(f"{name}: {answered} answered, {failed} failed over {args.reloads} reloads "
                  f"({args.reloads * args.workers} workers stopped); 32 new connections at once: {spread}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
