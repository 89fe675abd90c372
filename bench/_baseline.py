"""The baseline: a bare Starlette app serving the same JSON as the seed's /api/hello."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, world!"})


app = Starlette(routes=[Route("/api/hello", hello)])
