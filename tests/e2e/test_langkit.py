"""pyxle-langkit, the editor tooling 0.9 users run (LSP server, linter), works on this Pyxle.

It imports 0.9's compiler modules (``pyxle.compiler.parser``, ``exceptions``, ``jsx_parser``,
``writers``); these tests run the real package from the index, as an editor would: its ``lint``
command and its language server over stdio. The findings expected are the ones it reports under
pyxle-framework 0.9.4 for the same files (lines and rules; the messages are Pyxle's own).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.conftest import server_env

BIN = Path(sys.executable).parent

PAGE = '''
import os


@server
def load(req):
    x = undefined_name
    return {"title": "hi", "count": 3}


@action
async def save(request):
    return {"ok": True}


@action
async def save(request):
    return {"ok": False}


import { Image, Script } from 'pyxle/client'

export default function Page({ data }) {
  return (
    <div>
      <h1>{data.title}</h1>
      <Image src="/a.png" />
      <Script />
    </div>
  )
}
'''

CLEAN = '''
@server
async def load(request):
    return {"title": "Home", "count": 3}


import { Image } from 'pyxle/client'

export default function Page({ data }) {
  return <Image src="/a.png" alt="A" width={64} height={64} title={data.title} />
}
'''


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "pyxle-langkit"), "lint", str(path)], capture_output=True, text=True,
                          env=server_env(NO_COLOR="1"), check=False, timeout=120)


def findings(output: str) -> set[tuple[int, str]]:
    """``(line, rule)`` of each ``  5  ERROR  [rule] message`` line."""
    found = set()
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[2].startswith("["):
            found.add((int(parts[0]), parts[2].strip("[]")))
    return found


def test_langkit_lint_reports_a_pages_problems_at_their_lines(make_project) -> None:
    project = make_project({"pages/index.pyxl": PAGE})
    result = lint(project / "pages/index.pyxl")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert findings(result.stdout) == {
        (5, "python"),  # the loader is not async (a parser diagnostic, as under 0.9.4)
        (16, "python"),  # the second action named save
        (1, "pyflakes/UnusedImport"),
        (6, "pyflakes/UnusedVariable"),
        (6, "pyflakes/UndefinedName"),
        (16, "pyflakes/RedefinedWhileUnused"),
        (26, "pyxle/image-alt-recommended"),
        (26, "pyxle/image-width-recommended"),
        (26, "pyxle/image-height-recommended"),
        (27, "pyxle/script-src-required"),
    }, result.stdout
    assert "load() must be async def" in result.stdout
    assert "duplicate action name 'save'" in result.stdout


def test_langkit_lint_passes_a_clean_page(make_project) -> None:
    project = make_project({"pages/index.pyxl": CLEAN})
    result = lint(project / "pages/index.pyxl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues found." in result.stdout


class LanguageClient:
    """A JSON-RPC client speaking LSP over the server's stdin/stdout."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=server_env())
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers = b""
            while not headers.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    self.messages.put(None)
                    return
                headers += byte
            length = next(int(h.split(b":")[1]) for h in headers.split(b"\r\n") if h.lower().startswith(b"content-length"))
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def wait_for(self, predicate, timeout: float = 60) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        while True:
            message = self.messages.get(timeout=timeout)
            assert message is not None, "the language server closed its output"
            if predicate(message):
                return message

    def request(self, id_: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.send({"id": id_, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == id_)

    def close(self) -> None:
        try:
            self.request(99, "shutdown", {})
            self.send({"method": "exit"})
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def open_page(client: LanguageClient, path: Path) -> dict[str, Any]:
    """initialize, didOpen; the first publishDiagnostics for the file."""
    reply = client.request(1, "initialize", {"processId": None, "rootUri": path.parent.parent.as_uri(),
                                             "capabilities": {}})
    assert reply["result"]["capabilities"]["hoverProvider"]
    client.send({"method": "initialized", "params": {}})
    client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": path.as_uri(), "languageId": "pyxl", "version": 1, "text": path.read_text()}}})
    return client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")["params"]


def test_langkit_language_server_publishes_diagnostics_and_hovers_the_loaders_data(make_project) -> None:
    project = make_project({"pages/index.pyxl": PAGE, "pages/home.pyxl": CLEAN})
    page = project / "pages/index.pyxl"
    client = LanguageClient([str(BIN / "pyxle-langserver")])
    try:
        published = open_page(client, page)
        assert published["uri"] == page.as_uri()
        by_line = {(d["range"]["start"]["line"] + 1, d["message"]) for d in published["diagnostics"]}
        assert (5, "@server loader load() must be async def") in by_line, by_line
        assert (6, "undefined name 'undefined_name'") in by_line, by_line
        assert any(line == 27 and "<Script />" in message for line, message in by_line), by_line

        home = project / "pages/home.pyxl"
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": home.as_uri(), "languageId": "pyxl", "version": 1, "text": home.read_text()}}})
        clean = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == home.as_uri())["params"]
        assert clean["diagnostics"] == []
        lines = home.read_text().splitlines()
        line = next(i for i, text in enumerate(lines) if "data.title" in text)
        hover = client.request(2, "textDocument/hover", {"textDocument": {"uri": home.as_uri()},
                                                         "position": {"line": line, "character": lines[line].index("data.") + 1}})
        shown = hover["result"]["contents"]["value"]
        assert "load()" in shown and "title" in shown and "count" in shown, shown
    finally:
        client.close()


def test_langkit_flags_runtime_names_used_without_import_that_pyxle_check_accepts(make_project) -> None:
    """docs/editors.md: langkit knows only server and action as given names; an import satisfies both."""
    page = CLEAN.replace('    return {"title": "Home", "count": 3}',
                         '    if request.query_params.get("x"):\n        raise LoaderError("no")\n'
                         '    return {"title": "Home", "count": 3}')
    project = make_project({"pages/index.pyxl": page})
    result = lint(project / "pages/index.pyxl")
    assert findings(result.stdout) == {(4, "pyflakes/UndefinedName")}, result.stdout
    checked = subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                             env=server_env(), check=False, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    (project / "pages/index.pyxl").write_text("from pyxle.runtime import LoaderError\n\n" + page.lstrip("\n"))
    result = lint(project / "pages/index.pyxl")
    assert result.returncode == 0 and "No issues found." in result.stdout, result.stdout
