"""The working tree against an earlier version, in one run: a server-rendered page and GET /api/hello
through `pyxle serve` (wrk), and the SSR pool alone (bench/ssr_pool_bench.py, no HTTP).

    .venv/bin/python bench/before_after.py [--against main] [--rounds 4] [--seconds 4] [--config JSON]

Both versions serve the page of bench/ssr_bench.py, each from its own copy of the project built by
itself; rounds alternate between them, each going first in every other round, so drift on a shared
machine hits both alike. The figures
that matter are the ratios of medians (after / before), of throughput and of the CPU the server's
processes (Python and Node) spend per request, which other load on the machine disturbs less.
``--config``: a ``pyxle.config.json`` for both projects (request ids and metrics:
``'{"observability": {"metricsEndpoint": true, "metricsEndpointToken": "t"}}'``); none by default.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env, free_port, median, server_cpu, source_tree, ssr_bundle, start, stop, wrk, wrk_with_cpu
from ssr_bench import page_project

HELLO = "async def get(request):\n    return {'message': 'Hello, world!'}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", default="main", help="git ref of the version to compare with")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--config", default="", help="pyxle.config.json for both projects (JSON)")
    args = parser.parse_args()
    config = json.loads(args.config) if args.config else None
    with tempfile.TemporaryDirectory() as tmp:
        versions = {f"before ({args.against})": str(source_tree(args.against, Path(tmp))),
                    "after (working tree)": str(REPO / "src")}
        projects: dict[str, Path] = {}
        for index, (name, src) in enumerate(versions.items()):
            projects[name] = page_project(Path(tmp) / f"v{index}")
            (projects[name] / "pages" / "api").mkdir()
            (projects[name] / "pages" / "api" / "hello.py").write_text(HELLO)
            if config is not None:
                (projects[name] / "pyxle.config.json").write_text(json.dumps(config))
            subprocess.run([sys.executable, "-m", "pyxle", "build", str(projects[name])], check=True,
                           capture_output=True, env={**env(), "PYTHONPATH": f"{src}:{REPO}"})
        page: dict[str, list[float]] = {name: [] for name in versions}
        page_cpu: dict[str, list[float]] = {name: [] for name in versions}
        api: dict[str, list[float]] = {name: [] for name in versions}
        api_cpu: dict[str, list[float]] = {name: [] for name in versions}
        pool: dict[str, list[float]] = {name: [] for name in versions}
        pool_cpu: dict[str, list[float]] = {name: [] for name in versions}
        for round_no in range(args.rounds):
            # ABBA: each version goes first in every other round, so whatever the order favours cancels out
            order = list(versions.items())
            for name, src in order if round_no % 2 == 0 else order[::-1]:
                path = {"PYTHONPATH": f"{src}:{REPO}", "PYXLE_SECRET_KEY": "b" * 40}
                port = free_port()
                url = f"http://127.0.0.1:{port}/"
                proc = start([sys.executable, "-m", "pyxle", "serve", str(projects[name]), "--port", str(port),
                              "--no-access-log", "--skip-build"], url, cwd=REPO, extra_env=path)
                try:
                    wrk(url, seconds=1, connections=args.connections)
                    result, cpu = wrk_with_cpu(url, proc, seconds=args.seconds, connections=args.connections)
                    wrk(url + "api/hello", seconds=1, connections=args.connections)
                    hello, hello_cpu = wrk_with_cpu(url + "api/hello", proc, seconds=args.seconds,
                                                    connections=args.connections)
                finally:
                    stop(proc)
                page[name].append(result.rps)
                page_cpu[name].append(server_cpu(cpu))
                api[name].append(hello.rps)
                api_cpu[name].append(server_cpu(hello_cpu))
                out = subprocess.run([sys.executable, str(REPO / "bench" / "ssr_pool_bench.py"), "--seconds",
                                      str(args.seconds), "--bundle", str(ssr_bundle(projects[name]))],
                                     capture_output=True, text=True, check=True, env={**env(), **path}).stdout
                measured = json.loads(out.strip().splitlines()[-1])
                pool[name].append(measured["renders_per_second"])
                pool_cpu[name].append(measured["cpu_us"]["python"] + measured["cpu_us"]["node"])
                print(f"round {round_no + 1}: {name:<22} page {result.rps:>7.0f} req/s (p99 {result.p99_ms:.1f} ms, "
                      f"server CPU {page_cpu[name][-1]:.0f} us)   /api/hello {hello.rps:>7.0f} req/s "
                      f"({api_cpu[name][-1]:.0f} us)   pool alone {pool[name][-1]:>7.0f} renders/s, CPU per render {pool_cpu[name][-1]:.0f} us "
                      f"(python {measured['cpu_us']['python']:.0f}, node {measured['cpu_us']['node']:.0f})",
                      flush=True)
    before, after = versions
    for label, figures in (("page through pyxle serve (req/s)", page),
                           ("page: server CPU per request (us, python + node)", page_cpu),
                           ("GET /api/hello (req/s)", api), ("GET /api/hello: server CPU per request (us)", api_cpu),
                           ("SsrPool alone (renders/s)", pool),
                           ("SsrPool alone, CPU per render (us, python + node)", pool_cpu)):
        print(f"\n{label}: before {median(figures[before]):.0f}, after {median(figures[after]):.0f}, "
              f"after / before {median(figures[after]) / median(figures[before]):.2f}")


if __name__ == "__main__":
    main()
