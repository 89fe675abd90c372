"""Shared benchmark plumbing: start a server, wait for it, load it with wrk, stop it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed on first use."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get)...", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


def ssr_bundle(project: Path) -> Path:
    """The SSR bundle of ``project``'s dist/: the manifest names it (server/ssr.mjs for a Pyxle before it was hashed)."""
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    return project / "dist" / manifest.get("ssrBundle", "server/ssr.mjs")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: float


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("PYXLE_")}
    e["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    return e


def start(cmd: list[str], url: str, cwd: Path | None = None, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=cwd, env={**env(), **(extra_env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd} exited: {proc.stderr.read().decode() if proc.stderr else ''}")
    raise RuntimeError(f"{cmd} not ready")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wrk(url: str, *, seconds: int, connections: int, threads: int = 1, headers: dict[str, str] | None = None,
        script: Path | None = None) -> Result:
    """``script``: a wrk Lua script (e.g. one that POSTs a JSON body)."""
    cmd = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        cmd += ["-s", str(script)]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", out)
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[transfer.group(2)]

    def pct(name: str) -> float:
        m = re.search(rf"{name}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return Result(rps, pct("50"), pct("99"), float(transfer.group(1)) * scale / rps)


def _process_tree_cpu(root: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by ``root`` and its descendants, by command name."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
            stats[int(entry.name)] = (int(rest[1]), name, (int(rest[11]) + int(rest[12])) / tick)
    tree, found = {root}, True
    while found:
        found = False
        for pid, (ppid, _, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                found = True
    usage: dict[str, float] = {}
    for pid in tree & stats.keys():
        _, name, seconds = stats[pid]
        usage[name] = usage.get(name, 0.0) + seconds
    return usage


def _busy_cpu_seconds() -> float:
    """CPU seconds all cores have spent busy (not idle or waiting on I/O) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """CPU seconds used by this process's finished children (wrk, once it has exited)."""
    times = os.times()
    return times.children_user + times.children_system


def wrk_with_cpu(url: str, server: subprocess.Popen, *, seconds: int, connections: int,
                 headers: dict[str, str] | None = None) -> tuple[Result, dict[str, float]]:
    """``wrk`` plus where the machine's CPU went, in microseconds per request: each command of the
    server's process tree, wrk itself, and ``other`` (the kernel's network work, anything else running).
    Linux only (reads /proc)."""
    before_tree, before_busy = _process_tree_cpu(server.pid), _busy_cpu_seconds()
    before_wrk = _children_cpu_seconds()
    result = wrk(url, seconds=seconds, connections=connections, headers=headers)
    after_tree, after_busy = _process_tree_cpu(server.pid), _busy_cpu_seconds()
    wrk_cpu = _children_cpu_seconds() - before_wrk
    requests = result.rps * seconds
    per_request = {name: (after_tree[name] - before_tree.get(name, 0.0)) / requests * 1e6 for name in after_tree}
    per_request = {name: us for name, us in per_request.items() if us >= 0.5}
    per_request["wrk"] = wrk_cpu / requests * 1e6
    total = (after_busy - before_busy) / requests * 1e6
    per_request["other"] = max(0.0, total - sum(per_request.values()))
    per_request["total"] = total
    return result, per_request


def source_tree(ref: str, into: Path) -> Path:
    """Pyxle's ``src/`` as it is at git ``ref``, extracted under ``into``: put it first on
    PYTHONPATH to run that version against the working tree in the same run."""
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def server_cpu(cpu: dict[str, float]) -> float:
    """Microseconds per request of the server's own processes (Python and Node, not wrk), from
    ``wrk_with_cpu``."""
    return sum(us for process, us in cpu.items() if process not in ("wrk", "other", "total"))


def median(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def alternate(contenders: dict[str, tuple[list[str], dict[str, str]]], path: str, *, rounds: int, seconds: int,
              connections: int, baseline: str) -> None:
    """Run each contender in turn, ``rounds`` times, and print req/s medians and ratios to ``baseline``.

    Commands contain ``{port}``; each run gets a fresh server and a 1 s warm-up.
    """
    results: dict[str, list[float]] = {name: [] for name in contenders}
    for round_no in range(rounds):
        for name, (cmd, extra) in contenders.items():
            port = free_port()
            url = f"http://127.0.0.1:{port}{path}"
            proc = start([c.replace("{port}", str(port)) for c in cmd], url, cwd=REPO, extra_env=extra)
            try:
                wrk(url, seconds=1, connections=connections)
                r = wrk(url, seconds=seconds, connections=connections)
            finally:
                stop(proc)
            results[name].append(r.rps)
            print(f"round {round_no + 1}: {name:<32} {r.rps:>9.0f} req/s  p50 {r.p50_ms:.2f} ms  p99 {r.p99_ms:.2f} ms",
                  flush=True)
    base = median(results[baseline])
    print(f"\nmedian req/s and ratio to {baseline}:")
    for name, values in results.items():
        print(f"  {name:<32} {median(values):>9.0f} req/s  ratio {median(values) / base:.2f}")


# An API route answering a document as a constant (read once from the file ``BENCH_HTML`` names):
# the floor of what serving those bytes can cost, for cache_bench and compress_bench.
CONSTANT_HTML_ROUTE = """
import os
from starlette.responses import Response

_document: list[bytes] = []

async def get(request):
    if not _document:
        with open(os.environ["BENCH_HTML"], "rb") as f:
            _document.append(f.read())
    return Response(_document[0], media_type="text/html")
"""
