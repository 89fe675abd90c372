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
from _harness import alternate


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
        alternate(contenders, "/asset.bin", rounds=args.rounds, seconds=args.seconds, connections=args.connections,
                  baseline="starlette StaticFiles (granian)")

if __name__ == "__main__":
    main()
