"""The seed's HTTPEndpoint example, backed by the same SQLite data."""

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse

from db import create_user, fetch_all_users


class Users(HTTPEndpoint):
    async def get(self, request: Request) -> JSONResponse:
        return JSONResponse({"users": await fetch_all_users()})

    async def post(self, request: Request) -> JSONResponse:
        body = await request.json()
        await create_user(body["name"], body["email"])
        return JSONResponse({"created": True}, status_code=201)
