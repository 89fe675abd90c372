"""`pyxle dev`: time from saving a component to the open page showing the edit, Fast Refresh
against a full reload (the same project without the refresh packages), in the same run.

    .venv/bin/python bench/dev_bench.py [--edits 10] [--pages 600]

Serves a copy of the demo with `pyxle dev`, opens the home page in headless Chromium, clicks the
counter to 3, then rewrites components/Counter.jsx (a new label each time) and waits for the label
in the page. Reports the median and worst time per edit and whether the counter kept its value.
Goal (issue 6): an edit reaches the page within 2 s; state kept where the edit allows.
With ``--pages N`` the contenders are instead the demo and the demo with N more pages (each with a
loader), both with Fast Refresh: what a large app costs at start-up and per edit.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, free_port, start, stop

NODE_MODULES = REPO / "tests" / "node" / "node_modules"
LABEL = 'aria-label="increment">+</button>'


PAGE = """@server
async def load(request):
    return {{"n": {n}}}


export default function Page{n}({{ data }}) {{
  return <main><h1>Page {n}</h1><p>{{data.n}}</p></main>
}}
"""


def project(scratch: Path, name: str, refresh: bool, pages: int = 0) -> Path:
    demo = scratch / name
    shutil.copytree(REPO / "examples" / "demo", demo,
                    ignore=shutil.ignore_patterns("node_modules", "data", ".pyxle-build", "dist", "__pycache__"))
    if refresh:
        (demo / "node_modules").symlink_to(NODE_MODULES)
    else:  # everything the demo needs except react-refresh and Babel: edits reload the page
        (demo / "node_modules").mkdir()
        for entry in NODE_MODULES.iterdir():
            if entry.name not in ("react-refresh", "@babel", ".package-lock.json"):
                (demo / "node_modules" / entry.name).symlink_to(entry)
    for n in range(pages):
        (demo / "pages" / f"generated{n}.pyxl").write_text(PAGE.format(n=n))
    return demo


def seen(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """Poll every 10 ms (Playwright's own waits back off to 500 ms between checks, which would be
    most of what is measured); a reload in between only makes a check fail."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(PlaywrightError):  # the page is reloading: check again
            if page.evaluate("(l) => document.querySelector('[data-testid=label]')?.textContent === l", label):
                return
        time.sleep(0.01)
    raise TimeoutError(f"the edit {label!r} did not reach the page within 10 s")


def measure(browser, demo: Path, edits: int) -> tuple[float, list[float], bool]:  # type: ignore[no-untyped-def]
    """Seconds from starting `pyxle dev` to its first answer, each edit's seconds, whether state was kept."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    proc = start([sys.executable, "-m", "pyxle", "dev", str(demo), "--port", str(port), "--ssr-workers", "1"],
                 url + "/", cwd=REPO, extra_env={"DEMO_DB_PATH": str(demo / "db.sqlite3")})
    started = time.monotonic() - started
    counter = demo / "components" / "Counter.jsx"
    original = counter.read_text()
    times: list[float] = []
    try:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_function("window.__PYXLE_ROOT__ !== undefined")
        for _ in range(3):
            page.get_by_role("button", name="increment").click()
        for i in range(edits):
            label = f"edit{i}"
            begin = time.monotonic()
            counter.write_text(original.replace(LABEL, f'{LABEL}<small data-testid="label">{label}</small>'))
            seen(page, label)
            times.append(time.monotonic() - begin)
            page.wait_for_timeout(200)  # let the watcher settle before the next save
        kept = page.get_by_test_id("count").text_content() == "3"
        page.close()
    finally:
        counter.write_text(original)
        stop(proc)
    return started, times, kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--pages", type=int, default=0, help="compare the demo with N more pages against the demo")
    args = parser.parse_args()
    contenders = [("full reload (no refresh packages)", False, 0), ("Fast Refresh", True, 0)]
    if args.pages:
        contenders = [("the demo", True, 0), (f"the demo + {args.pages} pages", True, args.pages)]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for i, (name, refresh, pages) in enumerate(contenders):
            started, times, kept = measure(browser, project(Path(tmp), f"app{i}", refresh, pages), args.edits)
            ordered = sorted(times)
            print(f"{name}: first answer {started:.1f} s after start; edit -> page median {ordered[len(ordered) // 2] * 1000:.0f} ms, "
                  f"worst {ordered[-1] * 1000:.0f} ms over {len(times)} edits; counter state kept: {kept}")
        browser.close()


if __name__ == "__main__":
    main()
