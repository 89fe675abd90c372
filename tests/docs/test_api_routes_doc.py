"""README.md and docs/api-routes.md: their examples, served as written, and the output they show."""

from __future__ import annotations

import asyncio
import json
import subprocess

import httpx
import pytest
import websockets

from tests.conftest import Server
from tests.docs._blocks import cites, doc_block
from tests.docs.conftest import pyxle_run


@pytest.fixture(scope="module")
def api(doc_project) -> Server:
    return doc_project("api-routes")


@cites("README.md", "# pages/api/hello.py  ->  GET /api/hello")
def test_the_readme_route_answers_hello(doc_project) -> None:
    server = doc_project("README")
    assert httpx.get(server.url + "/api/hello").json() == {"message": "Hello, world!"}


def test_the_readme_curl_commands_run_against_the_demo(demo_server: Server) -> None:
    script = doc_block("README.md", "demo-curl").replace("http://127.0.0.1:8000", demo_server.url)
    lines = [line for line in script.replace("\\\n", " ").splitlines() if line.strip()]
    answers = [subprocess.run(line, shell=True, capture_output=True, text=True, check=True).stdout for line in lines]
    assert answers[0] == '{"message":"Hello, world!"}'
    assert '"name":"Ada"' in answers[1] and '"name":"Ada"' in answers[2]
    # The demo server is shared by the session: leave its users table as we found it, so the
    # seed's CRUD test can create the same (unique) email in any order.
    created = json.loads(answers[1])["user"]["id"]
    assert httpx.request("DELETE", demo_server.url + "/api/users", json={"id": created}).status_code == 200


@cites("docs/api-routes.md", "the project root is importable, so a route can `from db import fetch_user`")
def test_a_route_reads_from_a_module_at_the_project_root(api: Server) -> None:
    assert httpx.get(api.url + "/api/users").json() == {"users": [{"id": 1, "name": "Ada"}]}


@cites("docs/api-routes.md", "Read a body in one form, by its `Content-Type`, as above.")
def test_the_body_example_reads_json_form_and_raw_bytes(api: Server) -> None:
    """Each as its comment says: it read JSON first, so a form post was a 400."""
    url = api.url + "/api/submit"
    answers = [httpx.post(url, json={"name": "Ada"}), httpx.post(url, data={"name": "Ada"}),
               httpx.post(url, data={"name": "Ada"}, files={"photo": ("a.png", b"png")}),
               httpx.post(url, content=b"abc", headers={"content-type": "application/octet-stream"})]
    assert [(a.status_code, a.json()) for a in answers] == [
        (200, {"received": {"name": "Ada"}}), (200, {"received": {"name": "Ada"}}),
        (200, {"received": {"name": "Ada", "photo": "a.png"}}), (200, {"received": {"bytes": 3}})]


@cites("docs/api-routes.md", "A file's `filename` is the name the client sent, as it sent it")
def test_a_files_name_is_what_the_client_sent_path_and_all(api: Server) -> None:
    names = {"../../etc/passwd": "../../etc/passwd", "a/b.txt": "a/b.txt", "C:\\Users\\me\\x.txt": "x.txt",
             'say "hi".txt': "say %22hi%22.txt"}  # httpx, as browsers do, writes a quote as %22
    for sent, received in names.items():
        answer = httpx.post(api.url + "/api/submit", files={"photo": (sent, b"png")})
        assert (answer.status_code, answer.json()) == (200, {"received": {"photo": received}}), sent


def test_the_websocket_example_echoes(api: Server) -> None:
    async def talk() -> str:
        async with websockets.connect(api.ws_url + "/api/echo") as ws:
            await ws.send("hi")
            return await ws.recv()

    assert asyncio.run(talk()) == "echo: hi"


def test_the_route_conflict_shown_is_what_start_up_prints(make_project) -> None:
    root = make_project({"pages/api/users.py": "async def get(request):\n    return {}\n",
                         "pages/api/users/index.py": "async def get(request):\n    return {}\n"})
    run = pyxle_run(root, "serve", str(root), "--port", "0")
    assert run.returncode == 1
    assert doc_block("docs/api-routes.md", "route-conflict") in run.stderr


def test_the_import_error_shown_is_what_start_up_prints(make_project) -> None:
    root = make_project({"pages/api/bad.py": "import json\nx = 1 / 0\n\nasync def get(request):\n    return {}\n"})
    run = pyxle_run(root, "serve", str(root), "--port", "0")
    assert run.returncode == 1
    assert doc_block("docs/api-routes.md", "import-error") in run.stderr
