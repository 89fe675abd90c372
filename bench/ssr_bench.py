"""A server-rendered page (loader + ~100 elements in a layout) through `pyxle serve`, against the
render ceiling of the same bundle in a bare Node loop; and the demo's time to first answer.

    .venv/bin/python bench/ssr_bench.py [--seconds 5] [--connections 32]

Also measured in the same run: the floor, bare Starlette on granian answering the same HTML as a
constant, which bounds what any Python stack can reach here; and where the CPU went, in
microseconds per request for each process of the server (Python, Node), wrk and the rest
(read from /proc, so Linux only), against the budget the goal leaves: cores / (0.5 x ceiling).

Needs tests/node/node_modules (scripts/test.sh installs it). Goals: end-to-end req/s >= 50% of
the ceiling, p99 < 50 ms at 32 connections, the demo answering within 2 s of `pyxle serve`
(issue 5); CPU per request at most 2 x (the floor's + the bare render's) (issue 15).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env, free_port, ssr_bundle, start, stop, wrk, wrk_with_cpu

NODE_MODULES = REPO / "tests" / "node" / "node_modules"
LAYOUT = '''
@server
async def load(request):
    return {"site": "Bench"}

export default function Layout({ data, children }) {
  return <div><header><strong>{data.site}</strong><nav><a href="/">Home</a> <a href="/x">X</a></nav></header>
    <main>{children}</main><footer>footer</footer></div>
}
'''
PAGE = '''
@server
async def load(request):
    return {"items": [{"id": i, "name": f"Item {i}", "price": i * 1.5} for i in range(30)]}

export default function Page({ data }) {
  return (
    <section>
      <h1>Items</h1>
      <ul>
        {data.items.map((item) => (
          <li key={item.id}><span>{item.name}</span> <em>{item.price}</em></li>
        ))}
      </ul>
    </section>
  )
}
'''


def page_project(folder: Path) -> Path:
    """The benchmarked page and its layout, as a project under ``folder``."""
    project = folder / "ssr"
    (project / "pages").mkdir(parents=True)
    (project / "pages" / "layout.pyxl").write_text(LAYOUT)
    (project / "pages" / "index.pyxl").write_text(PAGE)
    (project / "node_modules").symlink_to(NODE_MODULES)
    return project


def render_ceiling(bundle: Path, props: dict, seconds: int) -> float:  # type: ignore[type-arg]
    """Renders per second of the page in a bare Node loop over the same SSR bundle."""
    with tempfile.TemporaryDirectory() as tmp:
        request = Path(tmp) / "request.json"
        request.write_text(json.dumps({"page": "index", "props": props, "routePath": "/"}))
        out = subprocess.run(["node", str(REPO / "bench" / "_render_ceiling.mjs"), str(bundle), str(request),
                              str(seconds)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["rendersPerSecond"]


def breakdown(cpu: dict[str, float]) -> str:
    names = sorted(cpu.keys() - {"wrk", "other", "total"}, key=lambda name: -cpu[name]) + ["wrk", "other"]
    parts = ", ".join(f"{name} {cpu[name]:.0f}" for name in names)
    return f"{cpu['total']:.0f} = {parts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = page_project(Path(tmp))
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        proc = start([sys.executable, "-m", "pyxle", "serve", str(project), "--port", str(port), "--no-access-log"],
                     url, cwd=REPO, extra_env={"PYXLE_SECRET_KEY": "b" * 40})
        try:
            html = httpx.get(url).text
            elements = html.split('id="pyxle-root">', 1)[1].split("</div><script", 1)[0].count("<") // 2
            wrk(url, seconds=1, connections=args.connections)
            result, cpu = wrk_with_cpu(url, proc, seconds=args.seconds, connections=args.connections)
            nav = httpx.get(url, headers={"x-pyxle-navigation": "1"}).json()
        finally:
            stop(proc)
        # The floor: bare Starlette on the same server (granian, one worker) sending that HTML as is.
        (Path(tmp) / "page.html").write_text(html)
        port = free_port()
        proc = start([sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop", "--port", str(port),
                      "--log-level", "warning", "bench._constant_html:app"], f"http://127.0.0.1:{port}/", cwd=REPO,
                     extra_env={"BENCH_HTML": str(Path(tmp) / "page.html")})
        try:
            wrk(f"http://127.0.0.1:{port}/", seconds=1, connections=args.connections)
            floor, floor_cpu = wrk_with_cpu(f"http://127.0.0.1:{port}/", proc, seconds=args.seconds,
                                            connections=args.connections)
        finally:
            stop(proc)
        ceiling = render_ceiling(ssr_bundle(project), nav["props"], args.seconds)

        demo = Path(tmp) / "demo"
        shutil.copytree(REPO / "examples" / "demo", demo,
                        ignore=shutil.ignore_patterns("node_modules", "data", ".pyxle-build", "dist", "__pycache__"))
        (demo / "node_modules").symlink_to(NODE_MODULES)
        subprocess.run([sys.executable, "-m", "pyxle", "build", str(demo)], env=env(), check=True,
                       capture_output=True)
        port = free_port()
        began = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "pyxle", "serve", str(demo), "--port", str(port)], cwd=REPO,
                                env={**env(), "DEMO_DB_PATH": str(Path(tmp) / "demo.sqlite3")},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.02)
            startup = time.monotonic() - began
        finally:
            stop(proc)

    print(f"page: {elements} elements in a layout, {result.bytes_per_response:.0f} bytes per response")
    print(f"pyxle serve (1 worker, default SSR workers): {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, "
          f"p99 {result.p99_ms:.2f} ms at {args.connections} connections")
    print(f"render ceiling (bare Node loop, one process): {ceiling:.0f} renders/s")
    print(f"end-to-end / ceiling: {result.rps / ceiling:.2f} (goal >= 0.50); p99 goal < 50 ms")
    print(f"floor: bare Starlette on granian sending the same HTML as a constant: {floor.rps:.0f} req/s, "
          f"{floor.rps / ceiling:.2f} of the ceiling; pyxle serve reaches {result.rps / floor.rps:.2f} of it")
    cores = os.cpu_count() or 1
    print(f"CPU per request, all {cores} cores (us): {breakdown(cpu)}")
    print(f"CPU per request of the floor (us): {breakdown(floor_cpu)}")
    print(f"CPU budget per request at the goal ({cores} cores / (0.5 x ceiling)): {cores * 2e6 / ceiling:.0f} us")
    # Issue 15: against the floor's CPU plus the render alone (one core of the ceiling). "total" counts
    # every busy core, other load on the machine included; "own" only the server's processes and wrk.
    render = 1e6 / ceiling
    for label, mine, floors in (("total", cpu["total"], floor_cpu["total"]),
                                ("own", cpu["total"] - cpu["other"], floor_cpu["total"] - floor_cpu["other"])):
        print(f"CPU per request ({label}) against (floor + bare render) = {floors:.0f} + {render:.0f} us: "
              f"{mine:.0f} us, {mine / (floors + render):.2f} x (issue 15 goal <= 2)")
    print(f"demo: first 200 from / {startup:.2f} s after `pyxle serve` started (built beforehand; goal < 2 s)")


if __name__ == "__main__":
    main()
