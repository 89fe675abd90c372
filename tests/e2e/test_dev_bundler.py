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
