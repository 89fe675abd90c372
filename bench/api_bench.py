"""GET /api/hello: `pyxle serve` (one worker) against bare Starlette on uvicorn, alternating runs.

    .venv/bin/python bench/api_bench.py [--rounds 5] [--seconds 5] [--connections 32] [--against REF]

Both servers run in this venv with the same event loop and HTTP parser available; wrk (one
thread) loads them on loopback in turns, so drift on a shared machine hits both alike. The
figure that matters is the ratio of medians (goal: >= 1.0). ``--against REF`` adds `pyxle serve`
as it is at git ``REF`` (access log off), to see what a change costs on this route.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, alternate, source_tree

HELLO = '''from starlette.requests import Request
from starlette.responses import JSONResponse
async def get(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, world!"})
'''


def contenders(project: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    py = sys.executable
    return {
        "starlette+uvicorn": ([py, "-m", "uvicorn", "bench._baseline:app", "--port", "{port}", "--log-level", "warning",
                               "--no-access-log"], {}),
        "pyxle (access log off)": ([py, "-m", "pyxle", "serve", str(project), "--port", "{port}", "--no-access-log"], {}),
        "pyxle (access log on)": ([py, "-m", "pyxle", "serve", str(project), "--port", "{port}"], {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--against", default=None, help="also run pyxle as it is at this git ref")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "hello"
        (project / "pages" / "api").mkdir(parents=True)
        (project / "pages" / "api" / "hello.py").write_text(HELLO)
        runs = contenders(project)
        if args.against:
            src = source_tree(args.against, Path(tmp))
            command, _ = runs["pyxle (access log off)"]
            runs[f"pyxle at {args.against} (access log off)"] = (command, {"PYTHONPATH": f"{src}:{REPO}"})
        alternate(runs, "/api/hello", rounds=args.rounds, seconds=args.seconds,
                  connections=args.connections, baseline="starlette+uvicorn")

if __name__ == "__main__":
    main()
