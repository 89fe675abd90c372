"""A file in public/ or dist/ that the server's user may not read (a deploy left it at mode 600,
the server runs as another user, as the Dockerfile's does): granian answered its own bare 404,
without Pyxle's headers or request id, after an access-log line of 200, and nothing said why. It
is a 500 now, with a log line naming the file; a precompressed twin it may not read is passed over.
Root reads every file, so as root the server runs without its capabilities to override file
permissions (setpriv), as any other user would."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.conftest import Server, server_env
from tests.docs._blocks import cites

AS_USER = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search") if os.geteuid() == 0 else ()
PAGE = "export default function Home() { return <p>home</p> }\n"


@pytest.fixture
def server(make_project) -> Server:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": PAGE, "public/robots.txt": "User-agent: *\n",
                            "public/notes.txt": "n" * 4000}, node=True)
    server = Server(["serve", str(project), "--host", "127.0.0.1", "--port", "0"], project,
                    server_env(PYXLE_SECRET_KEY="u" * 40), prefix=AS_USER)
    server.root = project  # type: ignore[attr-defined]
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@cites("docs/deployment.md", "A file the server's user may not read answers `500`, and the log names it once\n"
                             "  (`... cannot be read by the server (Permission denied)`, with the hint to make it readable)")
def test_a_public_file_the_server_may_not_read_answers_500_with_pyxles_headers_and_a_log_line(server: Server) -> None:
    public = server.root / "public"  # type: ignore[attr-defined]
    assert httpx.get(server.url + "/robots.txt").status_code == 200
    (public / "robots.txt").chmod(0)
    for _ in range(2):
        refused = httpx.get(server.url + "/robots.txt")
        assert refused.status_code == 500 and refused.json() == {"error": "Internal Server Error"}
        assert refused.headers["x-content-type-options"] == "nosniff" and refused.headers["x-request-id"]
    (public / "robots.txt").chmod(0o644)
    assert httpx.get(server.url + "/robots.txt").text == "User-agent: *\n"
    out = server.wait_for_output('"GET /robots.txt" 500')
    assert out.count("robots.txt cannot be read by the server (Permission denied)") == 1, out
    assert "hint: make it readable by the user the server runs as" in out
    assert '"GET /robots.txt" 500' in out, out


@cites("docs/deployment.md", "a precompressed `.br` or `.gz` it may not read is passed over for the plain file")
def test_a_built_asset_it_may_not_read_answers_500_and_an_unreadable_twin_is_passed_over(server: Server) -> None:
    built = server.root / "dist" / "public" / "_pyxle"  # type: ignore[attr-defined]
    script = next(built.glob("page_index-*.js"))
    url = f"{server.url}/_pyxle/{script.name}"
    script.with_name(script.name + ".br").chmod(0)
    passed_over = httpx.get(url, headers={"accept-encoding": "br, gzip"})
    assert passed_over.status_code == 200 and passed_over.headers["content-encoding"] == "gzip"
    assert "home" in passed_over.text
    script.chmod(0)
    refused = httpx.get(url, headers={"accept-encoding": "identity"})
    assert refused.status_code == 500 and refused.headers["x-request-id"]
    assert f"{script.name} cannot be read by the server" in server.wait_for_output("cannot be read by the server")
