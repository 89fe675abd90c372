"""Streaming SSR: time to first byte of a page whose Suspense child waits 1 s, `pyxle serve` against
Next.js (App Router, `next start`) serving the same page, at 32 connections, in one run.

    (mkdir -p /tmp/next-bench && cd /tmp/next-bench && npm install next@15 react@19 react-dom@19)
    .venv/bin/python bench/stream_bench.py --next-modules /tmp/next-bench/node_modules [--rounds 2] [--seconds 10]

The page: a heading and a list of 30 items (the shell), and a `<Suspense>` whose child waits 1 s
(Pyxle: a promise read with React's `use`; Next.js: an async server component). Each of the 32
connections asks for it again as soon as its last answer ended (a new connection each time,
`Connection: close`), for `--seconds`; the client, Python asyncio on raw sockets, notes when the
first byte of the answer arrived, when the shell (the fallback) had arrived, and when the answer
ended. Rounds alternate between the two servers. Goal (issue 15): Pyxle's time to first byte at
most half of Next's. Without `--next-modules`, Pyxle alone is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env, free_port, start, stop
from ssr_bench import NODE_MODULES

PYXLE_PAGE = '''
@server
async def load(request):
    return {"delay": 1000, "items": [{"id": i, "name": f"Item {i}", "price": i * 1.5} for i in range(30)]}

import React, { Suspense, use } from 'react'

const waits = new WeakMap()  // one wait per render
function Slow({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, data.delay)))
  use(promise)
  return <p id="slow">the slow part</p>
}

export default function Page({ data }) {
  return (
    <main>
      <h1 id="shell">The shell</h1>
      <ul>{data.items.map((item) => <li key={item.id}><span>{item.name}</span> <em>{item.price}</em></li>)}</ul>
      <Suspense fallback={<p id="fallback">loading the slow part</p>}><Slow data={data} /></Suspense>
    </main>
  )
}
'''
NEXT_LAYOUT = '''
export default function RootLayout({ children }) {
  return <html lang="en"><body>{children}</body></html>
}
'''
NEXT_PAGE = '''
import { Suspense } from 'react'
export const dynamic = 'force-dynamic'

async function Slow() {
  await new Promise((resolve) => setTimeout(resolve, 1000))
  return <p id="slow">the slow part</p>
}

export default function Page() {
  const items = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `Item ${i}`, price: i * 1.5 }))
  return (
    <main>
      <h1 id="shell">The shell</h1>
      <ul>{items.map((item) => <li key={item.id}><span>{item.name}</span> <em>{item.price}</em></li>)}</ul>
      <Suspense fallback={<p id="fallback">loading the slow part</p>}><Slow /></Suspense>
    </main>
  )
}
'''


async def one(port: int) -> tuple[float, float, float]:
    """(first byte, shell, end) of one answer, in seconds from sending the request."""
    began = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
    await writer.drain()
    first = shell = None
    seen = b""
    while True:
        data = await reader.read(65536)
        if not data:
            break
        now = time.monotonic() - began
        first = now if first is None else first
        seen += data
        if shell is None and b"loading the slow part" in seen:
            shell = now
    writer.close()
    assert b"the slow part</p>" in seen and seen.startswith(b"HTTP/1.1 200"), seen[:300]
    return first, shell if shell is not None else float("nan"), time.monotonic() - began


async def load(port: int, connections: int, seconds: float) -> list[tuple[float, float, float]]:
    samples: list[tuple[float, float, float]] = []
    until = time.monotonic() + seconds

    async def connection() -> None:
        while time.monotonic() < until:
            samples.append(await one(port))

    await asyncio.gather(*(connection() for _ in range(connections)))
    return samples


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] * 1000


def pyxle_server(tmp: Path) -> tuple[list[str], Path, dict[str, str]]:
    project = tmp / "pyxle"
    (project / "pages").mkdir(parents=True)
    (project / "pages" / "index.pyxl").write_text(PYXLE_PAGE)
    (project / "node_modules").symlink_to(NODE_MODULES)
    subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], check=True, capture_output=True, env=env())
    return ([sys.executable, "-m", "pyxle", "serve", str(project), "--port", "{port}", "--no-access-log",
             "--skip-build"], REPO, {"PYXLE_SECRET_KEY": "b" * 40})


def next_server(tmp: Path, modules: Path) -> tuple[list[str], Path, dict[str, str]]:
    app = tmp / "next"
    (app / "app").mkdir(parents=True)
    (app / "app" / "layout.js").write_text(NEXT_LAYOUT)
    (app / "app" / "page.js").write_text(NEXT_PAGE)
    (app / "package.json").write_text('{"private": true}')
    (app / "node_modules").symlink_to(modules.resolve())
    next_bin = str(app / "node_modules" / "next" / "dist" / "bin" / "next")
    print("next build ...", flush=True)
    subprocess.run(["node", next_bin, "build"], cwd=app, check=True, capture_output=True,
                   env={**env(), "NEXT_TELEMETRY_DISABLED": "1"})
    return (["node", next_bin, "start", "-p", "{port}", "-H", "127.0.0.1"], app,
            {"NEXT_TELEMETRY_DISABLED": "1", "NODE_ENV": "production"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--next-modules", type=Path, help="a node_modules holding next, react and react-dom")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        servers = {"pyxle serve": pyxle_server(Path(tmp))}
        if args.next_modules:
            servers["next start"] = next_server(Path(tmp), args.next_modules)
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in servers}
        for round_no in range(args.rounds):
            for name, (cmd, cwd, extra) in servers.items():
                port = free_port()
                proc = start([c.replace("{port}", str(port)) for c in cmd], f"http://127.0.0.1:{port}/no-such-page",
                             cwd=cwd, extra_env=extra)
                try:
                    asyncio.run(load(port, args.connections, 2))  # warm-up
                    got = asyncio.run(load(port, args.connections, args.seconds))
                finally:
                    stop(proc)
                samples[name] += got
                first = [s[0] for s in got]
                print(f"round {round_no + 1}: {name:<12} {len(got)} answers, first byte p50 {pct(first, 50):.1f} ms "
                      f"p99 {pct(first, 99):.1f} ms", flush=True)
    print(f"\n{args.connections} connections, {args.rounds} rounds of {args.seconds:.0f} s each (ms):")
    print(f"  {'':<12} {'answers':>7} {'first byte p50':>15} {'p90':>7} {'p99':>7} {'shell p50':>10} {'end p50':>8}")
    for name, got in samples.items():
        first, shell, end = ([s[i] for s in got] for i in range(3))
        print(f"  {name:<12} {len(got):>7} {pct(first, 50):>15.1f} {pct(first, 90):>7.1f} {pct(first, 99):>7.1f} "
              f"{pct(shell, 50):>10.1f} {pct(end, 50):>8.1f}")
    if "next start" in samples:
        ours, theirs = ([s[0] for s in samples[name]] for name in ("pyxle serve", "next start"))
        print(f"first byte p50, pyxle / next: {pct(ours, 50) / pct(theirs, 50):.2f} (goal <= 0.50); "
              f"p99: {pct(ours, 99) / pct(theirs, 99):.2f}")


if __name__ == "__main__":
    main()
