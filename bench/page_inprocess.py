"""Python CPU per server-rendered page, in process: the app called directly (no HTTP server), 16
requests at a time, renders in two real Node workers; `time.process_time` of this process only.

    .venv/bin/python bench/page_inprocess.py [--requests 3000] [--profile] [--api]

Serves bench/ssr_bench.py's page (``BENCH_CONFIG``: JSON merged into its pyxle.config.json), or
with ``--api`` bench/api_cpu_bench.py's ``GET /api/hello``.
``--profile`` adds a cProfile (CPU time) of a second batch,
sorted by own time: where the page path's Python goes, without the server's share around it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_cpu_bench import HELLO
from ssr_bench import page_project

HEADERS = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")]


PATH = "/"


def scope() -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": PATH, "raw_path": PATH.encode(), "query_string": b"", "root_path": "", "headers": list(HEADERS),
            "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000)}


async def measure(app: Any, requests: int, profile: bool) -> None:
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def batch(count: int) -> None:
        for _ in range(count // 16):
            await asyncio.gather(*(app(scope(), receive, send) for _ in range(16)))

    startup = [{"type": "lifespan.startup"}]
    started, stopping = asyncio.Event(), asyncio.Event()

    async def lifespan_receive() -> dict[str, Any]:
        if startup:
            return startup.pop()
        await stopping.wait()
        return {"type": "lifespan.shutdown"}

    async def lifespan_send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"].endswith("failed"):
            raise SystemExit(message.get("message"))

    lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan_receive, lifespan_send))
    await started.wait()
    await batch(800)  # warm-up
    began = time.process_time()
    await batch(requests)
    per_page = (time.process_time() - began) / requests * 1e6
    assert set(statuses) == {200}, set(statuses)
    print(f"Python CPU per request to {PATH}, in process: {per_page:.1f} us")
    if profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        await batch(requests)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(int(os.environ.get("BENCH_ROWS", "30")))
    stopping.set()
    await lifespan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--api", action="store_true", help="GET /api/hello instead of the page")
    args = parser.parse_args()
    global PATH
    os.environ.setdefault("PYXLE_SECRET_KEY", "b" * 40)
    from pyxle.app import create_app
    from pyxle.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        if args.api:
            PATH = "/api/hello"
            project = Path(tmp) / "api"
            (project / "pages" / "api").mkdir(parents=True)
            (project / "pages" / "api" / "hello.py").write_text(HELLO)
        else:
            project = page_project(Path(tmp))
        (project / "pyxle.config.json").write_text(json.dumps({"accessLog": False, **json.loads(os.environ.get("BENCH_CONFIG", "{}"))}))
        if not args.api:  # API routes need no build
            subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], check=True, capture_output=True)
        app = create_app(load_config(project), mode="production", ssr_workers=2)
        asyncio.run(measure(app, args.requests, args.profile))


if __name__ == "__main__":
    main()
