from starlette.requests import Request
from starlette.responses import JSONResponse


async def get(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, world!"})
