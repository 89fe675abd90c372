"""Doc projects under real servers: one ``pyxle serve`` per project and test module."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server, link_node_modules, pyxle_command, server_env
from tests.docs._blocks import write_project


def serve_doc_project(root: Path, *args: str, node: bool = False, env: dict[str, str] | None = None,
                      command: str = "serve") -> Server:
    """Start the project at ``root`` (already written) as users do: the installed command, run from
    the project folder, with no PYTHONPATH entry for it."""
    if node and not (root / "node_modules").exists():
        link_node_modules(root)
    server = Server([command, str(root), "--host", "127.0.0.1", "--port", "0", *args], root,
                    server_env(**(env or {})))
    try:
        server.wait_ready(timeout=120 if node else 30)
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def doc_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """``doc_project("middleware", *args, node=False)`` -> a Server running that doc project."""
    servers: list[Server] = []

    def start(project: str, *args: str, node: bool = False, env: dict[str, str] | None = None) -> Server:
        root = write_project(project, tmp_path_factory.mktemp("doc") / project)
        server = serve_doc_project(root, *args, node=node, env=env)
        server.root = root  # type: ignore[attr-defined]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def pyxle_run(root: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """One ``pyxle`` command in ``root``, as a user runs it; output captured."""
    return subprocess.run([*pyxle_command(), *args], cwd=root, env=server_env(**env), capture_output=True,
                          text=True, timeout=timeout, check=False)


def python_run(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=root, env=server_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)
