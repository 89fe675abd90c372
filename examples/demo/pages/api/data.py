from starlette.requests import Request
from starlette.responses import JSONResponse

from db import fetch_data


async def get(request: Request) -> JSONResponse:
    api_key = request.headers.get("x-api-key")
    if not api_key:
        return JSONResponse({"error": "Missing API key"}, status_code=401)
    data = await fetch_data(api_key)
    if data is None:
        return JSONResponse({"error": "Not found"}, status_code=404)
    return JSONResponse({"data": data})
