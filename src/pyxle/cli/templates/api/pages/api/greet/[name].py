from starlette.requests import Request
from starlette.responses import JSONResponse


async def get(request: Request) -> JSONResponse:
    name = request.path_params["name"]
    return JSONResponse({"message": f"Hello, {name}!"})
