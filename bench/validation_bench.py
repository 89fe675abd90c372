"""POST /api/orders with a JSON body validated by one pydantic model, three ways, alternating runs:

- ``pyxle (typed)``: ``async def post(request, order: Order)``: Pyxle validates from the annotation;
- ``pyxle (by hand)``: ``async def post(request)`` reading the body and calling ``Order.model_validate_json``
  (with the same 422 on failure): the same work, no annotation;
- ``fastapi``: ``async def create(order: Order)`` on the same server (granian, one worker, ASGI).

    .venv/bin/python bench/validation_bench.py [--rounds 3] [--seconds 5] [--connections 32]

Goals: typed >= 0.90x by hand (the annotation costs at most 10%); typed >= 1.2x FastAPI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, median, start, stop, wrk

BODY = json.dumps({"title": "Books", "items": [{"sku": "a-1", "qty": 2, "price": 12.5}, {"sku": "b-2", "qty": 1, "price": 7.25}]})
TYPED = '''from bench._order import Order

async def post(request, order: Order):
    return {"title": order.title, "items": len(order.items)}
'''
BY_HAND = '''from pydantic import ValidationError
from starlette.responses import JSONResponse

from bench._order import Order

async def post(request):
    try:
        order = Order.model_validate_json(await request.body())
    except ValidationError as exc:
        fields = {}
        for error in exc.errors(include_url=False):
            fields.setdefault(".".join(map(str, error["loc"])) or "__root__", []).append(error["msg"])
        return JSONResponse({"error": "Validation failed", "fields": fields}, 422)
    return {"title": order.title, "items": len(order.items)}
'''
SCRIPT = f'''wrk.method = "POST"
wrk.body = {json.dumps(BODY)}
wrk.headers["Content-Type"] = "application/json"
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        projects = {}
        for name, source in (("typed", TYPED), ("by-hand", BY_HAND)):
            project = Path(tmp) / name
            (project / "pages" / "api").mkdir(parents=True)
            (project / "pages" / "api" / "orders.py").write_text(source)
            projects[name] = project
        script = Path(tmp) / "post.lua"
        script.write_text(SCRIPT)
        contenders = {
            "pyxle (typed)": [py, "-m", "pyxle", "serve", str(projects["typed"]), "--port", "{port}", "--no-access-log"],
            "pyxle (by hand)": [py, "-m", "pyxle", "serve", str(projects["by-hand"]), "--port", "{port}",
                                "--no-access-log"],
            "fastapi": [py, "-m", "granian", "--interface", "asgi", "--port", "{port}", "--workers", "1",
                        "--no-ws", "--log-level", "warning", "bench._fastapi_app:app"],
        }
        results: dict[str, list[float]] = {name: [] for name in contenders}
        for round_no in range(args.rounds):
            for name, cmd in contenders.items():
                port = free_port()
                url = f"http://127.0.0.1:{port}/api/orders"
                proc = start([c.replace("{port}", str(port)) for c in cmd], url, cwd=REPO)
                try:
                    wrk(url, seconds=1, connections=args.connections, script=script)
                    r = wrk(url, seconds=args.seconds, connections=args.connections, script=script)
                finally:
                    stop(proc)
                results[name].append(r.rps)
                print(f"round {round_no + 1}: {name:<18} {r.rps:>9.0f} req/s  p50 {r.p50_ms:.2f} ms  "
                      f"p99 {r.p99_ms:.2f} ms", flush=True)
    typed, by_hand, fastapi = (median(results[n]) for n in contenders)
    print("\nmedian req/s:")
    for name in contenders:
        print(f"  {name:<18} {median(results[name]):>9.0f}")
    print(f"typed / by hand: {typed / by_hand:.2f}  (goal >= 0.90)")
    print(f"typed / fastapi: {typed / fastapi:.2f}  (goal >= 1.20)")


if __name__ == "__main__":
    main()
