"""The seed's HTTPEndpoint example, backed by the same SQLite data."""

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse

from db import create_user, fetch_all_users, new_user_fields


class Users(HTTPEndpoint):
    async def get(self, request: Request) -> JSONResponse:
        return JSONResponse({"users": await fetch_all_users()})

    async def post(self, request: Request) -> JSONResponse:
        fields = new_user_fields(await request.json())
        if fields is None:
            return JSONResponse({"error": "name and email are required"}, status_code=422)
        await create_user(*fields)
        return JSONResponse({"created": True}, status_code=201)
