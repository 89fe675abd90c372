"""An `HTTPEndpoint` class's methods take typed parameters as method functions do (bound, or a
422), and one that cannot take the request is refused by `pyxle check` and at start-up, naming
its line: before, both passed and every call was a 500."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.conftest import SHARED_SECRET, server_env
from tests.docs._blocks import cites

TYPED = '''
from pydantic import BaseModel
from starlette.endpoints import HTTPEndpoint

class B(BaseModel):
    name: str

class Users(HTTPEndpoint):
    async def get(self, request, id: int, q: str = "x") -> dict:
        return {"id": id, "q": q}

    async def post(self, request, b: B):
        return {"id": request.path_params["id"], "name": b.name}

    def put(self, request, id: int, tags: list[str] = []):
        tags.append("t")
        return {"put": id, "tags": tags}
'''
NO_REQUEST = '''
from starlette.endpoints import HTTPEndpoint

class Users(HTTPEndpoint):
    async def get(self):
        return {}
'''


@cites("docs/api-routes.md", "An `HTTPEndpoint` class's methods take typed parameters after the request too")
def test_typed_methods_of_an_endpoint_class_are_bound(make_project, start_server) -> None:
    server = start_server(make_project({"pages/api/ep/[id].py": TYPED}), "serve", env=SHARED_SECRET)
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/api/ep/5?q=y").json() == {"id": 5, "q": "y"}
        assert client.head("/api/ep/5").status_code == 200
        bad = client.get("/api/ep/abc")
        assert bad.status_code == 422 and list(bad.json()["fields"]) == ["id"]
        assert client.post("/api/ep/5", json={"name": "n"}).json() == {"id": "5", "name": "n"}
        missing = client.post("/api/ep/5", json={})
        assert missing.status_code == 422 and list(missing.json()["fields"]) == ["name"]
        assert [client.put("/api/ep/7").json() for _ in range(2)] == [{"put": 7, "tags": ["t"]}] * 2


@cites("docs/api-routes.md", "a method that does not take the request\n(`async def get(self)`) is refused")
def test_an_endpoint_class_method_without_the_request_is_refused(make_project, start_server) -> None:
    project = make_project({"pages/api/norq.py": NO_REQUEST})
    expected = "pages/api/norq.py:4: Users.get() does not take the request"
    check = subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], check=False, capture_output=True,
                           text=True, env=server_env(), timeout=120)
    assert check.returncode == 1 and expected in check.stdout, check.stdout + check.stderr
    server = start_server(project, "serve", env=SHARED_SECRET, ready=False)
    assert server.wait_exit() == 1
    assert expected in server.output() and "hint: take the request: async def get(self, request)" in server.output()
    assert "Traceback" not in server.output()
