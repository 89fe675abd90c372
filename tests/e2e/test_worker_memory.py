"""A server worker gives back the memory of large request bodies (``pyxle.app._heap``): glibc kept
the freed memory of every large body after the first, so a worker that took three 300 MB uploads
stayed ~300 MB larger for good (pyxle-framework 0.9.4 on uvicorn gave it back)."""

from __future__ import annotations

import subprocess
import time

import httpx

from tests.docs._blocks import cites

ROUTE = """
from starlette.responses import JSONResponse

async def post(request):
    body = await request.body()
    return JSONResponse({"received": len(body)})
"""


def rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS:"))


@cites("docs/deployment.md", "three 300 MB uploads in a row leave it at its size before them,\n  not 300 MB above it")
def test_a_worker_gives_back_the_memory_of_large_request_bodies(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/upload.py": ROUTE})
    server = start_server(project, env={"PYXLE_MAX_BODY_SIZE": str(400 * 1024 * 1024)})
    worker = int(subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True,
                                check=True).stdout.split()[0])
    before = rss_mib(worker)
    body = b"x" * (300 * 1024 * 1024)
    after = []
    for _ in range(3):
        answer = httpx.post(server.url + "/api/upload", content=body, timeout=120)
        assert answer.json() == {"received": len(body)}
        time.sleep(0.5)
        after.append(rss_mib(worker))
    assert max(after) < before + 100, (before, after)  # it kept ~300 MB more after the second before
