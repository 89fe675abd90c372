"""Compression: bytes and req/s of the demo's home page with brotli, gzip and zstd against none, in one
run; and what each level costs, the measurement behind the default levels.

    .venv/bin/python bench/compress_bench.py [--rounds 4] [--seconds 4] [--connections 32]
    .venv/bin/python bench/compress_bench.py --levels
    .venv/bin/python bench/compress_bench.py --control [--rounds 3] [--seconds 3]

The demo (examples/demo) is built and served by one `pyxle serve` with the default compression
(brotli quality 4, gzip level 4) and `zstdLevel` 3; wrk asks for the home page offering one encoding
per run (none, br, gzip, zstd), rounds alternating between them, each first in turn; and the same
bytes as a constant from an API route, where the answer itself costs next to nothing. `--levels`
times each level in-process on four bodies (the demo's home page, a 3.5 KB page, an API JSON list, a
36 KB page): CPU microseconds per body (best of five batches) and the compressed size; and the middleware
itself on the demo's page. `--control` asks for the constant from the API route and for the same
bytes from bare Starlette on granian compressing in its handler (`_compress_control.py`), with no
encoding, brotli and gzip: what compression adds on Pyxle's path against what it adds bare.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import brotli
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import CONSTANT_HTML_ROUTE, REPO, env, free_port, median, server_cpu, start, stop, wrk, wrk_with_cpu
from ssr_bench import NODE_MODULES

ENCODINGS = ("identity", "br", "gzip", "zstd")


def serve_demo(tmp: Path) -> tuple[subprocess.Popen, str]:
    demo = tmp / "demo"
    shutil.copytree(REPO / "examples" / "demo", demo,
                    ignore=shutil.ignore_patterns("node_modules", "data", ".pyxle-build", "dist", "__pycache__"))
    (demo / "node_modules").symlink_to(NODE_MODULES)
    (demo / "pyxle.config.json").write_text(json.dumps({"compression": {"zstdLevel": 3}}))
    (demo / "pages" / "api" / "bench_constant.py").write_text(CONSTANT_HTML_ROUTE)  # what compression costs when the answer costs nothing
    subprocess.run([sys.executable, "-m", "pyxle", "build", str(demo)], env=env(), check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = start([sys.executable, "-m", "pyxle", "serve", str(demo), "--port", str(port), "--no-access-log",
                  "--skip-build"], url, cwd=REPO,
                 extra_env={"PYXLE_SECRET_KEY": "b" * 40, "DEMO_DB_PATH": str(tmp / "demo.sqlite3"),
                            "BENCH_HTML": str(tmp / "home.html")})
    return proc, url


def throughput(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = serve_demo(Path(tmp))
        try:
            plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
            (Path(tmp) / "home.html").write_bytes(plain.content)
            urls = {"the demo's home page": url, "the same HTML from an API route": url + "api/bench_constant"}
            for target in urls.values():
                for encoding in ENCODINGS[1:]:
                    answer = httpx.get(target, headers={"Accept-Encoding": encoding})
                    assert answer.headers.get("content-encoding") == encoding, (encoding, answer.headers)
            runs = [(name, encoding) for name in urls for encoding in ENCODINGS]
            rps: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
            size: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
            cpu: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
            for round_no in range(args.rounds):
                for name, encoding in runs[round_no % 4:] + runs[:round_no % 4]:  # each goes first in turn
                    headers = {"Accept-Encoding": encoding}
                    wrk(urls[name], seconds=1, connections=args.connections, headers=headers)
                    result, used = wrk_with_cpu(urls[name], proc, seconds=args.seconds,
                                                connections=args.connections, headers=headers)
                    rps[name, encoding].append(result.rps)
                    size[name, encoding].append(result.bytes_per_response)
                    cpu[name, encoding].append(server_cpu(used))
                    print(f"round {round_no + 1}: {name:<32} {encoding:<9} {result.rps:>7.0f} req/s  "
                          f"{result.bytes_per_response:>6.0f} bytes/response (headers included)  "
                          f"server CPU {cpu[name, encoding][-1]:.0f} us/request", flush=True)
        finally:
            stop(proc)
    for name in urls:
        base = median(rps[name, "identity"])
        print(f"\n{name} ({len(plain.content)} bytes of HTML), medians over {args.rounds} rounds, "
              f"{args.connections} connections:")
        for encoding in ENCODINGS:
            run = (name, encoding)
            print(f"  {encoding:<9} {median(size[run]):>6.0f} bytes/response  {median(rps[run]):>7.0f} req/s "
                  f"({median(rps[run]) / base:.2f} of none)  server CPU {median(cpu[run]):.0f} us/request")


def control(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = serve_demo(Path(tmp))
        try:
            (Path(tmp) / "home.html").write_bytes(httpx.get(url, headers={"Accept-Encoding": "identity"}).content)
        finally:
            stop(proc)
        servers = {
            "pyxle serve (API route)": ["{py}", "-m", "pyxle", "serve", "{demo}", "--port", "{port}", "--no-access-log",
                                        "--skip-build"],
            "bare Starlette (granian)": ["{py}", "-m", "granian", "--interface", "asgi", "--port", "{port}",
                                         "--log-level", "warning", "bench._compress_control:app"],
        }
        extra = {"PYXLE_SECRET_KEY": "b" * 40, "DEMO_DB_PATH": str(Path(tmp) / "demo.sqlite3"),
                 "BENCH_HTML": str(Path(tmp) / "home.html")}
        runs = [(name, encoding) for name in servers for encoding in ENCODINGS[:3]]
        cpu: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
        for round_no in range(args.rounds):
            for name, encoding in runs[round_no % len(runs):] + runs[:round_no % len(runs)]:
                port = free_port()
                target = f"http://127.0.0.1:{port}/api/bench_constant"
                command = [part.format(py=sys.executable, demo=Path(tmp) / "demo", port=port) for part in servers[name]]
                server = start(command, target, cwd=REPO, extra_env=extra)
                try:
                    headers = {"Accept-Encoding": encoding}
                    assert httpx.get(target, headers=headers).headers.get("content-encoding", "identity") == encoding
                    wrk(target, seconds=1, connections=args.connections, headers=headers)
                    result, used = wrk_with_cpu(target, server, seconds=args.seconds, connections=args.connections,
                                                headers=headers)
                finally:
                    stop(server)
                cpu[name, encoding].append(server_cpu(used))
                print(f"round {round_no + 1}: {name:<26} {encoding:<9} {result.rps:>7.0f} req/s  "
                      f"server CPU {cpu[name, encoding][-1]:.1f} us/request", flush=True)
    print(f"\nmedians over {args.rounds} rounds, server CPU per request, and what each encoding adds:")
    for name in servers:
        plain = median(cpu[name, "identity"])
        added = "  ".join(f"{encoding} {median(cpu[name, encoding]):.1f} us (+{median(cpu[name, encoding]) - plain:.1f})"
                          for encoding in ENCODINGS[1:3])
        print(f"  {name:<26} none {plain:.1f} us  {added}")


def bodies() -> dict[str, bytes]:
    """The demo's home page as it renders, and three bodies around it."""
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = serve_demo(Path(tmp))
        try:
            demo = httpx.get(url, headers={"Accept-Encoding": "identity"}).content
        finally:
            stop(proc)
    items = "".join(f'<li><span>Item {i}</span> <em>{i * 1.5}</em><a href="/items/{i}">details of item {i}</a></li>'
                    for i in range(400))
    return {
        "the demo's home page": demo,
        "a 3.5 KB page": demo.replace(b"<main>", b"<main><ul>" + items[:2600].encode() + b"</ul>", 1),
        "API JSON, 20 records": json.dumps([{"id": i, "name": f"User {i}", "email": f"user{i}@example.com",
                                              "active": i % 2 == 0} for i in range(20)]).encode(),
        "a 36 KB page": demo.replace(b"<main>", b"<main><ul>" + items.encode() + b"</ul>", 1),
    }


def levels() -> None:
    import zstandard

    def gzip(level: int) -> Callable[[bytes], bytes]:
        def run(body: bytes) -> bytes:
            z = zlib.compressobj(level, zlib.DEFLATED, 31)
            return z.compress(body) + z.flush()
        return run

    codecs: list[tuple[str, Callable[[bytes], bytes]]] = [(f"gzip {n}", gzip(n)) for n in (1, 4, 6, 9)]
    codecs += [(f"br {q}", lambda body, q=q: brotli.compress(body, quality=q)) for q in (1, 3, 4, 5, 6)]
    codecs += [(f"zstd {n}", zstandard.ZstdCompressor(level=n).compress) for n in (1, 3)]
    found = bodies()
    through_middleware(found["the demo's home page"])
    for name, body in found.items():
        print(f"{name}: {len(body)} bytes")
        repeat = 300 if len(body) > 10_000 else 2000
        for label, compress in codecs:
            batches = []
            for _ in range(5):  # CPU time of this process, best of five batches: other load disturbs it least
                began = time.process_time()
                for _ in range(repeat):
                    out = compress(body)
                batches.append((time.process_time() - began) / repeat * 1e6)
            print(f"  {label:<7} {min(batches):7.1f} us  {len(out):6d} bytes ({len(out) / len(body):.3f})")


def through_middleware(body: bytes) -> None:
    """The app's outer layer with compression only, in-process: an app answering ``body`` behind it,
    CPU time per request for each encoding offered (negotiation, headers, the codec), best of five batches."""
    import asyncio

    from pyxle.app._compress import Compressor
    from pyxle.app._edge import HttpEdge

    async def answer(scope: dict, receive: Callable, send: Callable) -> None:  # type: ignore[type-arg]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    app = HttpEdge(answer, add_headers=None, compressor=Compressor(zstd_level=3), max_body_size=1 << 20,
                   body_timeout=60)

    async def drop(message: dict) -> None:  # type: ignore[type-arg]
        pass

    async def batch(encoding: str, repeat: int) -> float:
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", encoding.encode())]}
        began = time.process_time()
        for _ in range(repeat):
            await app(scope, drop, drop)
        return (time.process_time() - began) / repeat * 1e6

    print(f"the middleware, in-process, on the demo's home page ({len(body)} bytes):")
    for encoding in ENCODINGS:
        best = min(asyncio.run(batch(encoding, 2000)) for _ in range(5))
        print(f"  {encoding:<9} {best:6.1f} us per answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--levels", action="store_true", help="time each compression level in-process instead")
    parser.add_argument("--control", action="store_true", help="the API route's constant against bare Starlette compressing")
    args = parser.parse_args()
    if args.levels:
        levels()
    elif args.control:
        control(args)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
