"""Files a stylesheet reads from outside the project (a monorepo's `../shared/`): through Sass `@use`,
a PostCSS plugin that reads a file (as `postcss-import` does), Tailwind 4's `@source "../shared"`
(with its PostCSS plugin, and without a PostCSS config), Tailwind 3's content glob. An edit to one makes `dist/` stale for
`pyxle serve` and rebuilds a running `pyxle dev`. The real CLI, edits on disk, CSS over HTTP."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import NODE_MODULES
from tests.docs._blocks import cites
from tests.e2e._styling import TAILWIND3_MODULES, build_ok, node_modules, vite_era_tailwind4

PAGE = "import './app.{ext}'\nexport default function P() {{ return <p id='p'>styled</p> }}\n"
# The inlining plugin: what postcss-import does with an @import, reported as PostCSS asks.
INLINE = """const fs = require('fs'), path = require('path')
module.exports = () => ({ postcssPlugin: 'inline', Once(root, { result }) {
  const file = path.resolve(path.dirname(result.opts.from), '../../shared/tokens.css')
  root.append(fs.readFileSync(file, 'utf8'))
  result.messages.push({ type: 'dependency', plugin: 'inline', file, parent: result.opts.from })
} })
module.exports.postcss = true
"""
# kind -> (the project's files, the shared file's name, its text given a value, the CSS that value gives)
KINDS = {
    "sass": ({"pages/app.scss": "@use '../../shared/tokens';\n#p { padding-top: tokens.$pad; }\n"},
             "_tokens.scss", "$pad: {v}px;\n", "{v}px"),
    "postcss": ({"pages/app.css": "#p { margin: 0 }\n", "inline.cjs": INLINE,
                 "postcss.config.js": "module.exports = { plugins: [require('./inline.cjs')] }\n"},
                "tokens.css", "#p {{ padding-top: {v}px }}\n", "{v}px"),
    "tailwind": ({"pages/app.css": '@import "tailwindcss";\n@source "../../shared";\n',
                  "postcss.config.mjs": "export default { plugins: { '@tailwindcss/postcss': {} } }\n"},
                 "Card.jsx", "export const Card = () => <b className='pt-[{v}px]'>c</b>\n", "{v}px"),
    "tailwind3": ({"pages/app.css": "@tailwind utilities;\n",
                   "postcss.config.js": "module.exports = { plugins: { tailwindcss: {} } }\n",
                   "tailwind.config.js": "module.exports = { content: { relative: true, files: ['../shared/**/*.jsx'] } }\n"},
                  "Card.jsx", "export const Card = () => <b className='pt-[{v}px]'>c</b>\n", "{v}px"),
    "tailwind-no-config": ({"pages/app.css": '@import "tailwindcss";\n@source "../../shared";\n'},
                           "Card.jsx", "export const Card = () => <b className='pt-[{v}px]'>c</b>\n", "{v}px"),
}


def monorepo(make_project, tmp_path: Path, kind: str, value: int) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The project (tmp_path/app) and the shared file beside it (tmp_path/shared), holding ``value``."""
    files, name, text, _ = KINDS[kind]
    shared = tmp_path / "shared" / name
    shared.parent.mkdir()
    shared.write_text(text.format(v=value))
    ext = "scss" if kind == "sass" else "css"
    project = make_project({**files, "pages/index.pyxl": PAGE.format(ext=ext)})
    if kind == "tailwind-no-config":
        vite_era_tailwind4(project)  # Tailwind's compiler, no @tailwindcss/postcss
    else:
        node_modules(project, source=TAILWIND3_MODULES if kind == "tailwind3" else NODE_MODULES)
    return project, shared


def served_css(url: str) -> str:
    """The stylesheets the page at ``url`` links, fetched as a browser would."""
    html = httpx.get(url + "/").text
    return "".join(httpx.get(url + href).text for href in re.findall(r'href="(/_pyxle/[^"]+\.css)"', html))


def shows(url: str, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while text not in served_css(url):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.parametrize("kind", sorted(KINDS))
@cites("docs/styling.md", "Files a stylesheet reads outside the project are followed too")
def test_serve_rebuilds_after_an_edit_to_a_file_a_stylesheet_reads_outside_the_project(
        make_project, start_server, tmp_path: Path, kind: str) -> None:
    project, shared = monorepo(make_project, tmp_path, kind, 13)
    build_ok(project)
    shared.write_text(KINDS[kind][2].format(v=27))
    server = start_server(project, "serve", "--ssr-workers", "1")
    css = served_css(server.url)
    assert KINDS[kind][3].format(v=27) in css, css


@pytest.mark.parametrize("kind", ["sass", "postcss", "tailwind", "tailwind3"])
@cites("docs/styling.md", "an edit to one rebuilds under `pyxle dev`")
def test_dev_applies_an_edit_to_a_file_a_stylesheet_reads_outside_the_project(
        make_project, start_server, tmp_path: Path, kind: str) -> None:
    project, shared = monorepo(make_project, tmp_path, kind, 13)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert shows(server.url, KINDS[kind][3].format(v=13), 30)
    shared.write_text(KINDS[kind][2].format(v=27))
    assert shows(server.url, KINDS[kind][3].format(v=27), 30), served_css(server.url)
