"""How long `pyxle dev` takes to apply an edit of `pyxle.config.json`: from the file written to the
log's "applied the new pyxle.config.json", which comes once the new worker has started and the
old one has stopped. Alternating this tree with ``--against REF`` (its ``src/`` from git).

    .venv/bin/python bench/dev_config_reload.py [--against REF] [--rounds 3] [--edits 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env, free_port, median, source_tree

NODE_MODULES = REPO / "tests" / "node" / "node_modules"


def edits(project: Path, src: Path, count: int) -> list[float]:
    """Seconds each of ``count`` config edits took to apply, under ``pyxle dev`` running ``src``."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pyxle", "dev", str(project), "--port", str(port)],
                            env={**env(), "PYTHONPATH": str(src)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        taken = []
        for index in range(count):
            time.sleep(1)
            seen, began = len(lines), time.monotonic()
            (project / "pyxle.config.json").write_text(json.dumps({"maxBodySize": 1_000_000 + index}))
            while not any("applied the new" in line for line in lines[seen:]):
                if time.monotonic() - began > 60:
                    raise RuntimeError("the edit was not applied within 60 s:\n" + "".join(lines[-20:]))
                time.sleep(0.02)
            taken.append(time.monotonic() - began)
        return taken
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", help="a git ref whose src/ runs as 'before'")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = root / "app"
        (project / "pages").mkdir(parents=True)
        (project / "pages" / "index.pyxl").write_text("export default function Home() { return <p>home</p> }\n")
        (project / "pyxle.config.json").write_text("{}")
        (project / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
        versions = {"after (working tree)": REPO / "src"}
        if args.against:
            (root / "before").mkdir()
            versions = {f"before ({args.against})": source_tree(args.against, root / "before"), **versions}
        taken: dict[str, list[float]] = {name: [] for name in versions}
        for round_ in range(args.rounds):
            for name, src in (versions.items() if round_ % 2 == 0 else reversed(versions.items())):
                found = edits(project, src, args.edits)
                taken[name] += found
                print(f"round {round_ + 1}: {name}: " + ", ".join(f"{t:.2f} s" for t in found))
        print()
        for name, values in taken.items():
            print(f"{name}: median {median(values):.2f} s to apply a pyxle.config.json edit")


if __name__ == "__main__":
    main()
