"""Start-up notes print once per server, not once per process (docs/pages.md, docs/client.md)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites
from tests.docs.conftest import serve_doc_project
from tests.e2e._styling import node_modules

PAGE = "export default function Home() {\n  return <p>home</p>\n}\n"


def project(tmp_path: Path) -> Path:
    (tmp_path / "app" / "pages").mkdir(parents=True)
    (tmp_path / "app" / "pages" / "index.pyxl").write_text(PAGE)
    return tmp_path / "app"


@cites("docs/pages.md", "Without Node or those packages the server says so\n  once at start-up")
def test_missing_npm_packages_are_reported_once_with_several_workers(tmp_path: Path) -> None:
    server = serve_doc_project(project(tmp_path), "--workers", "2", env=SHARED_SECRET)
    try:
        assert server.output().count("pages will not be rendered, on the server or in the browser (there is no build): npm packages "
                                     "not installed") == 1
    finally:
        server.stop()


@cites("docs/client.md", "Without them `pyxle dev` says so once at start-up")
def test_missing_fast_refresh_packages_are_reported_once_in_dev(tmp_path: Path) -> None:
    root = project(tmp_path)
    node_modules(root, without=("react-refresh", "@babel"))
    server = serve_doc_project(root, node=True, command="dev")
    try:
        (root / "pages" / "index.pyxl").write_text(PAGE.replace("home", "edited"))  # a reload: still once
        deadline = time.monotonic() + 60
        while "reloaded routes after change to pages/index.pyxl" not in server.output():
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        assert server.output().count("React state is not kept across edits") == 1, server.output()
    finally:
        server.stop()
