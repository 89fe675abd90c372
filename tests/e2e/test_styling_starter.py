"""`pyxle init --tailwind`: the Tailwind 4 starter builds, serves and looks styled in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, PageWatch, link_node_modules
from tests.e2e._styling import pyxle

TEMPLATES = REPO / "src" / "pyxle" / "cli" / "templates"


def test_tailwind_starter_is_styled_by_tailwind_and_works(tmp_path: Path, start_server, page: PageWatch) -> None:
    made = pyxle("init", "shop", "--tailwind", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "(app starter, Tailwind CSS 4)" in made.stdout
    project = tmp_path / "shop"
    assert (project / "postcss.config.mjs").is_file() and not (project / "tailwind.config.js").exists()
    assert '@import "tailwindcss";' in (project / "pages" / "global.css").read_text()
    link_node_modules(project)  # what `pyxle install` would put there

    server = start_server(project)
    page.page.goto(server.url + "/")
    page.hydrated()
    header = page.page.locator("header").evaluate(
        "e => { const s = getComputedStyle(e); return [s.display, s.paddingTop, s.backgroundColor] }")
    assert header[:2] == ["flex", "16px"] and header[2] != "rgba(0, 0, 0, 0)"  # flex p-4 bg-slate-100
    assert page.page.locator("h1").evaluate("e => getComputedStyle(e).fontWeight") == "700"  # font-bold
    counter = page.page.locator("output").evaluate("e => getComputedStyle(e.parentElement).display")
    assert counter == "inline-flex"  # the CSS module's @apply
    page.page.get_by_label("increment").click()
    assert page.page.locator("output").inner_text() == "1"
    assert page.problems() == []


def test_tailwind_starter_uses_the_packages_the_suite_installs() -> None:
    """Every npm range of the starter is what tests/node installs, so the suite tests those versions."""
    starter = json.loads((TEMPLATES / "tailwind" / "package.json").read_text())
    tested = json.loads((REPO / "tests" / "node" / "package.json").read_text())
    installed = {**tested["dependencies"], **tested["devDependencies"]}
    for name, wanted in {**starter["dependencies"], **starter["devDependencies"]}.items():
        assert installed.get(name) == wanted, name
    app = json.loads((TEMPLATES / "app" / "package.json").read_text())
    assert starter["dependencies"] == app["dependencies"]


def test_tailwind_with_api_only_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    made = pyxle("init", "svc", "--api", "--tailwind", cwd=tmp_path)
    assert made.returncode == 1
    assert "--tailwind styles pages, and an --api project has none" in made.stderr
    assert not (tmp_path / "svc").exists()
