"""A file from public/: `pyxle serve` against Starlette StaticFiles alone, both on granian.

    .venv/bin/python bench/static_bench.py [--rounds 3] [--seconds 5] [--connections 32]
                                           [--sizes 100] [--against REF] [--text]

"The same server" is granian for both, one worker; Pyxle's default stack (CSRF, security
headers, request ids, access log) is on. For each size in ``--sizes`` (KB), the file is
served by each contender in turn; req/s and the server's CPU per request are printed with
their ratios to StaticFiles. ``--against REF`` adds `pyxle serve` as it is at git ``REF``
(its ``src/`` first on PYTHONPATH), for a before and after in one run. Goal (issue 3): ratio
>= 0.9. ``--text`` serves a stylesheet instead of random bytes, asked for with Chrome's
``Accept-Encoding``: Pyxle sends it compressed (brotli), StaticFiles as it is.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, median, server_cpu, source_tree, start, stop, wrk, wrk_with_cpu

BASELINE = "starlette StaticFiles (granian)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sizes", default="100", help="comma-separated file sizes in KB")
    parser.add_argument("--against", default="", help="a git ref to run as well, as 'pyxle serve (REF)'")
    parser.add_argument("--text", action="store_true", help="a stylesheet, asked for as a browser does (compressed)")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "site"
        (project / "pages" / "api").mkdir(parents=True)
        (project / "public").mkdir()
        sizes = [int(size) for size in args.sizes.split(",")]
        suffix = ".css" if args.text else ".bin"
        for size in sizes:
            (project / "public" / f"asset{size}{suffix}").write_bytes(stylesheet(size * 1024) if args.text
                                                                      else os.urandom(size * 1024))
        serve = [py, "-m", "pyxle", "serve", str(project), "--port", "{port}"]
        key = {"PYXLE_SECRET_KEY": "s" * 40}
        contenders = {
            BASELINE: ([py, "-m", "granian", "--interface", "asgi", "--port", "{port}", "--log-level", "warning",
                        "bench._static_baseline:app"], {"BENCH_PUBLIC_DIR": str(project / "public")}),
            "pyxle serve": (serve, {**key, "PYTHONPATH": str(REPO / "src")}),
        }
        if args.against:
            src = source_tree(args.against, Path(tmp))
            contenders[f"pyxle serve ({args.against})"] = (serve, {**key, "PYTHONPATH": f"{src}:{REPO}"})
        for size in sizes:
            run(contenders, f"/asset{size}{suffix}", args)


def stylesheet(size: int) -> bytes:
    """``size`` bytes of CSS rules, as repetitive as a real stylesheet (brotli 4: about a fifth)."""
    rules = "".join(f".c{i} {{ margin: {i % 17}px {i % 5}px; color: #{i * 2654435761 % 16**6:06x}; }}\n"
                    for i in range(size // 30 + 1))
    return rules.encode()[:size]


def run(contenders: dict[str, tuple[list[str], dict[str, str]]], path: str, args: argparse.Namespace) -> None:
    rps: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    headers = {"Accept-Encoding": "gzip, deflate, br, zstd"} if args.text else None
    for round_no in range(args.rounds):
        for name, (cmd, extra) in contenders.items():
            port = free_port()
            url = f"http://127.0.0.1:{port}{path}"
            proc = start([c.replace("{port}", str(port)) for c in cmd], url, cwd=REPO, extra_env=extra)
            try:
                wrk(url, seconds=1, connections=args.connections, headers=headers)
                result, usage = wrk_with_cpu(url, proc, seconds=args.seconds, connections=args.connections,
                                             headers=headers)
            finally:
                stop(proc)
            rps[name].append(result.rps)
            cpu[name].append(server_cpu(usage))
            print(f"{path} round {round_no + 1}: {name:<36} {result.rps:>8.0f} req/s  "
                  f"server CPU {cpu[name][-1]:6.1f} us/req", flush=True)
    base_rps, base_cpu = median(rps[BASELINE]), median(cpu[BASELINE])
    print(f"\n{path}: medians, and ratios to {BASELINE} (req/s, CPU per request)")
    for name in contenders:
        print(f"  {name:<36} {median(rps[name]):>8.0f} req/s  {median(cpu[name]):6.1f} us  "
              f"req/s x{median(rps[name]) / base_rps:.2f}  CPU x{median(cpu[name]) / base_cpu:.2f}\n", flush=True)


if __name__ == "__main__":
    main()
