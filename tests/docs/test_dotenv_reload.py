"""`.env` edits apply on a `pyxle dev` reload (docs/configuration.md, ".env files")."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.conftest import Server, server_env
from tests.docs._blocks import cites
from tests.docs.conftest import serve_doc_project

ROUTE = "import os\n\nasync def get(request):\n    return {k: os.environ.get(k) for k in ('GREETING', 'FROM_SHELL')}\n"


def env_project(tmp_path: Path) -> Path:
    """A project whose one API route answers the two variables the tests set."""
    root = tmp_path / "app"
    (root / "pages" / "api").mkdir(parents=True)
    (root / "pages" / "api" / "env.py").write_text(ROUTE)
    return root


def answer_becomes(url: str, expected: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = httpx.get(url)
        if got.status_code == 200 and got.json() == expected or time.monotonic() > deadline:
            return got.json()
        time.sleep(0.1)


@cites("docs/configuration.md", "When the files are read again in a running process (a dev-server reload")
@cites("docs/configuration.md", "a file created while `pyxle dev` runs is read with the next edit")
def test_an_edited_env_file_applies_on_the_dev_reload_and_the_shell_still_wins(tmp_path: Path) -> None:
    root = env_project(tmp_path)
    (root / "pages" / "index.pyxl").write_text(
        "export default function Home() {\n  return <p>name: {process.env.PYXLE_PUBLIC_NAME}</p>\n}\n")
    (root / ".env").write_text("GREETING=hello\nFROM_SHELL=file\nPYXLE_PUBLIC_NAME=Ada\n")
    server = serve_doc_project(root, command="dev", node=True, env={"FROM_SHELL": "shell"})
    try:
        url = server.url + "/api/env"
        assert httpx.get(url).json() == {"GREETING": "hello", "FROM_SHELL": "shell"}
        assert "name: <!-- -->Ada" in httpx.get(server.url + "/").text
        (root / ".env").write_text("GREETING=bonjour\nFROM_SHELL=file again\nPYXLE_PUBLIC_NAME=Grace\n")
        assert answer_becomes(url, {"GREETING": "bonjour", "FROM_SHELL": "shell"}) == {
            "GREETING": "bonjour", "FROM_SHELL": "shell"}
        assert "name: <!-- -->Grace" in httpx.get(server.url + "/").text
        (root / ".env.local").write_text("GREETING=hallo\n")  # a new file is read with the next edit
        (root / ".env").write_text("GREETING=bonjour\nFROM_SHELL=file\n")
        assert answer_becomes(url, {"GREETING": "hallo", "FROM_SHELL": "shell"})["GREETING"] == "hallo"
    finally:
        server.stop()


@cites("docs/configuration.md", "In `pyxle dev`, an edit that leaves such a line is not applied: it is reported\nthe same way")
def test_a_broken_env_edit_is_not_applied_and_the_last_values_serve_until_it_is_fixed(tmp_path: Path) -> None:
    root = env_project(tmp_path)
    (root / ".env").write_text("GREETING=hello\n")
    server = serve_doc_project(root, command="dev")
    try:
        url = server.url + "/api/env"
        (root / ".env").write_text("GREETING=edited\nnot a line\n")
        server.wait_for_output(f"{root / '.env'}: line 2: expected KEY=VALUE", timeout=60)
        assert ".env not applied, the server keeps its last good configuration" in server.output()
        assert httpx.get(url).json() == {"GREETING": "hello", "FROM_SHELL": None}
        (root / ".env").write_text("GREETING=fixed\n")
        assert answer_becomes(url, {"GREETING": "fixed", "FROM_SHELL": None})["GREETING"] == "fixed"
    finally:
        server.stop()


@cites("docs/configuration.md", "A line Pyxle cannot read stops start-up with its file and line number")
def test_a_broken_env_line_stops_start_up_naming_the_file_and_line(tmp_path: Path) -> None:
    root = env_project(tmp_path)
    (root / ".env").write_text("GREETING=hello\nsecret words here\n")
    server = Server(["dev", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env())
    try:
        assert server.wait_exit(60) != 0
    finally:
        server.stop()
    assert f"{root / '.env'}: line 2: expected KEY=VALUE" in server.output()
    assert "secret words" not in server.output()  # the line's content is not echoed
