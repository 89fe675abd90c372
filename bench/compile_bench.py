"""Compile 500 generated pages of realistic size: pages/second cold, and a no-change rebuild.

    .venv/bin/python bench/compile_bench.py [--pages 500]

Each page has imports, HEAD, a loader, 1-3 actions and a component of ~40 JSX elements
(~90-150 lines). Cold: a fresh process-level cache, every page split, parsed and checked.
No-change rebuild: read every file from disk, hash it, hit the cache. One process, one core.
Goals: cold >= 500 pages/s; no-change rebuild of 500 pages < 0.3 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from pyxle import compiler


def page(n: int, rng: random.Random) -> str:
    actions = "\n\n".join(
        f'''@action
async def act_{n}_{k}(request):
    body = await request.json()
    if not body.get("value"):
        raise ActionError("value is required", data={{"field": "value"}})
    return {{"saved": body["value"], "k": {k}}}'''
        for k in range(rng.randint(1, 3))
    )
    rows = "\n".join(
        f'''          <li key="{i}" className="row-{i}">
            <span>{{data.items[{i % 5}]}}</span> <a href="/items/{i}">Item {i}</a>
          </li>'''
        for i in range(rng.randint(10, 14))
    )
    return f'''import datetime
from starlette.requests import Request

HEAD = ["<title>Page {n}</title>", '<meta name="description" content="Generated page {n}">']


@server
async def load(request: Request):
    """Loader for page {n}: returns <div>-looking text in a docstring on purpose."""
    items = [f"item-{{i}}" for i in range(5)]
    return {{"n": {n}, "items": items, "today": datetime.date.today().isoformat()}}


{actions}


import React, {{ useState }} from 'react'
import {{ Link }} from 'pyxle/client'

const label = (n) => `Page ${{n}}: don't panic`

export default function Page{n}({{ data }}) {{
  const [count, setCount] = useState(0)
  return (
    <div className="page">
      <header>
        <h1>{{label(data.n)}}</h1>
        <nav><Link href="/">Home</Link> | <Link href="/about">About</Link></nav>
      </header>
      <main>
        <p>Today is {{data.today}}. Count: {{count}}</p>
        <button onClick={{() => setCount(count + 1)}}>+1</button>
        <ul>
{rows}
        </ul>
      </main>
      <footer><small>&copy; Pyxle</small></footer>
    </div>
  )
}}
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n in range(args.pages):
            path = Path(tmp) / f"page_{n}.pyxl"
            path.write_text(page(n, rng))
            paths.append(path)
        lines = sum(p.read_text().count("\n") for p in paths) / len(paths)

        compiler._cache.clear()
        start = time.perf_counter()
        for path in paths:
            compiler.compile_source(path.read_text(), path=str(path))
        cold = time.perf_counter() - start

        start = time.perf_counter()
        for path in paths:
            compiler.compile_source(path.read_text(), path=str(path))
        warm = time.perf_counter() - start

    print(f"{args.pages} pages, {lines:.0f} lines on average")
    print(f"cold compile:      {cold:.3f} s  ({args.pages / cold:.0f} pages/s; goal >= 500)")
    print(f"no-change rebuild: {warm:.3f} s  (goal < 0.3 s)")


if __name__ == "__main__":
    main()
