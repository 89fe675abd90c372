"""`pyxle dev`'s warm bundler: rebuilds in one Node process, errors located, gone on close."""

from __future__ import annotations

import os
import time

import pytest

from pyxle.bundler import BuildError, Bundler, build
from pyxle.routing import scan

PAGE = "export default function Home() {{ return <h1>{title}</h1> }}\n"


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
    assert "two" in (project / ".pyxle-build" / "public" / second.manifest["pages"]["index"]["js"].lstrip("/")).read_text()

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
        js = fixed.manifest["pages"]["index"]["js"]
        assert "fixed" in (project / ".pyxle-build" / "public" / js.lstrip("/")).read_text()
    finally:
        bundler.close()
