"""An `HTTPEndpoint` class exported as `endpoint` or imported from another module serves the
route, as in pyxle-framework 0.9; an imported class never displaces the file's own handlers."""

from __future__ import annotations

import asyncio

import httpx
import websockets

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites

VIEWS = '''
from starlette.endpoints import HTTPEndpoint
from starlette.responses import JSONResponse

class Base(HTTPEndpoint):
    pass

class UserEndpoint(Base):
    async def get(self, request):
        return JSONResponse({"users": ["imported"]})
'''
FILES = {
    "views.py": VIEWS,
    "pages/api/named.py": '''
from starlette.endpoints import HTTPEndpoint
from starlette.responses import JSONResponse

class Users(HTTPEndpoint):
    async def get(self, request):
        return JSONResponse({"users": ["named"]})

class Other(HTTPEndpoint):
    async def get(self, request):
        return JSONResponse({"users": ["other"]})

endpoint = Users

async def websocket(ws):
    await ws.accept()
    await ws.send_text("hi")
    await ws.close()
''',
    "pages/api/imported.py": "from views import UserEndpoint\n",
    "pages/api/subclass.py": '''
from starlette.responses import JSONResponse
from views import Base

class Mine(Base):
    async def get(self, request):
        return JSONResponse({"users": ["mine"]})
''',
    "pages/api/functions.py": '''
from views import UserEndpoint  # imported for some other use: the functions serve the route

async def get(request):
    return {"users": ["function"]}
''',
}


@cites("docs/api-routes.md", "The class may be\n  exported as `endpoint` (`endpoint = Users`, as 0.9 allowed; it wins over other classes in the\n  file)")
@cites("docs/api-routes.md", "imported from another module (`from views import Users`) when the file has no\n  handler of its own")
def test_endpoint_classes_exported_as_endpoint_or_imported_serve_the_route(make_project, start_server) -> None:
    server = start_server(make_project(FILES), "serve", env=SHARED_SECRET)
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/api/named").json() == {"users": ["named"]}
        assert client.post("/api/named").status_code == 405
        assert client.get("/api/imported").json() == {"users": ["imported"]}
        assert client.get("/api/subclass").json() == {"users": ["mine"]}  # not its imported base class
        assert client.get("/api/functions").json() == {"users": ["function"]}

    async def greeted() -> str:
        async with websockets.connect(server.ws_url + "/api/named") as ws:
            return str(await ws.recv())

    assert asyncio.run(greeted()) == "hi"  # the class as `endpoint` beside a websocket, as the seed has them
