"""The seed's "Reading request bodies" example, verbatim, plus an echo of what arrived."""

from starlette.requests import Request
from starlette.responses import JSONResponse


async def post(request: Request) -> JSONResponse:
    # JSON body
    body = await request.json()
    # Form data
    form = await request.form()
    # Raw body
    raw = await request.body()
    return JSONResponse({"received": True})


async def put(request: Request) -> JSONResponse:
    """Form upload: urlencoded or multipart, with files."""
    form = await request.form()
    fields = {}
    for key, value in form.multi_items():
        if hasattr(value, "filename"):
            data = await value.read()
            fields[key] = {"filename": value.filename, "size": len(data), "content_type": value.content_type}
        else:
            fields[key] = value
    return JSONResponse({"fields": fields})


async def patch(request: Request) -> JSONResponse:
    raw = await request.body()
    return JSONResponse({"bytes": len(raw)})
