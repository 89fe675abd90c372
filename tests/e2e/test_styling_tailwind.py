"""Tailwind 3 and 4 through the project's own PostCSS config, in Chromium: `pyxle build` +
`pyxle serve`, and `pyxle dev` applying edits to the CSS, the pages and tailwind.config.js."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import NODE_MODULES, REPO, PageWatch, Server, link_node_modules
from tests.docs._blocks import doc_block
from tests.e2e._styling import TAILWIND3_MODULES, build_ok, built_css

PAGE = '''
@server
async def load(request):
    return {"name": "tailwind"}

import './app.css'

export default function Home({ data }) {
  return <main id="box" className="flex p-4">{data.name}<span id="extra" className="EXTRA">x</span></main>
}
'''
TAILWIND4 = {
    "postcss.config.mjs": "export default { plugins: { '@tailwindcss/postcss': {} } }\n",
    "pages/app.css": '@import "tailwindcss";\n',
    "pages/index.pyxl": PAGE,
    ".gitignore": "dist/\n.pyxle-build/\n",
}
TAILWIND3 = {
    "postcss.config.js": "module.exports = { plugins: { tailwindcss: {}, autoprefixer: {} } }\n",
    "tailwind.config.js": "module.exports = { content: ['./pages/**/*.pyxl'], theme: { extend: {} } }\n",
    "pages/app.css": "@tailwind base;\n@tailwind components;\n@tailwind utilities;\n",
    "pages/index.pyxl": PAGE,
}


def tailwind_project(make_project, version: int) -> Path:  # type: ignore[no-untyped-def]
    project = make_project(TAILWIND4 if version == 4 else TAILWIND3, name=f"tailwind{version}")
    link_node_modules(project, TAILWIND3_MODULES if version == 3 else NODE_MODULES)
    return project


def box_style(page: PageWatch, selector: str = "#box") -> dict[str, str]:
    return page.page.locator(selector).evaluate(
        "e => { const s = getComputedStyle(e); return {display: s.display, padding: s.paddingTop, margin: s.marginTop} }")


def open_in_dev(make_project, start_server, page: PageWatch, version: int) -> tuple[Path, Server]:  # type: ignore[no-untyped-def]
    """A Tailwind project under `pyxle dev`, its page open and styled."""
    project = tailwind_project(make_project, version)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    assert box_style(page) == {"display": "flex", "padding": "16px", "margin": "0px"}
    return project, server


def wait_for_style(page: PageWatch, selector: str, prop: str, value: str) -> None:
    page.page.wait_for_function(
        "([sel, prop, value]) => { const e = document.querySelector(sel); return e && getComputedStyle(e)[prop] === value }",
        arg=[selector, prop, value], timeout=15000)


@pytest.mark.parametrize("version", [3, 4])
def test_tailwind_classes_apply_after_build_and_serve(version: int, make_project, start_server, page: PageWatch) -> None:
    project = tailwind_project(make_project, version)
    build_ok(project)
    server = start_server(project, "serve", "--skip-build")
    page.page.goto(server.url + "/")
    page.hydrated()
    assert box_style(page) == {"display": "flex", "padding": "16px", "margin": "0px"}
    assert page.problems() == []


@pytest.mark.parametrize("version", [3, 4])
def test_tailwind_classes_apply_in_dev_and_a_new_class_in_a_page_gets_its_css(
        version: int, make_project, start_server, page: PageWatch) -> None:
    project, server = open_in_dev(make_project, start_server, page, version)
    source = project / "pages" / "index.pyxl"
    source.write_text(source.read_text().replace('className="flex p-4"', 'className="flex p-4 mt-8"'))
    wait_for_style(page, "#box", "marginTop", "32px")  # Tailwind scanned the edited page again
    assert server.proc.poll() is None


def test_tailwind4_css_edit_applies_in_dev_without_a_restart(make_project, start_server, page: PageWatch) -> None:
    project, server = open_in_dev(make_project, start_server, page, 4)
    page.page.evaluate("window.__kept = 'same page'")

    (project / "pages" / "app.css").write_text('@import "tailwindcss";\n@theme { --spacing: 5px; }\n'
                                                ".EXTRA { color: rgb(1, 2, 3); }\n")
    wait_for_style(page, "#box", "paddingTop", "20px")  # p-4 is 4 x --spacing
    wait_for_style(page, "#extra", "color", "rgb(1, 2, 3)")
    assert page.page.evaluate("window.__kept") == "same page"  # swapped in place, not reloaded
    assert server.proc.poll() is None


def test_tailwind3_config_edit_applies_in_dev_without_a_restart(make_project, start_server, page: PageWatch) -> None:
    project, server = open_in_dev(make_project, start_server, page, 3)
    (project / "pages" / "app.css").write_text(TAILWIND3["pages/app.css"] + ".EXTRA { color: rgb(1, 2, 3); }\n")
    wait_for_style(page, "#extra", "color", "rgb(1, 2, 3)")  # the warm bundler has loaded the configs now

    (project / "tailwind.config.js").write_text(
        "module.exports = { content: ['./pages/**/*.pyxl'], theme: { extend: { spacing: { 4: '20px' } } } }\n")
    wait_for_style(page, "#box", "paddingTop", "20px")
    assert server.proc.poll() is None
    assert "reloaded routes after change to tailwind.config.js" in server.output()


def test_postcss_config_edit_applies_in_dev_without_a_restart(make_project, start_server, page: PageWatch) -> None:
    """A plugin added to postcss.config.js takes effect: the bundler process loads the config again."""
    project = tailwind_project(make_project, 3)
    (project / "pages" / "app.css").write_text("@tailwind utilities;\n.EXTRA { color: rgb(10, 20, 30); }\n")
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    assert page.page.locator("#extra").evaluate("e => getComputedStyle(e).color") == "rgb(10, 20, 30)"
    (project / "pages" / "app.css").write_text("@tailwind utilities;\n.EXTRA { color: rgb(10, 20, 31); }\n")
    wait_for_style(page, "#extra", "color", "rgb(10, 20, 31)")  # the warm bundler has loaded the config now

    (project / "recolor.cjs").write_text(
        "module.exports = () => ({ postcssPlugin: 'recolor', Declaration: { color: (d) => { d.value = 'rgb(200, 0, 0)' } } })\n"
        "module.exports.postcss = true\n")
    (project / "postcss.config.js").write_text(
        "module.exports = { plugins: [require('tailwindcss'), require('./recolor.cjs')] }\n")
    wait_for_style(page, "#extra", "color", "rgb(200, 0, 0)")
    assert box_style(page)["padding"] == "16px"
    assert server.proc.poll() is None


def doc_blocks() -> dict[str, str]:
    """The code blocks of docs/styling.md, by their first line (`// postcss.config.js`, ...)."""
    text = (REPO / "docs" / "styling.md").read_text()
    blocks = [block.split("\n", 1)[1] for block in text.split("```")[1::2]]
    return {block.split("\n", 1)[0]: block for block in blocks}


@pytest.mark.parametrize("version, config", [(3, "tailwind3-postcss"), (4, "tailwind4-postcss"), (4, "postcss-config")])
def test_the_tailwind_setups_in_the_styling_docs_build(version: int, config: str, make_project) -> None:
    """`postcss-config`, the PostCSS section's first example, is the starter's Tailwind 4 config (it
    was Tailwind 3's, which fails with the Tailwind 4 that `pyxle init --tailwind` installs)."""
    if version == 3:
        css = doc_block("docs/styling.md", "tailwind3-css")
        files = {"postcss.config.js": doc_block("docs/styling.md", config),
                 "tailwind.config.js": doc_block("docs/styling.md", "tailwind3-config")}
    else:
        css = doc_block("docs/styling.md", "tailwind4-css")
        files = {"postcss.config.mjs": doc_block("docs/styling.md", config), ".gitignore": "dist/\n"}
    project = tailwind_project(make_project, version)
    for name in ("postcss.config.js", "postcss.config.mjs", "tailwind.config.js"):
        (project / name).unlink(missing_ok=True)
    for name, text in {**files, "pages/app.css": css}.items():
        (project / name).write_text(text)
    build_ok(project)
    output = built_css(project)
    assert ".flex{display:flex}" in output and ".p-4{padding:" in output
