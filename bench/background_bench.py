"""CPU per request of GET /api/hello through the whole Pyxle app, with and without the layer that
provides ``request.state.background`` (every request pays for it, so it must cost next to nothing).

    .venv/bin/python bench/background_bench.py [--rounds 7] [--requests 20000]

In process, no server: each request is one ASGI call, timed with ``time.process_time`` so other
load on a shared machine does not count. The two apps alternate; the figure is the median.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pyxle.app._app as app_module
from pyxle.app import create_app
from pyxle.config import load_config

HELLO = '''from starlette.responses import JSONResponse
async def get(request):
    return JSONResponse({"message": "Hello, world!"})
'''
SCOPE = {"type": "http", "method": "GET", "path": "/api/hello", "raw_path": b"/api/hello", "query_string": b"",
         "headers": [(b"host", b"bench")], "scheme": "http", "server": ("bench", 80), "client": ("client", 1),
         "root_path": "", "http_version": "1.1", "asgi": {"version": "3.0"}}


def build(project: Path, background: bool) -> Any:
    layer = app_module.run_background_tasks
    if not background:
        app_module.run_background_tasks = lambda app: app
    try:
        app = create_app(load_config(project, environ={"PYXLE_SECRET_KEY": "b" * 40, "PYXLE_ACCESS_LOG": "0"}))
        app.middleware_stack = app.build_middleware_stack()
    finally:
        app_module.run_background_tasks = layer
    return app


async def cpu_per_request(app: Any, requests: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    start = time.process_time()
    for _ in range(requests):
        await app(dict(SCOPE), receive, send)
    return (time.process_time() - start) / requests * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "pages" / "api").mkdir(parents=True)
        (project / "pages" / "api" / "hello.py").write_text(HELLO)
        apps = {"without the background layer": build(project, False), "with it": build(project, True)}
        results: dict[str, list[float]] = {name: [] for name in apps}
        for app in apps.values():
            await cpu_per_request(app, 2000)  # warm-up
        for _ in range(args.rounds):
            for name, app in apps.items():
                results[name].append(await cpu_per_request(app, args.requests))
    base = statistics.median(results["without the background layer"])
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:<30} {median:6.1f} us CPU/request  ratio {median / base:.3f}")


if __name__ == "__main__":
    asyncio.run(main())
