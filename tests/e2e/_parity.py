"""Helpers of the test_client_parity* modules: a throwaway project served by `pyxle serve`, on
React 19 and on React 18."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import NODE_MODULES, NODE_MODULES_REACT18, Server, link_node_modules, server_env


def write_project(root: Path, files: dict[str, str], modules: Path | None = NODE_MODULES) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.lstrip("\n"))
    (root / "pages").mkdir(exist_ok=True)
    if modules is not None:
        link_node_modules(root, modules)
    return root


def serve(root: Path, *args: str, **env: str) -> Server:
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", "--ssr-workers", "1", *args], root,
                    server_env(**env))
    try:
        server.wait_ready(60)
    except Exception:
        server.stop()
        raise
    return server


def react_app(files: dict[str, str], name: str):  # type: ignore[no-untyped-def]
    """A module fixture: the project of ``files`` under `pyxle serve`, once on React 19, once on 18."""

    @pytest.fixture(scope="module", params=["19", "18"])
    def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
        modules = NODE_MODULES if request.param == "19" else NODE_MODULES_REACT18
        server = serve(write_project(tmp_path_factory.mktemp(f"{name}{request.param}") / "app", files, modules))
        yield server
        server.stop()

    return app
