"""`pyxle build` with and without generated TypeScript types, on the 500 pages of compile_bench.

    .venv/bin/python bench/typegen_bench.py [--pages 500] [--rounds 3]

Two projects of the same 500 generated pages (bench/compile_bench.py): one as written there (no
annotations), one whose loaders return a TypedDict and whose actions take a pydantic model and
return a TypedDict. Each is built with `pyxle build` (types on, the default) and
`pyxle build --no-types`, alternating, `--rounds` times each; the median wall time and the
median CPU time (user + system, of the pyxle process and its Node children: robust when other
work shares the machine) of each are reported with their ratios; and the type-generation step alone, in this process (CPU time
after the pages are compiled, as `pyxle build` runs it). Goal: types on at most 1.20x the time of types off; for pages without
annotations, no measurable difference (they are not imported). Needs tests/node's npm packages
(scripts/test.sh installs them).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env
from compile_bench import page

NODE_MODULES = REPO / "tests" / "node" / "node_modules"
TYPED_HEADER = '''from pydantic import BaseModel
from typing_extensions import TypedDict


class Item{n}(BaseModel):
    value: str
    qty: int = 1


class Saved{n}(TypedDict):
    saved: str
    k: int


class Data{n}(TypedDict):
    n: int
    items: list[str]
    today: str


'''


def typed_page(n: int, rng: random.Random) -> str:
    """The same page, annotated: the loader's return, each action's body and result."""
    source = page(n, rng)
    source = source.replace("async def load(request: Request):", f"async def load(request: Request) -> Data{n}:")
    for k in range(3):
        source = source.replace(f"async def act_{n}_{k}(request):\n    body = await request.json()",
                                f"async def act_{n}_{k}(request, item: Item{n}) -> Saved{n}:\n    body = item.model_dump()")
    return TYPED_HEADER.format(n=n) + source


def project(folder: Path, pages: int, typed: bool) -> Path:
    rng = random.Random(7)
    (folder / "pages").mkdir(parents=True)
    for n in range(pages):
        (folder / "pages" / f"page_{n}.pyxl").write_text(typed_page(n, rng) if typed else page(n, rng))
    (folder / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    return folder


def build(root: Path, *flags: str) -> tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one ``pyxle build``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pyxle", "build", str(root), *flags], env=env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def step(root: Path) -> float:
    """CPU seconds of ``generate_types`` once every page is compiled (as in ``pyxle build``)."""
    sys.path.insert(0, str(REPO / "src"))
    from pyxle.bundler import generate_types, page_files, types_module
    from pyxle.compiler import compile_source
    from pyxle.routing import scan

    table = scan(root / "pages")
    for file in page_files(table):
        compile_source((root / "pages" / file).read_text(), path=f"pages/{file}", types_module=types_module(file))
    start = time.process_time()
    problems = generate_types(root, root / "pages", table)
    assert not problems, problems
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    assert (NODE_MODULES / "esbuild").is_dir(), "run scripts/test.sh once: it installs tests/node's npm packages"
    with tempfile.TemporaryDirectory() as tmp:
        for typed in (True, False):
            root = project(Path(tmp) / ("typed" if typed else "plain"), args.pages, typed)
            build(root)  # warm the OS file cache and Node's compile cache once
            on: list[tuple[float, float]] = []
            off: list[tuple[float, float]] = []
            for _ in range(args.rounds):
                off.append(build(root, "--no-types"))
                on.append(build(root))
            written = len(list((root / ".pyxle" / "types").glob("*.d.ts"))) if (root / ".pyxle").is_dir() else 0
            wall_on, wall_off = (statistics.median(t[0] for t in runs) for runs in (on, off))
            cpu_on, cpu_off = (statistics.median(t[1] for t in runs) for runs in (on, off))
            label = "annotated pages  " if typed else "unannotated pages"
            print(f"{label}: wall {wall_off:.2f} s -> {wall_on:.2f} s (x{wall_on / wall_off:.3f}), "
                  f"CPU {cpu_off:.2f} s -> {cpu_on:.2f} s (x{cpu_on / cpu_off:.3f}); {written} .d.ts files, "
                  f"{args.pages} pages, types off -> on, median of {args.rounds}")
            print(f"{'':19}the type-generation step alone: {step(root):.3f} s CPU")


if __name__ == "__main__":
    main()
