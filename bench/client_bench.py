"""JS shipped to the browser for the demo home page (gzip), and client-side navigation latency.

    .venv/bin/python bench/client_bench.py [--react 19] [--navigations 20]

Builds the demo against React 18 or 19 (tests/node-react18 and tests/node, installed by
scripts/test.sh; another version is installed with npm into a scratch folder), serves it with
`pyxle serve`, and in headless Chromium measures the time from a Link click to the new page's
content, cold (nothing prefetched) and warm (prefetched on hover).
Goal: runtime + React under 60 KB gzip for a page without npm extras.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, env, free_port, start, stop


def node_modules(react: str, scratch: Path) -> Path:
    """The suite's own packages for React 19 and 18 (what tests/docs/test_client_sizes_doc.py
    measures), else that React installed with npm into ``scratch``."""
    suite = {"19": REPO / "tests" / "node" / "node_modules", "18": REPO / "tests" / "node-react18" / "node_modules"}
    if react in suite and (suite[react] / "react-dom").is_dir():
        return suite[react]
    folder = scratch / f"react{react}"
    folder.mkdir()
    (folder / "package.json").write_text(json.dumps({"private": True}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"react@{react}",
                    f"react-dom@{react}", "esbuild"], cwd=folder, check=True, capture_output=True)
    return folder / "node_modules"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--react", default="19")
    parser.add_argument("--navigations", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(REPO / "examples" / "demo", demo,
                        ignore=shutil.ignore_patterns("node_modules", "data", ".pyxle-build", "dist", "__pycache__"))
        (demo / "node_modules").symlink_to(node_modules(args.react, Path(tmp)))
        subprocess.run([sys.executable, "-m", "pyxle", "build", str(demo)], env=env(), check=True, capture_output=True)
        manifest = json.loads((demo / "dist" / "manifest.json").read_text())
        home = manifest["pages"]["index"]
        public = demo / "dist" / "public"
        files = [home["js"], *home["imports"]]
        raw = sum((public / f.lstrip("/")).stat().st_size for f in files)
        gz = sum(len(gzip.compress((public / f.lstrip("/")).read_bytes(), 9)) for f in files)
        react_version = json.loads((demo / "node_modules" / "react" / "package.json").read_text())["version"]

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start([sys.executable, "-m", "pyxle", "serve", str(demo), "--port", str(port), "--no-access-log"],
                     url + "/", cwd=REPO, extra_env={"DEMO_DB_PATH": str(Path(tmp) / "db.sqlite3")})
        cold: list[float] = []
        warm: list[float] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
                page = browser.new_page()
                page.goto(url + "/")
                page.wait_for_function("window.__PYXLE_ROOT__ !== undefined")
                for i in range(args.navigations):
                    for link, heading in (("Users", "Users"), ("Home", "Welcome to Pyxle")):
                        if i % 2 == 0:  # cold: drop the payloads that viewport prefetching cached
                            page.evaluate("window.__PYXLE_ROUTER__.invalidate()")
                        locator = page.get_by_role("link", name=link, exact=True)
                        if i % 2 == 1:
                            locator.hover()
                            page.wait_for_timeout(150)
                        start_ms = page.evaluate("performance.now()")
                        locator.click()
                        page.get_by_role("heading", name=heading).wait_for()
                        elapsed = page.evaluate("performance.now()") - start_ms
                        (warm if i % 2 == 1 else cold).append(elapsed)
                browser.close()
        finally:
            stop(proc)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    print(f"React {react_version}: home page JS {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzip (goal < 60 KB)")
    print(f"navigation latency (click -> new heading), median of {len(cold)}: first visit {median(cold):.1f} ms, "
          f"after hover prefetch {median(warm):.1f} ms")


if __name__ == "__main__":
    main()
