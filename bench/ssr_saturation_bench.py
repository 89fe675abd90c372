"""Saturation: 4x more concurrent page requests than the SSR workers can render within the timeout.

    .venv/bin/python bench/ssr_saturation_bench.py [--against main] [--seconds 10] [--render-ms 20]

A page whose component renders in ``--render-ms`` (a busy loop), `pyxle serve` with one server
worker, 2 SSR workers and a 1 s render timeout: they render 2 x 1000 / render-ms pages within the
timeout, and wrk (``--timeout 30s``) keeps four times that many requests in flight. Contenders: the
version at ``--against`` (before), and the working tree with its default queue and with a small
one. For each: answers per status, requests wrk gave up on (no answer in 30 s), throughput of
200s and wrk's latency percentiles; while it runs, a probe client times single requests, so the
latency of a 503 is measured apart from the 200s. Goals: no 5xx but 503, and 503s answered fast.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, ensure_wrk, env, free_port, median, source_tree, start, stop

NODE_MODULES = REPO / "tests" / "node" / "node_modules"
PAGE = '''
@server
async def load(request):
    return {"ms": %d}

export default function Page({ data }) {
  const end = Date.now() + data.ms
  while (Date.now() < end) {}
  return <p>rendered in {data.ms} ms</p>
}
'''


def project(folder: Path, render_ms: int) -> Path:
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "index.pyxl").write_text(PAGE % render_ms)
    (folder / "node_modules").symlink_to(NODE_MODULES)
    return folder


def load(url: str, connections: int, seconds: int) -> dict[str, object]:
    out = subprocess.run([ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
                          "-s", str(REPO / "bench" / "_status_counts.lua"), url],
                         capture_output=True, text=True, check=True).stdout
    statuses = {int(k): int(v) for k, v in re.findall(r"(\d+)=(\d+)", out.split("STATUSES", 1)[1])}
    gave_up = re.search(r"timeout (\d+)", out)
    p50, p99 = (re.search(rf"{p}%\s+([\d.]+\w+)", out).group(1) for p in ("50", "99"))  # type: ignore[union-attr]
    return {"statuses": statuses, "gave_up": int(gave_up.group(1)) if gave_up else 0, "p50": p50, "p99": p99}


def probe(url: str, stop_at: float, seen: list[tuple[int, float]]) -> None:
    """Single requests, one after another, while wrk keeps the server saturated."""
    while time.monotonic() < stop_at:
        began = time.monotonic()
        try:
            status = httpx.get(url, timeout=30).status_code
        except httpx.HTTPError:
            status = 0
        seen.append((status, time.monotonic() - began))
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", default="main", help="git ref of the version to compare with")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--render-ms", type=int, default=20)
    parser.add_argument("--small-queue", type=int, default=40)
    args = parser.parse_args()
    ssr_workers, timeout = 2, 1.0
    connections = 4 * int(ssr_workers * timeout * 1000 / args.render_ms)
    with tempfile.TemporaryDirectory() as tmp:
        before = str(source_tree(args.against, Path(tmp)))
        contenders = {
            f"before ({args.against})": (before, []),
            "after, default queue": (str(REPO / "src"), []),
            f"after, --ssr-queue {args.small_queue}": (str(REPO / "src"), ["--ssr-queue", str(args.small_queue)]),
        }
        print(f"page rendering in {args.render_ms} ms; {ssr_workers} SSR workers, timeout {timeout:g} s: "
              f"{connections // 4} renders per timeout; {connections} connections\n")
        for index, (name, (src, flags)) in enumerate(contenders.items()):
            path = {"PYTHONPATH": f"{src}:{REPO}", "PYXLE_SECRET_KEY": "b" * 40, "PYXLE_SSR_TIMEOUT": f"{timeout:g}"}
            site = project(Path(tmp) / f"site{index}", args.render_ms)
            subprocess.run([sys.executable, "-m", "pyxle", "build", str(site)], check=True, capture_output=True,
                           env={**env(), **path})
            port = free_port()
            url = f"http://127.0.0.1:{port}/"
            proc = start([sys.executable, "-m", "pyxle", "serve", str(site), "--port", str(port), "--no-access-log",
                          "--skip-build", "--ssr-workers", str(ssr_workers), *flags], url, cwd=REPO, extra_env=path)
            seen: list[tuple[int, float]] = []
            try:
                prober = threading.Thread(target=probe, args=(url, time.monotonic() + args.seconds, seen))
                prober.start()
                result = load(url, connections, args.seconds)
                prober.join()
            finally:
                stop(proc)
            statuses: dict[int, int] = result["statuses"]  # type: ignore[assignment]
            counts = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
            fast = [seconds * 1000 for status, seconds in seen if status == 503]
            ok = [seconds * 1000 for status, seconds in seen if status == 200]
            print(f"{name}\n  answers {counts}; no answer within 30 s: {result['gave_up']}\n"
                  f"  200s per second {statuses.get(200, 0) / args.seconds:.0f}; wrk latency p50 {result['p50']}, "
                  f"p99 {result['p99']}\n  probe: {len(ok)} x 200 (median {median(ok) if ok else 0:.0f} ms), "
                  f"{len(fast)} x 503 (median {median(fast) if fast else 0:.0f} ms), "
                  f"{sum(1 for status, _ in seen if status not in (200, 503))} other", flush=True)


if __name__ == "__main__":
    main()
