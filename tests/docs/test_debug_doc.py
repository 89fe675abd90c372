"""docs/configuration.md: `debug` gives `pyxle serve` the error detail of `pyxle dev`."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.docs._blocks import cites
from tests.docs.conftest import serve_doc_project

FILES = {
    "pages/api/boom.py": "async def get(request):\n    raise RuntimeError('the disk is full')\n",
    "pages/boom.pyxl": ("@server\nasync def load(request):\n    raise RuntimeError('the loader broke')\n\n\n"
                        "export default function Boom() {\n  return <p>never</p>\n}\n"),
}


def project(root: Path, config: str) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "pyxle.config.json").write_text(config)
    return root


@cites("docs/configuration.md", "`pyxle serve` answers errors as `pyxle dev` does: the exception and its traceback "
       "in 500 JSON and error pages")
@cites("docs/configuration.md", "(start-up warns)")
def test_debug_puts_the_exception_in_serve_error_responses_and_warns(tmp_path: Path) -> None:
    server = serve_doc_project(project(tmp_path / "on", '{"debug": true}'))
    try:
        api = httpx.get(server.url + "/api/boom")
        assert api.status_code == 500
        assert "the disk is full" in api.json()["exception"] and "RuntimeError" in "".join(api.json()["traceback"])
        page = httpx.get(server.url + "/boom")
        assert page.status_code == 500 and "the loader broke" in page.text
        shown = page.text.split("<pre>", 1)[-1]  # the built-in error page's traceback, the loader's line in it
        assert "<pre>" in page.text and "Traceback (most recent call last)" in shown and "boom.pyxl" in shown
        assert server.output().count("debug is on: error responses carry exception text") == 1
    finally:
        server.stop()


@cites("docs/configuration.md", "| `debug` | `true` / `false` | `false` |")
def test_without_debug_serve_hides_the_exception(tmp_path: Path) -> None:
    server = serve_doc_project(project(tmp_path / "off", "{}"))
    try:
        api = httpx.get(server.url + "/api/boom")
        assert api.json() == {"error": "Internal Server Error"}
        page = httpx.get(server.url + "/boom")
        assert page.status_code == 500 and "the loader broke" not in page.text and "Traceback" not in page.text
    finally:
        server.stop()
