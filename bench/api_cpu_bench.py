"""Server CPU per API request: `GET /api/hello` on Pyxle's stacks against a bare ASGI callable
answering the same bytes on the same server (granian, one worker), alternating runs.

    .venv/bin/python bench/api_cpu_bench.py [--rounds 3] [--seconds 5] [--connections 32] [--page]
                                            [--only "all off,ids + metrics"]

CPU is counted over each server's whole process group (user + system, from /proc), per request.
Contenders: the bare callable; the same with the five headers Pyxle's default stack adds to every
answer (security headers, Vary, a request id: what the server spends on them); the route's own code
with no framework around it (Starlette's ``Request`` in, its ``JSONResponse`` out: the user's share);
the same with the least request ids and metrics can be, written by hand (the floor of their cost);
bare Starlette with one ``Route`` (the library the handler is written against); Pyxle with everything
observed turned off; the default stack
(request ids, access log); ids + metrics; ids + JSON logs; ids + tracing (5% sampled, the default).
Prints req/s and µs of server CPU per request, with ratios to the bare callable and to "all off".

``--page``: the same stacks on bench/ssr_bench.py's server-rendered page instead (no bare callable;
the ratios are to "all off"), for what request ids, metrics and logs cost a page.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, median, server_cpu, start, stop, wrk, wrk_with_cpu
from ssr_bench import page_project

HELLO = '''from starlette.requests import Request
from starlette.responses import JSONResponse
async def get(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, world!"})
'''
OFF = {"accessLog": False, "observability": {"requestId": False, "timing": False}}
STACKS: dict[str, dict] = {  # type: ignore[type-arg]
    "pyxle, all off": OFF,
    "pyxle default (ids + access log)": {},
    "pyxle ids, no access log": {"accessLog": False},
    "pyxle ids + metrics": {"accessLog": False, "observability": {"metricsEndpoint": True, "metricsEndpointToken": "t"}},
    "pyxle ids + JSON access log": {"logFormat": "json"},
    "pyxle ids + tracing (5%)": {"accessLog": False, "observability": {"otel": True}},
}


def contenders(root: Path) -> dict[str, list[str]]:
    py = sys.executable
    bare = [py, "-m", "granian", "--interface", "asgi", "--port", "{port}", "--log-level", "warning", "--no-ws"]
    found = {"bare ASGI on granian": [*bare, "bench._bare_asgi:app"],
             "bare ASGI + Pyxle's 5 headers": [*bare, "bench._bare_asgi:app_with_headers"],
             "the handler alone (no framework)": [*bare, "bench._bare_asgi:handler_only"],
             "the handler alone + hand-written ids + metrics": [*bare, "bench._bare_asgi:handler_observed"],
             "bare Starlette (one Route)": [*bare, "bench._baseline:app"]}
    for index, (name, config) in enumerate(STACKS.items()):
        project = root / f"p{index}"
        (project / "pages" / "api").mkdir(parents=True)
        (project / "pages" / "api" / "hello.py").write_text(HELLO)
        (project / "pyxle.config.json").write_text(json.dumps(config))
        found[name] = [py, "-m", "pyxle", "serve", str(project), "--port", "{port}"]
    return found


def page_contenders(root: Path) -> dict[str, list[str]]:
    """The page of bench/ssr_bench.py served by each stack, built once per project before the runs."""
    found = {}
    for index, (name, config) in enumerate(STACKS.items()):
        project = page_project(root / f"s{index}")
        (project / "pyxle.config.json").write_text(json.dumps(config))
        subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], check=True, capture_output=True)
        found[name] = [sys.executable, "-m", "pyxle", "serve", str(project), "--port", "{port}", "--skip-build"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--page", action="store_true", help="a server-rendered page instead of /api/hello")
    parser.add_argument("--only", default="", help="comma-separated parts of contender names to run "
                        "(the baselines always run)")
    args = parser.parse_args()
    path = "/" if args.page else "/api/hello"
    rps: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        commands = page_contenders(Path(tmp)) if args.page else contenders(Path(tmp))
        wanted = [part.strip() for part in args.only.split(",") if part.strip()]
        if wanted:
            commands = {name: cmd for name, cmd in commands.items()
                        if name in ("bare ASGI on granian", "pyxle, all off") or any(w in name for w in wanted)}
        for round_no in range(args.rounds):
            for name, cmd in commands.items():
                port = free_port()
                url = f"http://127.0.0.1:{port}{path}"
                proc = start([c.replace("{port}", str(port)) for c in cmd], url, cwd=REPO,
                             extra_env={"PYXLE_SECRET_KEY": "b" * 48})
                try:
                    wrk(url, seconds=1, connections=args.connections)
                    result, usage = wrk_with_cpu(url, proc, seconds=args.seconds, connections=args.connections)
                finally:
                    stop(proc)
                server_us = server_cpu(usage)
                rps.setdefault(name, []).append(result.rps)
                cpu.setdefault(name, []).append(server_us)
                print(f"round {round_no + 1}: {name:<34} {result.rps:>8.0f} req/s  server CPU {server_us:5.1f} us/req",
                      flush=True)
    baseline = "pyxle, all off" if args.page else "bare ASGI on granian"
    bare, off = median(cpu[baseline]), median(rps["pyxle, all off"])
    print(f"\nmedians: req/s, server CPU per request, CPU ratio to {baseline}, req/s ratio to all off")
    for name in commands:
        print(f"  {name:<34} {median(rps[name]):>8.0f} req/s  {median(cpu[name]):5.1f} us  "
              f"x{median(cpu[name]) / bare:.2f}  {median(rps[name]) / off:.3f}")


if __name__ == "__main__":
    main()
