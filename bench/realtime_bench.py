"""Realtime benchmarks on loopback: fan-out through Redis, and many idle sockets on one worker.

    .venv/bin/python -m bench.realtime_bench fanout   # 1 publisher, 1,000 subscribers, 2 workers, Redis
    .venv/bin/python -m bench.realtime_bench idle     # 10,000 open sockets on one worker

Fan-out: a publisher socket sends timestamped messages into a channel at a fixed rate; every
subscriber records publish-to-receive latency. Reports delivered messages/s and p50/p99.
Idle: server RSS per open socket, and the time for one published message to reach all of them.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

from bench._harness import free_port, start, stop

ROOM = '''
import time
from pyxle.realtime import channel, publish

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "bench"):
        await ws.send_text("ready")
        while True:
            await publish("bench", await ws.receive_text())

async def post(request):
    await publish("bench", str(time.time()))
    return {}
'''


def project() -> Path:
    root = Path(tempfile.mkdtemp()) / "app"
    (root / "pages" / "api").mkdir(parents=True)
    (root / "pages" / "api" / "room.py").write_text(ROOM)
    return root


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def rss_kb(pid: int) -> int:
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid)], capture_output=True, text=True, check=True).stdout
    return sum(int(x) for x in out.split())


async def connect_many(url: str, n: int) -> list[websockets.ClientConnection]:
    sockets: list[websockets.ClientConnection] = []
    for start_at in range(0, n, 200):
        batch = await asyncio.gather(*(websockets.connect(url, max_queue=None, ping_interval=None)
                                       for _ in range(min(200, n - start_at))))
        for ws in batch:
            assert await ws.recv() == "ready"
        sockets.extend(batch)
    return sockets


async def fanout(url: str, subscribers: int, messages: int, rate: float) -> dict[str, float]:
    sockets = await connect_many(url, subscribers)
    publisher = sockets[0]
    latencies: list[float] = []

    async def reader(ws: websockets.ClientConnection) -> None:
        for _ in range(messages):
            sent = float(await ws.recv())
            latencies.append(time.time() - sent)

    readers = [asyncio.ensure_future(reader(ws)) for ws in sockets]
    began = time.time()
    for k in range(messages):
        await publisher.send(str(time.time()))
        await asyncio.sleep(max(0.0, began + (k + 1) / rate - time.time()))
    await asyncio.wait_for(asyncio.gather(*readers), 120)
    elapsed = time.time() - began
    latencies.sort()
    await asyncio.gather(*(ws.close() for ws in sockets))
    return {"delivered_per_s": len(latencies) / elapsed, "p50_ms": latencies[len(latencies) // 2] * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000, "deliveries": len(latencies)}


def run_fanout(subscribers: int = 1000, messages: int = 200, rate: float = 100.0) -> None:
    redis_port = free_port()
    redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    port = free_port()
    env = {"PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "PYXLE_ACCESS_LOG": "0"}
    server = start([sys.executable, "-m", "pyxle", "serve", str(project()), "--port", str(port), "--workers", "2"],
                   f"http://127.0.0.1:{port}/healthz", extra_env=env)
    try:
        result = asyncio.run(fanout(f"ws://127.0.0.1:{port}/api/room", subscribers, messages, rate))
        print(json.dumps({"bench": "fanout", "subscribers": subscribers, "rate": rate, **result}))
    finally:
        stop(server)
        redis.kill()


async def idle(url: str, post_url: str, n: int, pid: int) -> dict[str, float]:
    before = rss_kb(pid)
    sockets = await connect_many(url, n)
    await asyncio.sleep(1)
    after = rss_kb(pid)
    began = time.time()
    async with httpx.AsyncClient() as client:
        await client.post(post_url)
    await asyncio.wait_for(asyncio.gather(*(ws.recv() for ws in sockets)), 60)
    delivered = time.time() - began
    await asyncio.gather(*(ws.close() for ws in sockets))
    return {"sockets": n, "kb_per_socket": (after - before) / n, "all_delivered_s": delivered}


def run_idle(n: int = 10_000) -> None:
    port = free_port()
    server = start([sys.executable, "-m", "pyxle", "serve", str(project()), "--port", str(port), "--workers", "1"],
                   f"http://127.0.0.1:{port}/healthz", extra_env={"PYXLE_ACCESS_LOG": "0"})
    try:
        result = asyncio.run(idle(f"ws://127.0.0.1:{port}/api/room", f"http://127.0.0.1:{port}/api/room", n,
                                  server.pid))
        print(json.dumps({"bench": "idle", **result}))
    finally:
        stop(server)


if __name__ == "__main__":
    raise_fd_limit()
    what = sys.argv[1] if len(sys.argv) > 1 else "fanout"
    run_fanout() if what == "fanout" else run_idle()
