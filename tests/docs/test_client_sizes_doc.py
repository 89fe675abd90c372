"""docs/client.md's sizes: the demo home page's JavaScript with React 18 and 19, as `pyxle build`
prints it (the page's entry and the chunks it imports, gzip), and the runtime alone, measured as
docs/benchmarks.md does. The doc rounds to whole kilobytes; a figure further off than the
tolerance means the doc no longer says what ships."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO, NODE_MODULES, NODE_MODULES_REACT18, REPO, link_node_modules, server_env

DOC = (REPO / "docs" / "client.md").read_text()
PAGES = re.search(r"(\d+(?:\.\d+)?) KB gzip with React 18, (\d+(?:\.\d+)?) KB with React 19", " ".join(DOC.split()))
RUNTIME = re.search(r"the runtime itself is (\d+(?:\.\d+)?) KB gzip", " ".join(DOC.split()))
KB = 1024


def home_page_gzip(tmp_path: Path, modules: Path) -> float:
    """The demo's home page JS in KB gzip: what `pyxle build` prints on its `index` line."""
    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo, ignore=shutil.ignore_patterns("node_modules", "data", ".pyxle-build", "dist",
                                                              "__pycache__"))
    link_node_modules(demo, modules)
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(demo)], env=server_env(), capture_output=True,
                           text=True, timeout=240, check=False)
    assert built.returncode == 0, built.stderr
    home = json.loads((demo / "dist" / "manifest.json").read_text())["pages"]["index"]
    public = demo / "dist" / "public"
    return sum((public / (f.lstrip("/") + ".gz")).stat().st_size for f in [home["js"], *home["imports"]]) / KB


@pytest.mark.parametrize(("modules", "stated"), [(NODE_MODULES_REACT18, 1), (NODE_MODULES, 2)], ids=["react18", "react19"])
def test_the_demo_home_page_ships_the_size_the_doc_states(tmp_path: Path, modules: Path, stated: int) -> None:
    assert PAGES, "docs/client.md no longer states the demo's sizes"
    measured = home_page_gzip(tmp_path, modules)
    assert abs(measured - float(PAGES.group(stated))) <= 1.5, f"the demo's home page JS is {measured:.1f} KB gzip"


def test_the_runtime_alone_is_the_size_the_doc_states(tmp_path: Path) -> None:
    """Every export of pyxle/client, bundled and minified with React left out, `gzip -9`."""
    assert RUNTIME, "docs/client.md no longer states the runtime's size"
    bundled = subprocess.run(
        [str(NODE_MODULES / ".bin" / "esbuild"), str(REPO / "src" / "pyxle" / "client" / "index.js"), "--bundle",
         "--minify", "--format=esm", "--external:react", "--external:react-dom", "--external:react-dom/*",
         "--log-level=warning"], capture_output=True, timeout=60, check=True).stdout
    measured = len(gzip.compress(bundled, 9)) / KB
    assert abs(measured - float(RUNTIME.group(1))) <= 0.75, f"the runtime alone is {measured:.1f} KB gzip"
