"""`pyxle dev`'s warm bundler: rebuilds in one Node process, errors located, gone on close."""

from __future__ import annotations

import json
import os
import time

import pytest

from pyxle.bundler import BuildError, Bundler, build, fast_refresh
from pyxle.routing import scan

PAGE = "export default function Home() {{ return <h1>{title}</h1> }}\n"


def page_code(project, manifest) -> str:  # type: ignore[no-untyped-def]
    """The browser code of the index page: its entry and the chunks it imports (with Fast Refresh,
    the page's module is a chunk of its own)."""
    entry = manifest["pages"]["index"]
    return "".join((project / ".pyxle-build" / "public" / url.lstrip("/")).read_text()
                   for url in [entry["js"], *entry["imports"]])


def test_rebuilds_share_one_process_report_errors_and_it_leaves_on_close(make_project) -> None:
    project = make_project({"pages/index.pyxl": PAGE.format(title="one")}, node=True)
    pages = project / "pages"
    bundler = Bundler(project)

    def rebuild():  # type: ignore[no-untyped-def]
        return build(project, pages, scan(pages), project / ".pyxle-build", mode="development", force=True,
                     bundler=bundler)

    first = rebuild()
    process = bundler._process
    assert process is not None

    (pages / "index.pyxl").write_text(PAGE.format(title="two"))
    second = rebuild()
    assert bundler._process is process  # the same warm process
    assert second.manifest["pages"]["index"]["js"] != first.manifest["pages"]["index"]["js"]
    assert "two" in page_code(project, second.manifest)

    (pages / "index.pyxl").write_text("export default function Home() { return <h1>broken</h2> }\n")
    with pytest.raises(BuildError) as error:
        rebuild()
    assert "pages/index.pyxl:1:" in str(error.value)  # located in the user's file

    (pages / "index.pyxl").write_text(PAGE.format(title="three"))
    rebuild()  # the contexts survive a failed build
    assert bundler._process is process

    began = time.monotonic()
    bundler.close()
    assert time.monotonic() - began < 3, "the bundler should exit at the end of its input, not be killed"
    assert process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)


# A PostCSS plugin that takes 1.5 s: the browser build (which runs it) finishes well after the
# server build (which skips CSS).
SLOW_CSS_PLUGIN = """
module.exports = () => ({
  postcssPlugin: 'slow',
  Once: () => new Promise((resolve) => setTimeout(resolve, 1500)),
})
module.exports.postcss = true
"""
STYLED_LAYOUT = "import './layout.css'\nexport default function Layout({ children }) { return <div>{children}</div> }\n"


def test_a_failed_rebuild_waits_for_every_build_so_the_next_one_is_fresh(make_project) -> None:
    """A broken page fails the server build at once while the browser build is still running. The
    bundler used to answer then; the next rebuild, of the fixed page, got the still-running build's
    broken result back from esbuild, and `pyxle dev` kept showing an error the user had fixed (seen
    on loaded CI machines, where the gap between the two builds opens by itself)."""
    project = make_project({
        "pages/index.pyxl": PAGE.format(title="one"),
        "pages/layout.pyxl": STYLED_LAYOUT,  # its stylesheet still loads while the page fails to parse
        "pages/layout.css": "h1 { color: red; }\n",
        "slow.cjs": SLOW_CSS_PLUGIN,
        "postcss.config.cjs": "module.exports = { plugins: [require('./slow.cjs')] }\n",
    }, node=True)
    pages = project / "pages"
    bundler = Bundler(project)

    def rebuild():  # type: ignore[no-untyped-def]
        return build(project, pages, scan(pages), project / ".pyxle-build", mode="development", force=True,
                     bundler=bundler)

    try:
        rebuild()
        (pages / "index.pyxl").write_text("export default function Home() { return <h1>x</h2> }\n")
        (pages / "layout.css").write_text("h1 { color: blue; }\n")  # changed: the slow plugin runs again
        with pytest.raises(BuildError):
            rebuild()
        (pages / "index.pyxl").write_text(PAGE.format(title="fixed"))
        fixed = rebuild()  # raised the broken page's error again before the fix
        assert "fixed" in page_code(project, fixed.manifest)
    finally:
        bundler.close()


# Fast Refresh (pyxle dev with react-refresh and @babel/core installed) passes each of the
# project's modules through Babel and adds registration code to it.
WIDGET_PAGE = "import Widget from '../components/Widget.jsx'\nexport default function Home() { return <Widget /> }\n"
WIDGET = "export default function Widget() { return <p>widget</p> }\n"


def refresh_build(make_project, widget: str):  # type: ignore[no-untyped-def]
    """Builds a page showing components/Widget.jsx with Fast Refresh, as `pyxle dev` does."""
    project = make_project({"pages/index.pyxl": WIDGET_PAGE, "components/Widget.jsx": widget}, node=True)
    assert fast_refresh(project, "development")
    pages = project / "pages"
    bundler = Bundler(project)
    try:
        return project, build(project, pages, scan(pages), project / ".pyxle-build", mode="development",
                              force=True, bundler=bundler)
    finally:
        bundler.close()


def test_an_error_on_a_modules_first_line_names_the_users_column_and_line(make_project) -> None:
    """The refresh code used to go in front of line 1: an error there was reported some 250 columns
    too far right, with that code shown as the source line."""
    with pytest.raises(BuildError) as error:
        refresh_build(make_project, "import confetti from 'canvas-confetti'\n" + WIDGET)
    assert str(error.value) == (
        'components/Widget.jsx:1:22: Could not resolve "canvas-confetti"\n'
        "    import confetti from 'canvas-confetti'\n"
        "                         ^\n"
        "    hint: install it with `npm install canvas-confetti`"
    )


def test_an_error_in_a_line_babel_reprints_names_the_line_as_the_user_wrote_it(make_project) -> None:
    """Babel prints each line again (`{a,b}` becomes `{ a, b }`), which moved columns on every line."""
    with pytest.raises(BuildError) as error:
        refresh_build(make_project, WIDGET + "import {useState,  useEffect} from 'nope-pkg'\n")
    assert str(error.value) == (
        'components/Widget.jsx:2:36: Could not resolve "nope-pkg"\n'
        "    import {useState,  useEffect} from 'nope-pkg'\n"
        "                                       ^\n"
        "    hint: install it with `npm install nope-pkg`"
    )


def test_a_column_after_non_ascii_text_counts_characters_not_bytes(make_project) -> None:
    """esbuild counts bytes: the caret sat four places right of the import after `é😀`."""
    with pytest.raises(BuildError) as error:
        refresh_build(make_project, "const s = 'é😀'; import x from 'nope-pkg'\n" + WIDGET)
    assert str(error.value) == (
        'components/Widget.jsx:1:31: Could not resolve "nope-pkg"\n'
        "    const s = 'é😀'; import x from 'nope-pkg'\n"
        "    " + " " * 30 + "^\n"
        "    hint: install it with `npm install nope-pkg`"
    )


BASE64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def original_position(source_map: dict, line: int, column: int) -> tuple[str, int, int]:  # type: ignore[type-arg]
    """(source, line, column) of a generated position (all 0-based), as a browser maps a stack."""
    found = None
    state = [0, 0, 0, 0]  # source, original line, original column carry over from line to line
    for generated_line, text in enumerate(source_map["mappings"].split(";")):
        generated = 0
        for segment in filter(None, text.split(",")):
            values, value, shift = [], 0, 0
            for char in segment:
                digit = BASE64[char]
                value += (digit & 31) << shift
                shift = shift + 5 if digit & 32 else 0
                if not digit & 32:
                    values.append(-(value >> 1) if value & 1 else value >> 1)
                    value = 0
            generated += values[0]
            if len(values) >= 4:
                state = [state[0] + values[1], state[1] + values[2], state[2] + values[3], 0]
            if generated_line == line and generated <= column:
                found = (source_map["sources"][state[0]], state[1], state[2]) if len(values) >= 4 else None
    assert found, "the position is not mapped"
    return found


def test_the_browser_source_map_places_a_throw_on_line_one_at_the_users_column(make_project) -> None:
    """What the browser's developer tools show for an error thrown in the page: the user's file,
    line and column, and the user's code (not Babel's reprint with the refresh code in front)."""
    widget = ("const boom = () => { throw new Error('line one') }; "
              "export default function Widget() { return <p onClick={boom}>widget</p> }\n")
    project, _ = refresh_build(make_project, widget)
    public = project / ".pyxle-build" / "public"
    bundle = next(f for f in public.rglob("*.js") if "line one" in f.read_text())
    lines = bundle.read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if "line one" in text)
    source_map = json.loads(bundle.with_name(bundle.name + ".map").read_text())
    source, original_line, column = original_position(source_map, line, lines[line].index("throw"))
    assert source.endswith("components/Widget.jsx")
    assert (original_line, column) == (0, widget.index("throw"))
    assert source_map["sourcesContent"][source_map["sources"].index(source)] == widget


def test_a_page_saved_while_the_route_table_was_read_is_built_at_the_next_reload(make_project) -> None:
    """A page saved between the route scan and the build's walk of the sources is in that build's
    fingerprint but not in its pages; the next reload found the fingerprint unchanged and reused it,
    and every request answered "pages/late.pyxl: is not in the build" until the file changed again.
    (A probe saw it adding nine pages in one shell command under `pyxle dev`.)"""
    project = make_project({"pages/index.pyxl": PAGE.format(title="one")}, node=True)
    pages = project / "pages"
    before = scan(pages)
    (pages / "late.pyxl").write_text(PAGE.format(title="late"))
    first = build(project, pages, before, project / ".pyxle-build", mode="development")
    assert "late.pyxl" not in first.server_modules()
    second = build(project, pages, scan(pages), project / ".pyxle-build", mode="development")
    assert "late.pyxl" in second.server_modules()
    assert "late" in second.manifest["pages"]
