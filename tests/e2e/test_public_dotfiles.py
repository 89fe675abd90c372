"""Files of `public/` whose name, or a folder's on their path, starts with a dot (`.env`, `.git/`,
`.DS_Store`) are not served and not copied into the build, as Express's static (`dotfiles:
'ignore'`) and common nginx configurations leave them out; `.well-known/` is served. pyxle-framework
0.9.4 served them to anyone, and a `public/.env` put there by mistake was world-readable.
`pyxle build`, `serve` and `dev` name them once. On a real server, with raw requests too."""

from __future__ import annotations

import socket
import subprocess

import httpx
import pytest

from tests.conftest import SHARED_SECRET, pyxle_command, server_env
from tests.docs._blocks import cites

PAGE = "export default function Home() { return <p>home</p> }\n"
FILES = {
    "pages/index.pyxl": PAGE,
    "public/.env": "DATABASE_URL=postgres://user:hunter2@db/app\n",
    "public/.git/config": "[core]\n",
    "public/img/.DS_Store": "finder",
    "public/img/logo.txt": "a logo\n",
    "public/.well-known/security.txt": "Contact: mailto:security@example.com\n",
    "public/.well-known/.hidden": "not this one\n",
    "public/robots.txt": "User-agent: *\n",
}
NOTE = "public/.env, public/.git/, public/.well-known/.hidden and public/img/.DS_Store are not served"
HIDDEN = ["/.env", "/.git/config", "/img/.DS_Store", "/.well-known/.hidden", "/%2eenv", "/img/%2EDS_Store",
          "/.well-known/../.env", "/img/../.env"]


def raw_status(url: str, method: str, path: str) -> tuple[int, bytes]:
    """The status and body of ``method path``, the path sent as written (no client normalises it)."""
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


@pytest.fixture
def project(make_project):  # type: ignore[no-untyped-def]
    return make_project(FILES, node=True)


@cites("docs/deployment.md", "A file or folder of `public/` whose name starts with a dot")
@cites("docs/security.md", "`public/` serves no file or folder whose name starts with a dot")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_dotfiles_of_public_answer_404_and_well_known_is_served(project, start_server, command: str) -> None:  # type: ignore[no-untyped-def]
    server = start_server(project, command, *(["--workers", "2"] if command == "serve" else []), env=SHARED_SECRET)
    for path in HIDDEN:
        for method in ("GET", "HEAD", "OPTIONS"):  # a POST is refused by CSRF first (403)
            status, data = raw_status(server.url, method, path)
            assert status == 404, (method, path, data[:300])
            assert b"hunter2" not in data and b"[core]" not in data and b"finder" not in data
    assert httpx.get(server.url + "/.well-known/security.txt").text == "Contact: mailto:security@example.com\n"
    assert httpx.get(server.url + "/img/logo.txt").text == "a logo\n"
    assert httpx.get(server.url + "/robots.txt").status_code == 200
    output = server.output()
    assert output.count(NOTE) == 1, output
    line = next(line for line in output.splitlines() if NOTE in line)
    assert "logo.txt" not in line and "security.txt" not in line and "robots.txt" not in line, line


@cites("docs/deployment.md", "nor copied into `dist/server/public/`")
@cites("docs/migrating.md", "are not served (404) and not copied into the build; 0.9.4 served them")
def test_the_build_leaves_dotfiles_out_of_its_copy_of_public_and_names_them(project) -> None:  # type: ignore[no-untyped-def]
    run = subprocess.run([*pyxle_command(), "build", str(project)], cwd=project, capture_output=True, text=True,
                         timeout=180, env=server_env(), check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (run.stdout + run.stderr).count(NOTE) == 1, run.stdout + run.stderr
    copy = project / "dist" / "server" / "public"
    copied = sorted(path.relative_to(copy).as_posix() for path in copy.rglob("*") if path.is_file())
    assert copied == [".well-known/security.txt", "img/logo.txt", "robots.txt"]
