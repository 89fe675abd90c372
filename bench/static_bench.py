"""A 100 KB file from public/: `pyxle serve` against Starlette StaticFiles alone, both on granian.

    .venv/bin/python bench/static_bench.py [--rounds 3] [--seconds 5] [--connections 32]

"The same server" is granian for both, one worker; Pyxle's default stack (CSRF cookie,
security headers, access log) is on. Goal: ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, median, start, stop, wrk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "site"
        (project / "pages" / "api").mkdir(parents=True)
        (project / "public").mkdir()
        (project / "public" / "asset.bin").write_bytes(os.urandom(100 * 1024))
        contenders = {
            "starlette StaticFiles (granian)": (
                [py, "-m", "granian", "--interface", "asgi", "--port", "{port}", "--log-level", "warning",
                 "bench._static_baseline:app"], {"BENCH_PUBLIC_DIR": str(project / "public")}),
            "pyxle serve": ([py, "-m", "pyxle", "serve", str(project), "--port", "{port}"], {}),
        }
        results: dict[str, list[float]] = {name: [] for name in contenders}
        for round_no in range(args.rounds):
            for name, (cmd, extra) in contenders.items():
                port = free_port()
                url = f"http://127.0.0.1:{port}/asset.bin"
                proc = start([c.replace("{port}", str(port)) for c in cmd], url, cwd=REPO, extra_env=extra)
                try:
                    wrk(url, seconds=1, connections=args.connections)
                    r = wrk(url, seconds=args.seconds, connections=args.connections)
                finally:
                    stop(proc)
                results[name].append(r.rps)
                print(f"round {round_no + 1}: {name:<32} {r.rps:>8.0f} req/s  p50 {r.p50_ms:.2f} ms  p99 {r.p99_ms:.2f} ms",
                      flush=True)
        base = median(results["starlette StaticFiles (granian)"])
        print("\nmedian req/s and ratio to Starlette StaticFiles on granian:")
        for name, values in results.items():
            print(f"  {name:<32} {median(values):>8.0f} req/s  ratio {median(values) / base:.2f}")


if __name__ == "__main__":
    main()
