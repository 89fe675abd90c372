"""A stored page (the page cache) against its floor, `pyxle serve` answering a constant HTML document
of the same size; and the same page rendered on every request, in the same run.

    .venv/bin/python bench/cache_bench.py [--rounds 4] [--seconds 4] [--connections 32] [--encoding br]

The page is bench/ssr_bench.py's (a loader, ~100 elements in a layout), its loader returning the
revalidate envelope, so every timed request is an `x-pyxle-cache: HIT`. The floor is that very
document, byte for byte, answered by the same server two ways: as the file `public/floor.html`
(Starlette's StaticFiles), and as a constant held in memory by an API route (`/api/floor`), the
stricter of the two. One `pyxle serve` (one worker) answers all four URLs; rounds alternate between
them, each first in turn, so drift on a shared machine hits each alike. wrk sends no cookie: every
answer mints the visitor's CSRF cookie, as for a first visit. Goal (issue 15): the stored page at >=
0.8 of the floor's req/s. ``--encoding`` makes wrk offer that ``Accept-Encoding`` (a browser offers
``gzip, deflate, br, zstd``, and gets brotli): every answer is compressed, the API floor's on each
request.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import CONSTANT_HTML_ROUTE, REPO, env, free_port, median, server_cpu, start, stop, wrk, wrk_with_cpu
from ssr_bench import PAGE, page_project

STORED = PAGE.replace('return {"items": [{"id": i, "name": f"Item {i}", "price": i * 1.5} for i in range(30)]}',
                      'return {"data": {"items": [{"id": i, "name": f"Item {i}", "price": i * 1.5} for i in range(30)]},'
                       ' "revalidate": 3600}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--encoding", default="", help="an Accept-Encoding for wrk to send (none by default)")
    args = parser.parse_args()
    headers = {"Accept-Encoding": args.encoding} if args.encoding else None
    assert STORED != PAGE, "ssr_bench's loader changed: update STORED"
    with tempfile.TemporaryDirectory() as tmp:
        project = page_project(Path(tmp))
        (project / "pages" / "fresh.pyxl").write_text(PAGE)
        (project / "pages" / "index.pyxl").write_text(STORED)
        (project / "public").mkdir()
        (project / "pages" / "api").mkdir()
        (project / "pages" / "api" / "floor.py").write_text(CONSTANT_HTML_ROUTE)  # BENCH_HTML exists once the stored page is fetched
        subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], check=True, capture_output=True, env=env())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start([sys.executable, "-m", "pyxle", "serve", str(project), "--port", str(port), "--no-access-log",
                      "--skip-build"], base + "/", cwd=REPO, extra_env={"PYXLE_SECRET_KEY": "b" * 40, "BENCH_HTML": str(project / "public" / "floor.html")})
        try:
            stored = httpx.get(base + "/")
            assert stored.headers["x-pyxle-cache"] == "HIT", stored.headers
            (project / "public" / "floor.html").write_bytes(stored.content)
            for floor in (httpx.get(base + "/floor.html"), httpx.get(base + "/api/floor")):
                assert floor.content == stored.content and floor.headers["content-type"].startswith("text/html")
            urls = {"floor: constant in an API route": base + "/api/floor",
                    "floor: public/floor.html": base + "/floor.html", "stored page (HIT)": base + "/",
                    "the same page rendered (no cache)": base + "/fresh"}
            rps: dict[str, list[float]] = {name: [] for name in urls}
            cpu: dict[str, list[float]] = {name: [] for name in urls}
            for round_no in range(args.rounds):
                names = list(urls)
                for name in names[round_no % len(names):] + names[:round_no % len(names)]:  # each first in turn
                    url = urls[name]
                    wrk(url, seconds=1, connections=args.connections, headers=headers)
                    result, used = wrk_with_cpu(url, proc, seconds=args.seconds, connections=args.connections,
                                                headers=headers)
                    rps[name].append(result.rps)
                    cpu[name].append(server_cpu(used))
                    print(f"round {round_no + 1}: {name:<34} {result.rps:>7.0f} req/s  p99 {result.p99_ms:6.2f} ms  "
                          f"server CPU {cpu[name][-1]:4.0f} us/request  {result.bytes_per_response:.0f} bytes/response",
                          flush=True)
            assert httpx.get(base + "/").headers["x-pyxle-cache"] == "HIT"
        finally:
            stop(proc)
    floor_rps = median(rps["floor: constant in an API route"])
    print(f"\nmedians over {args.rounds} rounds, {len(stored.content)} bytes per document, "
          f"{args.connections} connections:")
    for name in urls:
        print(f"  {name:<34} {median(rps[name]):>7.0f} req/s  {median(rps[name]) / floor_rps:.2f} of the API floor  "
              f"server CPU {median(cpu[name]):.0f} us/request")
    stored_rps = median(rps["stored page (HIT)"])
    print(f"stored page / floor (goal >= 0.80): {stored_rps / floor_rps:.2f} against the constant in an API route, "
          f"{stored_rps / median(rps['floor: public/floor.html']):.2f} against public/floor.html")


if __name__ == "__main__":
    main()
