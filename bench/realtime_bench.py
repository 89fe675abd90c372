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
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvloop

from bench._harness import free_port, start, stop
from bench._ws_load import Socket, connect_many

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
    await publish("bench", (await request.body()).decode() or str(time.time()))
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


class Dialect:
    """How a contender's sockets say hello and carry a timestamped message (Pyxle and 0.9.4: bare text)."""

    path = "/api/room"

    def publish(self, stamp: str) -> bytes:
        return stamp.encode()

    def handle(self, sock: Socket, payload: bytes) -> float | None:
        """The message's timestamp, or None for the hello (``sock.joined`` is then set)."""
        if payload == b"ready":
            sock.joined = True  # type: ignore[attr-defined]
            return None
        return float(payload)


class SocketIODialect(Dialect):
    """Engine.IO 4 over a WebSocket: open packet, namespace connect, ``42[event, data]``, pings."""

    path = "/socket.io/?EIO=4&transport=websocket"

    def publish(self, stamp: str) -> bytes:
        return b'42["pub","' + stamp.encode() + b'"]'

    def handle(self, sock: Socket, payload: bytes) -> float | None:
        if payload.startswith(b'42["msg"'):
            return float(payload[10:-2])
        if payload.startswith(b"0{"):
            sock.write(b"40")
        elif payload.startswith(b"40"):
            sock.joined = True  # type: ignore[attr-defined]
        elif payload == b"2":
            sock.write(b"3")
        return None


async def fanout(url: str, dialect: Dialect, subscribers: int, rate: float, seconds: float,
                 burst: int) -> dict[str, float]:
    """Phase 1: ``rate`` messages/s for ``seconds`` (latency). Phase 2: ``burst`` messages written
    back to back (delivered messages/s at saturation). The publisher is one of the subscribers."""
    latencies: list[float] = []
    last = [0.0]

    def on_text(sock: Socket, payload: bytes, now: float) -> None:
        stamp = dialect.handle(sock, payload)
        if stamp is not None:
            latencies.append(now - stamp)
            last[0] = now

    sockets = await connect_many(url, subscribers, on_text)
    deadline = time.monotonic() + 60
    while not all(getattr(s, "joined", False) for s in sockets):
        assert time.monotonic() < deadline, "subscribers did not join"
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)  # every worker's subscription in place
    publisher = sockets[0]

    async def wait_for(expected: int, timeout: float) -> None:
        end = time.monotonic() + timeout
        while len(latencies) < expected and time.monotonic() < end:
            await asyncio.sleep(0.01)

    messages = int(rate * seconds)
    began = time.time()
    for k in range(messages):
        publisher.write(dialect.publish(repr(time.time())))
        await asyncio.sleep(max(0.0, began + (k + 1) / rate - time.time()))
    await wait_for(messages * subscribers, 60)
    paced = sorted(latencies)
    paced_count = len(paced)

    latencies.clear()
    await asyncio.sleep(0.5)
    began = time.time()
    for _ in range(burst):
        publisher.write(dialect.publish(repr(time.time())))
    await wait_for(burst * subscribers, 120)
    burst_time = last[0] - began
    for sock in sockets:
        sock.close()
    closed = sum(1 for s in sockets if s.closed.done() and s.closed.result() != 1000)
    return {
        "paced_delivered": paced_count / (messages * subscribers),
        "p50_ms": paced[len(paced) // 2] * 1000 if paced else float("nan"),
        "p99_ms": paced[int(len(paced) * 0.99)] * 1000 if paced else float("nan"),
        "burst_delivered": len(latencies) / (burst * subscribers),
        "burst_msgs_per_s": len(latencies) / burst_time if burst_time > 0 else 0.0,
        "burst_p99_ms": sorted(latencies)[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "dropped_sockets": closed,
    }


V094_ROOM = """
from pyxle.realtime import channel

async def websocket(ws):
    await ws.accept()
    async with channel(ws, "bench") as room:
        await ws.send_text("ready")
        while True:
            await room.publish(await ws.receive_text())
"""
CACHE = Path.home() / ".cache" / "pyxle-bench"


def venv(env_name: str, name: str, packages: list[str]) -> Path:
    """The contender's own venv: ``$env_name`` if set, else one built once under ~/.cache/pyxle-bench."""
    given = os.environ.get(env_name)
    if given:
        return Path(given)
    path = CACHE / name
    if not (path / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "pip"), "install", "-q", *packages], check=True)
    return path


def v094_app(env_dir: Path) -> Path:
    """A pyxle-framework 0.9.4 project (its own scaffold, built once) with the bench room at /api/room."""
    root = CACHE / "v094-app"
    if not (root / "dist" / "page-manifest.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(env_dir / "bin" / "pyxle"), "init", root.name], cwd=root.parent, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=root, check=True, stdout=subprocess.DEVNULL)
        (root / "pages" / "api" / "room.py").write_text(V094_ROOM)
        subprocess.run([str(env_dir / "bin" / "pyxle"), "build", "."], cwd=root, check=True, stdout=subprocess.DEVNULL)
    return root


def serve_contender(name: str, redis_url: str, port: int) -> tuple[subprocess.Popen, Dialect]:
    """Start contender ``name`` with 2 workers on ``port``, sharing the Redis at ``redis_url``."""
    health = f"http://127.0.0.1:{port}/"
    if name == "pyxle":
        env = {"PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": redis_url, "PYXLE_ACCESS_LOG": "0",
               "PYXLE_SECRET_KEY": os.urandom(32).hex()}  # shared state: serve refuses to start without one
        cmd = [sys.executable, "-m", "pyxle", "serve", str(project()), "--port", str(port), "--workers", "2"]
        return start(cmd, f"http://127.0.0.1:{port}/healthz", extra_env=env), Dialect()
    if name.startswith(("pyxle granian", "pyxle uvicorn")):  # Pyxle's app under a server's own CLI
        env = {"PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": redis_url, "PYXLE_ACCESS_LOG": "0",
               **app_env()}
        return start(server_cmd(name.split()[1:], port, workers=2), f"http://127.0.0.1:{port}/healthz",
                     extra_env=env), Dialect()
    if name == "pyxle 0.9.4":
        env_dir = venv("PYXLE_BENCH_V094", "v094", ["pyxle-framework==0.9.4", "redis"])
        env = {"PYXLE_REALTIME_BROKER": "redis", "PYXLE_REALTIME_REDIS_URL": redis_url, "PYTHONPATH": "",
               "PYXLE_SECRET_KEY": os.urandom(32).hex()}
        cmd = [str(env_dir / "bin" / "pyxle"), "serve", str(v094_app(env_dir)), "--port", str(port), "--workers", "2",
               "--skip-build"]
        return start(cmd, health, extra_env=env), Dialect()
    env_dir = venv("PYXLE_BENCH_SOCKETIO", "socketio", ["python-socketio", "redis", "uvicorn[standard]"])
    cmd = [str(env_dir / "bin" / "uvicorn"), "_socketio_room:app", "--app-dir", str(Path(__file__).parent),
           "--port", str(port), "--workers", "2", "--log-level", "warning", "--no-access-log"]
    return start(cmd, health, extra_env={"BENCH_REDIS_URL": redis_url, "PYTHONPATH": ""}), SocketIODialect()


def app_env() -> dict[str, str]:
    """What ``pyxle serve`` hands its workers, for running ``pyxle.app:worker_app`` under another CLI."""
    return {"PYXLE_PROJECT_ROOT": str(project()), "PYXLE_MODE": "production", "PYXLE_SECRET_KEY": os.urandom(32).hex()}


def server_cmd(spec: list[str], port: int, workers: int) -> list[str]:
    """``["granian", *options]`` or ``["uvicorn", *options]`` serving Pyxle's worker app."""
    server, options = spec[0], spec[1:]
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--port", str(port),
                "--workers", str(workers), "--no-log", *options, "pyxle.app:worker_app"]
    return [sys.executable, "-m", "uvicorn", "--factory", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log", "--ws-ping-interval", "0", *options, "pyxle.app:worker_app"]


CONTENDERS = ("pyxle", "pyxle 0.9.4", "python-socketio")


def run_fanout(names: tuple[str, ...] = CONTENDERS, subscribers: int = 1000, rate: float = 20.0,
               seconds: float = 5.0, burst: int = 200, rounds: int = 2) -> None:
    """Each contender in turn on a fresh Redis, the same client and workload, ``rounds`` times in
    alternating order (the machine's load drifts); the median of each, and ratios against Pyxle."""
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else tuple(reversed(names)):
            redis_port = free_port()
            redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
            port = free_port()
            server = None
            try:  # a server that fails to start must not leave its redis-server behind
                server, dialect = serve_contender(name, f"redis://127.0.0.1:{redis_port}/0", port)
                result = uvloop.run(fanout(f"ws://127.0.0.1:{port}{dialect.path}", dialect, subscribers, rate,
                                           seconds, burst))
            finally:
                if server is not None:
                    stop(server)
                redis.kill()
                redis.wait()
            results[name].append(result)
            print(json.dumps({"bench": "fanout", "server": name, "subscribers": subscribers, "rate": rate, **result}),
                  flush=True)
    medians = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
               for name, runs in results.items()}
    for name, median in medians.items():
        print(f"{name:40} {median['burst_msgs_per_s']:>9,.0f} delivered msgs/s   p50 {median['p50_ms']:7.1f} ms"
              f"   p99 {median['p99_ms']:7.1f} ms   (median of {rounds})")
    ours = medians.get(names[0])
    for name, other in medians.items():
        if ours and name != names[0] and other["burst_msgs_per_s"]:
            print(f"{names[0]} / {name}: {ours['burst_msgs_per_s'] / other['burst_msgs_per_s']:.2f}x delivered msgs/s")


async def idle(url: str, post_url: str, n: int, pid: int) -> dict[str, float]:
    """Open ``n`` sockets, then one POST publishes a message to all of them."""
    got: list[float] = []

    def on_text(sock: Socket, payload: bytes, now: float) -> None:
        if payload != b"ready":
            got.append(now)

    before = tree_rss_kb(pid)
    began = time.monotonic()
    sockets = await connect_many(url, n, on_text, batch=100)
    while sum(s.received for s in sockets) < n and time.monotonic() - began < 120:
        await asyncio.sleep(0.05)  # every "ready": each handler is subscribed
    opened = time.monotonic() - began
    n = sum(1 for s in sockets if s.received)  # (uvicorn's websockets now and then loses one)
    await asyncio.sleep(2)
    after = tree_rss_kb(pid)
    began = time.time()
    async with httpx.AsyncClient(timeout=60) as client:
        await client.post(post_url, content=repr(began))
    while len(got) < n and time.time() - began < 60:
        await asyncio.sleep(0.005)
    delivered = max(got) - began if len(got) == n else float("inf")
    for sock in sockets:
        sock.close()
    return {"sockets": n, "kb_per_socket": round((after - before) / n, 1), "open_s": round(opened, 2),
            "all_delivered_s": round(delivered, 3)}


def tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True, check=True).stdout
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    tree, total, grew = {pid}, 0, True
    while grew:
        grew = False
        for child, parent, _ in rows:
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    for child, _, rss in rows:
        if child in tree:
            total += rss
    return total


def idle_server(name: str, port: int) -> tuple[subprocess.Popen, str, str]:
    """One worker of ``name``; its WebSocket URL and the URL a POST publishes to all sockets from."""
    base = f"127.0.0.1:{port}"
    if name == "pyxle":
        cmd = [sys.executable, "-m", "pyxle", "serve", str(project()), "--port", str(port), "--workers", "1"]
        proc = start(cmd, f"http://{base}/healthz", extra_env={"PYXLE_ACCESS_LOG": "0"})
        return proc, f"ws://{base}/api/room", f"http://{base}/api/room"
    if name.startswith(("pyxle granian", "pyxle uvicorn")):
        proc = start(server_cmd(name.split()[1:], port, workers=1), f"http://{base}/healthz",
                     extra_env={"PYXLE_ACCESS_LOG": "0", **app_env()})
        return proc, f"ws://{base}/api/room", f"http://{base}/api/room"
    bench_dir = str(Path(__file__).parent)
    if name.startswith("granian"):
        extra = name.split()[2:]  # e.g. "granian bare --http1-buffer-size 8192"
        cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--port", str(port), "--workers", "1",
               "--no-log", *extra, "_bare_ws:app"]
        proc = start(cmd, f"http://{base}/", cwd=Path(bench_dir))
    else:  # "uvicorn websockets" / "uvicorn wsproto", from the python-socketio venv (it has both)
        env_dir = venv("PYXLE_BENCH_SOCKETIO", "socketio", ["python-socketio", "redis", "uvicorn[standard]", "wsproto"])
        cmd = [str(env_dir / "bin" / "uvicorn"), "_bare_ws:app", "--app-dir", bench_dir, "--port", str(port),
               "--ws", name.split()[1], "--log-level", "warning", "--no-access-log", "--ws-ping-interval", "0"]
        proc = start(cmd, f"http://{base}/", extra_env={"PYTHONPATH": ""})
    return proc, f"ws://{base}/", f"http://{base}/"


IDLE_SERVERS = ("pyxle", "granian bare", "uvicorn websockets", "uvicorn wsproto")


def run_idle(names: tuple[str, ...] = IDLE_SERVERS, n: int = int(os.environ.get("BENCH_SOCKETS", "10000"))) -> None:
    for name in names:
        port = free_port()
        server, url, post_url = idle_server(name, port)
        try:
            result = uvloop.run(idle(url, post_url, n, server.pid))
        finally:
            stop(server)
        print(json.dumps({"bench": "idle", "server": name, **result}), flush=True)


if __name__ == "__main__":
    raise_fd_limit()
    what = sys.argv[1] if len(sys.argv) > 1 else "fanout"
    if what == "fanout":
        run_fanout(tuple(sys.argv[2:]) or CONTENDERS, rounds=int(os.environ.get("BENCH_ROUNDS", "2")))
    else:
        run_idle(tuple(sys.argv[2:]) or IDLE_SERVERS)
